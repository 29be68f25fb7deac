"""`krm template`: the written workbooks, read back with openpyxl, against the specs and the regulation.

Every check reads a real workbook written by the library or the CLI; positions are found
through the workbook's own defined names and table, never assumed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from krm import annex_text, forms, reference
from krm.forms.district import ADDRESS_PART
from krm.spec import SPEC_VERSION, ColType, Rows
from krm.templates_api import write_template
from krm.workbook.writer import has_group_view, table_headers, write_form

ROOT = Path(__file__).resolve().parents[1]
# the Kazakh text of Order No. 189 (2019), kept in the repository so that the wording test always runs
REGULATION = ROOT / "docs" / "regulation" / "order-189-2019.kk.txt"
FORM_IDS = list(forms.FORMS)
LANGS = ("kk", "ru")
INPUT_FILL = "FFF2CC"
SUPPLEMENTARY_FILL = "E2EFDA"


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """All 14 blank templates as `krm template --all` writes them (today's regions)."""
    out = tmp_path_factory.mktemp("tpl")
    paths = {}
    for lang in LANGS:
        for fid, spec in forms.FORMS.items():
            paths[(fid, lang)] = write_template(spec, lang, out)
    return paths


@pytest.fixture(scope="module")
def books(written):
    cache = {}

    def get(fid: str, lang: str):
        if (fid, lang) not in cache:
            cache[(fid, lang)] = openpyxl.load_workbook(written[(fid, lang)])
        return cache[(fid, lang)]

    return get


def _ref(wb, name: str) -> tuple[str, str]:
    """(sheet, range) of a workbook defined name."""
    dn = wb.defined_names[name]
    dests = list(dn.destinations)
    assert len(dests) == 1, (name, dests)
    sheet, rng = dests[0]
    return sheet, rng.replace("$", "")


def _cell(wb, name: str):
    sheet, rng = _ref(wb, name)
    return wb[sheet][rng.split(":")[0]]


def _table(wb, spec):
    ws = wb[spec.sheet_name]
    assert spec.table_name in ws.tables, f"{spec.id}: no table {spec.table_name}"
    t = ws.tables[spec.table_name]
    c0, r0, c1, r1 = range_boundaries(t.ref)
    return ws, t, (c0, r0, c1, r1)  # 1-based; r0 = the column-number row (table header)


def _merged_at(ws, row: int, col: int):
    for mr in ws.merged_cells.ranges:
        if mr.min_row <= row <= mr.max_row and mr.min_col <= col <= mr.max_col:
            return mr
    return None


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).casefold()


# ------------------------------------------------------------------ headings and numbers
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fid", FORM_IDS)
def test_column_headings_groups_and_numbers(books, fid, lang):
    spec = forms.FORMS[fid]
    wb = books(fid, lang)
    ws, table, (c0, r0, c1, r1) = _table(wb, spec)
    cols = spec.columns_for(reference.programmes(dt.date.today()) if spec.programme_columns else None)
    assert c0 == 1 and c1 - c0 + 1 == len(cols)
    numbers = table_headers(cols)
    # the column-number row is the table's header row, and the table's column names are those numbers
    assert [ws.cell(r0, c0 + i).value for i in range(len(cols))] == numbers
    assert [tc.name for tc in table.tableColumns] == numbers
    group_row, title_row = r0 - 2, r0 - 1
    for i, c in enumerate(cols):
        col = c0 + i
        if c.group is None:
            assert ws.cell(group_row, col).value == c.title(lang), (fid, c.key)
            mr = _merged_at(ws, group_row, col)
            assert mr is not None and (mr.min_row, mr.max_row) == (group_row, title_row), (fid, c.key)
        else:
            assert ws.cell(title_row, col).value == c.title(lang), (fid, c.key)
            mr = _merged_at(ws, group_row, col)
            top_left = ws.cell(group_row, mr.min_col if mr else col)
            assert top_left.value == c.group(lang), (fid, c.key)
            if mr is not None:  # the group spans exactly the columns that share it
                span = [cols[k - c0].group for k in range(mr.min_col, mr.max_col + 1)]
                assert all(g == c.group for g in span)
        fill = ws.cell(group_row if c.group is None else title_row, col).fill.fgColor.rgb
        assert fill.endswith(SUPPLEMENTARY_FILL) == (not c.official), (fid, c.key, fill)


def test_krm2_numbers_and_supplementary_columns(books):
    wb = books("KRM-2", "kk")
    ws, _, (c0, r0, c1, _) = _table(wb, forms.KRM2)
    assert [ws.cell(r0, c).value for c in range(c0, c1 + 1)] == \
        ["1", "2", "3", "4", "5.1", "5.2", "6", "7", "8", "9", "к1", "к2", "к3"]  # к1-к3: the address part
    ws3, _, (c0, r0, c1, _) = _table(books("KRM-3", "ru"), forms.KRM3)
    assert [ws3.cell(r0, c).value for c in range(c0, c1 + 1)] == \
        ["1", "2", "3", "4", "5", "6", "7", "к1", "к2", "к3.1", "к3.2"]


def test_krm6_numbers_as_its_annex_and_edition_1_still_reads(books, tmp_path):
    """KRM-6 edition 2 numbers its columns as the annex's table (region 1, programmes 2-16, each pair under one
    number), says so on its instructions sheet; a KRM-6 of edition 1 (the committed sample) still reads."""
    from krm import editions
    from krm.workbook.reader import read

    wb = books("KRM-6", "kk")
    ws, _, (c0, r0, c1, _) = _table(wb, forms.KRM6)
    nums = [ws.cell(r0, c).value for c in range(c0, c1 + 1)]
    assert nums[:4] == ["№", "1", "2.1", "2.2"] and nums[-2:] == ["16.1", "16.2"] and len(nums) == 32
    assert forms.KRM6.edition == "2" and [s.edition for s in editions.all_of("KRM-6")] == ["2", "1"]
    text = "\n".join(str(c.value) for c in wb["Нұсқаулық"]["A"] if c.value)
    assert "өңірлердің аталуы 1, он бес бағдарлама 2-16" in text
    old = ROOT / "samples" / "report-2019-05" / "KRM-6-2019-05.kk.xlsx"
    pf = read(old)
    if pf.spec_version == "1":
        assert pf.spec.edition == "1" and pf.found_numbers[pf.colmap["region"]] == "2"
    assert len(pf.rows) == 17 and any(isinstance(v, (int, float)) for k, v in pf.rows[0].values.items()
                                      if k.endswith("_plan"))
    for fid in ("KRM-2", "KRM-3", "KRM-4"):  # one heading for the disbursed sum
        assert forms.FORMS[fid].column("disbursed").title("kk") == "Игерілген сома (млн теңге)"


