"""Memory of a run through the register (issue 16): the workers record each file's typed rows in the register
and send back its header and reading id, not the rows; the checks across months load one file's rows at a time
and let go of them after; :class:`krm.history.past.Past` keeps a bounded number of earlier submissions.  The
findings are those of rows sent back in full (real sample months: January–March 2019 of one region, with their
mistakes across months)."""

from __future__ import annotations

import datetime as dt

import pytest

import krm.register as register
from krm.history.past import Past
from krm.register.memo import LazyRows
from krm.validate import find_workbooks, validate_paths

AS_OF = dt.date(2019, 12, 31)


def cli(*args):
    from typer.testing import CliRunner

    from krm.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    out = tmp_path_factory.mktemp("memory") / "samples"
    r = cli("samples", "--month", "2019-03", "--from", "2019-01", "--out", out, "--seed", 2019, "--faulty", 6,
            "--regions", "47", "-q")
    assert r.exit_code == 0, r.output
    return out


def _files(out, *months):
    return find_workbooks([out / m for m in months])


def _rows(sub):
    return [list(sub.projects), list(sub.regions)]


def test_reports_from_the_workers_carry_no_rows_until_used(months, tmp_path):
    files = _files(months, "2019", "2019-01")
    with register.open(tmp_path / "r.sqlite") as reg:
        reps = validate_paths(files, jobs=2, today=AS_OF, register=reg)
        subs = [r.submission for r in reps if r.submission is not None]
        assert len(subs) == len(files)
        # the worker left them in the register: nothing loaded in this process yet
        assert all(type(s.projects) is LazyRows and not s.projects.loaded for s in subs)
        assert all(type(s.regions) is LazyRows and not s.regions.loaded for s in subs)
        assert all(r.reading_id is not None for r in reps)
        plain = validate_paths(files, jobs=2, today=AS_OF, register=False)
        for r, p in zip(reps, plain):  # once used, the rows are those read from the file
            assert r.path == p.path and r.findings == p.findings
            assert _rows(r.submission) == _rows(p.submission) and _rows(p.submission)[0]
            assert r.submission.projects.loaded


def test_a_register_the_run_opens_itself_sends_the_rows_back(months, tmp_path, monkeypatch):
    """Rows that would be loaded after the run closed its register come back whole, as before."""
    monkeypatch.setenv("KRM_REGISTER", str(tmp_path / "own.sqlite"))
    reps = validate_paths(_files(months, "2019-01"), jobs=2, today=AS_OF)
    assert all(type(r.submission.projects) is list and r.submission.projects for r in reps)


def test_the_checks_across_months_load_one_file_at_a_time_and_let_go(months, tmp_path, monkeypatch):
    import krm.remembered
    from krm.history.record import check_and_record

    held, loads = [0], []
    real = krm.remembered.rows_of

    def counted(reg, rid, sha, path):
        loads.append(rid)
        # every other file's rows have been let go of when this one is loaded (it counts itself)
        held[0] = max(held[0], sum(1 for r in reps if r.submission is not None and r.submission.projects.loaded))
        return real(reg, rid, sha, path)

    with register.open(tmp_path / "r.sqlite") as reg:
        reps = []
        check_and_record(validate_paths(_files(months, "2019", "2019-01"), jobs=2, today=AS_OF, register=reg), reg)
        reps = validate_paths(_files(months, "2019-02"), jobs=2, today=AS_OF, register=reg)
        monkeypatch.setattr(krm.remembered, "rows_of", counted)
        check_and_record(reps, reg)
    found = {(r.path.name, f.code) for r in reps for f in r.findings if f.code.startswith(("KRM-E30", "KRM-W30"))}
    assert found == {("KRM-2_471800000_DKB2020.xlsx", "KRM-E302"), ("KRM-2_475000000_DKB2020.xlsx", "KRM-E301")}
    assert loads and len(loads) == len(set(loads))  # each file's rows loaded once
    assert held[0] == 1
    assert not any(r.submission.projects.loaded for r in reps)


def test_past_keeps_a_bounded_number_of_earlier_submissions(months, tmp_path):
    with register.open(tmp_path / "r.sqlite") as reg:
        reg.ingest([months / "2019", months / "2019-01", months / "2019-02"], today=AS_OF)
        now = [r.submission for r in validate_paths(_files(months, "2019-02"), jobs=2, today=AS_OF, register=reg)]
        small, whole = Past(reg, kept=2), Past(reg, kept=10_000)
        for sub in now:
            for ask in ("previous", "plan"):
                a, b = getattr(small, ask)(sub), getattr(whole, ask)(sub)
                assert (a is None) == (b is None)
                if a is not None:
                    assert a.version == b.version and a.submission == b.submission
                assert len(small._subs) <= 2
        assert len(whole._subs) > 2
        again = small.previous(now[0])  # evicted and loaded again: the same
        assert again is None or again.submission == whole.previous(now[0]).submission


# ------------------------------------------------------------------ krm validate --format json, written in pieces
def test_the_json_written_in_pieces_is_the_json_of_the_whole(months, tmp_path):
    """``krm validate --format json`` writes each file's entry and finding as it goes: the same bytes as one
    ``dumps(…, indent=1)`` of the whole document (real months with findings, explanations, Kazakh text)."""
    import io

    from test_approval import _explained_workbook

    from krm.commands._common import dumps
    from krm.commands.validate import report_json, write_json

    files = _files(months, "2019", "2019-01", "2019-02") + [_explained_workbook(tmp_path)]
    reps = validate_paths(files, jobs=2, today=AS_OF, register=False)
    assert sum(len(r.findings) for r in reps) >= 2 and any(f.explanation for r in reps for f in r.findings)
    for lang in ("kk", "ru", "en", "auto"):
        for some in (reps, reps[:1], reps[-1:], [r for r in reps if not r.findings][:2]):
            out = io.StringIO()
            write_json(report_json(some, lang, lazy=True), out.write)
            assert out.getvalue() == dumps(report_json(some, lang), indent=1) + "\n"


def test_findings_across_months_wait_in_a_spill_and_come_back_the_same(months, tmp_path):
    from krm.history.record import check_and_record
    from krm.history.spill import Spill, SpilledFindings

    def run(where, spill):
        with register.open(where) as reg:
            reg.ingest([months / "2019", months / "2019-01"], today=AS_OF)
            reps = validate_paths(_files(months, "2019-02"), jobs=2, today=AS_OF, register=reg)
            check_and_record(reps, reg, spill=spill)
        return reps

    spill = Spill()
    kept, plain = run(tmp_path / "a.sqlite", spill), run(tmp_path / "b.sqlite", None)
    packed = [r for r in kept if type(r.findings) is SpilledFindings]
    assert packed and all(type(r.findings) is list for r in plain)
    for a, b in zip(kept, plain):
        assert (a.errors, a.warnings, a.unreadable, len(a.findings), bool(a.findings)) == \
            (b.errors, b.warnings, b.unreadable, len(b.findings), bool(b.findings))
        assert a.findings == b.findings and list(a.findings) == list(b.findings)
        assert [f.to_dict("kk") for f in a.findings] == [f.to_dict("kk") for f in b.findings]
    f = packed[0].findings
    extra = next(iter(f))
    f.append(extra)  # an outlier added later stays in memory, after the spilled ones
    assert list(f)[-1] == extra and len(f) == len(list(f))
    assert f.errors == sum(1 for x in f if x.severity == "error")
    for refused in (lambda: f.sort(), lambda: f[0], lambda: f.pop(), lambda: extra in f):
        with pytest.raises(TypeError):  # never an answer from the added findings alone
            refused()
    spill.close()
