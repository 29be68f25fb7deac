"""Across months (krm/history, docs/history.md): a run of real sample months (krm samples --from) validated
month by month through one register.  Each injected cross-period mistake gives exactly its intended finding,
naming the earlier version it was compared with; clean files and a first month give none.  An error across
months returns its version; a month recorded before its previous month is re-checked when that month arrives."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from krm.samples import digest
from test_register import reg_url  # noqa: F401 - fixture

REGIONS = "47,43,11"
MONTHS = ["2019-01", "2019-02", "2019-03", "2019-04", "2019-05"]
ACROSS = ("KRM-E30", "KRM-W30")


def cli(*args):
    from typer.testing import CliRunner

    from krm.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def validate_json(path, reg, *extra):
    r = cli("validate", path, "--as-of", "2019-12-31", "--format", "json", "--register", reg, *extra)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def across(report) -> list[dict]:
    return [f for f in report["findings"] if f["code"].startswith(ACROSS)]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """January–May 2019 for three regions, with the cross-period mistakes; the register filled month by month."""
    root = tmp_path_factory.mktemp("history")
    out, reg = root / "samples", root / "register.sqlite"
    r = cli("samples", "--month", "2019-05", "--from", "2019-01", "--out", out, "--seed", 2019, "--faulty", 6,
            "--regions", REGIONS, "-q")
    assert r.exit_code == 0, r.output
    assert cli("register", "ingest", out / "2019", "--as-of", "2019-12-31", "--register", reg).exit_code == 0
    reports = {m: validate_json(out / m, reg) for m in MONTHS}
    return out, reg, reports


def intended(out: Path, month: str) -> dict:
    files = json.loads((out / month / "faulty.json").read_text(encoding="utf-8"))["files"]
    return {f"{month}/{k}": v for k, v in files.items() if v["scope"] == "history"}


def test_each_injected_mistake_gives_exactly_its_finding(run):
    out, _, reports = run
    kinds = set()
    for m in MONTHS[:-1]:
        want = {(out / f).as_posix(): (v["code"], v["cell"]) for f, v in intended(out, m).items()}
        kinds |= {v["kind"] for v in intended(out, m).values()}
        got = {}
        for f in across(reports[m]):
            assert Path(f["file"]).as_posix() not in got, f"two findings across months in {f['file']}"
            got[Path(f["file"]).as_posix()] = (f["code"], f["cell"])
        assert got == want, m
    assert kinds == {"fact-decreased", "disbursed-decreased", "project-dropped", "plan-changed",
                     "allocated-differs-from-krm1", "facts-far-beyond-plan"}


def test_the_last_month_is_clean_across_months(run):
    _, _, reports = run
    assert across(reports["2019-05"]) == []
    assert intended(run[0], "2019-02") == {} and across(reports["2019-02"]) == []


def test_each_finding_names_the_version_it_was_compared_with(run):
    import krm.register as register

    out, reg, reports = run
    with register.open(str(reg)) as r:
        by_id = {v.id: v for v in r.versions()}
    seen = 0
    for m in MONTHS[:-1]:
        for f in across(reports[m]):
            p = f["compared_with"]
            v = by_id[p["version"]]
            assert v.period == p["period"] and Path(v.paths[0]).name == p["file"] and v.paths[0] == p["path"]
            want = "2019" if f["code"] == "KRM-W302" or f["code"] == "KRM-W303" else f"2019-{int(m[5:]) - 1:02d}"
            assert p["period"] == want
            assert v.form == ("KRM-1" if want == "2019" else "KRM-2")
            assert v.district in f["file"] and v.programme in f["file"]
            assert p["file"] in f["message"] and str(p["version"]) in f["message"]
            seen += 1
    assert seen == 6


def test_the_figures_named_are_the_files(run):
    """The fact-decreased finding quotes this month's and last month's figures as the workbooks hold them."""
    from krm.validate import validate_file

    out, _, reports = run
    f = next(f for f in across(reports["2019-04"]) if f["code"] == "KRM-E301")
    now = validate_file(f["file"]).submission
    before = validate_file(Path(f["file"].replace("2019-04", "2019-03"))).submission
    row = next(r for r in now.projects if r.sheet_row == f["row"])
    prev = next(r for r in before.projects if r.bin == row.bin and r.project == row.project)
    assert f["value"] == row.fact < prev.fact == f["compared_with"]["previous"]
    assert f["sheet"] == "КРМ-2" and f["cell"] == f"H{row.sheet_row}"


def test_first_month_and_no_register_give_nothing(run, tmp_path):
    out, reg, _ = run
    # an empty register: nothing earlier, no noise
    assert across(validate_json(out / "2019-04", tmp_path / "empty.sqlite")) == []
    # the register off: the same findings as before this feature
    r = cli("validate", out / "2019-04", "--as-of", "2019-12-31", "--format", "json", "--no-register")
    assert across(json.loads(r.stdout)) == []
    # the full register, but a month whose previous month it lacks (January) compares with KRM-1 only
    jan = [f["code"] for f in across(validate_json(out / "2019-01", reg))]
    assert jan == ["KRM-W302"]


def test_krm3_against_the_registers_accepted_krm2(run, tmp_path):
    """A KRM-3 built from April agrees with the accepted KRM-2; after a district resends a changed KRM-2, it
    no longer does, and the finding names the new version."""
    from krm import forms
    from krm.samples import krm2_rows, plan_month
    from krm.samples.files import _header, _write
    from krm.samples.history import derive
    from krm.samples.model import month_bounds

    out, reg, _ = run
    agg = tmp_path / "agg"
    r = cli("aggregate", out / "2019-04", "--period", "2019-04", "--out", agg, "--register", reg)
    assert r.exit_code in (0, 1), r.output
    krm3 = sorted((agg / "2019-04").glob("KRM-3.ENBEK.47.xlsx"))[0]
    assert across(validate_json(krm3, reg)) == []
    # a district of that KRM-3 resends its April KRM-2 with one more job created
    slot = next(s for s in plan_month("2019-05", 2019, ["47"]) if s.programme == "ENBEK"
                and (out / "2019-04" / "47-Mangystau-Region" / f"KRM-2_{s.district}_ENBEK.xlsx").exists())
    rows = derive(slot, month_bounds("2019-05")[1], month_bounds("2019-04")[1])
    rows[0].fact += 1
    k2 = forms.get("KRM-2")
    resent = tmp_path / "resent" / f"KRM-2_{slot.district}_ENBEK_resent.xlsx"
    _write(resent, k2, slot.lang, _header(k2, slot, "2019-04", slot.lang), krm2_rows(rows, slot.lang),
           slot.signature, None, False)
    assert cli("register", "ingest", resent, "--as-of", "2019-12-31", "--register", reg).exit_code == 0
    found = across(validate_json(krm3, reg))
    assert [(f["code"], f["cell"][0]) for f in found] == [("KRM-E304", "E")]
    assert slot.district in found[0]["message"]
    assert found[0]["compared_with"]["file"] == resent.name
    assert found[0]["value"] + 1 == found[0]["compared_with"]["previous"]


def test_krm3_that_leaves_out_a_district_with_an_accepted_krm2(run, tmp_path):
    """A KRM-3 built without one district's April KRM-2, which the register holds as accepted: KRM-E305 names
    that district and its KRM-2, tied to the KRM-3's first row."""
    import shutil

    out, reg, _ = run
    src = out / "2019-04" / "47-Mangystau-Region"
    left_out = sorted(src.glob("KRM-2_*_ENBEK.xlsx"))[-1]
    part = tmp_path / "part" / src.name
    shutil.copytree(src, part, ignore=lambda d, names: [left_out.name] if Path(d) == src else [])
    r = cli("aggregate", part.parent, "--period", "2019-04", "--out", tmp_path / "agg", "--register", reg)
    assert r.exit_code in (0, 1), r.output
    krm3 = tmp_path / "agg" / "2019-04" / "KRM-3.ENBEK.47.xlsx"
    found = [f for f in across(validate_json(krm3, reg)) if f["code"] == "KRM-E305"]
    district = left_out.name.split("_")[1]
    assert [(f["code"], f["compared_with"]["file"], f["value"]) for f in found] == [
        ("KRM-E305", left_out.name, district)]
    assert found[0]["sheet"] == "КРМ-3" and found[0]["row"] is not None and district in found[0]["message"]


