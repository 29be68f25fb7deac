"""The engine version: what a stored reading is valid for.

A reading (findings, typed rows) depends on the workbook's bytes and on everything that reads them:
krm's own source and data files, the user's reference data (``KRM_REFERENCE_DIR``) and the versions
of the readers (python-calamine, defusedxml).  The engine version is a hash of all of that, so a new
krm, a new programme list or another reader never meets an old reading: the register reads the
workbook again and stores a new reading beside the old one (which stays, for history).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

FORMAT = "register-1"  # bump when what a reading holds changes shape
_SOURCE_SUFFIXES = (".py", ".csv", ".json", ".geojson", ".txt", ".md", ".html", ".j2")


def _hash_tree(h, base: Path) -> None:
    """Every source file under ``base`` (its path from ``base`` and its bytes), in the order of their paths' parts
    (as ``sorted(base.rglob("*"))``).  Every register command computes this at start-up (≈ 250 files), so the tree
    is walked as :func:`os.walk` walks it (links to folders not followed, unreadable folders skipped) but with
    :func:`os.scandir`'s own entry types instead of a ``stat`` a file, without entering ``__pycache__``, and each
    file read unbuffered: the same files, bytes and digest at about half the cost."""
    found: list[tuple[str, ...]] = []
    _found_under(base, (), found)
    for parts in sorted(found):
        with open(os.path.join(base, *parts), "rb", buffering=0) as fh:
            data = fh.read()
        h.update("/".join(parts).encode())
        h.update(b"\0")
        h.update(data)
        h.update(b"\0")


def _found_under(folder, parts: tuple[str, ...], found: list) -> None:
    """The source files under ``folder`` (``parts``: its path from the base) into ``found``, as ``os.walk(base)``
    with every folder inside a ``__pycache__`` left out and :func:`os.path.isfile` for each name would."""
    try:
        entries = os.scandir(folder)
    except OSError:  # os.walk skips a folder it cannot list
        return
    subfolders = []
    with entries:
        for e in entries:
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    link = e.is_symlink()
                except OSError:
                    link = False
                if not link and e.name != "__pycache__":
                    subfolders.append(e)
            elif os.path.splitext(e.name)[1] in _SOURCE_SUFFIXES:
                try:
                    if e.is_file():  # follows a link, as os.path.isfile
                        found.append(parts + (e.name,))
                except OSError:
                    pass
    for e in subfolders:
        _found_under(e.path, parts + (e.name,), found)


@lru_cache(maxsize=None)
def _fingerprint(ref_dir: str | None) -> str:
    import krm

    h = hashlib.sha256(f"krm-{FORMAT}".encode())
    _hash_tree(h, Path(krm.__file__).parent)
    if ref_dir and Path(ref_dir).is_dir():
        h.update(b"ref\0")
        _hash_tree(h, Path(ref_dir))
    from krm.distversion import version

    for dist in ("python-calamine", "defusedxml"):
        h.update(f"{dist}={version(dist) or '?'}".encode())
    return h.hexdigest()[:16]


def fingerprint() -> str:
    """The engine version: krm's sources and data, user reference data, reader versions (16 hex digits)."""
    return _fingerprint(os.environ.get("KRM_REFERENCE_DIR"))
