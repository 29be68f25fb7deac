"""krm aggregate end to end on small real workbooks written with write_form."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
from decimal import Decimal as D
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from krm import forms, reference
from krm.aggregate import AggregateUsageError, aggregate, default_out
from krm.cli import app
from krm.samples import make_bin
from krm.workbook.writer import write_form

PERIOD = "2019-05"
TODAY = dt.date(2019, 7, 1)
REG = reference.region("11", PERIOD)  # Akmola
REG2 = reference.region("15", PERIOD)  # Aktobe
D1, D2, D3 = reference.districts(REG.kato, PERIOD)[:3]
E1 = reference.districts(REG2.kato, PERIOD)[0]
SIG = {"email": "akimat@example.kz", "executor": "Ахметова А.Б.", "phone": "+7 7172 12 34 56", "head": "Сейітов Н.Қ."}
RNG = random.Random(7)
BINS = [make_bin(RNG) for _ in range(10)]
ENBEK = reference.programme("ENBEK", PERIOD)
runner = CliRunner()


def act(code: str) -> str:
    return next(a for a in reference.activities() if a.code == code).label("kk")


def krm2(folder: Path, name: str, district, rows, *, region=REG, period=PERIOD, programme=ENBEK,
         basis="cumulative") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    header = {"region": region.name("kk"), "district": reference.district_label(district, "kk"), "period": period,
              "programme": programme.name("kk"), "basis": basis}
    write_form(path, forms.get("KRM-2"), "kk", header=header, rows=rows, spare_rows=0, signature=SIG)
    return path


def r2(code, project, plan, fact, alloc, disb, bin_=0, end=dt.date(2019, 12, 20)):
    return {"bin": BINS[bin_], "activity": act(code), "project": project, "start": dt.date(2019, 1, 10),
            "end": end, "plan": plan, "fact": fact, "allocated": alloc, "disbursed": disb,
            "enterprise": "ЖШС Құрылыс"}


def run(d: Path, out: Path, **kw):
    kw.setdefault("today", TODAY)
    kw.setdefault("jobs", 1)
    return aggregate(d, out, **kw)


def sheet(path: Path, name: str | None = None) -> list[list]:
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(name or wb.sheet_names[0]).to_python(skip_empty_area=False)


def find_row(grid, first):
    return next(r for r in grid if r and r[0] == first)


@pytest.fixture()
def two_districts(tmp_path):
    d = tmp_path / "in"
    krm2(d / "a", "one.xlsx", D1, [r2("3", "Мектеп құрылысы", 10, 8, 100.5, 50.25, 0),
                                   r2("1", "Жылыжай кешені", 8, 3, 40.125, 0, 1, end=dt.date(2019, 5, 31))])
    krm2(d / "b", "two.xlsx", D2, [r2("3", "=HYPERLINK(\"http://x\",\"y\")", 5, 5, 0.001, 0.001, 2),
                                   r2("9", "+Дүкен", 1, 0, 12, 1.5, 3, end=dt.date(2019, 4, 1))])
    return d


def test_exact_totals_hand_computed(two_districts, tmp_path):
    out = tmp_path / "out"
    res = run(two_districts, out)
    assert res.exit_code() == 0, res.summary()
    assert sorted(o.rel for o in res.outputs) == [
        "2019-05/KRM-3.ENBEK.11.xlsx", "2019-05/KRM-4.ENBEK.xlsx", "2019-05/KRM-5.ENBEK.xlsx"]
    k3 = next(o for o in res.outputs if o.form == "KRM-3")
    assert k3.totals() == {"plan": 24, "fact": 16, "allocated": D("152.626"), "disbursed": D("51.751")}
    assert all(o.control.balanced for o in res.outputs)
    # the written KRM-3: rows by activity 1, 3, 3, 9; KRM-3 column 3 = project; total row exact
    grid = sheet(out / "2019-05/KRM-3.ENBEK.11.xlsx")
    names = [row[2] for row in grid if row and isinstance(row[0], float) and row[2]]
    assert names == ["Жылыжай кешені", "Мектеп құрылысы", "=HYPERLINK(\"http://x\",\"y\")", "+Дүкен"]
    total = next(row for row in grid if row and row[1] == forms.get("KRM-3").total_label("kk")) \
        if forms.get("KRM-3").total_label else None
    if total:
        assert total[3:7] == [24.0, 16.0, 152.626, 51.751]
    # KRM-4: Akmola's row: 4 projects, 2 implemented (ended by 31 May), exact sums; total row
    grid4 = sheet(out / "2019-05/KRM-4.ENBEK.xlsx")
    akm = next(row for row in grid4 if row and row[1] == REG.name("kk"))
    assert akm[2:8] == [4.0, 2.0, 152.626, 51.751, 24.0, 16.0]
    tot = next(row for row in grid4 if row and row[1] == "БАРЛЫҒЫ")
    assert tot[2:8] == [4.0, 2.0, 152.626, 51.751, 24.0, 16.0]
    other = next(row for row in grid4 if row and row[1] == REG2.name("kk"))
    assert other[2:8] == ["", "", "", "", "", ""]  # no data is blank, not zero
    grid5 = sheet(out / "2019-05/KRM-5.ENBEK.xlsx")
    akm5 = next(row for row in grid5 if row and row[1] == REG.name("kk"))
    assert akm5[2:12] == [16.0, 3.0, 0.0, 13.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_text_beginning_with_equals_stays_text(two_districts, tmp_path):
    out = tmp_path / "out"
    run(two_districts, out)
    import zipfile

    with zipfile.ZipFile(out / "2019-05/KRM-3.ENBEK.11.xlsx") as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
        # not a formula anywhere: the text lives in sharedStrings (the print sheet's formulas only refer to its cell,
        # their cached result is that text as a string value)
        import re

        assert not [f for f in re.findall(rb"<f>(.*?)</f>", xml) if b"HYPERLINK" in f]
        assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)".encode() in z.read("xl/sharedStrings.xml") or \
            b'=HYPERLINK("http://x","y")' in z.read("xl/sharedStrings.xml")


def test_control_sheet_lists_inputs_and_balances(two_districts, tmp_path):
    out = tmp_path / "out"
    run(two_districts, out)
    ctl = sheet(out / "2019-05/KRM-3.ENBEK.11.xlsx", "Бақылау")
    files = [row[0] for row in ctl[1:3]]
    assert files == ["a/one.xlsx", "b/two.xlsx"]
    assert ctl[1][4:9] == [2.0, 18.0, 11.0, 140.625, 50.25]
    inp = next(row for row in ctl if str(row[0]).startswith("Кіріс"))
    outp = next(row for row in ctl if str(row[0]).startswith("Осы жұмыс"))
    assert inp[4:9] == outp[4:9] == [4.0, 24.0, 16.0, 152.626, 51.751]
    assert next(row for row in ctl if str(row[0]).startswith("Теңгерілген"))[1] == "ИӘ"
    # completeness of Akmola: 2 of its districts sent, the rest listed as missing
    comp = next(row for row in ctl if row and row[0].startswith(REG.name("kk")))
    n = len(reference.districts(REG.kato, PERIOD))
    assert comp[2:5] == [float(n), 2.0, round(200 / n, 1)]
    assert reference.district_label(D3, "kk") in comp[5]


def test_outputs_validate_clean(two_districts, tmp_path):
    validate = pytest.importorskip("krm.validate")
    out = tmp_path / "out"
    run(two_districts, out)
    for p in sorted(out.rglob("*.xlsx")):
        rep = validate.validate_file(p, today=TODAY)
        assert rep.errors == 0, (p.name, [f.to_dict() for f in rep.findings if f.severity == "error"])


def test_file_with_errors_is_excluded_and_listed(two_districts, tmp_path):
    bad = krm2(two_districts / "c", "bad.xlsx", D3, [r2("2", "Зауыт", 5, 1, 10, 20, 4)])  # disbursed > allocated?
    # make it certainly wrong: a negative job count
    bad.unlink()
    krm2(two_districts / "c", "bad.xlsx", D3, [r2("2", "Зауыт", -5, 1, 10, 2, 4)])
    out = tmp_path / "out"
    res = run(two_districts, out)
    f = next(x for x in res.inputs if x.rel == "c/bad.xlsx")
    assert f.status == "excluded" and f.errors >= 1
    k3 = next(o for o in res.outputs if o.form == "KRM-3")
    assert k3.totals()["plan"] == 24  # not counted
    s = res.summary()
    assert s["files"]["excluded"] == 1
    assert next(i for i in s["inputs"] if i["file"] == "c/bad.xlsx")["findings"]
    ctl = sheet(out / "2019-05/KRM-3.ENBEK.11.xlsx", "Бақылау")
    assert any(row and row[0] == "c/bad.xlsx" for row in ctl)
    assert res.exit_code() == 0 and res.exit_code(strict=True) == 1
    # summary json in the output folder lists it too
    data = json.loads((out / "aggregate-summary.json").read_text(encoding="utf-8"))
    assert any(i["file"] == "c/bad.xlsx" and i["status"] == "excluded" for i in data["inputs"])


def test_duplicate_submission_is_a_conflict(two_districts, tmp_path):
    dup = krm2(two_districts / "late", "one-again.xlsx", D1, [r2("3", "Мектеп құрылысы", 10, 9, 100.5, 60, 0)])
    os.utime(dup, (2_000_000_000, 2_000_000_000))
    res = run(two_districts, tmp_path / "o1")
    assert [c.files for c in res.conflicts] == [["a/one.xlsx", "late/one-again.xlsx"]]
    k3 = next(o for o in res.outputs if o.form == "KRM-3")
    assert k3.totals()["plan"] == 6  # only district 2 counted
    assert res.exit_code(strict=True) == 1
    res2 = run(two_districts, tmp_path / "o2", prefer="newest")
    assert res2.conflicts[0].kept == "late/one-again.xlsx" and "file modified time" in res2.conflicts[0].reason
    k3 = next(o for o in res2.outputs if o.form == "KRM-3")
    assert k3.totals() == {"plan": 16, "fact": 14, "allocated": D("112.501"), "disbursed": D("61.501")}
    assert next(i for i in res2.inputs if i.rel == "a/one.xlsx").status == "superseded"


def test_missing_district_and_region_completeness(two_districts, tmp_path):
    res = run(two_districts, tmp_path / "out")
    c = next(c for c in res.completeness if c.region == REG.kato)
    expected = reference.districts(REG.kato, PERIOD)
    assert (c.expected, c.received) == (len(expected), 2)
    assert reference.district_label(D3, "kk") in c.missing and reference.district_label(D1, "kk") not in c.missing
    regs = next(c for c in res.completeness if c.region is None)
    assert regs.received == 1 and len(regs.missing) == len(reference.regions(PERIOD)) - 1
    assert res.summary()["missing_districts"] == len(expected) - 2


def test_mixed_periods_never_added(two_districts, tmp_path):
    krm2(two_districts / "april", "one.xlsx", D1, [r2("3", "Мектеп құрылысы", 10, 2, 100.5, 10, 0)],
         period="2019-04")
    res = run(two_districts, tmp_path / "out")
    assert sorted(o.rel for o in res.outputs if o.form == "KRM-4") == ["2019-04/KRM-4.ENBEK.xlsx",
                                                                       "2019-05/KRM-4.ENBEK.xlsx"]
    apr = next(o for o in res.outputs if o.rel == "2019-04/KRM-4.ENBEK.xlsx")
    may = next(o for o in res.outputs if o.rel == "2019-05/KRM-4.ENBEK.xlsx")
    assert apr.submission.totals()["fact"] == 2 and may.submission.totals()["fact"] == 16
    assert not res.conflicts
    # --period narrows
    res2 = run(two_districts, tmp_path / "out2", period="2019-04")
    assert {o.period for o in res2.outputs} == {"2019-04"}
    assert sum(1 for i in res2.inputs if i.status == "filtered") == 2


def test_mixed_basis_is_split_and_reported(two_districts, tmp_path):
    krm2(two_districts / "c", "month.xlsx", D3, [r2("2", "Цех", 3, 1, 1, 1, 5)], basis="month")
    res = run(two_districts, tmp_path / "out")
    rels = sorted(o.rel for o in res.outputs)
    assert "2019-05/KRM-4.ENBEK.month.xlsx" in rels and "2019-05/KRM-4.ENBEK.xlsx" in rels
    assert next(o for o in res.outputs if o.rel == "2019-05/KRM-4.ENBEK.xlsx").submission.totals()["plan"] == 24
    assert any("mix bases" in n for n in res.notes)


def test_region_krm3_preferred_over_its_districts_krm2(two_districts, tmp_path):
    # the region's own KRM-3 arrives beside its districts' KRM-2: KRM-4 counts the KRM-3 once
    first = run(two_districts, tmp_path / "lvl")
    made = tmp_path / "lvl/2019-05/KRM-3.ENBEK.11.xlsx"
    (two_districts / "region").mkdir()
    (two_districts / "region/krm3.xlsx").write_bytes(made.read_bytes())
    krm2(two_districts / "akt", "e1.xlsx", E1, [r2("5", "Сауда орталығы", 4, 4, 2, 2, 6)], region=REG2)
    res = run(two_districts, tmp_path / "out")
    k4 = next(o for o in res.outputs if o.form == "KRM-4")
    assert [f.rel for f in k4.inputs] == ["region/krm3.xlsx", "akt/e1.xlsx"]
    assert k4.submission.totals()["plan"] == 24 + 4
    assert [r.region for r in k4.submission.regions] == [REG.kato, REG2.kato]
    first4 = next(o for o in first.outputs if o.form == "KRM-4").submission.regions[0]
    assert k4.submission.regions[0] == first4  # via KRM-3 = straight from KRM-2
    assert any("both the region's KRM-3" in n and "equal" in n for n in res.notes)


def test_byte_identical_reruns(two_districts, tmp_path):
    run(two_districts, tmp_path / "o1")
    run(two_districts, tmp_path / "o2")
    files = sorted(p.relative_to(tmp_path / "o1") for p in (tmp_path / "o1").rglob("*") if p.is_file())
    assert len(files) == 4
    for rel in files:
        a = hashlib.sha256((tmp_path / "o1" / rel).read_bytes()).hexdigest()
        b = hashlib.sha256((tmp_path / "o2" / rel).read_bytes()).hexdigest()
        assert a == b, rel


def test_no_overwrite_without_force_and_inputs_untouched(two_districts, tmp_path):
    before = {p: p.read_bytes() for p in two_districts.rglob("*.xlsx")}
    out = tmp_path / "out"
    run(two_districts, out)
    stamp = (out / "2019-05/KRM-4.ENBEK.xlsx").stat().st_mtime_ns
    with pytest.raises(AggregateUsageError, match="exists"):
        run(two_districts, out)
    assert (out / "2019-05/KRM-4.ENBEK.xlsx").stat().st_mtime_ns == stamp
    run(two_districts, out, force=True)
    assert {p: p.read_bytes() for p in two_districts.rglob("*.xlsx")} == before
    assert not list(out.rglob("*.tmp"))


def test_output_never_inside_inputs(two_districts, tmp_path):
    assert default_out(two_districts) == (tmp_path / "in-aggregated").resolve()
    with pytest.raises(AggregateUsageError, match="inside the input folder"):
        run(two_districts, two_districts / "out")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_control_failure_fails_loudly(two_districts, tmp_path, monkeypatch, jobs):
    from krm import rollup

    real = rollup.krm3_from_krm2

    def lossy(subs):
        out = real(subs)
        out[0].projects.pop()
        return out

    monkeypatch.setattr(rollup, "krm3_from_krm2", lossy)  # the workers are forked: they see it too
    r = runner.invoke(app, ["aggregate", str(two_districts), "--out", str(tmp_path / "out"), "--jobs", jobs])
    assert r.exit_code == 1
    assert "CONTROL TOTALS FAILED" in r.output
    assert not (tmp_path / "out/2019-05/KRM-3.ENBEK.11.xlsx").exists()
    assert (tmp_path / "out/2019-05/KRM-4.ENBEK.xlsx").exists()  # the balanced ones are written
    summary = json.loads((tmp_path / "out/aggregate-summary.json").read_text(encoding="utf-8"))
    k3 = next(o for o in summary["outputs"] if o["form"] == "KRM-3")
    assert not k3["balanced"] and k3["problems"] and k3["rows"] == 3


def test_cli_json_and_exit_codes(two_districts, tmp_path):
    r = runner.invoke(app, ["aggregate", str(two_districts), "--out", str(tmp_path / "out"), "--format", "json",
                            "--jobs", "1"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["files"]["read"] == 2 and data["files"]["accepted"] == 2
    assert data["totals"] == [{"period": "2019-05", "programme": "ENBEK", "basis": "cumulative", "regions": 1,
                               "projects_planned": 4, "projects_done": 2, "plan": 24, "fact": 16,
                               "allocated": "152.626", "disbursed": "51.751"}]
    r = runner.invoke(app, ["aggregate", str(two_districts), "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert r.exit_code == 2 and "--force" in r.output
    r = runner.invoke(app, ["aggregate", str(tmp_path / "nope"), "--jobs", "1"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    r = runner.invoke(app, ["aggregate", str(two_districts), "--period", "May", "--jobs", "1"])
    assert r.exit_code == 2


def test_krm1_annual_plan(tmp_path):
    d = tmp_path / "plans"
    d.mkdir()
    header = {"region": REG.name("kk"), "district": reference.district_label(D1, "kk"), "period": "2019",
              "programme": ENBEK.name("kk")}
    rows = [{"project": "Мектеп", "start": dt.date(2019, 3, 1), "end": dt.date(2019, 12, 20), "rb": 120.5,
             "lb": 30.25, "total": 15, "act3": 10, "act7": 5},
            {"project": "Ферма", "start": dt.date(2019, 4, 1), "end": dt.date(2020, 6, 30), "rb": 0, "lb": 12.125,
             "total": 8, "act1": 8}]
    write_form(d / "plan.xlsx", forms.get("KRM-1"), "kk", header=header, rows=rows, spare_rows=0, signature=SIG)
    res = run(d, tmp_path / "out")
    assert [x.rel for x in res.outputs] == ["2019/KRM-4-plan.ENBEK.xlsx", "2019/KRM-5-plan.ENBEK.xlsx"]
    o = res.outputs[1]
    assert o.control.balanced
    [row] = o.submission.regions
    assert (row.plan, row.by_activity["1"], row.by_activity["3"], row.by_activity["7"]) == (23, 8, 10, 5)
    grid = sheet(tmp_path / "out" / o.rel)
    akm = next(r for r in grid if r and r[1] == REG.name("kk"))
    assert akm[2:12] == [23.0, 8.0, 0.0, 10.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0]
    note = sheet(tmp_path / "out" / o.rel, "Ескертпе")
    assert "ЖОСПАР" in note[1][0]
    grid4 = sheet(tmp_path / "out" / "2019/KRM-4-plan.ENBEK.xlsx")
    akm4 = next(r for r in grid4 if r and r[1] == REG.name("kk"))
    assert akm4[2:8] == [2.0, "", 162.875, "", 23.0, ""]  # projects, budget RB+LB, planned jobs; facts empty
    total4 = next(r for r in grid4 if r and r[1] == "БАРЛЫҒЫ")
    assert total4[2:8] == [2.0, "", 162.875, "", 23.0, ""]  # blank is not zero: no 0 under the fact columns
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "out" / "2019/KRM-4-plan.ENBEK.xlsx")[forms.get("KRM-4").sheet_name]
    tr = next(r for r in ws.iter_rows() if r[1].value == "БАРЛЫҒЫ")
    assert [c.value for c in tr[2:8]][1::2] == [None, None, None]  # columns 4, 6, 8: nothing, not =SUM(...)
    assert str(tr[2].value).startswith("=SUM(")  # a column with data keeps its checkable formula


def test_strict_writes_nothing_when_a_file_is_excluded(two_districts, tmp_path):
    krm2(two_districts / "c", "bad.xlsx", D3, [r2("2", "Зауыт", -5, 1, 10, 2, 4)])
    out = tmp_path / "out"
    res = run(two_districts, out, strict=True)
    assert res.exit_code() == 1 and not out.exists()
    assert any("--strict" in n for n in res.notes)


def test_signature_prefill_gives_clean_outputs(two_districts, tmp_path):
    validate = pytest.importorskip("krm.validate")
    out = tmp_path / "out"
    run(two_districts, out, signature=SIG)
    reps = [validate.validate_file(p, today=TODAY) for p in sorted(out.rglob("*.xlsx"))]
    assert len(reps) == 3 and all(not r.findings for r in reps), [f.to_dict() for r in reps for f in r.findings]


def test_unreadable_and_other_forms(two_districts, tmp_path):
    (two_districts / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (two_districts / "empty.xlsx").write_bytes(b"")
    (two_districts / "~$one.xlsx").write_bytes(b"lock file")  # Excel's lock file: not an input
    write_form(two_districts / "k4.xlsx", forms.get("KRM-4"), "kk", header={"period": PERIOD}, rows=[])
    res = run(two_districts, tmp_path / "out")
    st = {f.rel: f.status for f in res.inputs}
    assert st == {"a/one.xlsx": "accepted", "b/two.xlsx": "accepted", "empty.xlsx": "excluded",
                  "junk.xlsx": "excluded", "k4.xlsx": "skipped"}
    assert next(o for o in res.outputs if o.form == "KRM-3").totals()["plan"] == 24
    # an unreadable file's header is unknown: it is listed on every control sheet
    for o in res.outputs:
        ctl = sheet(tmp_path / "out" / o.rel, "Бақылау")
        assert any(row and row[0] == "junk.xlsx" for row in ctl), o.rel
    assert res.exit_code() == 0 and res.exit_code(strict=True) == 1


# ------------------------------------------------------------------ streaming: memory flat, nothing left behind
@pytest.fixture()
def spool_parent(tmp_path, monkeypatch):
    """Where the run's spool folder goes (the system temporary folder, redirected here)."""
    import tempfile

    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_main_process_keeps_no_rows(two_districts, tmp_path, spool_parent, jobs):
    krm2(two_districts / "c", "bad.xlsx", D3, [r2("2", "Зауыт", -5, 1, 10, 2, 4)])
    res = run(two_districts, tmp_path / "out", jobs=jobs)
    from krm.rollup import Digest

    for f in res.inputs:  # each input is its header and figures, not its rows
        assert isinstance(f.submission, Digest) and f.submission.projects == ()
        assert bool(f.findings) == (f.status == "excluded"), f.rel  # only findings that are reported are kept
    one = next(f for f in res.inputs if f.rel == "a/one.xlsx").submission
    assert (one.nrows, one.projects_planned, one.projects_done) == (2, 2, 1)
    assert one.totals() == {"plan": 18, "fact": 11, "allocated": D("140.625"), "disbursed": D("50.25")}
    k3 = next(o for o in res.outputs if o.form == "KRM-3")
    assert k3.submission is None and k3.written and k3.control.balanced
    assert k3.totals() == {"plan": 24, "fact": 16, "allocated": D("152.626"), "disbursed": D("51.751")}
    assert sheet(tmp_path / "out" / k3.rel)  # written from the spool: the rows are all there
    grid = sheet(tmp_path / "out" / k3.rel)
    assert sum(1 for row in grid if row and row[2] in ("Мектеп құрылысы", "Жылыжай кешені", "+Дүкен")) == 3
    assert list(spool_parent.iterdir()) == []  # the spool is gone