def test_earlier_months_grow_and_the_last_is_unchanged(run, tmp_path):
    """The last month of a run is the same bytes as that month generated alone; facts and disbursed sums of
    the clean files never go down from month to month."""
    from krm.validate import validate_file

    out, _, _ = run
    alone = tmp_path / "alone"
    assert cli("samples", "--month", "2019-05", "--out", alone, "--seed", 2019, "--faulty", 6, "--regions",
               REGIONS, "-q").exit_code == 0
    for sub in ("2019-05", "2019"):
        a = sorted(p.relative_to(alone) for p in (alone / sub).rglob("*") if p.is_file())
        b = sorted(p.relative_to(out) for p in (out / sub).rglob("*") if p.is_file())
        assert a == b
        assert digest([alone / p for p in a]) == digest([out / p for p in b])
    faulty = {f"{m}/{k}" for m in MONTHS
              for k in json.loads((out / m / "faulty.json").read_text(encoding="utf-8"))["files"]}
    last: dict = {}
    for m in MONTHS:
        for p in sorted((out / m).rglob("KRM-2_*.xlsx")):
            if p.relative_to(out).as_posix() in faulty:
                continue
            for row in validate_file(p).submission.projects:
                before = last.get((p.name, row.bin, row.project))
                if before is not None:
                    assert row.fact >= before[0] and row.disbursed >= before[1], (p, row)
                last[(p.name, row.bin, row.project)] = (row.fact, row.disbursed)


