"""A per-file cache of validation results, so a folder is read once, not once per command.

The usual day of an oblast analyst is ``krm validate DIR``, fix two files, ``krm validate
DIR`` again, then ``krm aggregate DIR`` and ``krm report``.  Each of those needs every
workbook of the folder parsed and checked; without a cache each re-reads all of them.
With it, a workbook whose bytes were already validated by the same krm, with the same
reference data, on the same day, is not read again: its :class:`~krm.validate.FileReport`
(findings and typed submission) is loaded from the cache instead.

What makes an entry (the key) — anything that could change a finding or a figure:

* the SHA-256 of the workbook's **bytes** (never its name, path or mtime: a file edited and
  saved is a new entry; a file copied elsewhere is the same one);
* the **engine fingerprint**: a hash of krm's own source files and data files, the
  ``KRM_REFERENCE_DIR`` files, and the versions of python-calamine and defusedxml — a new
  krm, a new programme list or a new reader never meets an old entry;
* the **validation date** (``--as-of``, default today): findings about deadlines and
  periods in the future depend on it.

Where: ``$KRM_CACHE_DIR``, else ``$XDG_CACHE_HOME/krm``, else ``~/.cache/krm``; one
sub-folder per engine fingerprint (folders of older fingerprints are removed when a new
one is first used).  ``KRM_CACHE=off`` (or the commands' ``--no-cache``) turns it off.
The folder is created private (0700); a folder that is not ours or that others may write
is not used (entries are pickles, which must only be loaded from a place only this user
can write).  Entries are written atomically; a damaged or unreadable entry is a miss,
never an error.  Inputs are never touched: the cache lives outside the folders read.

Outputs do not depend on the cache: an entry is the exact result the same code gave for
the same bytes on the same date (``tests/test_cache.py`` checks cached and uncached runs
give the same findings and the same output bytes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import stat
import zlib
from functools import lru_cache
from pathlib import Path

FORMAT = "1"  # bump when the entry layout changes
_SOURCE_SUFFIXES = (".py", ".csv", ".json", ".geojson", ".txt", ".md", ".html", ".j2")


def enabled() -> bool:
    return os.environ.get("KRM_CACHE", "").strip().lower() not in ("off", "0", "no", "false")


def root() -> Path:
    d = os.environ.get("KRM_CACHE_DIR")
    if d:
        return Path(d)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "krm"


def _hash_tree(h, base: Path) -> None:
    for p in sorted(base.rglob("*")):
        if p.is_file() and p.suffix in _SOURCE_SUFFIXES and "__pycache__" not in p.parts:
            h.update(p.relative_to(base).as_posix().encode())
            h.update(b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")


@lru_cache(maxsize=None)
def _fingerprint(ref_dir: str | None) -> str:
    import krm

    h = hashlib.sha256(f"krm-cache-{FORMAT}".encode())
    _hash_tree(h, Path(krm.__file__).parent)
    if ref_dir and Path(ref_dir).is_dir():
        h.update(b"ref\0")
        _hash_tree(h, Path(ref_dir))
    for dist in ("python-calamine", "defusedxml"):
        try:
            from importlib.metadata import version

            h.update(f"{dist}={version(dist)}".encode())
        except Exception:  # noqa: BLE001
            h.update(f"{dist}=?".encode())
    return h.hexdigest()[:16]


def fingerprint() -> str:
    """The engine fingerprint: krm's sources and data, user reference data, reader versions."""
    return _fingerprint(os.environ.get("KRM_REFERENCE_DIR"))


def _private_dir(path: Path) -> bool:
    """Create ``path`` (0700) if needed; True only if it is ours and nobody else can write it."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = path.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not (st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


class Cache:
    """The cache of one run: one engine fingerprint, one validation date."""

    def __init__(self, today: dt.date | None = None, base: Path | None = None):
        self.today = today or dt.date.today()
        self.base = Path(base) if base is not None else root()
        self.fp = fingerprint()
        self.dir = self.base / f"v{FORMAT}-{self.fp}"
        self.usable = _private_dir(self.base) and _private_dir(self.dir)
        self.hits = 0
        self.misses = 0
        if self.usable:
            self._prune_other_versions()

    def _prune_other_versions(self) -> None:
        try:
            for d in self.base.iterdir():
                if d.is_dir() and d.name.startswith("v") and d != self.dir and not d.is_symlink():
                    shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass

    def key(self, data: bytes) -> str:
        h = hashlib.sha256(data)
        h.update(self.today.isoformat().encode())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pkl.z"

    def get(self, key: str):
        """The cached report for ``key``, or None (a miss, also for any damaged entry)."""
        if not self.usable:
            return None
        try:
            with open(self._path(key), "rb") as fh:
                blob = fh.read()
            obj = pickle.loads(zlib.decompress(blob))
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss
            return None
        return obj

    def put(self, key: str, obj) -> None:
        """Store ``obj`` atomically (a temporary file renamed into place); failures are ignored."""
        if not self.usable:
            return
        p = self._path(key)
        tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
        try:
            p.parent.mkdir(mode=0o700, exist_ok=True)
            data = zlib.compress(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL), 1)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, p)
        except Exception:  # noqa: BLE001 - a full disk must not fail validation
            try:
                tmp.unlink()
            except OSError:
                pass


def clear(base: Path | None = None) -> int:
    """Remove every entry; returns the bytes freed."""
    base = Path(base) if base is not None else root()
    freed = 0
    if not base.is_dir():
        return 0
    for d in base.iterdir():
        if d.is_dir() and d.name.startswith("v") and not d.is_symlink():
            freed += sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
            shutil.rmtree(d, ignore_errors=True)
    return freed


def info(base: Path | None = None) -> dict:
    base = Path(base) if base is not None else root()
    entries = size = 0
    if base.is_dir():
        for f in base.rglob("*.pkl.z"):
            entries += 1
            size += f.stat().st_size
    return {"dir": str(base), "enabled": enabled(), "fingerprint": fingerprint(), "entries": entries, "bytes": size}
