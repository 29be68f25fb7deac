"""Workbooks drawn from the regulation's annexes (krm.layouts), in .xlsx, .ods and .xls: every figure
read, the same roll-up as the same data typed into krm's template, and each layout finding."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import annex
from krm.catalogue import CATALOGUE
from krm.validate import validate_file

TODAY = dt.date(2019, 7, 1)
LAYOUT_ONLY = {"KRM-W033", "KRM-W001"}  # made outside the template; numbers typed as text


def codes(rep) -> list[str]:
    return [f.code for f in rep.findings]


def expect(rep, code: str, cell: str | None, *, also: set[str] = frozenset()):
    hits = [f for f in rep.findings if f.code == code]
    assert hits, f"{code} not reported; got {[(f.code, f.cell) for f in rep.findings]}"
    assert [f.cell for f in hits] == [cell], f"{code} at {[f.cell for f in hits]}, want {cell}"
    assert hits[0].severity == CATALOGUE[code].severity
    others = set(codes(rep)) - {code} - set(also) - {"KRM-W033"}
    assert not others, f"unexpected {others}: {[(f.code, f.cell) for f in rep.findings]}"
    return hits[0]


def assert_figures(rep, case: annex.Case) -> None:
    """Every project of the case read with every figure, in order; nothing else counted as a project."""
    sub = rep.submission
    assert sub is not None, codes(rep)
    assert sub.period == annex.PERIOD and sub.programme == case.programme and sub.region == case.region
    assert sub.district == case.district
    got = sorted((p.project, p.bin, p.activity, p.start, p.end, p.plan, p.fact, p.allocated, p.disbursed)
                 for p in sub.projects)
    want = sorted((x["project"], x["bin"], x["activity"], x["start"], x["end"], x["plan"], x["fact"],
                   Decimal(repr(x["allocated"])), Decimal(repr(x["disbursed"]))) for x in case.rows)
    assert got == want


@pytest.fixture(scope="session")
def folders(tmp_path_factory):
    """32 annex-layout KRM-2 workbooks (a third saved as .ods, a third as .xls by LibreOffice) and the same
    data typed into krm's template, in two folders."""
    base = tmp_path_factory.mktemp("annex")
    src, foreign, tmpl = base / "src", base / "foreign", base / "template"
    for d in (src, foreign, tmpl):
        d.mkdir()
    cases = annex.variants(32)
    xlsx = [annex.write(c, src / f"{c.name}.xlsx") for c in cases]
    to_ods = [p for i, p in enumerate(xlsx) if i % 3 == 1]
    to_xls = [p for i, p in enumerate(xlsx) if i % 3 == 2]
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    annex.soffice_convert(to_ods, "ods", foreign)
    annex.soffice_convert(to_xls, "xls", foreign)
    files = {}
    for i, (c, p) in enumerate(zip(cases, xlsx)):
        if i % 3 == 0:
            shutil.copy(p, foreign / p.name)
            files[c.name] = foreign / p.name
        else:
            files[c.name] = foreign / f"{p.stem}.{'ods' if i % 3 == 1 else 'xls'}"
        annex.write_template(c, tmpl / f"{c.name}.xlsx")
    return {"cases": cases, "files": files, "foreign": foreign, "template": tmpl}


def test_every_figure_of_every_workbook_is_read(folders):
    assert len(folders["cases"]) >= 30
    suffixes = {p.suffix for p in folders["files"].values()}
    assert suffixes == {".xlsx", ".ods", ".xls"}
    for c in folders["cases"]:
        rep = validate_file(folders["files"][c.name], today=TODAY)
        assert set(codes(rep)) <= LAYOUT_ONLY, (c, [(f.code, f.cell, f.value) for f in rep.findings])
        assert "KRM-W033" in codes(rep)
        assert_figures(rep, c)


def _figures(result) -> dict:
    out = {}
    for o in result.outputs:
        rows = sorted((r.region, r.projects_planned, r.projects_done, r.allocated, r.disbursed, r.plan, r.fact,
                       tuple(sorted(r.by_activity.items())))
                      for r in (o.submission.regions if o.submission else []))
        out[(o.form, o.programme, o.region, o.basis)] = (o.totals(), rows)
    return out