# ------------------------------------------------------------------ outliers (krm outliers, the note's section)
def test_modified_z_score_by_hand():
    """x = 10 against 1, 2, 3, 4: median 2.5, |deviations| 1.5, 0.5, 0.5, 1.5 so MAD = 1;
    z = 0.6745 · 7.5 / 1 = 5.05875; the range within 3.5 is 2.5 ± 3.5 / 0.6745 = 2.5 ± 5.189029."""
    from krm.history.outliers import expected_range, modified_z

    s = modified_z(10, [1, 2, 3, 4])
    assert (s.median, s.mad) == (2.5, 1.0) and s.z == pytest.approx(5.05875)
    assert expected_range(s) == pytest.approx((0.0, 7.689029), abs=1e-6)  # 2.5 - 5.189 clipped at 0
    assert expected_range(s, 1.0) == pytest.approx((2.5 - 1 / 0.6745, 2.5 + 1 / 0.6745))
    assert modified_z(3, [1, 2, 3, 4]).z == pytest.approx(0.33725)
    assert modified_z(9, [5, 5, 5, 6]) is None  # MAD 0: undefined, as in DHIS2
    assert modified_z(1, []) is None


def outliers_json(reg, *extra):
    r = cli("outliers", "--month", "2019-05", "--register", reg, "--format", "json", *extra)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_krm_outliers_finds_the_injected_outlier(run):
    from krm.history.outliers import K, modified_z

    out, reg, _ = run
    want = [f for m in MONTHS for f, v in json.loads((out / m / "faulty.json").read_text(encoding="utf-8"))["files"].items()
            if v["scope"] == "outliers"]
    assert len(want) == 1 and want[0].startswith("2019-05/")
    d = outliers_json(reg)
    assert d["version"] == 1 and d["threshold"] == 3.5 and d["month"] == "2019-05"
    hit = [o for o in d["outliers"] if Path(o["file"]) == out / want[0] and o["measure"] == "fact"
           and o["kind"] == "history"]
    assert len(hit) == 1
    o = hit[0]
    assert o["code"] == "KRM-W310" and o["value"] > o["high"] and o["n"] == 4 and o["z"] > 3.5
    # the same z from the workbooks themselves: the month's jobs are May's cumulative minus April's
    from krm.validate import validate_file

    cum = {m: sum(r.fact for r in validate_file(str(o["file"]).replace("/2019-05/", f"/{m}/")).submission.projects)
           for m in MONTHS}
    months = [cum[m] - (cum[MONTHS[i - 1]] if i else 0) for i, m in enumerate(MONTHS)]
    s = modified_z(months[-1], months[:-1])
    assert o["value"] == months[-1] and o["z"] == pytest.approx(round(s.z, 2))
    assert s.z == pytest.approx(K * (months[-1] - s.median) / s.mad)
    assert o["cell"].startswith("H15:H") and o["sheet"] == "КРМ-2"
    assert "expected range" in o["message"]
    # against the region's other districts too: each such outlier is the other warning, with its peers counted
    peers = [x for x in d["outliers"] if x["kind"] == "districts"]
    assert peers and {x["code"] for x in peers} == {"KRM-W311"} and all(x["n"] >= 4 for x in peers)
    assert {x["code"] for x in d["outliers"] if x["kind"] == "history"} == {"KRM-W310"}
    # a higher threshold keeps fewer, never more
    assert len(outliers_json(reg, "--threshold", "50")["outliers"]) < len(d["outliers"])
    assert all(abs(x["z"]) > 3.5 for x in d["outliers"])


