"""Stored answers of whole commands (krm/register/answers.py; docs/register.md, "Runs on an unchanged month"):
``krm validate`` run again on an unchanged month prints the same bytes and exits as a full run does, without
validating; an edited, new or removed workbook, another option, another day or a changed register make it run
in full.  SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fill
import krm.register as register
from krm.register import answers
from test_memo import month, settled_now  # noqa: F401 - fixtures
from test_register import _fresh_pg_database, cli, reg_url  # noqa: F401 - fixtures


def _counted(monkeypatch, *targets):
    """A function giving how many times any of ``targets`` ((module, name) …) was called since."""
    n = []
    for module, name in targets:
        real = getattr(module, name)

        def counted(*a, _real=real, **kw):
            n.append(1)
            return _real(*a, **kw)

        monkeypatch.setattr(module, name, counted)
    return lambda: len(n)


@pytest.fixture
def full_runs(monkeypatch):
    """Counts the runs of krm validate that validated (rather than answered from the register), in full or only
    the files that changed (krm.register.spliced)."""
    import krm.commands.validate as v
    from krm.register import spliced

    return _counted(monkeypatch, (v, "_validate_files"), (spliced, "_write"))


def _validate(month: Path, *extra):
    r = cli("validate", month, *extra)
    assert r.exit_code in (0, 1), r.output
    return r


def _without_register(month: Path, reg_url: str, *extra):
    r = cli("validate", month, "--no-register", *extra)
    os.environ["KRM_REGISTER"] = reg_url  # --no-register set it off for this process
    return r


@pytest.mark.parametrize("extra", [("--format", "json"), (), ("--lang", "ru", "--summary")])
def test_an_unchanged_month_is_answered_as_a_full_run(reg_url, month, settled_now, full_runs, extra):  # noqa: F811
    first = _validate(month, *extra)
    again = _validate(month, *extra)
    assert full_runs() == 1  # the second run answered from the register
    full = _without_register(month, reg_url, *extra)
    assert again.stdout == first.stdout == full.stdout
    assert again.exit_code == first.exit_code == full.exit_code == 1  # the samples hold errors on purpose
    assert again.stderr == ""
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def _answered(month: Path, full_runs, *extra) -> bool:
    n = full_runs()
    _validate(month, *extra)
    return full_runs() == n


def test_an_edited_new_or_removed_workbook_runs_in_full(reg_url, month, settled_now, full_runs, tmp_path):  # noqa: F811
    args = ("--format", "json")
    _validate(month, *args)
    assert _answered(month, full_runs, *args)
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))
    fill.edit(k2[0], {})  # saved again by a program: other bytes, same figures
    assert not _answered(month, full_runs, *args)
    assert _answered(month, full_runs, *args)  # and stored again
    shutil.copy(k2[1], k2[1].with_name("copy.xlsx"))  # a new file (a duplicate)
    got = _validate(month, *args)
    assert not _answered(month, full_runs, *args) or got.stdout == _without_register(month, reg_url, *args).stdout
    k2[2].unlink()
    assert not _answered(month, full_runs, *args)
    again = _validate(month, *args)
    assert again.stdout == _without_register(month, reg_url, *args).stdout


@pytest.mark.parametrize("option", [("--lang", "kk"), ("--summary",), ("--as-of", "2019-06-20"),
                                    ("--plan-overrun", "2")])
def test_another_option_runs_in_full(reg_url, month, settled_now, full_runs, option):  # noqa: F811
    _validate(month, "--format", "json")
    assert not _answered(month, full_runs, "--format", "json", *option)
    got = _validate(month, "--format", "json", *option)  # now stored for these options too
    assert got.stdout == _without_register(month, reg_url, "--format", "json", *option).stdout


def test_another_day_runs_in_full(reg_url, month, settled_now, full_runs, monkeypatch):  # noqa: F811
    _validate(month, "--format", "json")
    monkeypatch.setattr(answers, "today", lambda: dt.date.today() + dt.timedelta(days=1))
    assert not _answered(month, full_runs, "--format", "json")


def test_a_changed_register_runs_in_full(reg_url, month, settled_now, full_runs, tmp_path):  # noqa: F811
    """Another month recorded (the checks across months read the register), a version returned."""
    from krm import samples

    _validate(month, "--format", "json")
    samples.generate(tmp_path / "prev", "2019-04", seed=5, regions=["47"])
    _validate(tmp_path / "prev" / "2019-04", "--format", "json")
    assert not _answered(month, full_runs, "--format", "json")
    _validate(month, "--format", "json")  # (the run before may have returned versions: then it stored nothing)
    assert _answered(month, full_runs, "--format", "json")
    with register.open(reg_url) as reg:
        v = next(x for x in reg.versions(period="2019-05", current=True) if x.state == "accepted")
        reg.set_state(v.id, "returned", reason="a test")
    assert not _answered(month, full_runs, "--format", "json")


def test_an_answer_records_what_a_full_run_records(reg_url, month, settled_now, full_runs):  # noqa: F811
    """Each workbook's and path's last-seen time; nothing else changes (no version, no state)."""
    from sqlalchemy import select

    _validate(month, "--format", "json")

    def state():
        S = register.schema
        with register.open(reg_url) as reg, reg.reader() as c:
            P = S.workbook_path
            T = S.metadata.tables
            return {t: c.execute((select(T[t]) if t != "workbook_path" else
                                  select(P.c.id, P.c.workbook_id, P.c.path, P.c.first_seen)).order_by(T[t].c.id)).all()
                    for t in answers.GENERATION}, \
                c.execute(select(S.workbook.c.last_seen).order_by(S.workbook.c.id)).all(), \
                c.execute(select(P.c.last_seen).order_by(P.c.id)).all()

    gen, seen, paths = state()
    time.sleep(1.1)  # the register's times are in seconds
    assert _answered(month, full_runs, "--format", "json")
    gen2, seen2, paths2 = state()
    assert gen2 == gen
    assert all(a > b for (a,), (b,) in zip(seen2, seen)) and all(a > b for (a,), (b,) in zip(paths2, paths))


def test_output_to_a_terminal_is_not_stored(month, settled_now, tmp_path):  # noqa: F811
    from krm.register import lite

    time.sleep(2.1)  # (another process: its workbooks' identities are settled after 2 s)
    url = str(tmp_path / "data" / "register.sqlite")
    code = ("import sys, io\nclass T(io.StringIO):\n    def isatty(self):\n        return True\n"
            "sys.stdout = T()\nfrom krm.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    pass\n")
    subprocess.run([sys.executable, "-c", code, "validate", str(month)], env={**os.environ, "KRM_REGISTER": url},
                   check=True, capture_output=True, timeout=300)
    with lite.open_lite(url) as got:
        assert got.rows("SELECT count(*) FROM command_answer") == [(0,)]


def test_an_answer_from_an_sqlite_register_loads_no_sqlalchemy(month, tmp_path, settled_now):  # noqa: F811
    time.sleep(2.1)  # (another process: its workbooks' identities are settled after 2 s)
    url = str(tmp_path / "data" / "register.sqlite")
    env = {**os.environ, "KRM_REGISTER": url}
    code = ("import sys\nfrom krm.cli import app\n"
            "try:\n    app(sys.argv[1:])\nexcept SystemExit as e:\n    print('exit', e.code, file=sys.stderr)\n"
            "print('loaded' if any(m.split('.')[0] in ('sqlalchemy', 'pydantic') for m in sys.modules) "
            "else 'not loaded', file=sys.stderr)\n")
    args = [sys.executable, "-c", code, "validate", str(month), "--format", "json"]
    first = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    again = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert first.stderr.splitlines()[-2:] == ["exit 1", "loaded"]
    assert again.stderr.splitlines() == ["exit 1", "not loaded"], again.stderr
    assert again.stdout == first.stdout


# ------------------------------------------------------------------ krm aggregate
@pytest.fixture
def full_aggregates(monkeypatch):
    """Counts the runs of krm aggregate that rolled up (rather than answered from the register)."""
    import krm.commands.aggregate as a

    return _counted(monkeypatch, (a, "_run_and_show"))


def _aggregate(month: Path, out: Path, *extra):
    if not any(True for _ in out.parent.glob("checked")):  # the chain: the month checked first (a run that
        (out.parent / "checked").touch()                 # makes the register is not stored on PostgreSQL)
        assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    r = cli("aggregate", month, "--out", out, "--force", *extra)
    assert r.exit_code in (0, 1), r.output
    return r


@pytest.mark.parametrize("extra", [(), ("--format", "json")])
def test_an_unchanged_aggregate_is_answered_as_a_full_run(reg_url, month, settled_now, full_aggregates, tmp_path,
                                                          monkeypatch, extra):  # noqa: F811
    from test_memo import _seen

    out = tmp_path / "agg"
    _aggregate(month, out, *extra)
    before = _seen(out)
    again = _aggregate(month, out, *extra)
    assert full_aggregates() == 1 and _seen(out) == before  # answered: not one file written again
    monkeypatch.setattr(answers, "lookup", lambda *a, **k: None)
    full = _aggregate(month, out, *extra)  # a full run on the unchanged month (its outputs left as they are)
    assert full_aggregates() == 2
    assert (again.exit_code, again.stdout, again.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert again.stderr.startswith("krm: outputs unchanged: ")


def test_a_changed_output_folder_or_input_makes_aggregate_run(reg_url, month, settled_now, full_aggregates,
                                                              tmp_path):  # noqa: F811
    out = tmp_path / "agg"
    _aggregate(month, out)
    _aggregate(month, out)
    assert full_aggregates() == 1
    k3 = sorted(out.rglob("*.xlsx"))[0]
    want = k3.read_bytes()
    k3.write_bytes(want[:-1] + bytes([want[-1] ^ 1]))  # a user's change
    _aggregate(month, out)
    assert full_aggregates() == 2 and k3.read_bytes() == want  # written again
    (out / "mine.xlsx").write_bytes(want)  # a workbook the run did not make: its note says so
    r = _aggregate(month, out)
    assert full_aggregates() == 3 and "not produced by this run" in r.stdout
    assert _aggregate(month, out).stdout == r.stdout and full_aggregates() == 3  # answered with the note
    fill.edit(sorted(month.rglob("KRM-2_*.xlsx"))[0], {})
    _aggregate(month, out)
    assert full_aggregates() == 4
    refused = cli("aggregate", month, "--out", out)  # without --force: never answered, refused as ever
    assert refused.exit_code == 2 and full_aggregates() == 5


def test_one_opened_register_takes_two_writes(reg_url, tmp_path):  # noqa: F811
    """A stored answer writes twice through one opened register: aggregate's output files it hashed, then its answer
    (or a splice's last-seen times, then the identities it hashed); the second write is not lost."""
    from krm.register.lite import open_lite

    with register.open(reg_url):
        pass
    paths = []
    for name in ("a", "b"):
        p = tmp_path / f"{name}.xlsx"
        p.write_bytes(name.encode())
        paths.append(str(p))
    with open_lite(reg_url) as lite:
        for p in paths:
            answers._remember(lite, [(p, (1, 2, 3, 4, 5), "0" * 64)])
        assert lite.rows_in("SELECT path FROM file_stat WHERE path IN ({values})", paths) != []
    with open_lite(reg_url) as lite:
        assert sorted(r[0] for r in lite.rows_in("SELECT path FROM file_stat WHERE path IN ({values})", paths)) == paths


def test_a_run_with_the_register_off_keeps_nothing_to_store(monkeypatch, tmp_path):
    """With the register turned off (KRM_REGISTER=off, as --no-register makes it) there is nowhere to store an answer
    or a report's entries: a full run neither tees its output into memory (a year's JSON) nor holds each workbook's
    stat till its end; with a register configured it does both."""
    from krm.report.inputs import _Run

    for configured, kept in (("off", False), (str(tmp_path / "register.sqlite"), True)):
        monkeypatch.setenv("KRM_REGISTER", configured)
        out = sys.stdout
        rec = answers.Recorder("validate", "x", [tmp_path])
        try:
            assert (rec.capture is not None) is kept
            assert (sys.stdout is not out) is kept
        finally:
            rec.stop()
        assert sys.stdout is out
        run = _Run(tmp_path, frozenset({"2019-05"}), "2019", [], None, None)
        assert (run.mem is not None) is kept
