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
from test_memo import month, settled_now  # noqa: F401 - fixtures
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