def test_outliers_need_four_months_of_history(run, tmp_path):
    out, reg, _ = run
    d = cli("outliers", "--month", "2019-04", "--register", reg, "--format", "json")
    assert [o for o in json.loads(d.stdout)["outliers"] if o["kind"] == "history"] == []
    r = cli("outliers", "--month", "2019-13", "--register", reg)
    assert r.exit_code == 2 and "2019-13" in r.output


def test_the_note_has_an_outlier_section(run, tmp_path):
    out, reg, _ = run
    r = cli("report", "--month", "2019-05", out / "2019-05", "--out", tmp_path / "rep", "--lang", "kk,ru",
            "--register", reg)
    assert r.exit_code in (0, 1), r.output
    n = len(outliers_json(reg)["outliers"])
    for lang, word in (("kk", "ауытқу"), ("ru", "Выбросов")):
        html = (tmp_path / "rep" / f"note-2019-05.{lang}.html").read_text(encoding="utf-8")
        sec = html[html.index('<section id="outliers"'):]
        sec = sec[:sec.index("</section>")]
        assert f"{n} ауытқу" in sec if lang == "kk" else f"Выбросов: {n};" in sec
        assert sec.count("<tr>") == min(n, 12) + 1
    # with the register off the section says there is no history to compare with
    r = cli("report", "--month", "2019-05", out / "2019-05", "--out", tmp_path / "off", "--no-register")
    html = (tmp_path / "off" / "note-2019-05.kk.html").read_text(encoding="utf-8")
    sec = html[html.index('<section id="outliers"'):]
    assert "есептелмеді" in sec[:sec.index("</section>")]


# ------------------------------------------------------------------ the committed months (samples/2019-01 … 2019-05)
ROOT = Path(__file__).resolve().parents[1]


def test_committed_earlier_months_match_their_manifests():
    seen = set()
    for m in MONTHS[:-1]:
        d = ROOT / "samples" / m
        summary = json.loads((d / "samples.json").read_text(encoding="utf-8"))
        assert summary["command"].startswith("krm samples --month 2019-05 --from 2019-01")
        on_disk = sorted(p.relative_to(ROOT / "samples").as_posix() for p in d.rglob("*.xlsx"))
        assert on_disk == sorted(summary["krm2"]) and 200 <= len(on_disk) <= 400
        for rel, v in json.loads((d / "faulty.json").read_text(encoding="utf-8"))["files"].items():
            assert (d / rel).is_file() or (ROOT / "samples" / rel).is_file()
            seen.add((v["kind"], v["code"]))
    assert seen == {("allocated-differs-from-krm1", "KRM-W302"), ("project-dropped", "KRM-E303"),
                    ("plan-changed", "KRM-W301"), ("facts-far-beyond-plan", "KRM-W303"),
                    ("fact-decreased", "KRM-E301"), ("disbursed-decreased", "KRM-E302"), ("outlier", "KRM-W310")}


