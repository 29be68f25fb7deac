"""Break one rule at a time in a correctly filled workbook; assert the exact code, cell and severity.

Every catalogue code reachable from a workbook is covered here or in test_validate_read.py
(``test_every_reachable_code_is_tested`` keeps the list honest).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

import fill
from krm import reference
from krm.catalogue import CATALOGUE
from krm.rules import lookup
from krm.validate import validate_file
from krm.workbook.reader import read
from krm.workbook.writer import a1

def codes(rep) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in rep.findings]


def expect(rep, code: str, cell: str | None, *, also: set[str] = frozenset()):
    """Exactly one finding ``code`` at ``cell`` with the catalogue's severity; no other codes but ``also``."""
    hits = [f for f in rep.findings if f.code == code]
    assert hits, f"{code} not reported; got {codes(rep)}"
    assert [f.cell for f in hits] == [cell], f"{code} at {[f.cell for f in hits]}, want {cell}; all {codes(rep)}"
    assert hits[0].severity == CATALOGUE[code].severity
    assert hits[0].file == str(rep.path)
    others = {f.code for f in rep.findings} - {code} - set(also)
    assert not others, f"unexpected {others}: {codes(rep)}"
    return hits[0]


def make(tmp_path, form, *, header_over=None, rows_over=None, signature=None, cells=None, ops=None,
         keep_formulas=False, today=fill.TODAY, lang="kk"):
    p = fill.filled(form, tmp_path, header_over=header_over, rows_over=rows_over, signature=signature, lang=lang)
    pf = read(p)
    if cells or ops or keep_formulas:
        fill.edit(p, cells(pf) if cells else {}, keep_formulas=keep_formulas,
                  ops=(lambda ws, wb: ops(ws, wb, pf)) if ops else None)
    return validate_file(p, today=today), pf


def rows_with(form, i, **changes):
    rs = fill.rows(form)
    rs[i] = {**rs[i], **changes}
    return rs


# ------------------------------------------------------------------ clean
@pytest.mark.parametrize("form", ["KRM-1", "KRM-2", "KRM-3", "KRM-4", "KRM-5", "KRM-6", "KRM-7"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_filled_form_is_clean(tmp_path, form, lang):
    rep, _ = make(tmp_path, form, lang=lang)
    assert rep.findings == [], codes(rep)
    assert rep.form == form and rep.errors == 0 and rep.warnings == 0
    assert rep.submission is not None and rep.submission.form == form


# ------------------------------------------------------------------ values
def test_jobs_not_a_number(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, plan="ten"))
    f = expect(rep, "KRM-E020", fill.cell_of(pf, 0, "plan"))
    assert f.column == "6" and f.value == "ten" and f.row == pf.rows[0].row + 1


def test_negative_jobs(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 1, fact=-3))
    expect(rep, "KRM-E021", fill.cell_of(pf, 1, "fact"))


def test_fractional_jobs(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 1, fact=2.5))
    expect(rep, "KRM-E022", fill.cell_of(pf, 1, "fact"))


def test_negative_money(tmp_path):
    rep, pf = make(tmp_path, "KRM-3", rows_over=rows_with("KRM-3", 1, disbursed=-1.5))
    expect(rep, "KRM-E021", fill.cell_of(pf, 1, "disbursed"))


def test_required_missing(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 2, activity=None))
    f = expect(rep, "KRM-E024", fill.cell_of(pf, 2, "activity"))
    assert "3" in f.message("en")


def test_bad_date(tmp_path):
    rep, pf = make(tmp_path, "KRM-1", rows_over=rows_with("KRM-1", 0, start="кейін"))
    expect(rep, "KRM-E025", fill.cell_of(pf, 0, "start"))


def test_implausibly_large(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, allocated=5e9, disbursed=1))
    expect(rep, "KRM-E026", fill.cell_of(pf, 0, "allocated"))


def test_large_value_warning(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, plan=60000, fact=100))
    expect(rep, "KRM-W006", fill.cell_of(pf, 0, "plan"))


def test_number_as_text(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, allocated="1 234,5"))
    f = expect(rep, "KRM-W001", fill.cell_of(pf, 0, "allocated"))
    assert "1234.5" in f.message("en")
    assert rep.submission.projects[0].allocated == pytest.approx(1234.5)