def test_spool_removed_when_the_run_stops(two_districts, tmp_path, spool_parent):
    out = tmp_path / "out"
    run(two_districts, out)
    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*.xlsx")}
    with pytest.raises(AggregateUsageError, match="exists"):
        run(two_districts, out, jobs=2)  # KRM-3 is checked first (an unbalanced one would not be in the way)
    assert list(spool_parent.iterdir()) == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.xlsx")} == stamp  # nothing was rewritten
    assert not list(out.rglob("*.tmp"))


@pytest.mark.parametrize("how", ["dry_run", "strict"])
def test_outputs_checked_but_not_written(two_districts, tmp_path, spool_parent, how):
    if how == "strict":
        krm2(two_districts / "c", "bad.xlsx", D3, [r2("2", "Зауыт", -5, 1, 10, 2, 4)])
    out = tmp_path / "out"
    res = run(two_districts, out, jobs=2, **({"write": False} if how == "dry_run" else {"strict": True}))
    assert not out.exists()
    k3 = next(o for o in res.outputs if o.form == "KRM-3")
    assert k3.control.balanced and k3.control.output_total.rows == 4 and not k3.written
    assert next(o for o in res.summary()["outputs"] if o["form"] == "KRM-3")["rows"] == 4
    assert list(spool_parent.iterdir()) == []


