"""The SQLite register used through sqlite3 alone (krm/register/plain.py), as ``krm validate`` after a few edits
uses it: it records exactly the rows the SQLAlchemy path records (readings, paths, versions superseding others,
audit rows, file identities), answers the versions of a period, a reading's rows and an earlier submission as the
SQLAlchemy path does, hands anything else to the full register, and the edited run never loads SQLAlchemy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import fill
import krm.register as register
from krm.register.plain import PlainRegister, open_plain
from test_register_sqlite_write import _content, _run, month  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settled(monkeypatch):
    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 0)  # the files just written count as settled


def _plain(db: str) -> PlainRegister:
    reg = open_plain(db)
    assert isinstance(reg, PlainRegister), "an SQLite register at this schema is opened without SQLAlchemy"
    return reg


def _two_rounds(dbs: dict, folder: Path) -> dict:
    """On each register (``dbs``: {plain or not: its file}): a run, its current KRM-2 version confirmed, two files
    changed (a new version after the confirmed one, another that supersedes), a run again.  The runs' reports."""
    runs: dict = {}
    for _ in range(2):
        for plain, db in dbs.items():
            with register.open(db):  # created and migrated as every first use does
                pass
            with _plain(db) if plain else register.open(db) as reg:
                runs.setdefault(plain, []).append(_run(folder, register=reg))
        if len(runs[True]) == 2:
            return runs
        for db in dbs.values():
            with register.open(db) as full:
                v = next(v for v in full.versions(form="KRM-2", current=True) if v.state == "accepted")
                full.set_state(v.id, "confirmed", by="clerk")
        fill.edit(folder / Path(v.paths[0]).name, {})  # other bytes, the same figures: after a confirmed version
        fill.edit(folder / "d.xlsx", {})  # and after an accepted one
    return runs


def test_plain_register_records_the_same_rows(month, tmp_path, settled):  # noqa: F811
    """Two rounds (new versions, a confirmed one, superseded ones) through the plain register and through the full
    one leave the same rows, and the same findings come back."""
    from test_register import _findings

    dbs = {True: str(tmp_path / "plain.sqlite"), False: str(tmp_path / "full.sqlite")}
    runs = _two_rounds(dbs, month)
    assert [_findings(r) for r in runs[True]] == [_findings(r) for r in runs[False]]
    with register.open(dbs[True]) as reg:
        a = _content(reg)
        assert reg.verify().ok
    with register.open(dbs[False]) as reg:
        b = _content(reg)
    assert a == b
    states = [x for r in a["state_change"] for k, x in r if k == "to_state"]
    assert states.count("'superseded'") >= 3 and states.count("'confirmed'") == 1


def test_plain_register_answers_as_the_full_one(month, tmp_path, settled):  # noqa: F811
    """The versions of any filter (current or not, by states), a reading's rows and an earlier submission: the same
    as the SQLAlchemy path's; a method it does not do itself is the full register's."""
    db = str(tmp_path / "r.sqlite")
    _two_rounds({True: db}, month)
    with register.open(db) as full, _plain(db) as plain:
        filters = [{}, {"current": True}, {"form": "KRM-2"}, {"form": "KRM-2", "current": True},
                   {"state": ("accepted", "confirmed"), "current": True}, {"state": "superseded"},
                   {"period": "2019-05"}, {"form": "KRM-4", "district": ""}, {"form": "KRM-9"}]
        for f in filters:
            assert plain.versions(**f) == full.versions(**f), f
        vs = full.versions()
        assert any(v.changed_after_confirmation for v in vs) and len(vs) >= 6
        for v in vs:
            assert plain.rows_of(v.reading_id) == full.rows_of(v.reading_id)
            got, want = plain.submission_of(v.reading_id, Path("x.xlsx")), full.submission_of(v.reading_id,
                                                                                               Path("x.xlsx"))
            assert got == want
        assert plain.known_files({}) == {}
        assert plain.audit(vs[0].id) == full.audit(vs[0].id)  # the full register's, opened for it
        assert plain._full is not None


def test_plain_register_is_only_for_an_sqlite_register_at_this_schema(tmp_path):
    """No register yet, or one to migrate: krm.register.open (which creates, migrates or refuses), as before."""
    db = tmp_path / "new" / "r.sqlite"
    reg = open_plain(str(db))  # created by the full open
    assert not isinstance(reg, PlainRegister)
    reg.close()
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("DELETE FROM krm_migration WHERE number = (SELECT max(number) FROM krm_migration)")
    con.commit()
    con.close()
    reg = open_plain(str(db))
    assert not isinstance(reg, PlainRegister)  # migrated the usual way
    reg.close()
    with _plain(str(db)):
        pass
    assert open_plain("off") is None


_PROBE = """
import sys
sys.argv = ["krm", *sys.argv[1:]]
from krm.cli import run
try:
    run()
finally:
    sys.stderr.write("SQLALCHEMY=%s\\n" % ("sqlalchemy" in sys.modules))
"""


def _krm(args, env) -> tuple[int, str, bool]:
    r = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True, env=env,
                       cwd=env["HOME"])
    loaded = r.stderr.strip().splitlines()[-1] == "SQLALCHEMY=True"
    return r.returncode, r.stdout, loaded


def test_validate_after_edits_loads_no_sqlalchemy(tmp_path):
    """``krm validate --format json`` after a file of a stored month changed validates it, records it and splices
    the others' pieces through sqlite3 alone (SQLAlchemy is not imported), and prints what a full run prints."""
    import time

    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=5, regions=["47"], faulty=2)
    folder = tmp_path / "src" / "2019-05"
    env = {**os.environ, "HOME": str(tmp_path), "KRM_REGISTER": str(tmp_path / "reg" / "r.sqlite"),
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(ROOT)}
    args = ["validate", folder, "--format", "json"]
    time.sleep(2.1)  # the files settled (their identities recorded)
    for _ in range(3):  # full runs until one is stored
        code, out, _ = _krm(args, env)
    k2 = sorted(folder.rglob("KRM-2_*.xlsx"))
    cell = fill.cell_of(fill.locate(k2[1]), 0, "fact")
    fill.edit(k2[0], {})
    fill.edit(k2[1], {cell: -5})  # an error now
    time.sleep(2.1)
    code, out, loaded = _krm(args, env)
    assert not loaded, "the edited run loaded SQLAlchemy"
    env_off = {**env, "KRM_REGISTER": "off"}
    off_code, off_out, _ = _krm(args, env_off)
    assert (code, out) == (off_code, off_out) and '"KRM-E' in out
    code2, out2, loaded2 = _krm(args, env)  # answered as stored
    assert (code2, out2) == (code, out) and not loaded2
