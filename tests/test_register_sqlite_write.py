"""The SQLite register's plain-sqlite3 write path (krm/register/sqlite_write.py) records exactly what the SQLAlchemy Core
path records (the one PostgreSQL uses): the same workbooks, readings, rows, digests, checks, findings, versions,
audit rows and file identities; either path reads what the other wrote; and a failure of SQLite while recording
leaves the findings of the run as they are and nothing half-written."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import fill
import krm.register as register
from krm.register import schema as S
from krm.validate import validate_paths
from test_register import _findings, reads, reg_url  # noqa: F401 - fixtures

#: columns that hold the time of the run (they differ between two runs) or a database's own ids
_TIMES = {"first_seen", "last_seen", "created", "at", "seen", "received_at"}


@pytest.fixture
def month(tmp_path):
    """Workbooks of several kinds: clean, with errors, with warnings, KRM-4 (region rows), a copy, an unreadable
    file, and two versions of one submission."""
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="a.xlsx")
    fill.filled("KRM-2", f, name="b.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": -3}])  # an error
    fill.filled("KRM-2", f, name="c.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}])  # another version
    fill.filled("KRM-4", f, name="d.xlsx")
    fill.filled("KRM-1", f, name="e.xlsx")
    shutil.copy2(f / "a.xlsx", f / "z-copy.xlsx")
    (f / "empty.xlsx").write_bytes(b"")
    return f


def _content(reg) -> dict:
    """The register's rows, by content: ids replaced by the SHA-256 (and submission key) they stand for, the
    run's times left out."""
    with reg.reader() as c:
        sha = dict(c.execute(select(S.workbook.c.id, S.workbook.c.sha256)).all())
        reading = {r.id: (sha[r.workbook_id], r.engine) for r in c.execute(select(S.reading))}
        check = {r.id: (reading[r.reading_id], r.as_of) for r in c.execute(select(S.check))}
        sub = {r.id: tuple(r[1:]) for r in c.execute(select(S.submission))}
        version = {r.id: (sub[r.submission_id], r.number) for r in c.execute(select(S.version))}
        refs = {"workbook_id": sha, "reading_id": reading, "check_id": check, "submission_id": sub,
                "version_id": version}
        out = {}
        for t in (S.workbook, S.workbook_path, S.reading, S.reading_rows, S.reading_digest, S.row_value, S.check,
                  S.finding, S.submission, S.version, S.state_change, S.file_stat):
            rows = []
            for r in c.execute(select(t)):
                d = {k: (refs[k][v] if k in refs else v) for k, v in r._mapping.items() if k not in _TIMES | {"id"}}
                rows.append(tuple(sorted((k, repr(v)) for k, v in d.items())))
            out[t.name] = sorted(rows)
    return out


def _run(folder, **kw):
    return validate_paths([folder], jobs=2, today=fill.TODAY, by="clerk", **kw)


def test_both_write_paths_record_the_same_rows(reg_url, month, tmp_path, monkeypatch):
    """The run recorded by this kind's path (SQLite: plain sqlite3; PostgreSQL: SQLAlchemy Core) holds the same rows
    as the same run recorded through SQLAlchemy Core into SQLite, and the same findings come back."""
    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 0)  # the files just written count as settled
    with register.open(reg_url) as reg:
        assert (reg.writer_sqlite is not None) == reg_url.endswith(".sqlite")
        fast = _run(month, register=reg)
        a = _content(reg)
        assert reg.verify().ok
    with register.open(str(tmp_path / "core.sqlite")) as reg:
        reg.writer_sqlite = None  # the SQLAlchemy Core path, as PostgreSQL uses it
        core = _run(month, register=reg)
        b = _content(reg)
    off = _run(month, register=False)
    assert _findings(fast) == _findings(core) == _findings(off)
    assert a == b
    n = {k: len(v) for k, v in a.items()}
    assert n == {"workbook": 6, "workbook_path": 7, "reading": 5, "reading_rows": 5, "reading_digest": 5,
                 "row_value": 0, "check_result": 5, "finding": n["finding"], "submission": 3, "version": 5,
                 "state_change": 17, "file_stat": 6} and n["finding"] > 0
    assert [x for r in a["state_change"] for k, x in r if k == "to_state"].count("'superseded'") == 2


def test_times_and_dates_are_stored_as_sqlalchemy_stores_them(month, tmp_path):
    """Written by either path, an SQLite register's dates and times have one text form, so a look-up by date
    (the validation date) finds what the other path wrote."""
    forms = {}
    for name, lite in (("lite", True), ("core", False)):
        with register.open(str(tmp_path / f"{name}.sqlite")) as reg:
            if not lite:
                reg.writer_sqlite = None
            _run(month, register=reg)
        con = sqlite3.connect(tmp_path / f"{name}.sqlite")
        forms[name] = con.execute("SELECT r.created, c.as_of, c.created, w.first_seen FROM reading r "
                                  "JOIN check_result c ON c.reading_id = r.id JOIN workbook w ON w.id = r.workbook_id"
                                  ).fetchall()
        con.close()
    for name, rows in forms.items():
        assert rows, name
        for created, as_of, checked, first in rows:
            assert as_of == fill.TODAY.isoformat()
            for t in (created, checked, first):
                assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000", t), (name, t)