def test_money_decimals(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, disbursed=50.2512))
    expect(rep, "KRM-W002", fill.cell_of(pf, 0, "disbursed"))


def test_row_without_figures(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 2, plan=None, fact=None, allocated=None,
                                                          disbursed=None))
    f = expect(rep, "KRM-W003", fill.cell_of(pf, 2, "plan"))
    assert fill.cell_of(pf, 2, "disbursed") in f.related


def test_date_as_text(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, end="20.12.2019"))
    expect(rep, "KRM-W004", fill.cell_of(pf, 0, "end"))
    assert rep.submission.projects[0].end == dt.date(2019, 12, 20)


def test_garbled_text(tmp_path):
    rep, pf = make(tmp_path, "KRM-3", rows_over=rows_with("KRM-3", 0, project="Ð¨ÐºÐ¾Ð»Ð° ÑÑ‚Ñ€Ð¾Ð¸Ñ‚"))
    expect(rep, "KRM-W034", fill.cell_of(pf, 0, "project"))


def test_formula_without_cached_value(tmp_path):
    def cells(pf):
        return {fill.cell_of(pf, 0, "plan"): "=1+1"}

    rep, pf = make(tmp_path, "KRM-2", cells=cells, keep_formulas=True)
    expect(rep, "KRM-E023", fill.cell_of(pf, 0, "plan"))


# ------------------------------------------------------------------ consistency
def test_krm1_total_row(tmp_path):
    rep, pf = make(tmp_path, "KRM-1", rows_over=rows_with("KRM-1", 0, total=16))
    f = expect(rep, "KRM-E030", fill.cell_of(pf, 0, "total"))
    assert fill.cell_of(pf, 0, "act3") in f.related and "15" in f.message("en")


def test_krm5_activity_sum(tmp_path):
    rep, pf = make(tmp_path, "KRM-5", rows_over=rows_with("KRM-5", 1, fact=9))
    row = pf.rows[5]  # the second filled region is the sixth region row
    f = expect(rep, "KRM-E031", a1(row.row, row.cols["fact"]))
    assert f.params["expected"] == "8" and len(f.related) == 9


def test_total_row(tmp_path):
    def cells(pf):
        return {a1(pf.total.row, pf.total.cols["plan"]): 99}

    rep, pf = make(tmp_path, "KRM-4", cells=cells)
    f = expect(rep, "KRM-E032", a1(pf.total.row, pf.total.cols["plan"]))
    assert f.params["expected"] == "28"


def test_done_above_planned(tmp_path):
    rep, pf = make(tmp_path, "KRM-4", rows_over=[{**fill.rows("KRM-4")[0], "projects_done": 4},
                                                 fill.rows("KRM-4")[1]])
    row = pf.rows[0]
    expect(rep, "KRM-E033", a1(row.row, row.cols["projects_done"]))


def test_disbursed_above_allocated(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, disbursed=101))
    f = expect(rep, "KRM-E034", fill.cell_of(pf, 0, "disbursed"))
    assert f.related == [fill.cell_of(pf, 0, "allocated")]


def test_fact_above_plan(tmp_path):
    rep, pf = make(tmp_path, "KRM-3", rows_over=rows_with("KRM-3", 1, fact=9))
    expect(rep, "KRM-W010", fill.cell_of(pf, 1, "fact"))


def test_start_after_end(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 2, start=dt.date(2019, 6, 1)))
    expect(rep, "KRM-E035", fill.cell_of(pf, 2, "start"))


def test_duplicate_project(tmp_path):
    rs = fill.rows("KRM-2")
    rs.append({**rs[0], "project": "  мектеп   ҚҰРЫЛЫСЫ ", "plan": 1, "fact": 1})
    rep, pf = make(tmp_path, "KRM-2", rows_over=rs)
    f = expect(rep, "KRM-E036", fill.cell_of(pf, 3, "project"))
    assert f.related == [fill.cell_of(pf, 0, "project")]


# ------------------------------------------------------------------ identifiers
@pytest.mark.parametrize("bin_,code", [("12345", "KRM-E040"), ("ЖШС", "KRM-E040"), ("900515300128", "KRM-E041"),
                                        ("900515700122", "KRM-E042"), ("191340012340", "KRM-E043")])
