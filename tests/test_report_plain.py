"""``krm report`` with an SQLite register at this krm's schema uses it through sqlite3 alone (krm/register/plain.py),
as ``krm validate`` after a few edits does: a report after edits never imports SQLAlchemy, writes and prints what
a run without the register does, and leaves in the register exactly the rows the SQLAlchemy path leaves (readings,
versions, file identities, what the report kept of each workbook, its outputs' memo)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import fill
import krm.register as register
from test_register import _tree, cli
from test_register_plain import _krm
from test_register_sqlite_write import _content


@pytest.fixture
def month(tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=7, regions=["47"], faulty=2)
    return tmp_path / "src" / "2019-05"


def _edit(month: Path, round_: int) -> None:
    """Two KRM-2 saved again: one with the same figures, one with an error (other bytes each round)."""
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))
    cell = fill.cell_of(fill.locate(k2[1]), 0, "fact")
    fill.edit(k2[0], {})
    fill.edit(k2[1], {cell: -5 - round_})


def test_report_after_edits_loads_no_sqlalchemy(month, tmp_path):
    """A report after two workbooks changed (not validated since, then validated first, as in the chain) reads and
    records through sqlite3 alone, and writes and prints what a run without the register writes and prints."""
    env = {**os.environ, "HOME": str(tmp_path), "KRM_REGISTER": str(tmp_path / "reg" / "r.sqlite"),
           "XDG_DATA_HOME": str(tmp_path / "xdg"), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env_off = {**env, "KRM_REGISTER": "off"}
    out, off = tmp_path / "rep", tmp_path / "off"
    args = ["report", month, "--month", "2019-05", "--force"]
    time.sleep(2.1)  # the files settled (their identities recorded)
    code, _, _ = _krm([*args, "--out", out], env)  # cold: remembers each workbook's summary and the outputs
    assert code == 0
    for round_, first in ((1, None), (2, "validate")):
        _edit(month, round_)
        time.sleep(2.1)
        if first:
            assert _krm([first, month, "--format", "json"], env)[0] == 1
        code, stdout, loaded = _krm([*args, "--out", out], env)
        assert not loaded, f"the report after edits ({first or 'alone'}) loaded SQLAlchemy"
        off_code, off_stdout, _ = _krm([*args, "--out", off], env_off)
        assert (code, stdout.replace(str(out), "")) == (off_code, off_stdout.replace(str(off), ""))
        assert _tree(out) == _tree(off)
    with register.open(env["KRM_REGISTER"]) as reg:
        assert reg.verify().ok


def _memo_content(db: str) -> dict:
    """The register's rows (test_register_sqlite_write._content) and those of what the report keeps (report_input,
    output_memo), without the run's times and the database's ids."""
    from sqlalchemy import select

    from krm.register import schema as S

    with register.open(db) as reg:
        out = _content(reg)
        with reg.reader() as c:
            for t in (S.report_input, S.output_memo):
                out[t.name] = sorted(tuple((k, repr(v)) for k, v in r._mapping.items() if k not in ("id", "written"))
                                     for r in c.execute(select(t)))
    return out


def test_plain_and_full_report_leave_the_same_rows(month, tmp_path, monkeypatch):
    """The same reports (cold, then after edits) through sqlite3 alone and through SQLAlchemy: the same files, the
    same messages and the same rows in the register; the plain runs never open the full register."""
    from krm.register import plain

    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 0)  # the files just written count as settled
    dbs = {True: str(tmp_path / "plain.sqlite"), False: str(tmp_path / "full.sqlite")}
    real_open, real_full, real_reg_open = plain.open_plain, plain.PlainRegister.full, register.open

    def never(*_):
        import traceback; open("/tmp/rep-never.log", "a").write("".join(traceback.format_stack()))
        raise AssertionError("the plain report opened the full register (SQLAlchemy)")

    for db in dbs.values():
        with register.open(db):  # created and migrated as every first use does
            pass

    out = tmp_path / "rep"
    for round_ in range(3):
        if round_:
            _edit(month, round_)
        got = {}
        for is_plain, db in dbs.items():
            monkeypatch.setenv("KRM_REGISTER", db)
            monkeypatch.setattr(plain, "open_plain", real_open if is_plain else real_reg_open)
            monkeypatch.setattr(plain.PlainRegister, "full", never if is_plain else real_full)
            monkeypatch.setattr(register, "open", never if is_plain else real_reg_open)
            r = cli("report", month, "--month", "2019-05", "--out", out, "--force", "--jobs", "1")  # ids in order
            assert r.exit_code == 0, r.output
            got[is_plain] = (r.stdout, r.stderr, _tree(out))
        assert got[True] == got[False]
    monkeypatch.setattr(register, "open", real_reg_open)
    a, b = _memo_content(dbs[True]), _memo_content(dbs[False])
    assert a == b
    assert len(a["report_input"]) >= len(list(month.rglob("*.xlsx"))) and len(a["output_memo"]) == 3
    assert a["version"] and a["file_stat"]



@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # serve_kit's test client
def test_plain_reads_answer_as_the_full_register(month, tmp_path, monkeypatch):
    """What a report (and any run of a few files) asks of the register without SQLAlchemy: a stored reading by its
    bytes (with and without its rows; none for another date or unknown bytes), stored results without rows, the
    portal's explanations, the submissions of a period, which periods hold a form: as the full register answers."""
    import datetime as dt

    from serve_kit import FAULTY, fixed
    from test_register_plain import _plain

    from krm.register.codec import finding_from
    from krm.validate import validate_paths

    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 0)
    warned = fill.edit(fixed(FAULTY, tmp_path / "fix.xlsx"), {"H18": 9}, month / "KRM-2_114400000_ENBEK.xlsx")
    db = str(tmp_path / "r.sqlite")
    with register.open(db) as full:
        validate_paths([month], jobs=2, today=fill.TODAY, register=full)
        vs = full.versions()
        v = next(v for v in vs if v.paths[0].endswith(warned.name))
        w = next(f for f in full.lookup(v.sha256, fill.TODAY, False).findings if f.severity == "warning")
        full.write_explanation(v.id, w.code, w.cell, "a note from the portal", by="clerk")
    shas = {v.sha256 for v in vs} | {"0" * 64}
    with register.open(db) as full, _plain(db) as plain:
        for sha in sorted(shas):
            for day in (fill.TODAY, fill.TODAY + dt.timedelta(days=1)):
                for rows in (True, False):
                    assert plain.lookup(sha, day, rows) == full.lookup(sha, day, rows), (sha, day, rows)
        assert plain.lookup(v.sha256, fill.TODAY, True).submission.projects
        assert plain.remembered(shas, fill.TODAY) == full.remembered(shas, fill.TODAY)
        assert len(plain.remembered(shas, fill.TODAY)) == len(shas) - 1
        wids = {x.id: full.workbook_id_of(x.sha256) for x in vs}
        assert plain.written_for(wids.values()) == full.written_for(wids.values()) != {}
        for x in vs:
            stored = full.lookup(x.sha256, fill.TODAY, False).findings
            got = plain.with_written([finding_from(f, "x.xlsx") for f in stored], wids[x.id])
            assert got == full.with_written([finding_from(f, "x.xlsx") for f in stored], wids[x.id])
            assert any(f.explanation for f in got) == (x.id == v.id)
        for p in {x.period for x in vs} | {"2001-01"}:
            assert plain.submissions(p) == full.submissions(p)
        assert plain.submissions("2019-05")
        periods = sorted({x.period for x in vs}) + ["2001-01"]
        assert plain.periods_of("KRM-2", periods) == {x.period for x in vs if x.form == "KRM-2"} != set()
        assert plain._full is None  # all of it without the full register


