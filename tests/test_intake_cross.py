"""One intake for every command: aggregate, report, status and the note agree on which files count, on the
figures and on completeness — on real workbooks (``tests/fill.py``), under ``--prefer newest`` and ``--strict``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import fill
from krm import reference
from krm.aggregate import aggregate
from krm.report import ReportError, make_report

MONTH = fill.PERIOD
T0 = 1_560_000_000  # 2019-06-08: a file time after the month


def _rows(fact_first: int) -> list[dict]:
    rows = fill.rows("KRM-2")
    rows[0] = dict(rows[0], plan=max(rows[0]["plan"], fact_first), fact=fact_first)
    return rows


def _touch(path: Path, t: float) -> None:
    os.utime(path, (t, t))


def _aggregate(folder: Path, out: Path, **kw):
    res = aggregate(folder, out, write=False, **kw)
    kept = sorted(f.rel for f in res.inputs if f.status == "accepted")
    k4 = {o.programme: o.submission.totals()["fact"] for o in res.outputs if o.form == "KRM-4"}
    return res, kept, k4


def _report(folder: Path, out: Path, **kw):
    rep, _ = make_report(folder, MONTH, out, **kw)
    used = sorted(s.path for s in rep.data.sources if s.status == "used")
    enbek = {r["region"]: r.get("ENBEK_fact") for r in rep.rows6 if r.get("ENBEK_fact") is not None}
    return rep, used, enbek


def test_prefer_newest_keeps_the_same_file_in_aggregate_and_report(tmp_path):
    """The issue's case: two copies of one district's KRM-2 with the same document time (krm's writer stamps a
    fixed one); a.xlsx (fact 13) was saved after b.xlsx (fact 20).  Both commands must keep a.xlsx."""
    d = tmp_path / "in"
    d.mkdir()
    b = fill.filled("KRM-2", d, name="b.xlsx", rows_over=_rows(15))  # 15 + 3 + 2 = 20
    a = fill.filled("KRM-2", d, name="a.xlsx")  # 8 + 3 + 2 = 13
    _touch(b, T0)
    _touch(a, T0 + 3600)
    _, kept, k4 = _aggregate(d, tmp_path / "agg", prefer="newest")
    _, used, k6 = _report(d, tmp_path / "rep", prefer="newest")
    region = fill._region().kato
    assert kept == used == ["a.xlsx"]
    assert k4 == {"ENBEK": 13}
    assert k6 == {region: 13}


# ------------------------------------------------------------------ one folder, every command
def _district_header(i: int) -> dict:
    return {"district": reference.district_label(fill._districts(4)[i], "kk")}


@pytest.fixture
def folder(tmp_path):
    """Region 61, programme ENBEK: district 0 sent twice (a.xlsx fact 13, saved after b.xlsx fact 20), district 1
    once, district 2 a workbook with an error (a negative fact), the others nothing; the region's own KRM-3 of
    ENBEK (fact 11) beside its districts' KRM-2 (mixed levels); a broken file."""
    d = tmp_path / "in"
    (d / "districts").mkdir(parents=True)
    b = fill.filled("KRM-2", d / "districts", name="b.xlsx", rows_over=_rows(15))
    a = fill.filled("KRM-2", d / "districts", name="a.xlsx")
    _touch(b, T0)
    _touch(a, T0 + 3600)
    fill.filled("KRM-2", d / "districts", name="d1.xlsx", header_over=_district_header(1))
    bad = fill.rows("KRM-2")
    bad[0] = dict(bad[0], fact=-5)
    fill.filled("KRM-2", d / "districts", name="d2-error.xlsx", header_over=_district_header(2), rows_over=bad)
    fill.filled("KRM-3", d, name="region-k3.xlsx")
    (d / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    return d


def _status(folder: Path, **kw):
    from krm import status

    return status.status(folder, MONTH, jobs=1, **kw)


@pytest.mark.parametrize("prefer", [None, "newest"])
def test_every_command_counts_the_same_files_figures_and_completeness(folder, tmp_path, prefer):
    res, kept, k4 = _aggregate(folder, tmp_path / "agg", prefer=prefer)
    rep, used, k6 = _report(folder, tmp_path / "rep", prefer=prefer)
    st = _status(folder, prefer=prefer)
    region = fill._region().kato
    # the same files count: admitted, and not a duplicate left out
    report_counted = sorted(s.path for s in rep.data.sources if s.status in ("used", "superseded"))
    status_counted = sorted(Path(a.path).relative_to(folder).as_posix()
                            for e in st.slots if e.arrived is not None for a in [e.arrived])
    status_counted += sorted(Path(a.path).relative_to(folder).as_posix() for a in st.unexpected)
    want = (["districts/a.xlsx"] if prefer else []) + ["districts/d1.xlsx", "region-k3.xlsx"]
    assert kept == report_counted == sorted(status_counted) == want
    # the same figures: the region's KRM-3 is the level used (KRM-3 over KRM-2), in KRM-4 and in KRM-6
    assert k4 == {"ENBEK": 11}
    assert k6 == {region: 11}
    assert used == ["region-k3.xlsx"]
    # the same completeness, one definition (krm.intake.completeness)
    agg = next(c for c in res.completeness if c.form == "KRM-2" and c.region == region)
    note = next(r for r in rep.completeness if r.region == region)
    by_region = next(r for r in st.level("KRM-2").by_region if r["region"] == region)
    received = 2 if prefer else 1
    assert (agg.expected, agg.received) == (len(note.expected), len(note.received)) == \
        (by_region["expected"], by_region["received"]) == (len(reference.districts(region, MONTH)), received)
    assert agg.percent == by_region["completeness"]
    # and the note says it
    from krm.report import render_note

    html = render_note(rep, "ru")
    assert f"{received} из {agg.expected} районов" in html


def test_strict_refuses_in_aggregate_and_report_for_the_same_files(folder, tmp_path):
    res = aggregate(folder, tmp_path / "agg", strict=True)
    left_out = sorted(f.rel for f in res.inputs if f.status in ("excluded", "conflict"))
    assert res.exit_code() == 1 and not any(o.written for o in res.outputs)
    with pytest.raises(ReportError) as e:
        make_report(folder, MONTH, tmp_path / "rep", strict=True)
    assert e.value.code == 1 and f"{len(left_out)} input files of {MONTH} are excluded" in str(e.value)
    assert left_out == ["broken.xlsx", "districts/a.xlsx", "districts/b.xlsx", "districts/d2-error.xlsx"]
    assert not (tmp_path / "rep").exists() or not any((tmp_path / "rep").iterdir())