def test_bin_iin(tmp_path, bin_, code):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 1, bin=bin_))
    expect(rep, code, fill.cell_of(pf, 1, "bin"))


def test_bin_as_number(tmp_path):
    def cells(pf):
        return {fill.cell_of(pf, 0, "bin"): 70941024691}  # 070941024691 typed into a number cell

    rep, pf = make(tmp_path, "KRM-2", cells=cells)
    f = expect(rep, "KRM-W011", fill.cell_of(pf, 0, "bin"))
    assert "070941024691" in f.message("en")


# ------------------------------------------------------------------ header and reference data
def test_header_missing(tmp_path):
    rep, pf = make(tmp_path, "KRM-3", header_over={"programme": None})
    ref = pf.header_cells["programme"]
    expect(rep, "KRM-E013", a1(ref.row, ref.col))


@pytest.mark.parametrize("value", ["2019-13", "май"])
def test_period_invalid(tmp_path, value):
    rep, pf = make(tmp_path, "KRM-4", cells=lambda pf: {a1(pf.header_cells["period"].row,
                                                           pf.header_cells["period"].col): value})
    ref = pf.header_cells["period"]
    expect(rep, "KRM-E050", a1(ref.row, ref.col))


def test_period_future(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", today=dt.date(2019, 5, 31))  # May has not ended
    ref = pf.header_cells["period"]
    expect(rep, "KRM-E051", a1(ref.row, ref.col))
    assert validate_file(rep.path, today=dt.date(2019, 6, 1)).findings == []


def test_krm1_next_year_is_not_future(tmp_path):
    rep, _ = make(tmp_path, "KRM-1", today=dt.date(2018, 12, 3))  # the plan for 2019, due 5 Dec 2018
    assert rep.findings == []
    rep2, _ = make(tmp_path, "KRM-1", today=dt.date(2017, 12, 3))
    assert [f.code for f in rep2.findings] == ["KRM-E051"]


def _header_cell(pf, key):
    ref = pf.header_cells[key]
    return a1(ref.row, ref.col)


def test_region_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-3", cells=lambda pf: {_header_cell(pf, "region"): "Атлантида облысы"})
    expect(rep, "KRM-E052", _header_cell(pf, "region"), also={"KRM-E054"})


def test_region_not_valid_then(tmp_path):
    # Abai oblast exists since 2022: not in a 2019 report (the KRM-3 districts then are in another region)
    rep, pf = make(tmp_path, "KRM-3", cells=lambda pf: {_header_cell(pf, "region"): "Абай облысы"})
    expect(rep, "KRM-E053", _header_cell(pf, "region"), also={"KRM-E054", "KRM-E055", "KRM-E060"})


def test_district_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", cells=lambda pf: {_header_cell(pf, "district"): "Жоқ ауданы"})
    expect(rep, "KRM-E054", _header_cell(pf, "district"))


def test_district_in_other_region(tmp_path):
    other = reference.districts(reference.region("Ақмола облысы", fill.PERIOD).kato, fill.PERIOD)[0]
    rs = rows_with("KRM-3", 1, district=reference.district_label(other, "kk"))
    rep, pf = make(tmp_path, "KRM-3", rows_over=rs)
    f = expect(rep, "KRM-E055", fill.cell_of(pf, 1, "district"))
    assert f.column == "к1"


def test_district_not_valid_then(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", header_over={"region": "Ақмола облысы", "district": "Косшы Г.А. (111600000)"})
    expect(rep, "KRM-E060", _header_cell(pf, "district"))


def test_programme_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", header_over={"programme": "Ай мен Жұлдыз бағдарламасы"})
    expect(rep, "KRM-E056", _header_cell(pf, "programme"))


def test_programme_list_not_covering_period(tmp_path):
    # the built-in list is the 2019 edition; a 2021 form is checked against it, with a warning
    rep, pf = make(tmp_path, "KRM-2", cells=lambda pf: {_header_cell(pf, "period"): "2021-05"},
                   today=dt.date(2021, 7, 1))
    f = expect(rep, "KRM-W035", _header_cell(pf, "programme"))
    assert "2021-05" in f.message("en")


def test_programme_not_valid_then(tmp_path, monkeypatch):
    (tmp_path / "ref").mkdir()
    (tmp_path / "ref" / "programmes-2020.csv").write_text(
        "code,order,short,name_kk,name_ru,name_en,valid_from,valid_to\n"
        "NEW,1,Жаңа,Жаңа бағдарлама,Новая программа,New programme,2020-01-01,2020-12-31\n", encoding="utf-8")
    monkeypatch.setenv("KRM_REFERENCE_DIR", str(tmp_path / "ref"))
    reference._programme_lists.cache_clear()
    lookup.cache_clear()
    try:
        rep, pf = make(tmp_path, "KRM-2", cells=lambda pf: {_header_cell(pf, "period"): "2020-05"},
                       today=dt.date(2020, 7, 1))
        expect(rep, "KRM-E057", _header_cell(pf, "programme"))
    finally:
        monkeypatch.delenv("KRM_REFERENCE_DIR")
        reference._programme_lists.cache_clear()
        lookup.cache_clear()


def test_activity_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, activity="10. ғарыш"))
    expect(rep, "KRM-E058", fill.cell_of(pf, 0, "activity"))