@pytest.mark.parametrize("given", ["in", "./in", "in/", "in/sub/..", "../{last}/in", "{abs}/in", "{abs}//in"])
def test_memo_key_paths_are_abspath(tmp_path, monkeypatch, given):
    """The memo's absolute paths of the discovered workbooks (made from the root's once) are os.path.abspath's."""
    from krm.intake.discover import discover
    from krm.report.memo import _absolute

    (tmp_path / "in" / "sub" / "x.d").mkdir(parents=True)
    for rel in ("a.xlsx", "sub/b.xlsx", "sub/x.d/c.xlsx", "sub/x..y.xlsx"):
        (tmp_path / "in" / rel).write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    root = Path(given.format(last=tmp_path.name, abs=tmp_path))
    entries = discover([root])
    assert len(entries) == 4
    assert _absolute(entries, root) == [os.path.abspath(e.path) for e in entries]


def test_a_report_after_edits_validated_first_is_remembered_right(month, tmp_path, monkeypatch):
    """The chain's order (validate, then report) after edits: the memo's look-up knows every file, and the key the
    run records is taken from that look-up's files (krm.report.memo._files) with the register's state after the run:
    the next report is answered from the memo, and what was written is what a run without the register writes."""
    from krm.report import memo

    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 0)
    monkeypatch.setenv("KRM_REGISTER", str(tmp_path / "r.sqlite"))
    out, off = tmp_path / "rep", tmp_path / "off"
    args = ["report", month, "--month", "2019-05", "--force", "--out"]
    assert cli("validate", month, "--format", "json").exit_code == 1
    assert cli(*args, out).exit_code == 0
    _edit(month, 1)
    assert cli("validate", month, "--format", "json").exit_code == 1
    made = []
    real = memo._files
    monkeypatch.setattr(memo, "_files", lambda *a: made.append(1) or real(*a))
    got = cli(*args, out)
    assert got.exit_code == 0 and "outputs unchanged" not in got.stderr and len(made) == 1  # the look-up's files, used again
    again = cli(*args, out)
    assert "krm: outputs unchanged: 3, written: 0" in again.stderr
    monkeypatch.setenv("KRM_REGISTER", "off")
    full = cli(*args, off)
    assert full.stdout.replace(str(off), "") == got.stdout.replace(str(out), "")
    assert _tree(out) == _tree(off)
