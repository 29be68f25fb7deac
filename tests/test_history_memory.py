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


def test_a_spooled_run_is_the_run_kept_in_a_list(months, tmp_path):
    """The reports spooled to a temporary JSON-lines file (krm validate) come back equal to those kept in a list:
    findings (across months and outliers included), counts, submissions; the versions returned are the same."""
    from krm.history.outliers import add_to_reports
    from krm.history.record import check_and_record
    from krm.history.spooled import add_outliers, check_spooled
    from krm.spooled import Spool

    def run(where, spooled):
        with register.open(where) as reg:
            reg.ingest([months / "2019", months / "2019-01"], today=AS_OF)
            files = _files(months, "2019-02")
            if spooled:
                spool, moved = check_spooled(validate_paths(files, jobs=2, today=AS_OF, register=reg, into=Spool()),
                                             reg)
                add_outliers(spool, reg)
                reps = [(r, [list(r.submission.projects), list(r.submission.regions)]) for r in spool.reports(reg)]
            else:
                reps = validate_paths(files, jobs=2, today=AS_OF, register=reg)
                moved = check_and_record(reps, reg)
                add_to_reports(reps, reg)
                reps, spool = [(r, _rows(r.submission)) for r in reps], None
            states = [(v.id, v.state) for v in reg.versions()]
        return reps, moved, states, spool

    (kept, moved, states, spool), (plain, moved2, states2, _) = run(tmp_path / "a.sqlite", True), \
        run(tmp_path / "b.sqlite", False)
    assert moved and moved == moved2 and states == states2
    assert any(f.code.startswith("KRM-E30") for r, _ in plain for f in r.findings)
    assert len(kept) == len(plain) == len(spool)
    for (a, rows_a), (b, rows_b) in zip(kept, plain):
        assert (a.path, a.form, a.lang, a.edition, a.errors, a.warnings, a.unreadable) == \
            (b.path, b.form, b.lang, b.edition, b.errors, b.warnings, b.unreadable)
        assert a.findings == b.findings and [f.to_dict("kk") for f in a.findings] == [f.to_dict("kk") for f in b.findings]
        assert rows_a == rows_b and rows_a[0]
        assert a.submission.period == b.submission.period and a.submission.district == b.submission.district
    c = spool.counts
    assert (c.files, c.errors, c.warnings) == (len(plain), sum(r.errors for r, _ in plain),
                                               sum(r.warnings for r, _ in plain))
    assert spool[0].findings == plain[0][0].findings and spool[-1].path == plain[-1][0].path
    spool.close()


def test_a_spool_gives_back_findings_of_every_kind_and_rows_not_in_a_register(months, tmp_path):
    """Values a finding can hold (dates, decimals, texts in three languages, tuples, explanations, another file),
    and a submission's rows when they are not in a register, come back equal."""
    import datetime as dt
    from decimal import Decimal

    from krm.findings import Finding
    from krm.spec import T
    from krm.spooled import Spool

    r = validate_paths(_files(months, "2019-02")[:1], jobs=1, today=AS_OF, register=False)[0]
    odd = Finding("KRM-W301", "warning", "elsewhere.xlsx", "Sheet", "B7", 7, "3", "title", Decimal("1.50"),
                  ["C7", "D7"], {"field": T("а", "б", "c"), "previous": dt.date(2019, 1, 31), "t": (1, "x"),
                                 "$odd": {"n": float("nan")}, "when": dt.datetime(2019, 2, 1, 12, 30)},
                  "KRM-2", {"text": "why", "who": "me", "date": "2019-02-01", "sheet": "S", "row": 3})
    r.findings = list(r.findings) + [odd, Finding("KRM-E008", "error", str(r.path), params={"detail": "gone"})]
    spool = Spool()
    spool.add(r)
    back = spool[0]
    assert back.findings[:-2] == r.findings[:-2] and back.findings[-1] == r.findings[-1]
    got = back.findings[-2]
    assert got.to_dict("ru") == odd.to_dict("ru") and got.message("kk") == odd.message("kk")
    assert got.params["previous"] == odd.params["previous"] and got.value == odd.value
    assert back.unreadable and spool.counts.unreadable == 1 and spool.counts.explained == 1
    assert _rows(back.submission) == _rows(r.submission) and _rows(r.submission)[0]
    assert back.submission.period == r.submission.period
    spool.close()
