"""The engine version's walk over krm's sources (krm.register.engine._hash_tree): the same files, bytes and digest as
``os.walk`` with a ``stat`` a name gave, without listing ``__pycache__`` folders (issue 16: every register command
computes it at start-up)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from krm.register import engine


def _walked(base: Path) -> str:
    """The digest as krm computed it before (os.walk, os.path.isfile for each name, buffered reads)."""
    h = hashlib.sha256()
    found = []
    for d, _dirs, names in os.walk(base):
        if "__pycache__" in Path(d).relative_to(base).parts:
            continue
        rel = os.path.relpath(d, base)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for n in names:
            if os.path.splitext(n)[1] in engine._SOURCE_SUFFIXES and os.path.isfile(os.path.join(d, n)):
                found.append(parts + (n,))
    for parts in sorted(found):
        with open(os.path.join(base, *parts), "rb") as fh:
            data = fh.read()
        h.update("/".join(parts).encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _hashed(base: Path) -> str:
    h = hashlib.sha256()
    engine._hash_tree(h, base)
    return h.hexdigest()


def _tree(root: Path) -> Path:
    base = root / "pkg"
    (base / "sub" / "deeper").mkdir(parents=True)
    (base / "__pycache__" / "inner").mkdir(parents=True)
    (base / "sub" / "__pycache__").mkdir()
    (base / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (base / "mod.py").write_bytes(b"x = 1\n")
    (base / "notes.bin").write_bytes(b"\0\1")  # not a source suffix
    (base / "sub" / "deeper" / "a.json").write_text("{}", encoding="utf-8")
    (base / "sub" / "B.py").write_bytes(b"")  # empty file
    (base / "sub" / "b.py").write_bytes("# ә\n".encode() * 5000)
    (base / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"pyc")
    (base / "__pycache__" / "stray.py").write_bytes(b"never hashed")
    (base / "__pycache__" / "inner" / "x.py").write_bytes(b"never hashed")
    (base / "sub" / "__pycache__" / "y.txt").write_bytes(b"never hashed")
    (base / "folder.py").mkdir()  # a folder with a source suffix
    (base / "folder.py" / "in.md").write_text("# in", encoding="utf-8")
    outside = root / "outside"
    outside.mkdir()
    (outside / "o.py").write_bytes(b"outside")
    try:
        (base / "linked_dir").symlink_to(outside, target_is_directory=True)  # not followed
        (base / "linked_file.py").symlink_to(outside / "o.py")  # followed, as os.path.isfile does
        (base / "broken.py").symlink_to(root / "nowhere.py")  # not a file
    except OSError:  # pragma: no cover - no symlinks here
        pass
    return base


def test_same_digest_as_the_walk_it_replaces(tmp_path):
    base = _tree(tmp_path)
    assert _hashed(base) == _walked(base)
    # and on krm's own installed or checked-out sources
    import krm

    src = Path(krm.__file__).parent
    assert _hashed(src) == _walked(src)


def test_pycache_folders_are_not_listed(tmp_path, monkeypatch):
    base = _tree(tmp_path)
    listed = []
    real = os.scandir

    def scandir(path="."):
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    _hashed(base)
    assert listed and not [p for p in listed if "__pycache__" in Path(p).parts], listed


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_skipped_as_before(tmp_path):
    base = _tree(tmp_path)
    shut = base / "sub" / "deeper"
    shut.chmod(0)
    try:
        assert _hashed(base) == _walked(base)
    finally:
        shut.chmod(0o755)