@pytest.mark.slow
def test_committed_months_give_exactly_their_findings_across_months(tmp_path):
    """The demo's path: the plans, then January … May through one register; each injected mistake gives its
    finding, every other file none, May none; May's outliers include the injected one."""
    reg = tmp_path / "register.sqlite"
    assert cli("register", "ingest", ROOT / "samples" / "2019", "--register", reg).exit_code == 0
    checked = {}
    for m in MONTHS:
        want = {(ROOT / "samples" / f).as_posix(): (v["code"], v["cell"]) for f, v in intended(ROOT / "samples", m).items()}
        checked[m] = validate_json(ROOT / "samples" / m, reg)
        got = {Path(f["file"]).resolve().as_posix(): (f["code"], f["cell"]) for f in across(checked[m])}
        assert got == want, m
    # krm validate reports the outliers once the register holds four earlier months (May), not before
    assert not [f for m in MONTHS[:-1] for f in checked[m]["findings"] if f["code"] in ("KRM-W310", "KRM-W311")]
    hit = [f for f in checked["2019-05"]["findings"] if f["code"] == "KRM-W310" and "156400000_AIC" in f["file"]
           and f["value"] == 56]
    assert len(hit) == 1 and hit[0]["severity"] == "warning" and hit[0]["sheet"] == "КРМ-2"
    assert hit[0]["cell"].startswith("H") and "expected range" in hit[0]["message"]
    outlier = next(f for f, v in json.loads((ROOT / "samples" / "2019-04" / "faulty.json").read_text(encoding="utf-8"))
                   ["files"].items() if v["kind"] == "outlier")
    d = outliers_json(reg)
    assert [o["kind"] for o in d["outliers"] if Path(o["file"]).name == Path(outlier).name and o["measure"] == "fact"
            and o["kind"] == "history"] == ["history"]


# ---------------------------------------------------------------- findings across months change states (record.py)
ERRORS = ("KRM-E301", "KRM-E302", "KRM-E303")


def versions_by_path(reg) -> dict:
    import krm.register as register

    with register.open(str(reg)) as r:
        vs = r.versions(current=True)
        return {Path(p).as_posix(): (v, r.audit(v.id)) for v in vs for p in v.paths}