def test_activity_number_and_name_disagree(tmp_path):
    rep, pf = make(tmp_path, "KRM-2", rows_over=rows_with("KRM-2", 0, activity="2. құрылыс"))
    expect(rep, "KRM-E058", fill.cell_of(pf, 0, "activity"))


def test_basis_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-6", cells=lambda pf: {_header_cell(pf, "basis"): "әртүрлі"})
    expect(rep, "KRM-E059", _header_cell(pf, "basis"))


def test_basis_in_other_language_is_fine(tmp_path):
    rep, _ = make(tmp_path, "KRM-6", header_over={"basis": "только за отчётный месяц"})
    assert rep.findings == [] and rep.submission.basis == "month"


# ------------------------------------------------------------------ fixed rows (regions / activities)
def test_region_row_not_valid_then(tmp_path):
    rep, pf = make(tmp_path, "KRM-4", cells=lambda pf: {fill.cell_of(pf, 3, "region"): "Абай облысы"})
    expect(rep, "KRM-E053", fill.cell_of(pf, 3, "region"))


def test_region_row_unknown(tmp_path):
    rep, pf = make(tmp_path, "KRM-5", cells=lambda pf: {fill.cell_of(pf, 2, "region"): "Марс"})
    expect(rep, "KRM-E052", fill.cell_of(pf, 2, "region"))


def test_activity_row_out_of_order(tmp_path):
    rep, pf = make(tmp_path, "KRM-7", cells=lambda pf: {fill.cell_of(pf, 4, "activity"): fill.act("6")})
    f = expect(rep, "KRM-E014", fill.cell_of(pf, 4, "activity"))
    assert f.params["expected"].startswith("5.")


# ------------------------------------------------------------------ structure
def test_column_numbers_changed(tmp_path):
    def cells(pf):
        return {a1(pf.number_row, pf.colmap["plan"]): "7"}

    rep, pf = make(tmp_path, "KRM-2", cells=cells)
    f = expect(rep, "KRM-E012", a1(pf.number_row, pf.colmap["plan"]))
    assert f.params["expected"] == "6"


def test_activity_column_heading_changed(tmp_path):
    def cells(pf):
        return {a1(pf.number_row - 1, pf.colmap["act2"]): "құрылыс"}

    rep, pf = make(tmp_path, "KRM-5", cells=cells)
    expect(rep, "KRM-E012", a1(pf.number_row - 1, pf.colmap["act2"]))


def test_stray_number_and_text(tmp_path):
    def cells(pf):
        r = pf.rows[0].row
        last = max(pf.colmap.values())
        return {a1(r, last + 2): 42, a1(len(pf.grid) + 1, 1): "ескерту: тексерілді"}

    rep, pf = make(tmp_path, "KRM-2", cells=cells)
    r = pf.rows[0].row
    expect(rep, "KRM-E015", a1(r, max(pf.colmap.values()) + 2), also={"KRM-W005"})
    expect(rep, "KRM-W005", a1(len(pf.grid) + 1, 1), also={"KRM-E015"})


def test_merged_data_cells(tmp_path):
    def ops(ws, wb, pf):
        ws.merge_cells(f"{fill.cell_of(pf, 0, 'plan')}:{fill.cell_of(pf, 0, 'fact')}")

    rep, pf = make(tmp_path, "KRM-2", ops=ops)
    expect(rep, "KRM-E016", fill.cell_of(pf, 0, "plan"), also={"KRM-W003", "KRM-W010"})