@pytest.mark.parametrize("fid", ["KRM-1", "KRM-5"])
def test_nine_activity_columns_in_order(books, fid):
    spec = forms.FORMS[fid]
    acts = reference.activities()
    assert len(acts) == 9
    for lang in LANGS:
        ws, _, (c0, r0, c1, _) = _table(books(fid, lang), spec)
        act_cols = [c for c in spec.columns if c.key.startswith("act")]
        first = c0 + [c.key for c in spec.columns].index("act1")
        titles = [ws.cell(r0 - 1, first + i).value for i in range(9)]
        assert titles == [a.name_kk if lang == "kk" else a.name_ru for a in acts]
        nums = [ws.cell(r0, first + i).value for i in range(9)]
        expected = [f"1.{i}" for i in range(1, 10)] if fid == "KRM-1" else [str(i) for i in range(4, 13)]
        assert nums == expected
        assert [c.measure for c in act_cols] == [a.code for a in acts]


def _fixed_names(ws, spec, lang):
    c0, r0, c1, r1 = range_boundaries(ws.tables[spec.table_name].ref)
    key_col = c0 + [c.key for c in spec.columns].index("region" if spec.rows == Rows.REGIONS else "activity")
    return [ws.cell(r, key_col).value for r in range(r0 + 1, r1 + 1)], [ws.cell(r, c0).value for r in
                                                                        range(r0 + 1, r1 + 1)]


@pytest.mark.parametrize("fid", ["KRM-4", "KRM-5", "KRM-6"])
@pytest.mark.parametrize("period,count", [("2019-05", 17), (None, 20)])
def test_region_rows_follow_the_period(tmp_path, fid, period, count):
    spec = forms.FORMS[fid]
    for lang in LANGS:
        p = write_template(spec, lang, tmp_path, header={"period": period} if period else None)
        wb = openpyxl.load_workbook(p)
        ws = wb[spec.sheet_name]
        names, seq = _fixed_names(ws, spec, lang)
        on = reference.as_date(period) if period else dt.date.today()
        assert names == [r.name(lang) for r in reference.regions(on)]
        assert len(names) == count
        assert seq == list(range(1, count + 1))
        total = _cell(wb, "KRM_TOTAL").row
        assert ws.cell(total, 2).value == spec.total_label(lang)
        assert total == ws.cell(total, 1).row and total == range_boundaries(ws.tables[spec.table_name].ref)[3] + 1
        p.unlink()


def test_2019_and_today_region_names(tmp_path):
    p19 = write_template(forms.KRM4, "kk", tmp_path, header={"period": "2019-05"})
    names19, _ = _fixed_names(openpyxl.load_workbook(p19)[forms.KRM4.sheet_name], forms.KRM4, "kk")
    assert "Абай облысы" not in names19 and any("Нұр-Сұлтан" in n for n in names19)


def test_krm7_nine_activity_rows(books):
    acts = reference.activities()
    for lang in LANGS:
        wb = books("KRM-7", lang)
        names, seq = _fixed_names(wb[forms.KRM7.sheet_name], forms.KRM7, lang)
        assert names == [a.label(lang) for a in acts]
        assert seq == list(range(1, 10))
        assert wb[forms.KRM7.sheet_name].cell(_cell(wb, "KRM_TOTAL").row, 2).value == forms.KRM7.total_label(lang)


# ------------------------------------------------------------------ the regulation's words
# Headings of official columns that are not one run of the regulation's text, each with the
# regulation's own pieces (which must be in the text, and which must make up the heading).
PIECES = {
    # the PDF prints "Олардың ішінде" and "Жүзеге асырылған жобалар (бірліктер)" in separate cells
    ("KRM-4", "projects_done"): ["Олардың ішінде", "жүзеге асырылған жобалар (бірліктер)"],
    # "Мақсатты бағыты" and "Өлшем бірлігі (саны)" are two headings of KRM-1's block table
    ("KRM-1", "*group"): ["Мақсатты бағыты", "Өлшем бірлігі (саны)"],
    # KRM-1's block fields: the heading joins the field name and the caption printed under the blank line
    ("KRM-1", "start"): ["Жобаны іске асыруды бастау", "(жылы, айы, күні)"],
    ("KRM-1", "end"): ["Жобаның аяқталу мерзімі", "(жылы, айы, күні)"],
}
# Deliberate corrections of misprints, with the misprinted text that must be in the regulation.
SIC = {
    ("KRM-2", "bin"): "Кәсіпорынның БСН (ЖСНН)",  # explanation ¶2 says "БСН (ЖСН)"
    ("KRM-7", "plan*group"): "Құрылып жатқын орындар саны",  # "жатқын", and "жұмыс" missing
    ("KRM-7", "fact*group"): "Құрылып жатқын орындар саны",
    # one heading for the disbursed sum on KRM-2/3/4 (the explanations' "игерілген сома (млн теңге)")
    ("KRM-2", "disbursed"): "Игерілген күні (млн теңге)",
    ("KRM-3", "disbursed"): "Игерілген күні (млн теңге)",
    ("KRM-4", "disbursed"): "Игерілген сома (млн. теңге)",
}
# krm splits column 5 "Жобаны іске асыру кезеңі" (whose heading is the regulation's) into two date cells.
KRM_SUBTITLES = {("KRM-2", "start"), ("KRM-2", "end")}


@pytest.fixture(scope="module")
def regulation() -> str:
    if not REGULATION.exists():
        pytest.fail(f"regulation text not found at {REGULATION}")
    return _norm(REGULATION.read_text(encoding="utf-8").replace("_", ""))


def _in_regulation(text: str, reg: str) -> bool:
    return _norm(text).replace("_", "") in reg


def _check_heading(fid, key, text, reg, what):
    if (fid, key) in SIC:
        assert _in_regulation(SIC[(fid, key)], reg), f"{fid} {key}: misprint no longer in the regulation"
        return
    pieces = PIECES.get((fid, key)) or (PIECES.get((fid, "*group")) if what == "group" else None)
    if pieces:
        for p in pieces:
            assert _in_regulation(p, reg), f"{fid} {key}: {p!r} not in the regulation"
        joined = _norm(" ".join(pieces))
        assert re.sub(r"[/:,]", "", _norm(text)) == re.sub(r"[/:,]", "", joined), (fid, key, text)
        return
    assert _in_regulation(text, reg), f"{fid} {key} {what}: {text!r} is not the regulation's wording"