def test_interrupted_writers_leave_no_temporary_files(tmp_path):
    from krm.aggregate import _remove_temporaries

    (tmp_path / "2019-05").mkdir()
    target = tmp_path / "2019-05" / "KRM-3.ENBEK.11.xlsx"
    left = tmp_path / "2019-05" / ".KRM-3.ENBEK.11.xlsx.k2j4_x9a.tmp"  # as atomic_write names them
    other = tmp_path / "2019-05" / ".notes.txt.abc.tmp"
    for p in (left, other, target):
        p.write_bytes(b"x")
    _remove_temporaries([target])
    assert not left.exists() and other.exists() and target.exists()


def test_control_lines_labelled_by_their_first_input():
    """A KRM-4/5's control lines name each input (compute._labels, one dict a run: finding each input in the list
    was quadratic in a programme's 3,000 inputs): the first input whose digest it is, else the digest's path."""
    from types import SimpleNamespace

    from krm.aggregate.compute import _labels

    a, b, c = (SimpleNamespace(path=Path(f"/x/{n}.xlsx")) for n in "abc")
    fs = [SimpleNamespace(submission=a, rel="one/a.xlsx"), SimpleNamespace(submission=b, rel="two/b.xlsx"),
          SimpleNamespace(submission=a, rel="three/a-again.xlsx")]
    label = _labels(fs)
    assert [label(a), label(b), label(c)] == ["one/a.xlsx", "two/b.xlsx", str(Path("/x/c.xlsx"))]
