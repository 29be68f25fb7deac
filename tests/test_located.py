"""Where the register records a workbook was seen (krm/intake/located.py): however the command line names the month's
folder — relative, absolute, ``./month/``, through a symbolic link — the same file is the same path in the register.
So validate on one name and aggregate on another, after edits, still take the unchanged files from the register
(krm/aggregate/splice.py), record no path twice, and leave validate's stored pieces valid; what is printed and
written is a full run's.  A register that holds paths as earlier krm recorded them (relative, as given) keeps
working and keeps them.  SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

import krm.register as register
from krm.intake.located import located
from test_answers import _counted
from test_memo import jobs, month, settled_now  # noqa: F401 - fixtures
from test_register import _fresh_pg_database, _tree, cli, reg_url  # noqa: F401 - fixtures
from test_splice import _replace, spliced  # noqa: F401 - fixtures


@pytest.fixture
def full_validates(monkeypatch):
    """Counts the runs of krm validate that validated every file (not answered, not only the edited ones)."""
    import krm.commands.validate as v

    return _counted(monkeypatch, (v, "_validate_files"))


def _paths(reg_url: str) -> list[tuple[int, str]]:
    with register.open(reg_url) as reg:
        from sqlalchemy import select

        from krm.register import schema as S

        with reg.reader() as c, c.begin():
            return sorted(map(tuple, c.execute(select(S.workbook_path.c.workbook_id, S.workbook_path.c.path))))


def test_located_resolves_the_folder_and_keeps_the_name(tmp_path, monkeypatch):
    (tmp_path / "real" / "m").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "m" / "a.xlsx").write_bytes(b"x")
    (tmp_path / "real" / "m" / "b.xlsx").symlink_to(tmp_path / "real" / "m" / "a.xlsx")
    monkeypatch.chdir(tmp_path)
    want = str(tmp_path.resolve() / "real" / "m" / "a.xlsx")
    assert located(["real/m/a.xlsx", Path("./real/m/a.xlsx"), str(tmp_path / "link/m/a.xlsx"), "link/../real/m/a.xlsx",
                    "real//m/a.xlsx"]) == [want] * 5
    assert located(["real/m/b.xlsx"]) == [str(tmp_path.resolve() / "real" / "m" / "b.xlsx")]  # its own name
    monkeypatch.chdir(tmp_path / "real")
    assert located(["m/a.xlsx"]) == [want]


def test_names_of_one_folder_share_the_register(reg_url, month, settled_now, spliced, full_validates, tmp_path,
                                                monkeypatch):  # noqa: F811
    """validate on a relative name, aggregate on the absolute one, a link and ``./name/`` after edits: spliced,
    each path recorded once, validate's next run only the edited files; outputs and output a full run's."""
    os.symlink(month, tmp_path / "link")
    monkeypatch.chdir(month.parent)
    rel = month.name
    assert cli("validate", rel, "--format", "json").exit_code in (0, 1)
    assert cli("aggregate", month, "--out", tmp_path / "out-s").exit_code in (0, 1)
    assert full_validates() == 1
    n = len(list(month.rglob("*.xlsx")))
    paths = _paths(reg_url)
    assert len(paths) == n and all(os.path.isabs(p) for _, p in paths)  # the aggregate added no second name
    added = 0
    for seed, name in ((11, month), (12, "../link"), (13, f"./{rel}/")):
        added += len(_replace(month, tmp_path, 2, seed))
        assert cli("validate", rel, "--format", "json").exit_code in (0, 1)
        assert full_validates() == 1, seed  # only the edited files validated: the pieces stood
        before = spliced.n
        s = cli("aggregate", name, "--out", tmp_path / "out-s", "--force")
        assert spliced.n == before + 1, (name, s.output)  # the unchanged files taken from the register
        assert len(_paths(reg_url)) == len(paths) + added, name  # the edited files' paths, once each
        spliced.off = True
        try:
            f = cli("aggregate", name, "--out", tmp_path / "out-f", "--force")
        finally:
            spliced.off = False
        assert s.exit_code == f.exit_code and s.exit_code in (0, 1)
        assert s.stdout.replace(str(tmp_path / "out-s"), "OUT") == f.stdout.replace(str(tmp_path / "out-f"), "OUT")
        assert _tree(tmp_path / "out-s") == _tree(tmp_path / "out-f")
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def test_a_register_with_paths_as_given_keeps_working(month, settled_now, spliced, tmp_path, monkeypatch):  # noqa: F811
    """An SQLite register whose paths were recorded as given (relative, by an earlier krm): validate, status and
    aggregate read it as before; its rows stay, the files' located paths are added beside them."""
    db = tmp_path / "data" / "register.sqlite"
    monkeypatch.setenv("KRM_REGISTER", str(db))
    monkeypatch.chdir(month.parent)
    assert cli("validate", month.name, "--format", "json").exit_code in (0, 1)
    with sqlite3.connect(db) as con:  # as krm before this change recorded them: the path as given
        con.executemany("UPDATE workbook_path SET path = ? WHERE id = ?",
                        [(os.path.relpath(p, month.parent) if os.path.isabs(p) else p, i)
                         for i, p in con.execute("SELECT id, path FROM workbook_path").fetchall()])
        old = sorted(con.execute("SELECT workbook_id, path FROM workbook_path"))
    assert old and all(p.startswith(month.name + "/") for _, p in old)
    assert cli("validate", month.name, "--format", "json").exit_code in (0, 1)
    st = cli("status", month.name, "--month", "2019-05", "--format", "json")
    assert st.exit_code == 0, st.output
    items = json.loads(st.stdout)["approval"]["submissions"]
    assert items and {i["path"] for i in items} <= {str(p.relative_to(month.parent)) for p in month.rglob("*.xlsx")}
    cli("aggregate", month.name, "--out", tmp_path / "out-s")
    _replace(month, tmp_path, 2, 11)
    assert cli("validate", month.name, "--format", "json").exit_code in (0, 1)
    n = spliced.n
    assert cli("aggregate", str(month), "--out", tmp_path / "out-s", "--force").exit_code in (0, 1)
    assert spliced.n == n + 1
    with sqlite3.connect(db) as con:
        now = sorted(con.execute("SELECT workbook_id, path FROM workbook_path"))
    assert set(old) <= set(now)  # nothing deleted
    new = {p for _, p in now} - {p for _, p in old}
    assert new and all(os.path.isabs(p) for p in new)
    assert set(located(month.rglob("*.xlsx"))) <= {p for _, p in now}