@pytest.mark.parametrize("fid", FORM_IDS)
def test_kk_headings_are_the_regulations_words(books, regulation, fid):
    spec = forms.FORMS[fid]
    wb = books(fid, "kk")
    ws, _, (c0, r0, _, _) = _table(wb, spec)
    cols = spec.columns_for(reference.programmes(dt.date.today()) if spec.programme_columns else None)
    checked = 0
    for i, c in enumerate(cols):
        if not c.official:
            continue
        if c.group is None:
            shown = ws.cell(r0 - 2, c0 + i).value
        else:
            shown = ws.cell(r0 - 1, c0 + i).value
            mr = _merged_at(ws, r0 - 2, c0 + i)
            group = ws.cell(r0 - 2, mr.min_col if mr else c0 + i).value
            assert group == c.group("kk")
            if (fid, f"{c.key}*group") in SIC:
                _check_heading(fid, f"{c.key}*group", group, regulation, "group")
            elif (fid, "*group") in PIECES:
                _check_heading(fid, "*group", group, regulation, "group")
            else:
                _check_heading(fid, f"{c.key}*group", group, regulation, "group")
        assert shown == c.title("kk")
        if (fid, c.key) in KRM_SUBTITLES:
            continue
        if c.key == "total" and fid == "KRM-1":
            # row 1 of the block table: the heading is the end of the regulation's sentence
            assert _in_regulation(shown, regulation)
        else:
            _check_heading(fid, c.key, shown, regulation, "title")
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("fid", FORM_IDS)
def test_kk_title_annex_and_kind_line_are_the_regulations_words(books, regulation, fid):
    spec = forms.FORMS[fid]
    ws = books(fid, "kk")[spec.sheet_name]
    texts = [str(ws.cell(r, c).value or "") for r in range(1, 5) for c in range(1, 40)]
    assert spec.title("kk") in texts
    assert any(spec.annex("kk") in t and spec.kind_line("kk") in t for t in texts)
    for t in (spec.title("kk"), spec.annex("kk"), spec.kind_line("kk")):
        assert _in_regulation(t, regulation), t[:80]
    for a in reference.activities():
        assert _in_regulation(a.name_kk, regulation), a.name_kk


def test_regulation_check_can_fail(regulation):
    assert not _in_regulation("Жұмыс орындарының нақты құрылу санының жоспары", regulation)
    assert _in_regulation("ө н е р к ә с і п", regulation)


# ------------------------------------------------------------------ lists and validations
def _validations(ws):
    out = []
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            out.append((rng, dv))
    return out


def _dv_for(ws, cell: str):
    for rng, dv in _validations(ws):
        c0, r0, c1, r1 = range_boundaries(rng if ":" in rng else f"{rng}:{rng}")
        col, row = range_boundaries(f"{cell}:{cell}")[:2]
        if c0 <= col <= c1 and r0 <= row <= r1:
            return dv, rng
    return None, None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fid", FORM_IDS)
def test_dropdowns_and_number_validations(books, fid, lang):
    spec = forms.FORMS[fid]
    wb = books(fid, lang)
    ws, _, (c0, r0, c1, r1) = _table(wb, spec)
    cols = spec.columns_for(reference.programmes(dt.date.today()) if spec.programme_columns else None)
    first, last = r0 + 1, r1
    for i, c in enumerate(cols):
        L = get_column_letter(c0 + i)
        fixed = spec.rows != Rows.FREE and c.key in ("region", "activity")
        dv, rng = _dv_for(ws, f"{L}{first}")
        if c.type == ColType.SEQ or fixed or (c.type == ColType.TEXT and c.key != "district"):
            assert dv is None, (fid, c.key)
            continue
        assert dv is not None, (fid, c.key)
        assert rng == f"{L}{first}:{L}{last}", (fid, c.key, rng)  # the whole column of the table
        if c.type == ColType.ACTIVITY:
            assert (dv.type, dv.formula1) == ("list", "KRM_LIST_ACTIVITIES")
        elif c.key == "district":
            assert (dv.type, dv.formula1) == ("list", "KRM_LIST_DISTRICTS")
        elif c.type in (ColType.JOBS, ColType.COUNT):
            assert (dv.type, dv.operator or "between", dv.formula1) == ("whole", "between", "0")  # OOXML default
        elif c.type == ColType.MONEY:
            assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")
            assert ws[f"{L}{first}"].number_format == "#,##0.000"
        elif c.type == ColType.DATE:
            assert dv.type == "date"
            assert ws[f"{L}{first}"].number_format == "yyyy-mm-dd"
        elif c.type == ColType.ID:
            assert (dv.type, dv.operator, dv.formula1) == ("textLength", "equal", "12")
            assert ws[f"{L}{first}"].number_format == "@"  # text: leading zeros survive
        assert dv.showErrorMessage
    # header dropdowns
    for h in spec.header:
        cell = _cell(wb, h.name)
        dv, _ = _dv_for(ws, cell.coordinate)
        if h.type == "text":  # the central body's name is free text
            assert dv is None
            continue
        assert dv is not None, (fid, h.key)
        src = {"region": "KRM_LIST_REGIONS", "district": "KRM_LIST_DISTRICTS", "programme": "KRM_LIST_PROGRAMMES",
               "basis": "KRM_LIST_BASIS"}.get(h.type)
        if src:
            assert (dv.type, dv.formula1) == ("list", src)
        elif h.type in ("period", "year"):
            assert (dv.type, dv.formula1) == ("textLength", "7" if h.type == "period" else "4")


@pytest.mark.parametrize("lang", LANGS)
def test_list_sources_on_the_lists_sheet(books, lang):
    today = dt.date.today()
    want = {
        "KRM_LIST_ACTIVITIES": [a.label(lang) for a in reference.activities()],
        "KRM_LIST_REGIONS": [r.name(lang) for r in reference.regions(today)],
        "KRM_LIST_DISTRICTS": [reference.district_label(d, lang) for d in reference.districts(None, today)],
        "KRM_LIST_PROGRAMMES": [p.name(lang) for p in reference.programmes(today)],
        "KRM_LIST_BASIS": [b(lang) for b in forms.BASIS_VALUES.values()],
    }
    lists_sheet = {"kk": "Тізімдер", "ru": "Списки"}[lang]
    for fid in FORM_IDS:
        wb = books(fid, lang)
        for name, values in want.items():
            sheet, rng = _ref(wb, name)
            assert sheet == lists_sheet
            got = [row[0].value for row in wb[sheet][rng]]
            assert got == values, (fid, name)
        assert len(want["KRM_LIST_ACTIVITIES"]) == 9 and len(want["KRM_LIST_REGIONS"]) == 20


def test_district_list_narrows_to_the_prefilled_region(tmp_path):
    reg = reference.regions(dt.date(2019, 5, 1))[0]
    p = write_template(forms.KRM2, "kk", tmp_path, header={"period": "2019-05", "region": reg.name("kk")})
    wb = openpyxl.load_workbook(p)
    sheet, rng = _ref(wb, "KRM_LIST_DISTRICTS")
    got = [row[0].value for row in wb[sheet][rng]]
    want = [reference.district_label(d, "kk") for d in reference.districts(reg.kato, dt.date(2019, 5, 1))]
    assert got == want and 0 < len(got) < 60


