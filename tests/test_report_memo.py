"""krm report's memo (krm/report/memo.py; docs/register.md, "Runs on an unchanged month"): a report run again on
an unchanged month leaves its files as they are and prints and exits exactly as a run without the register;
a changed input, option or register state, and a deleted or changed output, make it again.  SQLite and
PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fill
import krm.register as register
from krm.register import memo
from test_memo import _seen, jobs, month, settled_now  # noqa: F401 - fixtures
from test_register import _fresh_pg_database, _tree, cli, reads, reg_url  # noqa: F401 - fixtures

UNCHANGED = "krm: outputs unchanged: "


def _report(month: Path, out: Path, *extra):
    r = cli("report", month, "--month", "2019-05", "--out", out, "--force", *extra)
    assert r.exit_code == 0, r.output
    return r


def _stderr(r) -> list[str]:
    """What the run printed on stderr, without the memo's own line."""
    return [x for x in r.stderr.splitlines() if not x.startswith(UNCHANGED)]


def _full(month: Path, tmp_path: Path, reg_url: str, *extra):
    """The same report without the register: (its result, its output folder)."""
    off = tmp_path / "off"
    r = _report(month, off, "--no-register", *extra)
    os.environ["KRM_REGISTER"] = reg_url  # --no-register set it off for this process
    return r, off


def _same_as_full(got, out: Path, month: Path, tmp_path: Path, reg_url: str, *extra):
    full, off = _full(month, tmp_path, reg_url, *extra)
    assert got.exit_code == full.exit_code == 0
    assert got.stdout.replace(str(out), "") == full.stdout.replace(str(off), "")
    assert _stderr(got) == _stderr(full)
    assert _tree(out) == _tree(off)


@pytest.fixture
def checked(month, reg_url, settled_now):  # noqa: F811 - the fixtures above
    """The month validated through the register (as the chain does before its report)."""
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    return month


def test_an_unchanged_report_is_left_as_it_is(reg_url, checked, tmp_path, jobs, reads):  # noqa: F811
    out = tmp_path / "rep"
    first = _report(checked, out)
    assert UNCHANGED not in first.stderr  # made (and remembered)
    before, n, r = _seen(out), len(jobs()), len(reads())
    again = _report(checked, out)
    assert f"{UNCHANGED}3, written: 0 " in again.stderr
    assert _seen(out) == before  # not one file written again (same inode, same mtime)
    assert len(jobs()) == n and len(reads()) == r  # no workbook read or hashed
    assert again.stdout == first.stdout and _stderr(again) == _stderr(first)
    _same_as_full(again, out, checked, tmp_path, reg_url)
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def test_an_edited_input_makes_it_again(reg_url, checked, tmp_path):  # noqa: F811
    out = tmp_path / "rep"
    _report(checked, out)
    before = _seen(out)
    k2 = sorted(checked.rglob("KRM-2_*.xlsx"))[0]
    fill.edit(k2, {})  # saved again by a program: other bytes, same figures
    got = _report(checked, out)
    assert UNCHANGED not in got.stderr
    after = _seen(out)
    assert all(after[k] != before[k] for k in before if k.endswith((".xlsx", ".html")))
    _same_as_full(got, out, checked, tmp_path, reg_url)
    assert f"{UNCHANGED}3, written: 0 " in _report(checked, out).stderr  # and remembered again


@pytest.mark.parametrize("option", [("--prefer", "newest"), ("--strict",)])
def test_another_option_makes_it_again(reg_url, checked, tmp_path, option):  # noqa: F811
    out = tmp_path / "rep"
    _report(checked, out)
    before = _seen(out)
    r = cli("report", checked, "--month", "2019-05", "--out", out, "--force", *option)
    assert UNCHANGED not in r.stderr
    if r.exit_code == 0:
        assert all(_seen(out)[k] != before[k] for k in before if k.endswith((".xlsx", ".html")))
    else:  # --strict refuses a month with excluded files: exactly as without the register, nothing written
        assert _seen(out) == before
        os.environ["KRM_REGISTER"] = "off"
        full = cli("report", checked, "--month", "2019-05", "--out", tmp_path / "off", "--force", *option)
        os.environ["KRM_REGISTER"] = reg_url
        assert (r.exit_code, r.stderr) == (full.exit_code, full.stderr)


def test_a_deleted_or_changed_output_is_written_again(reg_url, checked, tmp_path):  # noqa: F811
    out = tmp_path / "rep"
    _report(checked, out)
    note = next(out.glob("note-*.html"))
    note.unlink()
    got = _report(checked, out)
    assert UNCHANGED not in got.stderr and note.exists()
    k6 = next(out.glob("KRM-6-*.xlsx"))
    want = k6.read_bytes()
    k6.write_bytes(want[:-1] + bytes([want[-1] ^ 1]))  # same size, other bytes: a user's change
    refused = cli("report", checked, "--month", "2019-05", "--out", out)  # without --force: refused, as ever
    assert refused.exit_code == 2 and "exists" in refused.stderr
    got = _report(checked, out)
    assert UNCHANGED not in got.stderr and k6.read_bytes() == want
    _same_as_full(got, out, checked, tmp_path, reg_url)