def _identities(reg_url: str, outputs: list[Path] = ()) -> dict[str, tuple]:
    """The register's file identities but those of files under ``outputs``: {path: (device, inode, size, mtime_ns,
    ctime_ns, sha256, seen)}."""
    with register.open(reg_url) as reg:
        from sqlalchemy import select

        from krm.register import schema as S

        F = S.file_stat
        with reg.reader() as c, c.begin():
            rows = c.execute(select(F.c.path, F.c.device, F.c.inode, F.c.size, F.c.mtime_ns, F.c.ctime_ns,
                                    F.c.sha256, F.c.seen)).all()
    skip = tuple(os.path.join(o, "") for o in located(outputs))
    return {r[0]: tuple(r[1:]) for r in rows if not r[0].startswith(skip)}


def test_identities_are_where_the_file_is(reg_url, month, settled_now, jobs, tmp_path, monkeypatch):  # noqa: F811
    """validate on the folder's own name records each file's identity where the file is; aggregate, validate and
    report through a link to the folder or a relative name then hash no file again: no worker hashes one, and no
    identity is recorded again (the register's rows are as they were, ``seen`` included), nor under another name."""
    os.symlink(month.parent, tmp_path / "link")
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    files = sorted(month.rglob("*.xlsx"))
    ids = _identities(reg_url)
    assert set(ids) == set(located(files))
    hashed = jobs()
    assert len(hashed) == len(files)
    monkeypatch.chdir(tmp_path)
    link = f"link/{month.name}"
    for args in (("aggregate", tmp_path / link, "--out", tmp_path / "agg", "--force"),
                 ("validate", f"./{link}/", "--format", "json"),
                 ("report", link, "--month", "2019-05", "--out", tmp_path / "rep", "--force"),
                 ("aggregate", link, "--out", tmp_path / "agg", "--force")):
        r = cli(*args)
        assert r.exit_code in (0, 1), (args, r.output)
        assert jobs() == hashed, args  # no worker read and hashed a file
        assert _identities(reg_url, [tmp_path / "agg", tmp_path / "rep"]) == ids, args  # nothing hashed (in the parent either) and recorded again


def test_identities_recorded_under_another_name_are_hashed_once(month, settled_now, jobs, tmp_path,
                                                                monkeypatch):  # noqa: F811
    """A register whose identities an earlier krm recorded under the name a run gave (through a link): each file is
    hashed once more and its identity recorded where it is; the old rows stay; the next run hashes nothing."""
    db = tmp_path / "data" / "register.sqlite"
    monkeypatch.setenv("KRM_REGISTER", str(db))
    os.symlink(month.parent, tmp_path / "link")
    link = tmp_path / "link" / month.name
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    real = str(month.resolve())
    with sqlite3.connect(db) as con:  # as krm before this change recorded them: under the name given
        con.execute("UPDATE file_stat SET path = ? || substr(path, ?)", (str(link), len(real) + 1))
        old = sorted(con.execute("SELECT path, device, inode, size, mtime_ns, ctime_ns, sha256, seen FROM file_stat"))
    files = sorted(month.rglob("*.xlsx"))
    assert {r[0] for r in old} == {str(link / f.relative_to(month)) for f in files}
    n = len(jobs())
    assert cli("validate", link, "--format", "json").exit_code in (0, 1)
    with sqlite3.connect(db) as con:
        now = sorted(con.execute("SELECT path, device, inode, size, mtime_ns, ctime_ns, sha256, seen FROM file_stat"))
    assert set(old) <= set(now)  # nothing deleted
    assert {r[0] for r in now} - {r[0] for r in old} == set(located(files))
    assert cli("aggregate", link, "--out", tmp_path / "agg", "--force").exit_code in (0, 1)
    with sqlite3.connect(db) as con:
        assert sorted(con.execute("SELECT path, device, inode, size, mtime_ns, ctime_ns, sha256, seen FROM file_stat")) == now
    assert len(jobs()) - n <= len(files)