# ------------------------------------------------------------------ protection
def _input_cells(wb, spec) -> set[str]:
    """Cells a user fills: header and signature values (whole merged ranges) and the table's input columns."""
    ws = wb[spec.sheet_name]
    out: set[str] = set()
    names = [h.name for h in spec.header] + [s.name for s in forms.SIGNATURE]
    for n in names:  # a merged value cell is its top-left cell (the one Excel edits)
        c = _cell(wb, n)
        mr = _merged_at(ws, c.row, c.column)
        assert mr is None or (mr.min_row, mr.min_col) == (c.row, c.column)
        out.add(c.coordinate)
    _, _, (c0, r0, c1, r1) = _table(wb, spec)
    cols = spec.columns_for(reference.programmes(dt.date.today()) if spec.programme_columns else None)
    for i, c in enumerate(cols):
        if c.type == ColType.SEQ or (spec.rows != Rows.FREE and c.key in ("region", "activity")):
            continue
        for r in range(r0 + 1, r1 + 1):
            out.add(f"{get_column_letter(c0 + i)}{r}")
    return out


@pytest.mark.parametrize("fid", FORM_IDS)
def test_protection_on_and_only_input_cells_unlocked(books, fid):
    spec = forms.FORMS[fid]
    wb = books(fid, "kk")
    ws = wb[spec.sheet_name]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # protected against slips, not locked away
    expected = _input_cells(wb, spec)
    unlocked, yellow = set(), set()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell, MergedCell):
                continue
            if cell.protection is not None and cell.protection.locked is False:
                unlocked.add(cell.coordinate)
            if str(cell.fill.fgColor.rgb).endswith(INPUT_FILL):
                yellow.add(cell.coordinate)
    assert unlocked == expected
    assert yellow == expected  # input cells are visibly marked, and nothing else is
    for other in wb.sheetnames[1:]:
        assert wb[other].protection.sheet is True, other


# ------------------------------------------------------------------ names, table, properties, print
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fid", FORM_IDS)
def test_defined_names_table_properties_and_print(books, fid, lang):
    spec = forms.FORMS[fid]
    wb = books(fid, lang)
    ws, table, (c0, r0, c1, r1) = _table(wb, spec)
    assert wb.sheetnames[0] == spec.sheet_name == f"КРМ-{spec.number}"
    assert table.displayName == spec.table_name == f"KRM{spec.number}_DATA"
    # names of the header fields point at single cells of the form sheet
    for h in spec.header:
        sheet, rng = _ref(wb, h.name)
        assert sheet == spec.sheet_name and ":" not in rng
    assert {h.name for h in spec.header} >= {"KRM_PERIOD"}
    for s in forms.SIGNATURE:
        assert _ref(wb, s.name)[0] == spec.sheet_name
    sheet, data = _ref(wb, "KRM_DATA")
    assert data == f"A{r0 + 1}:{get_column_letter(c1)}{r1}"  # the table body
    assert _ref(wb, "KRM_COLNUMS")[1] == f"A{r0}:{get_column_letter(c1)}{r0}"
    if spec.total_label is not None:
        assert _ref(wb, "KRM_TOTAL")[1] == f"A{r1 + 1}:{get_column_letter(c1)}{r1 + 1}"
    else:
        assert "KRM_TOTAL" not in wb.defined_names
    if spec.rows == Rows.FREE:
        assert r1 - r0 == spec.spare_rows
    # document properties
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["krm_form"] == spec.id
    assert props["krm_spec_version"] == spec.edition and (spec.edition == SPEC_VERSION or fid in ("KRM-2", "KRM-6"))
    assert props["krm_lang"] == lang
    assert wb.properties.subject == spec.id
    # print settings: A4 landscape, fit to width (or page breaks for the wide forms), headings repeated
    ps = ws.page_setup
    assert ps.orientation == "landscape" and str(ps.paperSize) == "9"
    assert ws.print_title_rows.replace("$", "") == f"{r0 - 2}:{r0}"
    # an explicit scale (the page breaks are computed from the stored row heights at that scale)
    assert 40 <= int(ps.scale) <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    areas = [a.replace("$", "").split("!")[1] for a in ws.print_area.split(",")] if isinstance(ws.print_area, str) \
        else [a.replace("$", "").split("!")[1] for a in ws.print_area]
    assert areas[0].startswith("A1:")
    if fid in ("KRM-5", "KRM-6", "KRM-7"):
        # the further programme columns print as continuation blocks: table rows only, № and the row name repeated
        assert ws.col_breaks.count >= 1 and ws.print_title_cols.replace("$", "") == "A:B"
        assert len(areas) == ws.col_breaks.count + 1
        for a in areas[1:]:
            c, r = re.match(r"([A-Z]+)(\d+):", a).groups()
            assert int(r) == r0 - 3  # the spacer row above the headings carries the continuation mark
            assert ws.cell(r0 - 3, column_index_from_string(c)).value \
                == {"kk": "кестенің жалғасы", "ru": "продолжение таблицы"}[lang]
    elif spec.rows == Rows.FREE:
        # a blank free-row template prints the form with a few blank rows, then the table's end and the signatures
        assert len(areas) == 2
        assert int(re.search(r"\d+$", areas[0]).group()) == r0 + 12
    else:
        assert len(areas) == 1
    assert ws.freeze_panes == f"A{r0 + 1}"
    # the workbook opens on the form
    assert wb.active.title == spec.sheet_name


@pytest.mark.parametrize("fid", FORM_IDS)
def test_form_header_block(books, fid):
    spec = forms.FORMS[fid]
    for lang in LANGS:
        wb = books(fid, lang)
        ws = wb[spec.sheet_name]
        texts = "\n".join(str(ws.cell(r, c).value or "") for r in range(1, 5) for c in range(1, 40))
        assert f"КРМ-{spec.number}" in texts
        for part in (spec.periodicity(lang), spec.submitter(lang), spec.recipient(lang), spec.deadline.text(lang)):
            assert part in texts
        if spec.unit_caption is not None:
            cells = [str(c.value) for row in ws.iter_rows(max_row=20) for c in row if c.value]
            assert spec.unit_caption(lang) in cells
        # programme in the header of KRM-1/2/3 (FORMS.md: needed to roll them up)
        if fid in ("KRM-1", "KRM-2", "KRM-3"):
            assert "KRM_PROGRAMME" in wb.defined_names
        # signature block and footnote below the table
        _, _, (_, _, _, r1) = _table(wb, spec)
        below = [str(c.value) for row in ws.iter_rows(min_row=r1 + 1) for c in row if c.value]
        for s in forms.SIGNATURE:
            assert s.label(lang) in below
        assert forms.SEAL(lang) in below
        note = annex_text.footnote_line(spec, lang)
        assert (note is not None) == (fid in ("KRM-1", "KRM-2", "KRM-3", "KRM-5"))  # the annexes with a footnote
        if note is not None:
            assert note in below and note.startswith({"kk": "Ескертпе: ", "ru": "Примечание: "}[lang])


