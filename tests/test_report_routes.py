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


def test_a_month_without_data_is_refused_in_the_quarterly_mode_too(routes, tmp_path):
    """May's files only: a quarterly note for Q2 is made from June, which has no data: refused as the monthly mode
    refuses it (never KRM-6/7 of empty cells and a note of dashes whose totals "balance")."""
    from krm.report import ReportError

    base, _, _ = routes
    for quarter in (None, "2019Q2"):
        with pytest.raises(ReportError) as e:
            make_report(base / "krm2", "2019-06", tmp_path / "q", quarter=quarter, jobs=2)
        assert e.value.code == 1 and "2019-06" in str(e.value) and "nothing was written" in str(e.value)
    assert not (tmp_path / "q").exists() or not any((tmp_path / "q").iterdir())


def _visible_text(html: str) -> str:
    import re

    body = re.sub(r"<(style|svg)\b.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r'<td class="path">.*?</td>', " ", body)  # file names are the user's
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_note_labels_are_in_the_notes_language(routes, lang):
    """No English status or check labels in a kk/ru note ("INFRA plan", "republic fact", "superseded …
    covers region 11"); the sources are summarised by status with counts, not listed file by file."""
    import re

    from krm.report import render_note

    _, direct, chained = routes
    for rep in (direct, chained):
        text = _visible_text(render_note(rep, lang)).replace(
            "Boundaries: Alexander Rodionov, geokz (CC BY 4.0), from OCHA/HDX COD-AB KAZ", "")
        english = re.findall(r"\b(plan|fact|republic|superseded|excluded|used|covers|region|level|programme)\b",
                             text, re.I)
        assert not english, english[:10]
        for p in rep.data.programmes:  # programme codes appear only as part of names, never as "ENBEK plan"
            assert f"{p.code} plan" not in text and f"{p.code} fact" not in text
    html = render_note(chained, lang)
    # one summary row for the used KRM-4/5, one for every KRM-3 superseded (KRM-4/5 used instead)
    n_sup = sum(1 for s in chained.data.sources if s.status == "superseded")
    sec = html[html.index('id="sources"'):]
    assert n_sup > 10 and sec.count("<tr") < 2 * len(chained.data.programmes) + 8
    assert re.search(rf"<td>[^<]*КРМ-4/5</td>(<td class=\"n\">\d*</td>)*<td class=\"n\">{n_sup}</td></tr>", sec)


def test_note_shows_krm4_implemented_projects(routes):
    _, direct, chained = routes
    for rep in (direct, chained):
        ctx = note_context(rep, "ru")
        enbek = next(p for p in ctx["programmes"] if p["name"] == "Еңбек")
        t = rep.data.total(programme="ENBEK")
        assert t["projects"] > t["done"] > 0
        assert (enbek["projects"], enbek["done"]) == (str(t["projects"]), str(t["done"]))
    assert direct.data.total()["done"] == chained.data.total()["done"]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_completeness_grid_fits_its_card_at_1280px(routes, tmp_path):
    """In real Chromium at 1280 px: the region x programme grid (a column per programme with data) ends inside its
    section (it overflowed by ~185 px with 13 programmes; table-layout fixed now shares the card's width)."""
    import json
    import re
    import subprocess
    import tempfile

    from krm.report import render_note

    _, _, chained = routes
    probe = """<script>
const t = document.querySelector('table.grid'), s = document.querySelector('#completeness');
document.title = 'M:' + JSON.stringify({table: t.getBoundingClientRect().right, scroll: t.scrollWidth,
  card: s.getBoundingClientRect().right, inner: s.clientWidth, cols: t.rows[0].cells.length});
</script>"""
    page = tmp_path / "probe.html"
    page.write_text(render_note(chained, "kk").replace("</body>", probe + "</body>"), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            f"--user-data-dir={profile}", "--window-size=1280,900", "--dump-dom", page.as_uri()],
                           capture_output=True, text=True, timeout=120)
    m = re.search(r"<title>M:([^<]*)</title>", r.stdout)
    assert m, r.stderr[-2000:]
    got = json.loads(m.group(1).replace("&quot;", '"'))
    n = sum(1 for p in chained.data.programmes if chained.data.units_of(p.code))
    assert got["cols"] == 1 + n and n >= 10
    assert got["table"] <= got["card"] and got["scroll"] <= got["inner"], got


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_note_pdf_is_byte_identical_across_prints(routes, tmp_path):
    """scripts/render_note.py: Chromium's PDF with its time stamps fixed is the same bytes on every print."""
    import importlib.util

    from krm.report import render_note

    spec = importlib.util.spec_from_file_location("render_note", ROOT / "scripts" / "render_note.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _, direct, _ = routes
    note = tmp_path / "note.html"
    note.write_text(render_note(direct, "kk"), encoding="utf-8")
    a = mod.render(note, tmp_path / "a.pdf").read_bytes()
    import time

    time.sleep(1.1)  # a later second: the raw stamps differ
    b = mod.render(note, tmp_path / "b.pdf").read_bytes()
    assert a == b and a.startswith(b"%PDF") and mod.FIXED in a
