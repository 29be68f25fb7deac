"""The national forms are the same whichever level they are made from: KRM-2 folder -> report equals
KRM-2 folder -> aggregate -> report, cell for cell (KRM-6, KRM-7 with its plan by activity) and figure for
figure in the note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from krm import forms
from krm.aggregate import aggregate
from krm.report import make_report, note_context

ROOT = Path(__file__).resolve().parents[1]
MONTH = "2019-05"
REGIONS = ("11-Akmola-Region", "71-Nur-Sultan", "75-Almaty")  # three regions of the sample month, 10 programmes


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    base = tmp_path_factory.mktemp("routes")
    krm2 = base / "krm2"
    for r in REGIONS:
        shutil.copytree(ROOT / "samples" / MONTH / r, krm2 / r)
    agg = base / "aggregated"
    res = aggregate(krm2, agg, period=MONTH, jobs=2)
    assert res.exit_code() == 0
    direct, _ = make_report(krm2, MONTH, base / "direct", jobs=2)
    chained, _ = make_report(agg, MONTH, base / "chained", jobs=2)
    return base, direct, chained


def _form(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


@pytest.mark.parametrize("form", ["KRM-6", "KRM-7"])
def test_forms_equal_cell_for_cell_from_krm2_and_from_aggregate(routes, form):
    base, direct, chained = routes
    assert {u.level for u in chained.data.units.values()} == {"KRM-4+5"}  # really made from KRM-4/5
    assert {u.level for u in direct.data.units.values()} == {"KRM-2"}
    sheet = forms.get(form).sheet_name
    a = _form(base / "direct" / f"{form}-{MONTH}.kk.xlsx", sheet)
    b = _form(base / "chained" / f"{form}-{MONTH}.kk.xlsx", sheet)
    assert a == b
    if form == "KRM-7":  # the plan by activity travelled up the chain: column 3 filled, total = KRM-6's plan
        total = next(r for r in b if r[1] == "Барлығы")
        assert total[2] == direct.data.total()["plan"] > 0
        assert all(isinstance(r[2], float) for r in b if r and isinstance(r[0], float))


def test_note_figures_equal_from_krm2_and_from_aggregate(routes):
    _, direct, chained = routes
    assert direct.rows6 == chained.rows6 and direct.rows7 == chained.rows7
    a, b = note_context(direct, "kk"), note_context(chained, "kk")
    for key in ("kpi", "regions", "region_total", "activities", "activity_total", "points"):
        assert a[key] == b[key], key
    assert [dict(p, levels=None) for p in a["programmes"]] == [dict(p, levels=None) for p in b["programmes"]]
    assert not b["activity_notes"]  # no programme "without a plan by activity"
    assert all(c.ok and c.krm7 is not None for c in chained.checks)


def test_krm5_carries_the_plan_by_activity_in_supplementary_columns(routes):
    base, direct, _ = routes
    spec = forms.get("KRM-5")
    keys = [c.key for c in spec.columns]
    sup = [c for c in spec.columns if c.key.startswith("plan_act")]
    assert [c.number for c in sup] == [f"к{i}" for i in range(1, 10)] and not any(c.official for c in sup)
    assert [c.number for c in spec.columns if c.official][-1] == "12"  # the annex's columns are unchanged
    grid = _form(base / "aggregated" / MONTH / "KRM-5.ENBEK.xlsx", spec.sheet_name)
    total = next(r for r in grid if r[1] == "БАРЛЫҒЫ")
    plan = sum(total[keys.index(c.key)] for c in sup)
    assert plan == direct.data.total(programme="ENBEK")["plan"]


def test_total_row_is_blank_over_columns_nobody_reported(routes):
    """KRM-6's total row: a SUM with its stored value under a programme with data, blank (not =SUM storing 0)
    under one that nobody reported (docs/report.md: blank is not zero)."""
    from openpyxl import load_workbook

    base, direct, _ = routes
    path = base / "direct" / f"KRM-6-{MONTH}.kk.xlsx"
    keys = [c.key for c in forms.get("KRM-6").columns_for(direct.data.programmes)]
    total = next(r for r in _form(path, "КРМ-6") if r[1] == "Барлығы")
    ws = load_workbook(path)["КРМ-6"]
    formulas = next(r for r in ws.iter_rows() if r[1].value == "Барлығы")
    silent = [p.code for p in direct.data.programmes if not direct.data.units_of(p.code)]
    assert silent  # three regions do not run every programme
    for p in direct.data.programmes:
        for m in ("plan", "fact"):
            i = keys.index(f"{p.code}_{m}")
            if p.code in silent:
                assert total[i] == "" and formulas[i].value is None, (p.code, m)
            else:
                assert total[i] == direct.data.total(programme=p.code)[m] and str(formulas[i].value).startswith("=SUM(")