@pytest.mark.parametrize("fid", FORM_IDS)
def test_instructions_sheet_has_the_regulations_explanation(books, regulation, fid):
    """The whole explanation: its title, the two chapters, paragraph 1 opened by the annex's sentence, every
    paragraph numbered as the annex numbers it (4. is the first on the columns), and the footnote."""
    spec = forms.FORMS[fid]
    for lang in LANGS:
        wb = books(fid, lang)
        ws = wb[{"kk": "Нұсқаулық", "ru": "Инструкция"}[lang]]
        cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
        text = "\n".join(cells)
        assert spec.explanation, fid
        for p in spec.explanation:
            assert p(lang) in text
        title = annex_text.explanation_title(spec, lang)
        ch1, ch2 = annex_text.chapter(spec, 1, lang), annex_text.chapter(spec, 2, lang)
        assert cells.index(title) < cells.index(ch1) < cells.index(ch2)
        numbered = [c.split(".")[0] for c in cells[cells.index(ch1):] if re.match(r"\d+\. (?!—)", c) and c not in (ch1, ch2)]
        assert numbered == [str(i) for i in range(1, len(numbered) + 1)] and len(numbered) >= 6
        after = cells[cells.index(ch2) + 1]
        assert after.startswith("4. ") and ("1-" in after or "1 " in after or "№" in after or "графе 1" in after)
        assert cells[cells.index(ch1) + 1].startswith("1. " + annex_text.lead(spec, lang))
        note = annex_text.footnote_line(spec, lang)
        assert note is None or note in cells
        if lang == "kk":  # the regulation's own words, every paragraph whole (krm's decisions aside)
            for t in (title, ch1.split(" ", 1)[1], ch2.split(" ", 1)[1], annex_text.lead(spec, lang)):
                assert _in_regulation(t, regulation), t[:80]
            for p in spec.explanation:
                if not p.kk.startswith("krm"):
                    assert _in_regulation(p.kk.rstrip("."), regulation), p.kk[:80]
            assert _in_regulation(ch1.split(" ")[0], regulation)


def test_each_form_prints_its_own_annex_labels(books, regulation):
    """Who submits, to whom and by when are labelled as each annex labels them (Kazakh text), and the
    Russian verb agrees with the subject: one administrator or one centre "Представляет"."""
    want = {"KRM-1": ("Ұсынады:", "Нысан қайда ұсынылады:", "Тапсыру мерзімі:"),
            "KRM-2": ("Ұсынады:", "Нысан қайда ұсынылады:", "Ұсыну мерзімі:"),
            "KRM-3": ("Ұсынады:", "Қайда ұсынылады:", "Ұсыну мерзімі:"),
            "KRM-4": ("Ұсынылады:", "Қайда ұсынылады:", "Ұсыну мерзімі:"),
            "KRM-5": ("Ұсынады:", "Қайда ұсынылады:", "Ұсыну мерзімі:"),
            "KRM-6": ("Ұсынылады:", "Қайда ұсынылады:", "Ұсыну мерзімі:"),
            "KRM-7": ("Ұсынылады:", "Қайда ұсынылады:", "Ұсыну мерзімі:")}
    for fid, labels in want.items():
        spec = forms.FORMS[fid]
        lines = str(books(fid, "kk")[spec.sheet_name]["A4"].value).split("\n")
        assert [ln.split(":")[0] + ":" for ln in lines] == list(labels), fid
        for ln in lines:  # the label and the first words after it are the annex's line (KRM-7: "емлекеттік" sic)
            head = " ".join(ln.split()[:5])
            assert _in_regulation(head, regulation) or ln.startswith("Ұсынылады: мемлекеттік"), ln
        ru = str(books(fid, "ru")[spec.sheet_name]["A4"].value)
        verb = "Представляет:" if fid in ("KRM-1", "KRM-6", "KRM-7") else "Представляют:"
        assert ru.startswith(verb), fid


def test_russian_texts_have_no_yo_and_units_once(books):
    """Russian templates write "е" for "ё" (the forms' convention), and no unit is doubled."""
    for fid in FORM_IDS:
        wb = books(fid, "ru")
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert "ё" not in c.value.lower(), (fid, ws.title, c.value)
                        assert not re.search(r"(\([^()]+\))\s*\1", c.value), (fid, ws.title, c.value)


# ------------------------------------------------------------------ KRM-1's print sheet (Annex 1's blocks)
def _block_texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_krm1_print_sheet_is_the_annexs_layout(books, regulation):
    """Beside the entry sheet, KRM-1 has a protected print sheet laid out as Annex 1: the block's fields, the table
    1 № · 2 Мақсатты бағыты · 3 Өлшем бірлігі (саны) with rows 1. and 1.1-1.9, the signature block and "*"."""
    for lang in LANGS:
        wb = books("KRM-1", lang)
        name = {"kk": "КРМ-1 Басып шығару", "ru": "КРМ-1 Печать"}[lang]
        assert wb.sheetnames[:2] == ["КРМ-1", name]
        ws = wb[name]
        assert ws.protection.sheet and ws.page_setup.orientation == "portrait"
        cells = _block_texts(ws)
        nums = [v for v in cells if re.fullmatch(r"1\.\d?", v) or v in ("1.",)]
        assert nums == ["1.", *(f"1.{i}" for i in range(1, 10))]  # one blank block, as the annex shows
        for a in reference.activities():
            assert f"{a.name(lang)};" in cells
        assert annex_text.footnote_line(forms.KRM1, lang) in cells
        for s_ in forms.SIGNATURE:
            assert s_.label(lang) in cells
        # every value is a formula on the entry sheet (nothing is typed here)
        formulas = [v for v in cells if v.startswith("=")]
        assert len(formulas) >= 16 and all("'КРМ-1'!" in f or f == '=""' for f in formulas[1:]), formulas[:3]
        if lang == "kk":
            for t in ("Жобаның атауы", "Жобаны іске асыруды бастау", "Жобаның аяқталу мерзімі", "РБ-дан бөлінген сома",
                      "ЖБ-дан бөлінген сома", "Мақсатты бағыты", "Өлшем бірлігі (саны)", "(жылы, айы, күні)",
                      "(млн.теңге)", next(v for v in cells if v.startswith("Мемлекеттік бағдарламалар, аумақ"))):
                assert t in cells and _in_regulation(t, regulation), t
    for fid in ("KRM-4", "KRM-5"):  # fixed rows: the entry sheet is the annex's table
        assert not any(n.endswith(("Басып шығару", "Печать")) for n in books(fid, "kk").sheetnames)