def test_hidden_data_row(tmp_path):
    def ops(ws, wb, pf):
        ws.row_dimensions[pf.rows[1].row + 1].hidden = True

    rep, pf = make(tmp_path, "KRM-2", ops=ops)
    expect(rep, "KRM-W031", fill.cell_of(pf, 1, "seq"))


def test_hidden_sheet(tmp_path):
    def ops(ws, wb, pf):
        s = wb.create_sheet("жасырын")
        s["A1"] = 5
        s.sheet_state = "hidden"

    rep, pf = make(tmp_path, "KRM-4", ops=ops)
    f = expect(rep, "KRM-W032", None)
    assert f.value == "жасырын"


def test_signature_empty(tmp_path):
    rep, pf = make(tmp_path, "KRM-4", signature={**fill.SIGNATURE, "phone": ""})
    ref = pf.signature_cells["phone"]
    expect(rep, "KRM-W020", a1(ref.row, ref.col))


def test_macros_warning(tmp_path):
    p = fill.filled("KRM-2", tmp_path)
    q = tmp_path / "with-macros.xlsm"
    with zipfile.ZipFile(p) as zin, zipfile.ZipFile(q, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i, zin.read(i.filename))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    expect(validate_file(q, today=fill.TODAY), "KRM-W030", None)


def _foreign(tmp_path, form, drop_col: int | None = None) -> Path:
    """The same form typed by hand into a fresh workbook: no krm properties, names or table."""
    import openpyxl

    src = read(fill.filled(form, tmp_path))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Нысан"
    for r, row in enumerate(src.grid):
        out = [v for c, v in enumerate(row) if c != drop_col]
        for c, v in enumerate(out):
            if v not in ("", None):
                cell = ws.cell(row=r + 1, column=c + 1, value=v)
                if isinstance(v, str):
                    cell.data_type = "s"
    p = tmp_path / f"foreign-{form}.xlsx"
    wb.save(p)
    return p


@pytest.mark.parametrize("form", ["KRM-2", "KRM-4", "KRM-7"])
def test_foreign_template_is_read(tmp_path, form):
    rep = validate_file(_foreign(tmp_path, form), today=fill.TODAY)
    expect(rep, "KRM-W033", None)
    assert rep.form == form
    assert rep.submission is not None


def test_foreign_template_with_a_column_removed(tmp_path):
    rep = validate_file(_foreign(tmp_path, "KRM-2", drop_col=4), today=fill.TODAY)
    f = expect(rep, "KRM-E012", "E14", also={"KRM-W033"})
    assert f.params["expected"] == "5"


def test_table_not_found(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "Индексі: КРМ-3"
    wb.active["A3"] = "кесте жоқ"
    p = tmp_path / "no-table.xlsx"
    wb.save(p)
    expect(validate_file(p, today=fill.TODAY), "KRM-E011", None,
           also={"KRM-W033", "KRM-E013", "KRM-W020"})


def test_every_finding_knows_its_place(tmp_path):
    rs = rows_with("KRM-2", 0, plan="x", bin="1")
    rep, pf = make(tmp_path, "KRM-2", rows_over=rs)
    for f in rep.findings:
        d = f.to_dict("ru")
        assert d["sheet"] == pf.sheet and d["cell"] and d["row"] and d["column"] and d["column_title"]
        assert d["message"] and d["hint"] and d["form"] == "KRM-2"


def test_every_reachable_code_is_tested():
    """Every catalogue code is asserted somewhere (a static check, so it holds under pytest -n)."""
    import re

    here = Path(__file__).parent
    text = "".join((here / n).read_text(encoding="utf-8") for n in ("test_rules.py", "test_validate_read.py",
                                                                   "test_discover.py", "make_bad_corpus.py",
                                                                   "bad_corpus_round2.py", "test_annex_layout.py",
                                                                   "test_signatures.py", "test_history.py"))
    text = re.sub(r"also=\{[^}]*\}", "", text)  # codes only tolerated alongside do not count
    asserted = set(re.findall(r'"(KRM-[EW]\d{3})"', text))
    missing = set(CATALOGUE) - asserted
    assert not missing, f"codes without a test: {sorted(missing)}"
