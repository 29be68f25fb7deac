"""krm.intake.discover: the one discovery of every command (suffixes, lock/hidden files, links, FIFOs,
unreadable folders, non-UTF-8 names), and validate/status reporting what cannot be read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from krm.intake.discover import FOLDER_UNREADABLE, NOT_A_FILE, SUFFIXES, discover, find_workbooks

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "2019-05"
KRM = [sys.executable, "-c", "from krm.cli import run; run()"]


def _a_sample() -> Path:
    return next(p for p in sorted(SAMPLE.rglob("*.xlsx")))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "region" / "sub").mkdir(parents=True)
    src = _a_sample()
    for rel in ("a.xlsx", "region/b.XLSX", "region/sub/c.xlsm", "~$a.xlsx", ".hidden.xlsx", "region/.~lock.b.xlsx#",
                "notes.txt"):
        shutil.copyfile(src, root / rel)
    (root / ".git").mkdir()
    shutil.copyfile(src, root / ".git" / "d.xlsx")
    return root


def test_suffixes_lock_and_hidden_files(tmp_path):
    root = _tree(tmp_path)
    got = [p.relative_to(root).as_posix() for p in find_workbooks([root])]
    assert got == ["a.xlsx", "region/b.XLSX", "region/sub/c.xlsm"]
    assert ".xlsx" in SUFFIXES and ".ods" in SUFFIXES
    # a file named explicitly is taken as it is, before the folder's files, each real file once
    got = find_workbooks([root / "notes.txt", root, root / "a.xlsx"])
    assert got[0] == root / "notes.txt" and got.count(root / "a.xlsx") == 1


def test_validate_and_status_find_the_same_files(tmp_path):
    import krm.status
    import krm.validate

    root = _tree(tmp_path)
    assert krm.validate.find_workbooks([root]) == krm.status.find_workbooks([root]) == find_workbooks([root])


def test_symlinked_folder_followed_once_and_loops_end(tmp_path):
    root = _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "east"
    elsewhere.mkdir(parents=True)
    shutil.copyfile(_a_sample(), elsewhere / "e.xlsx")
    (root / "east").symlink_to(elsewhere, target_is_directory=True)  # a region folder kept elsewhere
    (root / "region" / "loop").symlink_to(root, target_is_directory=True)  # a link back up: a loop
    (root / "again").symlink_to(elsewhere, target_is_directory=True)  # a second link to the same folder
    t0 = time.monotonic()
    got = [p.relative_to(root).as_posix() for p in find_workbooks([root])]
    assert time.monotonic() - t0 < 5
    assert got == ["a.xlsx", "again/e.xlsx", "region/b.XLSX", "region/sub/c.xlsm"]
    assert all(e.ok for e in discover([root]))


def test_fifo_is_a_finding_never_opened(tmp_path):
    root = _tree(tmp_path)
    os.mkfifo(root / "x.xlsx")
    entries = {e.path.name: e for e in discover([root])}
    assert entries["x.xlsx"].code == NOT_A_FILE and "FIFO" in entries["x.xlsx"].detail
    # through the CLI: a finding with its code, exit 2, no 60 s stall (the reader never opens it blocking)
    for args in (["validate", str(root), "--format", "json"], ["validate", str(root / "x.xlsx"), "--format", "json"]):
        t0 = time.monotonic()
        p = subprocess.run(KRM + args, capture_output=True, text=True, timeout=60)
        assert time.monotonic() - t0 < 20
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert '"KRM-E070"' in p.stdout
    # the reader on its own refuses it without blocking too
    from krm.validate import validate_file

    rep = validate_file(root / "x.xlsx")
    assert [f.code for f in rep.findings] == [NOT_A_FILE]


def test_broken_link_named_like_a_workbook(tmp_path):
    root = _tree(tmp_path)
    (root / "gone.xlsx").symlink_to(tmp_path / "nowhere.xlsx")
    e = next(e for e in discover([root]) if e.path.name == "gone.xlsx")
    assert e.code == "KRM-E008" and "does not exist" in e.detail


def _unreadable(folder: Path):
    """Make ``folder`` unlistable for this process: chmod 000 (root ignores modes: os.scandir is made to
    fail with the error a non-root user gets)."""
    folder.chmod(0)
    return os.geteuid() == 0


def test_unreadable_folder_is_a_finding(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    locked = root / "region"
    as_root = _unreadable(locked)
    try:
        if as_root:
            real = os.scandir

            def scandir(p="."):
                if Path(p) == locked:
                    raise PermissionError(13, "Permission denied", str(p))
                return real(p)

            monkeypatch.setattr(os, "scandir", scandir)
        entries = discover([root])
        bad = [e for e in entries if not e.ok]
        assert [(e.path, e.code) for e in bad] == [(locked, "KRM-E071")] and FOLDER_UNREADABLE == "KRM-E071"
        assert "Permission denied" in bad[0].detail
        from krm.validate import validate_paths

        reps = validate_paths([root], jobs=1, cache=False, submissions=False)
        got = {r.path: [f.code for f in r.findings] for r in reps}
        assert got[locked] == [FOLDER_UNREADABLE]
        assert next(r for r in reps if r.path == locked).unreadable
        from krm.status import read_arrivals

        arr = {a.path: a for a in read_arrivals([root], jobs=1)}
        assert arr[str(locked)].problem.startswith(FOLDER_UNREADABLE)
    finally:
        locked.chmod(0o755)


def test_non_utf8_names_found(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    name = os.fsdecode(b"a\xff.xlsx")
    shutil.copyfile(_a_sample(), root / name)
    got = find_workbooks([root])
    assert got == [root / name] and os.fsencode(got[0].name) == b"a\xff.xlsx"


def test_aggregate_reads_a_symlinked_region_folder(tmp_path):
    """A region kept elsewhere and linked into the month's folder is read, not reported as sending nothing."""
    import json

    src = SAMPLE / "31-Zhambyl-Region"
    elsewhere = tmp_path / "elsewhere" / src.name
    shutil.copytree(src, elsewhere)
    root = tmp_path / "in"
    root.mkdir()
    (root / src.name).symlink_to(elsewhere, target_is_directory=True)
    p = subprocess.run(KRM + ["aggregate", str(root), "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, timeout=300, env={**os.environ, "KRM_CACHE": "off"})
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-1500:]
    summary = json.loads((tmp_path / "out" / "aggregate-summary.json").read_text(encoding="utf-8"))
    files = [f["file"] for f in summary["inputs"]]
    assert len(files) == len(list(src.glob("*.xlsx"))) and all(f.startswith(src.name + "/") for f in files)
    assert any((tmp_path / "out").rglob("KRM-3.*.31.xlsx"))


def test_entry_stat_reads_and_compares_as_os_stat(tmp_path):
    """An entry keeps its stat packed (krm.intake.discover.Stat): every st_* attribute of the os.stat_result it was
    made from, with the same value and type (float times as CPython makes them), the same tuple view, equal to it
    and hashing as it: what krm.register.lite.identity, memo.settled and the stored answers read."""
    from krm.intake.discover import Stat

    root = _tree(tmp_path)
    os.utime(root / "a.xlsx", ns=(1_700_000_000_123_456_789, 1_600_000_000_999_999_999))
    entries = [e for e in discover([root]) if e.ok]
    assert entries and all(isinstance(e.stat, Stat) for e in entries)
    for e in entries:
        st = os.stat(e.path)
        for name in (a for a in dir(st) if a.startswith("st_")):
            got, want = getattr(e.stat, name), getattr(st, name)
            assert got == want and type(got) is type(want), name
        assert e.stat == st and st == e.stat and hash(e.stat) == hash(st)
        assert tuple(e.stat) == tuple(st) and len(e.stat) == len(st) and e.stat[8] == st[8]
        assert e.stat == Stat(st) and e.stat != Stat(os.stat(SAMPLE))
    # a negative time (before 1970) too
    os.utime(root / "a.xlsx", ns=(-1_000_000_001, -123))
    st = os.stat(root / "a.xlsx")
    assert Stat(st).st_mtime == st.st_mtime and Stat(st).st_atime == st.st_atime and Stat(st) == st


def test_folder_order_is_by_path_parts(tmp_path):
    """A folder's workbooks come in the order of their paths' parts: a folder's files before a sibling whose name
    sorts after the folder's as text but below it part by part ("a/x" before "a-b", "a.b"; plain text order would
    put "a-b" first, since "-" and "." sort below "/")."""
    root = tmp_path / "in"
    src = _a_sample()
    for rel in ("a/x.xlsx", "a-b.xlsx", "a.b.xlsx", "a b/y.xlsx", "a/z/w.xlsx", "A.xlsx", "b.xlsx"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, root / rel)
    got = [e.path for e in discover([root])]
    assert got == sorted(got, key=lambda p: p.parts)
    assert [p.relative_to(root).as_posix() for p in got] == [
        "A.xlsx", "a/x.xlsx", "a/z/w.xlsx", "a b/y.xlsx", "a-b.xlsx", "a.b.xlsx", "b.xlsx"]


def test_a_folder_is_walked_as_its_entries_are_taken(tmp_path, monkeypatch):
    """iter_discover gives a folder's workbooks as it walks it, in discover's order: the first entry comes
    before the later folders are listed, so a caller that keeps only the paths (validate, aggregate) never holds
    a year's entries and stats at once; find_workbooks and discover give the same paths in the same order, and
    a file reached twice (a link, the same path given again) is given once."""
    import importlib

    d = importlib.import_module("krm.intake.discover")  # (the package's name `discover` is the function)

    root = tmp_path / "in"
    src = _a_sample()
    months = [f"2019-{m:02d}" for m in range(1, 7)]
    for m in months:
        for rel in (f"{m}/11/a.xlsx", f"{m}/11/b.xlsx", f"{m}/11-x/c.xlsx", f"{m}/11.xlsx"):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, root / rel)
    os.symlink(root / "2019-01" / "11", root / "2019-06" / "link")
    listed: list[str] = []
    real = os.scandir

    def spy(path):
        listed.append(str(path))
        return real(path)
    monkeypatch.setattr(d.os, "scandir", spy)
    it = d.iter_discover([root])
    first = next(it)
    assert first.path == root / "2019-01" / "11" / "a.xlsx" and first.stat is not None
    assert len(listed) < 4  # the root, 2019-01 and 2019-01/11: none of the later folders yet
    rest = [first] + list(it)
    monkeypatch.setattr(d.os, "scandir", real)
    got = [e.path for e in rest]
    assert got == [e.path for e in discover([root])] == find_workbooks([root]) == sorted(got, key=lambda p: p.parts)
    assert len(got) == 4 * len(months)  # 2019-06/link/* are 2019-01/11's files: read once, by their first name
    assert [e.path for e in d.iter_discover(got + got)] == got