@pytest.mark.parametrize("fid", ["KRM-6", "KRM-7"])
def test_krm6_krm7_print_sheet_stacks_the_continuation_blocks(books, fid):
    """KRM-6/7 have a protected landscape print sheet right after the entry sheet: the annex's blocks one under the
    other, each № and the row name over its programme columns, the further ones marked "кестенің жалғасы", every
    programme once, every row label and value a formula on the entry sheet, a blank template's totals blank."""
    spec = forms.FORMS[fid]
    for lang in LANGS:
        wb = books(fid, lang)
        name = f"{spec.sheet_name} {dict(kk='Басып шығару', ru='Печать')[lang]}"
        assert wb.sheetnames[:2] == [spec.sheet_name, name]
        ws = wb[name]
        assert ws.protection.sheet and ws.page_setup.orientation == "landscape" and ws.page_setup.scale >= 45
        cells = _block_texts(ws)
        mark = {"kk": "кестенің жалғасы", "ru": "продолжение таблицы"}[lang]
        blocks = cells.count(spec.columns[1].title(lang))
        assert 3 <= blocks <= 5 and cells.count(mark) == blocks - 1
        groups = [c.group(lang) for c in spec.columns_for(reference.programmes()) if c.group is not None]
        for g in dict.fromkeys(groups):
            assert cells.count(g) == 1, g
        assert cells.count(spec.total_label(lang)) == blocks and forms.SEAL(lang) in cells
        formulas = [v for v in cells if v.startswith("=")]
        rows = len(reference.regions()) if fid == "KRM-6" else 9
        assert len([f for f in formulas if f.startswith("=IF('")]) >= (len(groups) + 2 * blocks) * rows
        totals = [f for f in formulas if f.startswith("=IF(COUNT(")]
        assert len(totals) == len(groups)  # blank while its column is (a blank template prints no 0)
        breaks = [b.id for b in ws.row_breaks.brk]
        assert len(breaks) == (blocks - 1) // 2, breaks  # two blocks to a page


def test_krm6_print_sheet_shows_the_entry_values_and_blank_totals(tmp_path):
    """The cached values are the entry sheet's: a region's figures under its programme, a programme's total; a
    programme nobody reported has a blank total, not 0."""
    progs = reference.programmes("2019-05")
    regions = reference.regions("2019-05")
    rows = [{"region": regions[0].kato, f"{progs[0].code}_plan": 12, f"{progs[0].code}_fact": 5},
            {"region": regions[2].kato, f"{progs[0].code}_plan": 3, f"{progs[6].code}_fact": 0}]
    p = tmp_path / "KRM-6.xlsx"
    write_form(p, forms.KRM6, "kk", header={"period": "2019-05", "basis": "cumulative"}, rows=rows,
               period="2019-05", programmes=progs, spare_rows=0, input_cells=False)
    ws = openpyxl.load_workbook(p, data_only=True)["КРМ-6 Басып шығару"]
    table = [[c.value for c in row] for row in ws.iter_rows()]
    first = next(row for row in table if row[1] == regions[0].name_kk)
    assert first[:4] == [1, regions[0].name_kk, 12, 5]
    total = next(row for row in table if row[1] == "Барлығы")
    assert total[2:6] == [15, 5, None, None]  # programme 2 has no figure: blank, not 0
    raw = openpyxl.load_workbook(p)["КРМ-6 Басып шығару"]
    flat = [str(c.value) for row in raw.iter_rows() for c in row if c.value is not None]
    assert any(v.startswith("=IF(COUNT('КРМ-6'!$C$") for v in flat)
    assert "2019-05 есепті кезең" in [v for row in table for v in row] and \
        any(str(v).startswith("Деректер: ") for row in table for v in row)


def test_krm1_print_sheet_has_a_block_per_project_with_the_entry_values(tmp_path):
    """A KRM-1 written with three projects prints three blocks whose cached values are the entry sheet's, and the
    entry sheet reads back unchanged."""
    from krm.workbook.reader import read

    rows = []
    for i in range(3):
        row = {"project": f"Жоба {i + 1}", "start": dt.date(2019, 1 + i, 2), "end": dt.date(2020, 2, 3 + i),
               "rb": Decimal("1.5") * (i + 1), "lb": Decimal("0.25"), "total": 3 + i, "act1": 1, "act2": 2 + i}
        rows.append(row)
    p = tmp_path / "KRM-1.kk.xlsx"
    write_form(p, forms.KRM1, "kk", header={"period": "2019", "region": "Ақмола облысы"}, rows=rows,
               signature={"head": "Басшы Б. Б."})
    wb = openpyxl.load_workbook(p, data_only=True)
    ws = wb["КРМ-1 Басып шығару"]
    cells = [c.value for row in ws.iter_rows() for c in row if c.value not in (None, "")]
    for row in rows:
        i = cells.index(row["project"])
        assert cells[i + 1:i + 5] == ["Жобаны іске асыруды бастау",
                                      dt.datetime.combine(row["start"], dt.time()), "(жылы, айы, күні)",
                                      "Жобаның аяқталу мерзімі"]
        after = cells[cells.index("1.", i):]
        assert after[2] == row["total"] and after[5] == row["act1"] and after[8] == row["act2"]
    assert cells.count("1.9") == 3 and "Басшы Б. Б." in cells and "2019 жылғы есепті кезең" in cells
    pf = read(p)
    assert [r.values["project"] for r in pf.rows] == ["Жоба 1", "Жоба 2", "Жоба 3"]
    raw = openpyxl.load_workbook(p)["КРМ-1 Басып шығару"]
    warn = next(c.value for row in raw.iter_rows() for c in row if str(c.value).startswith("=IF(COUNTA("))
    assert ">3," in warn  # says so when the entry sheet has more projects than blocks


def test_krm2_krm3_print_sheet_groups_under_the_nine_activities(books, regulation):
    """KRM-2/3 print their table as the annex does: the annex's columns (numbered 1-9 / 1-7, the two dates under
    one 5) and a row per activity group 1.-9.; krm's supplementary columns stay on the entry sheet."""
    for fid in ("KRM-2", "KRM-3"):
        spec = forms.FORMS[fid]
        for lang in LANGS:
            wb = books(fid, lang)
            ws = wb[f"{spec.sheet_name} {dict(kk='Басып шығару', ru='Печать')[lang]}"]
            assert ws.protection.sheet and ws.page_setup.orientation == "landscape"
            cells = _block_texts(ws)
            official = [c for c in spec.columns if c.official]
            for c in official:
                assert c.title(lang) in cells
            part = ADDRESS_PART(lang) in cells  # KRM-2 edition 2: the address part after the table
            assert part == (fid == "KRM-2")
            for c in spec.columns:  # krm's supplementary columns stay on the entry sheet, the address part's print
                in_part = c.group is not None and c.group(lang) == ADDRESS_PART(lang)
                if not c.official and c.title(lang) not in {x.title(lang) for x in official}:
                    assert (c.title(lang) in cells) == in_part, c.key
            table = cells[:cells.index(ADDRESS_PART(lang))] if part else cells
            numbers = [v for v in table if re.fullmatch(r"\d", v)]
            assert numbers == [str(i) for i in range(1, 10 if fid == "KRM-2" else 8)]
            groups = [v for v in cells if re.fullmatch(r"\d\.", v)]
            assert groups == [f"{i}." for i in range(1, 10)]
            names = [a.name(lang) for a in reference.activities()]
            assert [v for v in cells if v in names] == names
            assert annex_text.footnote_line(spec, lang) in cells and forms.SEAL(lang) in cells
            if lang == "kk":
                for a in reference.activities():
                    assert _in_regulation(a.name_kk, regulation)