def ingest(path, reg):
    r = cli("register", "ingest", path, "--as-of", "2019-12-31", "--register", reg, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_an_error_across_months_returns_the_version_and_a_warning_does_not(run):
    out, reg, reports = run
    vs = versions_by_path(reg)
    errs = warns = 0
    for m in MONTHS[:-1]:
        for f in across(reports[m]):
            v, audit = vs[Path(f["file"]).as_posix()]
            if f["severity"] == "error":
                errs += 1
                assert v.state == "returned", f
                last = audit[-1]
                assert (last.from_state, last.to_state) == ("accepted", "returned")
                assert f["code"] in last.reason and f["cell"] in last.reason
                assert f"vs version {f['compared_with']['version']}" in last.reason
            else:
                warns += 1
                assert v.state == "accepted", f  # a warning never changes a state
    assert errs == 3 and warns == 3
    # every other file without errors of its own stays accepted
    flagged = {Path(f["file"]).as_posix() for m in MONTHS for f in across(reports[m]) if f["severity"] == "error"}
    clean = {Path(f["path"]).as_posix() for m in MONTHS for f in reports[m]["files"] if not f["errors"]}
    # (the KRM-3 test above resent an April KRM-2 with lower figures into this register: its May was re-checked
    # against the resent April then and returned — the re-check of the next month, named in the reason)
    others = [v.state for p, (v, a) in vs.items() if p in clean and v.form == "KRM-2"
              and not (a and "_resent.xlsx" in (a[-1].reason or ""))]
    assert len(others) > 20 and set(others) == {"accepted"}


def test_validating_again_keeps_one_return(run):
    """The same bytes validated again: the findings are the same, the version is not returned twice."""
    out, reg, _ = run
    f = next(f for f in across(validate_json(out / "2019-04", reg)) if f["code"] == "KRM-E301")
    _, audit = versions_by_path(reg)[Path(f["file"]).as_posix()]
    assert [a.to_state for a in audit].count("returned") == 1


def test_ingest_runs_the_checks_and_a_late_previous_month_rechecks_the_next(run, tmp_path):
    """April ingested before March: nothing to compare with, accepted; March arrives: April's wrong files
    are returned, the others stay accepted (March itself, with no February here, is compared with nothing)."""
    out, _, _ = run
    reg = tmp_path / "late.sqlite"
    ingest(out / "2019", reg)
    first = ingest(out / "2019-04", reg)
    assert first["states"] == {"accepted": first["versions"]}
    april = {(out / k).as_posix(): v["code"] for k, v in intended(out, "2019-04").items()}
    assert sorted(april.values()) == ["KRM-E301", "KRM-E302"]
    ingest(out / "2019-03", reg)
    vs = versions_by_path(reg)
    for path, code in april.items():
        v, audit = vs[path]
        assert v.state == "returned", (path, code)
        assert code in audit[-1].reason and "2019-03" in audit[-1].reason
    states = {v.state for p, (v, _) in vs.items() if p not in april and v.form == "KRM-2"}
    assert states == {"accepted"}  # the generated months have no errors of their own (the first ingest shows it)


def test_no_register_changes_no_state(run, tmp_path):
    out, _, _ = run
    r = cli("validate", out / "2019-04", "--as-of", "2019-12-31", "--format", "json", "--no-register")
    assert r.exit_code in (0, 1) and across(json.loads(r.stdout)) == []



def test_plan_overrun_sets_the_w303_threshold(run, tmp_path):
    """A district's May KRM-2 whose jobs created reach 1.75 × its KRM-1 plan: KRM-W303 at the default (1.5 ×),
    none with `--plan-overrun 2`, and again with `--plan-overrun 1.7`; a value that is not above 0 is a usage
    error (exit 2)."""
    import math
    import sqlite3
    from dataclasses import replace

    from krm import forms
    from krm.samples import krm2_rows, plan_month
    from krm.samples.files import _header, _write
    from krm.samples.history import _fresh_bin, derive
    from krm.samples.model import month_bounds

    out, reg, _ = run
    copy = tmp_path / "register.sqlite"  # the module's register stays as it was
    with sqlite3.connect(reg) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    slot = next(s for s in plan_month("2019-05", 2019, ["47"]) if s.programme == "ENBEK"
                and (out / "2019-04" / "47-Mangystau-Region" / f"KRM-2_{s.district}_ENBEK.xlsx").exists())
    end = month_bounds("2019-05")[1]
    rows = derive(slot, end, end)
    planned = sum(p.plan for p in slot.projects)
    more = math.ceil(Decimal("1.75") * planned) - sum(p.fact for p in rows)
    rows.append(replace(rows[-1], name_kk=rows[-1].name_kk + " (қосымша)", name_ru=rows[-1].name_ru + " (доп.)",
                        bin=_fresh_bin(7, slot), plan=more, fact=more))
    k2 = forms.get("KRM-2")
    wb = tmp_path / "over" / f"KRM-2_{slot.district}_ENBEK.xlsx"
    _write(wb, k2, slot.lang, _header(k2, slot, "2019-05", slot.lang), krm2_rows(rows, slot.lang),
           slot.signature, None, False)

    def w303(*extra):
        return [f for f in across(validate_json(wb, copy, *extra)) if f["code"] == "KRM-W303"]

    found = w303()
    assert len(found) == 1, validate_json(wb, copy)["findings"]
    ratio = Decimal(found[0]["value"]) / Decimal(found[0]["compared_with"]["previous"])
    assert Decimal("1.5") < ratio < 2 and found[0]["compared_with"]["period"] == "2019"
    assert w303("--plan-overrun", "2") == []
    assert len(w303("--plan-overrun", "1.7")) == 1
    for bad in ("0", "-1"):
        r = cli("validate", wb, "--register", copy, "--plan-overrun", bad)
        assert r.exit_code == 2 and "--plan-overrun" in r.output


@pytest.mark.parametrize("plan_lang", ["ru", "kk"])
def test_a_krm1_in_the_other_language_still_compares(tmp_path, plan_lang):
    """A district's KRM-1 written in Russian and its KRM-2 in Kazakh (the project names differ): the projects
    are paired by their implementation period, so a plan changed against the KRM-1 gives KRM-W302 at its cell,
    exactly as when both are in Kazakh (paired by name); the other projects give nothing."""
    from collections import Counter

    from krm import forms
    from krm.samples import krm1_rows, krm2_rows, plan_month
    from krm.samples.files import _header, _write
    from krm.samples.history import derive
    from krm.samples.model import month_bounds

    reg = tmp_path / "register.sqlite"
    end = month_bounds("2019-05")[1]
    slot, rows, i = None, None, None
    for s in plan_month("2019-05", 2019, ["47"]):
        rows = derive(s, end, end)
        periods = Counter((p.start, p.end) for p in s.projects)
        i = next((k for k, r in enumerate(rows) if periods[(r.start, r.end)] == 1 and r.name_kk != r.name_ru), None)
        if i is not None and len(rows) > 1:
            slot = s
            break
    assert slot is not None
    k1, k2 = forms.get("KRM-1"), forms.get("KRM-2")
    plan_wb = tmp_path / "plan" / f"KRM-1_{slot.district}_{slot.programme}.xlsx"
    _write(plan_wb, k1, plan_lang, _header(k1, slot, "2019", plan_lang), krm1_rows(slot.projects, plan_lang),
           slot.signature, None, False)
    assert cli("register", "ingest", plan_wb, "--as-of", "2019-12-31", "--register", reg).exit_code == 0
    rows[i].plan += 1
    wb = tmp_path / "may" / f"KRM-2_{slot.district}_{slot.programme}.xlsx"
    _write(wb, k2, "kk", _header(k2, slot, "2019-05", "kk"), krm2_rows(rows, "kk"), slot.signature, None, False)
    found = across(validate_json(wb, reg))
    assert [(f["code"], f["value"], f["compared_with"]["previous"]) for f in found] == [
        ("KRM-W302", rows[i].plan, rows[i].plan - 1)]
    assert found[0]["cell"][0] == "G" and found[0]["compared_with"]["file"] == plan_wb.name


# ---------------------------------------------------------------- the note's series (outliers.series(light=True))
def test_the_notes_light_series_is_the_full_one(reg_url, tmp_path):  # noqa: F811 - the fixture of test_register
    """The note reads the outliers' series in one light query (krm.history.outliers._current): for every month of a
    register holding January … May, a second version of some submissions, and returned versions, the same series
    (keys, months, figures, versions in the same order) and the same outliers as through Register.versions, on
    SQLite and PostgreSQL."""
    import os
    import shutil

    import krm.register as register
    from krm.history import outliers as lib

    out = tmp_path / "samples"
    assert cli("samples", "--month", "2019-05", "--from", "2019-01", "--out", out, "--seed", 2019, "--faulty", 6,
               "--regions", REGIONS, "-q").exit_code == 0
    assert cli("register", "ingest", out, "--as-of", "2019-12-31").exit_code == 0
    assert cli("samples", "--month", "2019-05", "--from", "2019-01", "--out", tmp_path / "other", "--seed", 2019,
               "--faulty", 6, "--regions", REGIONS, "--lang", "ru", "-q").exit_code == 0
    other = tmp_path / "other" / "2019-05"
    for p in [p for p in sorted(other.rglob("KRM-2_*.xlsx")) if (out / "2019-05" / p.relative_to(other)).exists()][:3]:
        q = out / "2019-05" / p.relative_to(other)  # the same submission in Russian: new bytes, a second version
        shutil.copyfile(p, q.with_name(q.name + ".new"))
        os.replace(q.with_name(q.name + ".new"), q)
    assert cli("register", "ingest", out / "2019-05", "--as-of", "2019-12-31").exit_code == 0
    reg = register.open()
    with reg:
        assert any(v.number > 1 for v in reg.versions(form="KRM-2", period="2019-05"))
        for m in MONTHS:
            full, light = lib.series(reg, m), lib.series(reg, m, light=True)
            assert list(full) == list(light) and full, m
            for k, by in full.items():
                assert list(by) == list(light[k])
                for p, x in by.items():
                    y = light[k][p]
                    assert (x["fact"], x["disbursed"], x["version"].id) == (y["fact"], y["disbursed"], y["version"].id)
                    assert (x["version"].reading_id, x["version"].totals) == (y["version"].reading_id,
                                                                              y["version"].totals)
            a = lib.find(reg, m, lib.THRESHOLD, full, place=False)
            b = lib.find(reg, m, lib.THRESHOLD, light, place=False)
            assert [vars(o) for o in a] == [vars(o) for o in b], m
        assert lib.find(reg, "2019-05", lib.THRESHOLD, lib.series(reg, "2019-05", light=True), place=False)


def test_a_month_without_four_earlier_months_needs_no_series(run):
    """validate's outliers (by_bytes) ask the register first whether it holds four earlier months of KRM-2: never
    when has_history would hold, so the same outliers, without loading every version of the year when it does not."""
    import krm.register as register
    from krm.history.outliers import by_bytes, has_history, may_have_history, series

    _, reg, _ = run
    with register.open(reg) as r:
        for m in MONTHS + ["2019-06", "2020-05"]:
            assert may_have_history(r, m) or not has_history(series(r, m), m), m
            assert may_have_history(r, m) == (m in ("2019-05", "2019-06")), m
        assert by_bytes(r, "2019-05") and by_bytes(r, "2019-04") == {}


def test_the_notes_outliers_are_not_looked_for_where_no_series_has_history(run, monkeypatch):
    """The note shows outliers only when some series has four earlier months of the year (note_section); for a month
    that cannot have one (January … April) the report neither opens the register nor loads the year's versions for
    them, and for every month the note's section is the one made from the whole computation (May: its outliers)."""
    from types import SimpleNamespace

    import krm.register as register
    from krm.history import outliers as lib
    from krm.report import note_outliers as no
    from krm.report.sheets import texts

    _, reg, _ = run

    def whole(r, m):  # what the report computed before: every series, every outlier
        data = lib.series(r, m, light=True)
        return no._found(m, data, lib.find(r, m, lib.THRESHOLD, data, place=False), lib.THRESHOLD)

    def section(o, m, lang):
        ctx: dict = {}
        no.note_section(ctx, SimpleNamespace(outliers=o, quarter=None, month=m), texts(lang), lang)
        return ctx["outliers"]

    with register.open(reg) as r:
        want = {m: whole(r, m) for m in MONTHS}
        for m in MONTHS:
            got = no.outliers_from_register(m, reg=r)
            assert all(section(got, m, lang) == section(want[m], m, lang) for lang in ("kk", "ru")), m
        assert want["2019-05"]["series"] and want["2019-05"]["found"]
        assert no.outliers_from_register("2019-05", reg=r) == want["2019-05"]
    assert any(want[m]["found"] for m in MONTHS[:-1])  # found among the districts, never shown: no history

    def boom(*a, **k):
        raise AssertionError("read the register for a month without history")

    monkeypatch.setenv("KRM_REGISTER", str(reg))
    monkeypatch.setattr(lib, "series", boom)
    monkeypatch.setattr(register, "open", boom)
    for m in MONTHS[:-1]:
        assert no.outliers_from_register(m) == {"found": [], "series": 0, "threshold": lib.THRESHOLD}
    assert no.outliers_from_register("2019-05", cache=False) is None
    monkeypatch.setenv("KRM_REGISTER", "off")
    assert no.outliers_from_register("2019-01") is None
