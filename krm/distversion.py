"""An installed distribution's version, as :func:`importlib.metadata.version` gives it, without importing it.

The engine version (:mod:`krm.register.engine`), the outputs' recipes and the reader's calamine gate each ask for
a few libraries' versions once a process. ``importlib.metadata`` parses a distribution's METADATA with the
``email`` package, and importing the two costs 25-40 ms of every command's start (more than a third of
``krm validate`` after edits' own work on a quiet machine). The versions are found here the way
``importlib.metadata`` finds them in the ordinary case: the first ``*.dist-info`` / ``*.egg-info`` folder of that
name along ``sys.path`` (the same name normalisation, the same listing order), its ``METADATA`` / ``PKG-INFO``
read and its first ``Version:`` header taken. Anything out of the ordinary (a zip on the path, an egg-info file,
a folded header, nothing found) is handed to ``importlib.metadata`` itself, so the answer is always the same as
its answer (tests/test_distversion.py compares the two for every distribution installed).
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

_SEP = re.compile(r"[-_.]+")


def _normal(name: str) -> str:
    """PEP 503 normalisation with dashes as underscores (``importlib.metadata.Prepared.normalize``)."""
    return _SEP.sub("-", name).lower().replace("-", "_")


@lru_cache(maxsize=None)
def _listing(entry: str) -> tuple[str, ...] | None:
    """A ``sys.path`` entry's children as ``importlib.metadata``'s FastPath lists them; None when it cannot be
    listed as a folder the way FastPath does (a zip, say): the caller then asks importlib.metadata."""
    root = entry or "."
    if os.path.isfile(root):
        return None
    try:
        return tuple(os.listdir(root))
    except OSError:
        return ()  # FastPath: a missing or unreadable entry has no children


_LINES = re.compile(r"\r\n|\r|\n")  # the email parser's line ends (str.splitlines knows more)
_HEADER = re.compile(r"[\041-\071\073-\176]*:")  # a header line as the email parser's feedparser sees one


def _header_version(text: str) -> str | None:
    """The first ``Version`` header of a METADATA text as the email parser gives it (leading blanks and the line
    end dropped), or None when the headers are anything but plain one-line headers up to the first blank line."""
    lines = _LINES.split(text)
    for i, line in enumerate(lines):
        if not line:
            return None  # the headers ended without a Version
        if line[0] in " \t":
            if i == 0:
                return None  # a continuation of nothing: the email parser decides
            continue  # a continuation of a header other than Version
        if line.startswith("From ") or not _HEADER.match(line):
            return None  # not a plain header: the email parser decides
        name, _, value = line.partition(":")
        if name.lower() == "version":
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if nxt[:1] in (" ", "\t"):
                return None  # folded: let the email parser unfold it
            return value.lstrip(" \t")
    return None


def _fast(dist: str) -> str | None:
    want = _normal(dist)
    for entry in sys.path:
        children = _listing(entry)
        if children is None:
            return None
        base = os.path.basename(entry or ".").lower()
        if base.endswith(".egg"):
            return None  # an egg on the path: importlib.metadata's own rules
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")) and _normal(low.rpartition(".")[0].partition("-")[0]) == want:
                folder = os.path.join(entry or ".", child)
                for meta in ("METADATA", "PKG-INFO"):
                    path = os.path.join(folder, meta)
                    if os.path.isfile(path):
                        try:
                            with open(path, encoding="utf-8") as fh:
                                return _header_version(fh.read())
                        except (OSError, UnicodeDecodeError):
                            return None
                return None  # an egg-info file, or a folder without metadata: importlib.metadata decides
    return None


def release_in(dist: str, releases) -> bool:
    """Whether the installed ``dist`` is one of ``releases`` (the releases a fast path was worked out against:
    the calamine gate of the reader, the plain summary of ``krm aggregate``); False when it cannot be told."""
    try:
        return version(dist) in releases
    except Exception:  # noqa: BLE001 - no metadata (a frozen or vendored install): the ordinary path
        return False


@lru_cache(maxsize=None)
def version(dist: str) -> str | None:
    """The installed version of ``dist`` (e.g. ``"python-calamine"``), exactly as
    ``importlib.metadata.version`` gives it; None when it is not installed."""
    found = _fast(dist)
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version(dist)
    except PackageNotFoundError:
        return None