def test_krm2_print_sheet_places_each_row_under_its_group(tmp_path):
    """Each filled row is printed once, under its activity's group (an activity that is none of the nine under its
    own heading at the end), every value a formula on its entry row with the entry's value cached, and each group
    row sums its projects."""
    acts = reference.activities()
    rows = [
        {"bin": "012345678901", "activity": acts[2].label("kk"), "project": "Құрылыс А", "plan": 10, "fact": 4,
         "allocated": Decimal("1.250"), "disbursed": Decimal("0.5"), "start": dt.date(2019, 1, 2),
         "end": dt.date(2019, 12, 1)},
        {"bin": "123456789012", "activity": acts[0].label("kk"), "project": "Егін Б", "plan": 5, "fact": 5,
         "allocated": Decimal("2")},
        {"bin": "223456789012", "activity": acts[2].label("kk").upper(), "project": "Құрылыс В", "plan": 1, "fact": 0},
        {"bin": "323456789012", "activity": "балық аулау", "project": "Г", "plan": 7, "fact": 3},
    ]
    p = tmp_path / "KRM-2.kk.xlsx"
    write_form(p, forms.KRM2, "kk", header={"period": "2019-05"}, rows=rows, spare_rows=2)
    ws = openpyxl.load_workbook(p, data_only=True)["КРМ-2 Басып шығару"]
    table = [[c.value for c in row] for row in ws.iter_rows()]
    at = {v: i for i, row in enumerate(table) for v in row if isinstance(v, str)}
    order = [row[3] for row in table if row[3] in ("Құрылыс А", "Егін Б", "Құрылыс В", "Г")]
    assert order == ["Егін Б", "Құрылыс А", "Құрылыс В", "Г"]  # group 1, group 3 (case-insensitive), then no group
    g3 = table[at["3."]]
    assert g3[6:10] == [11, 4, 1.25, 0.5]  # plan, fact, allocated, disbursed of group 3's two rows
    assert at["3."] < at["Құрылыс А"] < at["Құрылыс В"] < at["4."] < at["Топқа сәйкес келмейтін жолдар"] < at["Г"]
    assert table[at["Құрылыс А"]][1] == "012345678901" and table[at["Г"]][2] == "балық аулау"
    assert table[at["Құрылыс А"]][4] == dt.datetime(2019, 1, 2)
    raw = openpyxl.load_workbook(p)["КРМ-2 Басып шығару"]
    f = raw.cell(at["Құрылыс А"] + 1, 4).value
    assert f.startswith("=IF('КРМ-2'!$D$") and f.endswith('="","",\'КРМ-2\'!$D$' + f.split("$D$")[1].split('=')[0] + ")")


# ------------------------------------------------------------------ grouped view (KRM-2, KRM-3)
def test_group_view_sheet_blank(books):
    for fid in ("KRM-2", "KRM-3"):
        spec = forms.FORMS[fid]
        assert has_group_view(spec)
        for lang in LANGS:
            wb = books(fid, lang)
            name = {"kk": "Қызмет түрлері бойынша", "ru": "По видам деятельности"}[lang]
            printed = {"kk": "Басып шығару", "ru": "Печать"}[lang]
            assert wb.sheetnames[:3] == [spec.sheet_name, f"{spec.sheet_name} {printed}", name]
            ws = wb[name]
            # hidden: the print sheet prints the groups with their sums; the view does not print them again
            assert ws.sheet_state == "hidden" and wb[spec.sheet_name].sheet_state == "visible"
            sheet, rng = _ref(wb, "KRM_GROUPS")
            rows = list(ws[rng])
            assert [r[0].value for r in rows[:9]] == [a.label(lang) for a in reference.activities()]
            assert len(rows) == 11  # nine groups, rows matching no group, total
            assert str(rows[0][1].value).startswith("=COUNTIFS(")
    for fid in ("KRM-1", "KRM-4", "KRM-5", "KRM-6", "KRM-7"):
        assert not has_group_view(forms.FORMS[fid])
        assert "KRM_GROUPS" not in books(fid, "kk").defined_names


def test_group_view_values_of_a_filled_form(tmp_path):
    """Cached values equal what the formulas compute, and the form still reads back in full."""
    from python_calamine import CalamineWorkbook

    from krm.workbook.reader import read

    acts = reference.activities()
    rows = [
        {"bin": "012345678901", "activity": acts[0].label("kk"), "project": "=HYPERLINK(\"x\")", "plan": 10,
         "fact": 4, "allocated": Decimal("1.250"), "disbursed": Decimal("0.5"), "enterprise": "+7 ЖШС"},
        {"bin": "123456789012", "activity": acts[0].label("kk").upper(), "project": "Б", "plan": 5, "fact": 5,
         "allocated": Decimal("2"), "disbursed": None},
        {"bin": "223456789012", "activity": acts[8].label("kk"), "project": "В", "plan": 1, "fact": 0},
        {"bin": "323456789012", "activity": "балық аулау", "project": "Г", "plan": 7, "fact": 3,
         "allocated": Decimal("0.001")},
    ]
    p = tmp_path / "KRM-2.kk.xlsx"
    write_form(p, forms.KRM2, "kk", header={"period": "2019-05"}, rows=rows, spare_rows=2)
    grid = CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Қызмет түрлері бойынша").to_python(
        skip_empty_area=False)
    by_label = {r[0]: r[1:] for r in grid if r and isinstance(r[0], str)}
    g1 = by_label[acts[0].label("kk")]
    assert g1[:5] == [2.0, 15.0, 9.0, 3.25, 0.5]  # count, plan, fact, allocated, disbursed (case-insensitive match)
    assert by_label[acts[8].label("kk")][:3] == [1.0, 1.0, 0.0]
    assert by_label[acts[4].label("kk")][:3] == [0.0, 0.0, 0.0]
    unmatched = by_label["Топқа сәйкес келмейтін жолдар"]
    assert unmatched[:4] == [1.0, 7.0, 3.0, 0.001]
    total = by_label["Барлығы"]
    assert total[:5] == [4.0, 23.0, 12.0, 3.251, 0.5]
    # the form sheet is untouched by the extra sheet: every row reads back, text stays text
    pf = read(p)
    assert pf.spec.id == "KRM-2" and len(pf.rows) == 4 and not pf.formulas_without_value
    assert pf.rows[0].values["project"] == "=HYPERLINK(\"x\")"
    assert pf.rows[0].values["bin"] == "012345678901"
    wb = openpyxl.load_workbook(p)
    assert wb["КРМ-2"]["D15"].data_type == "s" or all(
        c.data_type != "f" for row in wb["КРМ-2"].iter_rows() for c in row)


