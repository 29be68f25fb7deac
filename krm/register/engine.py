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
    (as ``sorted(base.rglob("*"))``; with :func:`os.walk`, several times faster than through Path objects)."""
    found = []
    for d, dirs, names in os.walk(base):
        if "__pycache__" in Path(d).relative_to(base).parts:
            continue
        rel = os.path.relpath(d, base)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for n in names:
            if os.path.splitext(n)[1] in _SOURCE_SUFFIXES and os.path.isfile(os.path.join(d, n)):
                found.append(parts + (n,))
    for parts in sorted(found):
        with open(os.path.join(base, *parts), "rb") as fh:
            data = fh.read()
        h.update("/".join(parts).encode())
        h.update(b"\0")
        h.update(data)
        h.update(b"\0")


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