@pytest.mark.parametrize("writer", ["lite", "core"])
def test_a_register_written_by_one_path_answers_the_other(writer, month, tmp_path, reads):
    """What one path recorded is found by the other: the second run reads no workbook again."""
    db = str(tmp_path / "r.sqlite")
    with register.open(db) as reg:
        if writer == "core":
            reg.writer_sqlite = None
        first = _run(month, register=reg)
    n = len(reads())
    with register.open(db) as reg:
        if writer == "lite":
            reg.writer_sqlite = None
        again = _run(month, register=reg)
    assert reads()[n:] == ["empty.xlsx"]  # nothing parsed again but the file that cannot be read
    assert _findings(first) == _findings(again)


def test_a_failure_while_recording_keeps_the_findings_and_writes_nothing(month, tmp_path, monkeypatch):
    """SQLite failing in the middle of a reading's transaction: it is rolled back (no workbook without its
    reading), the error reaches the caller as SQLAlchemy's, and the run's findings are those of a run without
    the register."""
    from krm.register import sqlite_write as lite

    db = str(tmp_path / "r.sqlite")
    real = lite.record

    def broken(lt, p):
        with lt.write() as cur:
            cur.execute("INSERT INTO workbook (sha256, size, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                        (p.sha, p.size, "x", "x"))
            cur.execute("INSERT INTO no_such_table VALUES (1)")
        return real(lt, p)

    with register.open(db) as reg:
        with pytest.raises(OperationalError):
            broken(reg.writer_sqlite, type("P", (), {"sha": "0" * 64, "size": 1})())
        monkeypatch.setattr(lite, "record", broken)
        reps = _run(month, register=reg)
        with reg.reader() as c:
            for t in (S.reading, S.reading_rows, S.reading_digest, S.check, S.finding, S.version):
                assert c.execute(select(t)).all() == [], t.name
            assert "0" * 64 not in {r.sha256 for r in c.execute(select(S.workbook))}  # rolled back
        assert reg.verify().ok
    assert _findings(reps) == _findings(_run(month, register=False))


def test_recording_the_same_bytes_again_adds_nothing(reg_url, month, tmp_path):
    """Bytes recorded again (another process did it first, another date, another engine): the existing workbook,
    reading and check are found, not doubled, on either path and either kind of register."""
    with register.open(reg_url) as reg:  # SQLite: the plain sqlite3 path; PostgreSQL: Core
        _record_again(reg, month / "b.xlsx")
    if reg_url.endswith(".sqlite"):
        with register.open(str(tmp_path / "core.sqlite")) as reg:
            reg.writer_sqlite = None
            _record_again(reg, month / "b.xlsx")


def _record_again(reg, path):
    import hashlib

    from krm.validate import validate_file

    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    rep = validate_file(path, fill.TODAY, convert=True)
    assert rep.findings  # a workbook with an error: its check has findings
    rid, wid, new = reg.record_reading_ids(sha, len(data), fill.TODAY, rep, rep.edition)
    assert new
    assert reg.record_reading_ids(sha, len(data), fill.TODAY, rep, rep.edition) == (rid, wid, False)
    later = fill.TODAY + dt.timedelta(days=1)
    assert reg.record_reading_ids(sha, len(data), later, rep, rep.edition) == (rid, wid, False)
    reg.engine_version = "another-engine"
    rid2, wid2, new2 = reg.record_reading_ids(sha, len(data), fill.TODAY, rep, rep.edition)
    assert (wid2, new2) == (wid, False) and rid2 != rid
    with reg.reader() as c:
        n = {t.name: len(c.execute(select(t)).all()) for t in (S.workbook, S.reading, S.reading_rows, S.reading_digest,
                                                              S.check, S.finding)}
    assert n == {"workbook": 1, "reading": 2, "reading_rows": 2, "reading_digest": 2, "check_result": 3,
                 "finding": 3 * len(rep.findings)}
    assert reg.verify().ok


def test_workers_forked_after_the_parent_used_the_writer_open_their_own(month, tmp_path):
    """The parent's plain connection (a look-up made before the run) is neither used nor closed by the forked
    workers: they record through their own, and the parent's still works after the run."""
    import hashlib

    with register.open(str(tmp_path / "r.sqlite")) as reg:
        sha = hashlib.sha256((month / "a.xlsx").read_bytes()).hexdigest()
        assert reg.lookup(sha, fill.TODAY, rows=False) is None  # opens the parent's connection
        parent = reg.writer_sqlite._con
        assert parent is not None
        _run(month, register=reg)
        assert reg.writer_sqlite._con is parent
        hit = reg.lookup(sha, fill.TODAY, rows=False)
        assert hit is not None and hit.form == "KRM-2"
        assert reg.verify().ok