def test_a_changed_register_makes_it_again(reg_url, checked, tmp_path):  # noqa: F811
    """The previous month recorded in the register (the note's month-on-month change comes from it)."""
    from krm import samples

    out = tmp_path / "rep"
    _report(checked, out)
    note = next(out.glob("note-*.html"))
    was = note.read_bytes()
    samples.generate(tmp_path / "prev", "2019-04", seed=5, regions=["47"])
    assert cli("validate", tmp_path / "prev" / "2019-04", "--format", "json").exit_code in (0, 1)
    got = _report(checked, out)
    assert UNCHANGED not in got.stderr and note.read_bytes() != was
    assert f"{UNCHANGED}3, written: 0 " in _report(checked, out).stderr


def test_a_register_this_krm_cannot_read_is_not_answered_from(reg_url, checked, tmp_path):  # noqa: F811
    """A register at a newer schema: the run refuses it as ever (exit 2), never answers from its memo."""
    from sqlalchemy import insert

    out = tmp_path / "rep"
    _report(checked, out)
    with register.open(reg_url) as reg, reg.writer() as c, c.begin():
        c.execute(insert(register.schema.krm_migration).values(number=99, name="future",
                                                               applied_at=memo._now()))
    before = _seen(out)
    r = cli("report", checked, "--month", "2019-05", "--out", out, "--force")
    # krm.cli.run makes this RegisterError one line and exit 2 (the in-process runner shows the exception)
    assert isinstance(r.exception, register.RegisterError) and "newer than this krm knows" in str(r.exception)
    assert UNCHANGED not in r.stderr and _seen(out) == before


def test_the_memo_reads_the_schema_this_krm_writes():
    from krm.register import lite, schema

    assert lite.SCHEMA_VERSION == schema.SCHEMA_VERSION


def test_an_answer_from_an_sqlite_register_loads_no_sqlalchemy(month, tmp_path, monkeypatch, settled_now):  # noqa: F811
    """The memo's answer from an SQLite register is read with the standard library (PostgreSQL: SQLAlchemy)."""
    url = str(tmp_path / "data" / "register.sqlite")
    monkeypatch.setenv("KRM_REGISTER", url)
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    out = tmp_path / "rep"
    _report(month, out)
    code = ("import sys\nfrom krm.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('loaded' if any(m.split('.')[0] == 'sqlalchemy' for m in sys.modules) else 'not loaded', "
            "file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code, "report", str(month), "--month", "2019-05", "--out", str(out),
                        "--force"], capture_output=True, text=True, env={**os.environ, "KRM_REGISTER": url})
    assert f"{UNCHANGED}3" in p.stderr and p.stderr.splitlines()[-1] == "not loaded", p.stderr


def test_the_reader_opens_the_register_it_is_given_and_creates_nothing(tmp_path):
    """An SQLite register whose path holds a "#" (which would end a URI's path) is read as itself, and no other
    file is opened or created."""
    from krm.register import lite

    url = str(tmp_path / "reg#1.sqlite")
    with register.open(url):
        pass
    with lite.open_lite(url) as got:
        assert got.rows("SELECT value FROM krm_register WHERE key = 'kind'") == [("krm-register",)]
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith("reg#1.sqlite")} == set()  # no "reg" made
    assert lite.open_lite(str(tmp_path / "missing.sqlite")) is None and not (tmp_path / "missing.sqlite").exists()


def test_each_file_identity_is_read_once_a_run(reg_url, checked, tmp_path, monkeypatch):  # noqa: F811
    """After an edit the run asks the register for the identity of every workbook once (the memo's look-up), then
    only for the edited one again (the report's inputs, the key it records): the same outputs and messages as a
    run without the register, and the next run answered by the memo."""
    from krm.register.lite import Lite

    out = tmp_path / "rep"
    _report(checked, out)
    k2 = sorted(checked.rglob("KRM-2_*.xlsx"))[0]
    fill.edit(k2, {})
    asked: list = []
    real = Lite.rows_in

    def rows_in(self, sql, values, *a, **k):
        values = list(values)
        if "FROM file_stat" in sql:
            asked.extend(values)
        return real(self, sql, values, *a, **k)

    monkeypatch.setattr(Lite, "rows_in", rows_in)
    got = _report(checked, out)
    assert UNCHANGED not in got.stderr
    n = len(list(checked.rglob("*.xlsx")))
    assert n > 5 and len(asked) == n + 2 and len(set(asked)) == n  # every file once, the edited one twice more
    assert [a for a in set(asked) if asked.count(a) > 1] == [os.path.abspath(k2)]
    monkeypatch.setattr(Lite, "rows_in", real)  # (not undo(): that would undo the fixtures' KRM_REGISTER too)
    _same_as_full(got, out, checked, tmp_path, reg_url)
    assert f"{UNCHANGED}3, written: 0 " in _report(checked, out).stderr