# ------------------------------------------------------------------ CLI
def _krm(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from krm.cli import run; run()", "template", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def _one_line_error(res, *words):
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    err = res.stderr.strip()
    assert "Traceback" not in res.stderr and len(err.splitlines()) == 1, res.stderr
    for w in words:
        assert w in err, err
    return err


def test_cli_default_writes_krm1_and_krm2_into_the_current_folder(tmp_path):
    res = _krm(cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["KRM-1.kk.xlsx", "KRM-2.kk.xlsx"]
    assert (tmp_path / "KRM-1.kk.xlsx").stat().st_mode & 0o044  # a normal, readable file (not mkstemp's 0600)


def test_cli_all_both_languages(tmp_path):
    for lang in LANGS:
        assert _krm("--all", "--lang", lang, "--out", str(tmp_path)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{f}.{l}.xlsx" for f in FORM_IDS for l in LANGS)


def test_cli_bad_options(tmp_path):
    _one_line_error(_krm("KRM-9", "--out", str(tmp_path)), "KRM-9")
    _one_line_error(_krm("--lang", "en", "--out", str(tmp_path)), "'en'", "kk")
    _one_line_error(_krm("--rows", "0", "--out", str(tmp_path)), "--rows")
    _one_line_error(_krm("KRM-2", "--period", "2019-13", "--out", str(tmp_path)), "YYYY-MM")
    _one_line_error(_krm("KRM-2", "--region", "Атлантида", "--out", str(tmp_path)), "Атлантида")
    _one_line_error(_krm("KRM-2", "--programme", "NOPE", "--out", str(tmp_path)), "NOPE")
    afile = tmp_path / "afile"
    afile.write_text("x")
    _one_line_error(_krm("--out", str(afile)), "not a folder")
    _one_line_error(_krm("--out", str(afile / "sub")), "cannot create folder")
    _one_line_error(_krm("--out", "/proc/self"), "cannot write")  # unwritable even for root
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # nothing half-written, no temp files


def test_cli_never_overwrites_without_force(tmp_path):
    target = tmp_path / "KRM-3.ru.xlsx"
    target.write_bytes(b"analyst's own file")
    err = _one_line_error(_krm("KRM-3", "KRM-4", "--lang", "ru", "--out", str(tmp_path)), "--force")
    assert str(target) in err
    assert target.read_bytes() == b"analyst's own file"
    assert not (tmp_path / "KRM-4.ru.xlsx").exists()  # checked before anything is written
    res = _krm("KRM-3", "KRM-4", "--lang", "ru", "--out", str(tmp_path), "--force")
    assert res.returncode == 0, res.stderr
    assert zipfile.is_zipfile(target)
    assert openpyxl.load_workbook(target).sheetnames[0] == "КРМ-3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["KRM-3.ru.xlsx", "KRM-4.ru.xlsx"]


def test_cli_header_prefill(tmp_path):
    reg = reference.regions(dt.date(2019, 5, 1))
    almaty_obl = next(r for r in reg if r.kato.startswith("19"))
    dist = reference.districts(almaty_obl.kato, dt.date(2019, 5, 1))[0]
    prog = reference.programmes(dt.date(2019, 5, 1))[6]
    res = _krm("KRM-1", "KRM-2", "KRM-4", "--out", str(tmp_path), "--period", "2019-05", "--region",
               almaty_obl.kato, "--district", dist.kato, "--programme", prog.code, "--body", "=Министрлік")
    assert res.returncode == 0, res.stderr
    wb = openpyxl.load_workbook(tmp_path / "KRM-2.kk.xlsx")
    assert _cell(wb, "KRM_PERIOD").value == "2019-05"
    assert _cell(wb, "KRM_REGION").value == almaty_obl.name("kk")
    assert _cell(wb, "KRM_DISTRICT").value == reference.district_label(dist, "kk")
    assert _cell(wb, "KRM_PROGRAMME").value == prog.name("kk")
    assert _cell(wb, "KRM_BASIS").value == forms.BASIS_VALUES["cumulative"]("kk")
    wb1 = openpyxl.load_workbook(tmp_path / "KRM-1.kk.xlsx")
    assert _cell(wb1, "KRM_PERIOD").value == "2019"  # KRM-1 is yearly: the year of --period
    wb4 = openpyxl.load_workbook(tmp_path / "KRM-4.kk.xlsx")
    body = _cell(wb4, "KRM_BODY")
    assert body.value == "=Министрлік" and body.data_type == "s"  # user text never becomes a formula
    names, _ = _fixed_names(wb4["КРМ-4"], forms.KRM4, "kk")
    assert len(names) == 17  # the 2019 regions


def test_cli_rows_option(tmp_path):
    assert _krm("KRM-2", "KRM-4", "--rows", "25", "--out", str(tmp_path)).returncode == 0
    _, _, (_, r0, _, r1) = _table(openpyxl.load_workbook(tmp_path / "KRM-2.kk.xlsx"), forms.KRM2)
    assert r1 - r0 == 25
    names, _ = _fixed_names(openpyxl.load_workbook(tmp_path / "KRM-4.kk.xlsx")["КРМ-4"], forms.KRM4, "kk")
    assert len(names) == 20  # fixed-row forms ignore --rows


def test_reruns_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert _krm("--all", "--out", str(d), "--period", "2019-05", "--region", "Алматы облысы").returncode == 0
    for p in sorted(a.iterdir()):
        assert p.read_bytes() == (b / p.name).read_bytes(), p.name


# ------------------------------------------------------------------ committed templates
def test_committed_templates_match_krm_template(tmp_path):
    """templates/ holds exactly what `krm template --all --lang kk|ru` writes today; regenerate with
    `krm template --all --out templates --force && krm template --all --lang ru --out templates --force`."""
    committed = ROOT / "templates"
    for lang in LANGS:
        res = _krm("--all", "--lang", lang, "--out", str(tmp_path))
        assert res.returncode == 0, res.stderr
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert fresh == sorted(f"{f}.{l}.xlsx" for f in FORM_IDS for l in LANGS)
    assert sorted(p.name for p in committed.glob("*.xlsx")) == fresh
    drifted = [n for n in fresh if (committed / n).read_bytes() != (tmp_path / n).read_bytes()]
    assert not drifted, f"templates/ drifted from krm template: {drifted}; regenerate them (see docstring)"


def test_krm6_print_sheet_without_programmes(tmp_path):
    """A period with no programme: KRM-6's print sheet is its label columns alone (no error)."""
    p = tmp_path / "KRM-6.xlsx"
    write_form(p, forms.KRM6, "kk", header={"period": "2019-05"}, period="2019-05", programmes=[], spare_rows=0,
               input_cells=False)
    ws = openpyxl.load_workbook(p)["КРМ-6 Басып шығару"]
    assert ws.max_column == 2 and ws.protection.sheet