def test_folder_rolls_up_like_the_template(folders, tmp_path):
    from krm.aggregate import aggregate

    a = aggregate(folders["foreign"], tmp_path / "a", today=TODAY, write=False, cache=False, jobs=2)
    b = aggregate(folders["template"], tmp_path / "b", today=TODAY, write=False, cache=False, jobs=2)
    assert a.count("excluded") == b.count("excluded") == 0
    assert len(a.inputs) == len(b.inputs) == len(folders["cases"])
    fa, fb = _figures(a), _figures(b)
    assert fa and fa == fb
    plan = sum(x["plan"] for c in folders["cases"] for x in c.rows)
    krm4 = [v for k, v in fa.items() if k[0] == "KRM-4"]
    assert krm4 and sum(r[5] for _, rows in krm4 for r in rows) == plan


def test_folder_reports_like_the_template(folders, tmp_path):
    from typer.testing import CliRunner

    from krm.cli import app

    runner = CliRunner()
    outs = []
    for name in ("foreign", "template"):
        r = runner.invoke(app, ["report", "--month", annex.PERIOD, str(folders[name]), "--out",
                                str(tmp_path / name), "--lang", "kk", "--no-cache"], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        outs.append(tmp_path / name)
    from krm.workbook.reader import read

    for form in ("KRM-6", "KRM-7"):
        ga = [p for p in outs[0].rglob("*.xlsx") if form.replace("-", "") in p.name.replace("-", "").upper()
              or form in p.name]
        gb = [p for p in outs[1].rglob("*.xlsx") if form.replace("-", "") in p.name.replace("-", "").upper()
              or form in p.name]
        assert ga and len(ga) == len(gb)
        for x, y in zip(sorted(ga), sorted(gb)):
            assert [r.values for r in read(x).rows] == [r.values for r in read(y).rows]


# ------------------------------------------------------------------ the Annex-2 file of issue 14
def test_the_annex2_file_reads_with_warnings_only(tmp_path):
    d = annex.districts_2019(1)[0]
    c = annex.Case("issue", region=d.region_kato, district=d.kato, rows=annex.data(7), total="none",
                   group_figures="none")
    rep = validate_file(annex.write(c, tmp_path / "annex2.xlsx"), today=TODAY)
    assert codes(rep) == ["KRM-W033"], [(f.code, f.message("en")) for f in rep.findings]
    assert "Annex 2" in rep.findings[0].message("en")
    assert_figures(rep, c)


@pytest.mark.parametrize("form", ["KRM-3"])
def test_annex3_is_read(tmp_path, form):
    c = annex.Case("k3", form=form, region="61", district=None, rows=annex.data(3), subtotal_rows="formula")
    rep = validate_file(annex.write(c, tmp_path / "k3.xlsx"), today=TODAY)
    assert set(codes(rep)) <= LAYOUT_ONLY, [(f.code, f.cell) for f in rep.findings]
    got = sorted((p.project, p.activity, p.plan, p.fact) for p in rep.submission.projects)
    assert got == sorted((x["project"], x["activity"], x["plan"], x["fact"]) for x in c.rows)


# ------------------------------------------------------------------ each layout finding
def _one(tmp_path, **kw):
    d = annex.districts_2019(1)[0]
    base = dict(name="x", region=d.region_kato, district=d.kato, rows=annex.data(5), total="number")
    base.update(kw)
    c = annex.Case(**base)
    return c, validate_file(annex.write(c, tmp_path / "x.xlsx"), today=TODAY)


def test_subtotal_that_disagrees_is_reported(tmp_path):
    c, rep = _one(tmp_path, group_figures="number", wrong_subtotal=True)
    f = expect(rep, "KRM-E064", _first_group_plan_cell(rep, c))
    assert f.params["expected"] != f.value


def _first_group_plan_cell(rep, c) -> str:
    hits = [f for f in rep.findings if f.code == "KRM-E064"]
    return hits[0].cell if hits else "?"


def test_subtotal_rows_and_total_are_never_projects(tmp_path):
    c, rep = _one(tmp_path, group_figures="formula", subtotal_rows="number", total="number")
    assert set(codes(rep)) == {"KRM-W033"}
    assert len(rep.submission.projects) == len(c.rows)


def test_a_wrong_total_is_reported(tmp_path):
    import openpyxl

    c, rep = _one(tmp_path, total="number")
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    total_row = next(r for r in ws.iter_rows() if r[0].value == "Барлығы")
    total_row[5].value = 99999
    wb.save(p)
    rep = validate_file(p, today=TODAY)
    expect(rep, "KRM-E032", total_row[5].coordinate)


def _replace_lines(tmp_path, change) -> Path:
    """The standard case with each header line passed through ``change(text)`` (None deletes it)."""
    import openpyxl

    _one(tmp_path)
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    for row in wb.active.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = change(cell.value)
    wb.save(p)
    return p


def test_a_district_name_that_fits_two_districts(tmp_path):
    p = _replace_lines(tmp_path, lambda t: None if t.startswith("Облыс:") else
                       "Аудан: Жамбыл ауданы" if t.startswith("Аудан:") else t)
    f = expect(validate_file(p, today=TODAY), "KRM-E062", "A3")
    assert f.params["candidates"].count(";") >= 1
    assert "drop-down" not in f.hint("en")


def test_a_header_line_that_is_missing(tmp_path):
    p = _replace_lines(tmp_path, lambda t: None if t.startswith("Бағдарлама") else t)
    rep = validate_file(p, today=TODAY)
    f = expect(rep, "KRM-E061", None)
    assert "drop-down" not in f.hint("en") and "KRM-E013" not in codes(rep)


def test_an_implementation_period_that_cannot_be_read(tmp_path):
    import openpyxl

    c, rep0 = _one(tmp_path, grouped=False)
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    cell = next(r[4] for r in ws.iter_rows() if isinstance(r[4].value, str) and "–" in r[4].value)
    cell.value = "жақында"
    wb.save(p)
    expect(validate_file(p, today=TODAY), "KRM-E063", cell.coordinate)


def test_column_numbers_not_as_the_annex(tmp_path):
    import openpyxl

    c, _ = _one(tmp_path)
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    row = next(r for r in ws.iter_rows() if [x.value for x in r[:4]] == [1, 2, 3, 4])
    row[6].value = 8  # 1 2 3 4 5 6 8 8 9
    wb.save(p)
    expect(validate_file(p, today=TODAY), "KRM-E065", row[0].coordinate)


def test_a_heading_that_names_another_column(tmp_path):
    import openpyxl

    c, _ = _one(tmp_path, merged=False)
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    nr = next(r for r in ws.iter_rows() if [x.value for x in r[:4]] == [1, 2, 3, 4])
    head = ws.cell(row=nr[0].row - 2, column=8)  # "Бөлінген сома" over number 8
    head.value = "Игерілген сома (млн теңге)"
    wb.save(p)
    expect(validate_file(p, today=TODAY), "KRM-E066", ws.cell(row=nr[0].row, column=8).coordinate)


def test_a_total_row_that_closes_no_group(tmp_path):
    import openpyxl

    c, _ = _one(tmp_path, grouped=False, total="number")
    p = tmp_path / "x.xlsx"
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    nr = next(r for r in ws.iter_rows() if [x.value for x in r[:4]] == [1, 2, 3, 4])[0].row
    ws.insert_rows(nr + 3)
    ws.cell(row=nr + 3, column=1, value="Итого")
    ws.cell(row=nr + 3, column=6, value=1)
    wb.save(p)
    rep = validate_file(p, today=TODAY)
    expect(rep, "KRM-E067", f"A{nr + 3}", also={"KRM-E032"})


def test_activity_taken_from_the_group_when_blank(tmp_path):
    c, rep = _one(tmp_path, grouped=True, activity_in_rows=False)
    assert {p.activity for p in rep.submission.projects} == {x["activity"] for x in c.rows}


# ------------------------------------------------------------------ the text readers
@pytest.mark.parametrize("text,start,end", [
    ("2019-2020", dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
    ("01.03.2019 – 31.12.2020", dt.date(2019, 3, 1), dt.date(2020, 12, 31)),
    ("наурыз 2019 – желтоқсан 2020", dt.date(2019, 3, 1), dt.date(2020, 12, 31)),
    ("март 2019 г. - декабрь 2020 г.", dt.date(2019, 3, 1), dt.date(2020, 12, 31)),
    ("с 01.03.2019 по 31.12.2020", dt.date(2019, 3, 1), dt.date(2020, 12, 31)),
    ("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ("01.03.2019", None, None),  # one date: start or end? not guessed
    ("2019-2020-2021", None, None),
    ("скоро", None, None),
])
def test_implementation_period_text(text, start, end):
    from krm.layouts.period_text import implementation

    assert implementation(text) == (start, end)


@pytest.mark.parametrize("text,want", [
    ("Есепті кезең: 2019 жылғы мамыр", ["2019-05"]), ("май 2019 г.", ["2019-05"]), ("05.2019", ["2019-05"]),
    ("2019-05", ["2019-05"]), ("Отчётный период: май 2019 года", ["2019-05"]),
    ("мамыр 2019 / маусым 2019", ["2019-05", "2019-06"]), ("20___ жылғы есепті кезең", []),
])
def test_reporting_period_text(text, want):
    from krm.layouts.period_text import reporting_periods

    assert reporting_periods(text) == want


@pytest.mark.parametrize("text,on,want", [
    ("Туркестанская обл.", "2019-05", "61"), ("г. Нур-Султан", "2019-05", "71"), ("Астана", "2019-05", "71"),
    ("Нур-Султан", "2024-05", "71"), ("Алматы қ.", "2019-05", "75"), ("Алматинская область", "2019-05", "19"),
])
def test_region_names(text, on, want):
    from krm.layouts import names

    assert [r.kato for r in names.regions(text, on)] == [want]


def test_district_names_with_case_spaces_and_abbreviations():
    from krm.layouts import names

    for text in ("Сарыағаш ауданы", "САРЫАҒАШ  АУДАНЫ", "Сарыагашский р-н", "Сарыагашский район"):
        assert [d.name_kk for d in names.districts(text, None, "2019-05")] == ["Сарыағаш"], text
    assert len(names.districts("Жамбыл ауданы", None, "2019-05")) > 1


def test_folder_converts_to_clean_templates_that_roll_up_the_same(folders, tmp_path):
    from krm.aggregate import aggregate
    from krm.convert_files import convert_paths

    done = convert_paths([folders["foreign"]], tmp_path / "conv", today=TODAY)
    assert len(done) == len(folders["cases"]) and all(r.status == "converted" for r in done)
    for r in done:
        assert r.layout_only and r.after == [], (r.source, [(f.code, f.cell) for f in r.after])
    a = aggregate(tmp_path / "conv", tmp_path / "a", today=TODAY, write=False, cache=False, jobs=2)
    b = aggregate(folders["template"], tmp_path / "b", today=TODAY, write=False, cache=False, jobs=2)
    assert _figures(a) == _figures(b)


FIG45 = {
    "KRM-4": {"61": {"projects_planned": 3, "projects_done": 1, "allocated": 100.5, "disbursed": 50.25, "plan": 20,
                     "fact": 12},
              "11": {"projects_planned": 2, "projects_done": 2, "allocated": 12.125, "disbursed": 12, "plan": 8,
                     "fact": 8}},
    "KRM-5": {"61": {"fact": 12, "act3": 7, "act1": 5}, "11": {"fact": 8, "act2": 8}},
}


@pytest.mark.parametrize("form", ["KRM-4", "KRM-5"])
@pytest.mark.parametrize("lang,top,left", [("kk", 0, 0), ("ru", 3, 2)])
def test_annex4_and_annex5_are_read(tmp_path, form, lang, top, left):
    from krm.convert_files import convert_file

    p = annex.write_regions_form(tmp_path / f"{form}.xlsx", form, lang, FIG45[form], top=top, left=left)
    rep = validate_file(p, today=TODAY)
    assert codes(rep) == ["KRM-W033"], [(f.code, f.cell, f.value) for f in rep.findings]
    sub = rep.submission
    assert (sub.programme, sub.period) == ("ENBEK", annex.PERIOD) and sub.body
    got = {r.region: r for r in sub.regions if r.fact}
    assert set(got) == set(FIG45[form])
    for kato, want in FIG45[form].items():
        for k, v in want.items():
            if k.startswith("act"):
                assert got[kato].by_activity[k[3:]] == v
            else:
                assert float(getattr(got[kato], k)) == v
    res = convert_file(p, tmp_path / "c.krm.xlsx", tmp_path / "c.findings.xlsx", today=TODAY)
    assert res.status == "converted" and res.after == [], [(f.code, f.cell) for f in res.after]
    after = validate_file(res.out, today=TODAY).submission
    assert [(r.region, r.plan, r.fact, r.by_activity) for r in after.regions] == \
        [(r.region, r.plan, r.fact, r.by_activity) for r in sub.regions]


@pytest.mark.parametrize("lang,top,left", [("kk", 0, 0), ("ru", 2, 1)])
def test_annex1_blocks_are_read_and_convert(tmp_path, lang, top, left):
    from krm.convert_files import convert_file

    p = annex.write_krm1(tmp_path / "k1.xlsx", lang, annex.KRM1_PROJECTS, top=top, left=left)
    rep = validate_file(p, today=TODAY)
    assert codes(rep) == ["KRM-W033"], [(f.code, f.cell, f.value) for f in rep.findings]
    sub = rep.submission
    assert (sub.period, sub.region, sub.programme) == ("2019", "61", "ENBEK") and sub.district
    got = [(x.project, x.start, x.end, x.allocated, x.plan, x.plan_by_activity) for x in sub.projects]
    want = [(x["project"], x["start"], x["end"], Decimal(repr(x["rb"])) + Decimal(repr(x["lb"])),
             sum(v for k, v in x.items() if k.startswith("act")),
             {k[3:]: v for k, v in x.items() if k.startswith("act")}) for x in annex.KRM1_PROJECTS]
    assert got == want
    res = convert_file(p, tmp_path / "k1.krm.xlsx", tmp_path / "k1.findings.xlsx", today=TODAY)
    assert res.after == [], [(f.code, f.cell) for f in res.after]
    again = validate_file(res.out, today=TODAY).submission
    assert [(x.project, x.plan, x.plan_by_activity, x.allocated) for x in again.projects] == \
        [(x.project, x.plan, x.plan_by_activity, x.allocated) for x in sub.projects]


def test_annex1_finding_names_the_cell_in_the_block(tmp_path):
    import openpyxl

    p = annex.write_krm1(tmp_path / "k1.xlsx", "kk", annex.KRM1_PROJECTS)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    rows = [r for r in ws.iter_rows() if r[0].value == "1."]
    rows[1][2].value = 99  # the second project's "1." row: not the sum of its 1.1-1.9
    wb.save(p)
    expect(validate_file(p, today=TODAY), "KRM-E030", rows[1][2].coordinate)


def test_an_annex_file_is_read_against_the_edition_its_annex_prints(tmp_path):
    """After a new KRM-2 edition (a column added), a file drawn from the 2019 annex is still read against
    edition 1, with the same findings and figures, and rolls up."""
    from krm import editions, forms
    from krm.aggregate import aggregate
    from krm.spec import ColType, Column, T
    from krm.workbook.reader import read

    d = annex.districts_2019(1)[0]
    c = annex.Case("ed", region=d.region_kato, district=d.kato, rows=annex.data(4), total="number")
    (tmp_path / "in").mkdir()
    p = annex.write(c, tmp_path / "in" / "ed.xlsx")
    extra = Column(key="jobs_women", number="10", title=T("әйелдер", "женщины", "women"), type=ColType.JOBS,
                   role="measure")
    with editions.edition_in_force(forms.KRM2.revised("2", dt.date(2019, 5, 1), add={"disbursed": extra})):
        assert forms.get("KRM-2").edition == "2"
        pf = read(p)
        assert pf.spec.edition == "1" and "jobs_women" not in pf.colmap
        rep = validate_file(p, today=TODAY)
        assert codes(rep) == ["KRM-W033"], [(f.code, f.cell) for f in rep.findings]
        assert_figures(rep, c)
        res = aggregate(tmp_path / "in", tmp_path / "out", today=TODAY, write=False, cache=False, jobs=1)
        assert res.count("excluded") == 0 and res.outputs
