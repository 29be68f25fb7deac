"""krm report's reading of a folder (issue 7): per-file summaries made in the worker, nothing of other months
held, and a KRM-3 that KRM-4/5 cover read for its header and totals only — with the same outputs as reading
and validating every file in full."""

from __future__ import annotations

import hashlib
import os
import pickle
import zipfile
from pathlib import Path

import fill
import pytest

from krm import reference, report
from krm.validate import validate_file

MONTH = fill.PERIOD
TURKISTAN = reference.region(fill.REGION, MONTH).kato  # fill's workbooks are Turkistan's


def _k45_rows(form: str, regions: list[str]) -> list[dict]:
    """fill's KRM-4/5 rows, moved to ``regions``."""
    return [{**r, "region": k} for r, k in zip(fill.rows(form), regions)]


def _tree(d: Path, *, krm3_error: bool = False) -> Path:
    """ENBEK: KRM-4 + KRM-5 covering Turkistan and Akmola, Turkistan's KRM-3 (superseded by them) and a
    district's KRM-2 (superseded too); AIC: Turkistan's KRM-3 alone (used); a KRM-2 of another month and a
    broken file of another month (listed as excluded: its period cannot be read)."""
    d.mkdir(parents=True, exist_ok=True)
    k45 = [TURKISTAN, reference.regions(MONTH)[0].kato]
    fill.filled("KRM-4", d, name="enbek-k4.xlsx", rows_over=_k45_rows("KRM-4", k45))
    fill.filled("KRM-5", d, name="enbek-k5.xlsx", rows_over=_k45_rows("KRM-5", k45))
    rows3 = fill.rows("KRM-3")
    if krm3_error:
        rows3 = [{**rows3[0], "fact": -4}] + rows3[1:]
    fill.filled("KRM-3", d, name="enbek-k3.xlsx", rows_over=rows3)
    fill.filled("KRM-2", d, name="enbek-d1.xlsx")
    aic = reference.programme("AIC", MONTH).name("kk")
    fill.filled("KRM-3", d, name="aic-k3.xlsx", header_over={"programme": aic})
    (d / "old").mkdir()
    fill.filled("KRM-2", d / "old", name="february.xlsx", header_over={"period": "2019-02"})
    (d / "old" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    return d


def _digest(rep: report.Report) -> dict:
    """What the outputs show: every source's line, KRM-6/7 rows, the checks, the warnings."""
    return {"sources": [(s.path, s.form, s.region, s.district, s.period, s.basis, s.totals, s.status, s.note)
                        for s in rep.data.sources],
            "rows6": rep.rows6, "rows7": rep.rows7, "checks": rep.checks, "warnings": rep.data.warnings,
            "planned": rep.planned}


def _build(root: Path, **kw) -> tuple[report.Report, list[report.FileSummary]]:
    subs, bad = report.load_inputs(root, MONTH, **kw)
    return report.build(subs, MONTH, root=root, excluded=bad, prefer=kw.get("prefer")), subs


def _build_from_submissions(root: Path) -> report.Report:
    """The report as it was made before summaries: every file validated, every Submission whole."""
    from krm.validate import find_workbooks

    subs, bad = [], []
    keep = report._Keep(frozenset(), "")  # only for its excluded line
    for p in find_workbooks([root]):
        r = validate_file(p)
        if r.errors or r.submission is None:
            bad.append(keep(r).source(report._displayer(root)))
        else:
            subs.append(r.submission)
    return report.build(subs, MONTH, root=root, excluded=bad)


def test_summaries_give_the_report_of_whole_submissions(tmp_path):
    root = _tree(tmp_path / "in")
    rep, subs = _build(root)
    assert _digest(rep) == _digest(_build_from_submissions(root))
    status = {s.path: s.status for s in rep.data.sources}
    assert status == {"aic-k3.xlsx": "used", "enbek-d1.xlsx": "superseded", "enbek-k3.xlsx": "superseded",
                      "enbek-k4.xlsx": "used", "enbek-k5.xlsx": "used", "old/broken.xlsx": "excluded"}
    k3 = next(s for s in rep.data.sources if s.path == "enbek-k3.xlsx")
    assert (k3.totals["plan"], k3.totals["fact"], str(k3.totals["allocated"])) == (18, 11, "112.625")
    # nothing of another month is kept, and no file's rows
    assert {(s.form, s.period) for s in subs} == {("KRM-2", MONTH), ("KRM-3", MONTH), ("KRM-4", MONTH),
                                                  ("KRM-5", MONTH)}
    assert all(not hasattr(s, "projects") for s in subs)


def test_a_covered_krm3_is_read_for_its_totals_only(tmp_path):
    root = _tree(tmp_path / "in")
    light, subs = _build(root)
    full, subs_full = _build(root, light=False)
    checked = {Path(s.path).name: s.checked for s in subs}
    assert checked["enbek-k3.xlsx"] is False  # superseded by the KRM-4/5: read without the rules
    assert checked["aic-k3.xlsx"] is True and checked["enbek-d1.xlsx"] is True
    assert all(s.checked for s in subs_full)
    assert _digest(light) == _digest(full)


def test_a_krm3_that_would_be_used_is_validated_after_all(tmp_path):
    """Two KRM-4 and two KRM-5 of ENBEK: all four are left out as duplicates, so Turkistan's KRM-3 is used —
    it must then be read in full, exactly as if it had never been read for its totals only."""
    root = _tree(tmp_path / "in")
    for f in ("enbek-k4.xlsx", "enbek-k5.xlsx"):
        (root / f"copy-{f}").write_bytes((root / f).read_bytes())
    for prefer in (None, "newest"):
        light, subs = _build(root, prefer=prefer)
        full, _ = _build(root, light=False, prefer=prefer)
        assert _digest(light) == _digest(full)
        k3 = next(s for s in light.data.sources if s.path == "enbek-k3.xlsx")
        assert k3.status == ("used" if prefer is None else "superseded")
        k3sum = next(s for s in subs if Path(s.path).name == "enbek-k3.xlsx")
        assert k3sum.checked is (prefer is None)  # validated where it is used, read for its totals where not


def test_covered_krm3_duplicates_are_weighed_validated(tmp_path):
    """Two covered KRM-3 of one region, the newer with an error: with --prefer newest the one kept must be the
    valid one (the other is excluded for its error), which only validating both can tell."""
    root = _tree(tmp_path / "in")
    rows3 = fill.rows("KRM-3")
    fill.filled("KRM-3", root, name="enbek-k3b.xlsx", rows_over=[{**rows3[0], "fact": -4}] + rows3[1:])
    light, _ = _build(root, prefer="newest")
    full, _ = _build(root, light=False, prefer="newest")
    assert _digest(light) == _digest(full)
    status = {s.path: s.status for s in light.data.sources}
    assert status["enbek-k3.xlsx"] == "superseded" and status["enbek-k3b.xlsx"] == "excluded"
    assert not any("duplicates" in w for w in light.data.warnings)


def test_a_superseded_krm3_with_errors(tmp_path):
    """Read for its totals only, a superseded KRM-3's errors are not looked for: it is listed as superseded
    (validated, it is listed as excluded, as --strict does); the KRM-6/7 figures are the same either way."""
    root = _tree(tmp_path / "in", krm3_error=True)
    light, _ = _build(root)
    full, _ = _build(root, light=False)
    assert {s.path: s.status for s in light.data.sources}["enbek-k3.xlsx"] == "superseded"
    bad = [s for s in full.data.sources if s.path == "enbek-k3.xlsx"]
    assert bad[0].status == "excluded" and "KRM-E021" in bad[0].note
    assert (light.rows6, light.rows7) == (full.rows6, full.rows7)
    with pytest.raises(report.ReportError, match="enbek-k3.xlsx"):
        report.make_report(root, MONTH, tmp_path / "out", strict=True)


def test_light_totals_are_the_submissions_totals(tmp_path):
    """Blank cells, numbers written as text, fractions of tenge: the same parsing as krm.convert."""
    path = fill.filled("KRM-3", tmp_path, name="k3.xlsx")
    pf = fill.locate(path)
    cells = {fill.cell_of(pf, 0, "plan"): "1 234", fill.cell_of(pf, 0, "allocated"): "12,5",
             fill.cell_of(pf, 1, "fact"): None, fill.cell_of(pf, 1, "disbursed"): 0.1 + 0.2,
             fill.cell_of(pf, 1, "plan"): "x"}
    fill.edit(path, cells)
    sub = validate_file(path).submission
    cover = {(MONTH, sub.programme, TURKISTAN)}
    got = report._Light(cover)(path)
    assert got is not None and got.checked is False
    assert got.totals == sub.totals() and got.totals["plan"] == 1234  # "x" counts as 0
    assert [str(v) for v in got.totals.values()] == [str(v) for v in sub.totals().values()]
    assert report._Light(set())(path) is None  # not covered: read it in full


def test_keep_holds_only_what_the_report_uses(tmp_path):
    keep = report._Keep(report.report_periods(MONTH), MONTH[:4])
    month = validate_file(fill.filled("KRM-2", tmp_path, name="m.xlsx"))
    other = validate_file(fill.filled("KRM-2", tmp_path, name="o.xlsx", header_over={"period": "2019-02"}))
    plan = validate_file(fill.filled("KRM-1", tmp_path, name="p.xlsx"))
    krm6 = validate_file(fill.filled("KRM-6", tmp_path, name="k6.xlsx"))
    bad = validate_file(fill.filled("KRM-2", tmp_path, name="b.xlsx", header_over={"period": "2019-02"},
                                    rows_over=[{**fill.rows("KRM-2")[0], "fact": -1}]))
    s = keep(month)
    assert isinstance(s, report.FileSummary) and s.act_fact["3"] == 8 and s.rolled.fact == 13
    assert len(pickle.dumps(s)) < 4000  # a summary, not the rows
    assert keep(other) is None and keep(krm6) is None
    assert isinstance(keep(plan), report.FileSummary)
    b = keep(bad)
    assert isinstance(b, report._Bad) and b.period == "2019-02" and "KRM-E021" in b.note
    assert report.report_periods("2019-01") == {"2019-01", "2018-12"}
    assert report.report_periods("2019-06", "2019Q2") == {"2019-04", "2019-05", "2019-06"}


def test_form_hint(tmp_path):
    for p in sorted(Path(__file__).resolve().parents[1].joinpath("templates").glob("KRM-*.xlsx")):
        assert report._form_hint(p) == p.name.split(".")[0]
    good = fill.filled("KRM-3", tmp_path, name="g.xlsx").read_bytes()
    cases = {"empty.xlsx": b"", "text.xlsx": b"hello", "half.xlsx": good[: len(good) // 2],
             "tail.xlsx": good[len(good) // 2:], "noise.xlsx": os.urandom(5000) + good[-2000:]}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert report._form_hint(tmp_path / name) is None, name
    big = tmp_path / "big-props.xlsx"  # a document property part too big to be a hint: no hint
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docProps/custom.xml", b'name="krm_form"><vt:lpwstr>KRM-3</vt:lpwstr>' + b" " * 200_000)
    assert report._form_hint(big) is None
    assert report._form_hint(tmp_path / "missing.xlsx") is None
    fifo = tmp_path / "fifo.xlsx"
    if hasattr(os, "mkfifo"):
        os.mkfifo(fifo)
        assert report._form_hint(fifo) is None  # returns at once, does not wait for a writer


def test_jobs_1_and_2_write_the_same_bytes(tmp_path):
    root = _tree(tmp_path / "in")
    digests = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        report.make_report(root, MONTH, out, langs=["kk", "ru"], jobs=jobs)
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()})
    assert digests[0] == digests[1] and len(digests[0]) == 6
