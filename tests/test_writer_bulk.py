"""The writer's bulk rows (krm.workbook.writer.fastpath.BULK_ROWS) write the same bytes as xlsxwriter cell by cell.

``write_form`` hands the form table and the extra (control) sheets to ``_RowSheet.put_rows``,
which renders each row's XML in one piece and writes the shared strings with one test per
string.  Every workbook here is written both ways and compared part by part: the ordinary
path is plain xlsxwriter, so equal bytes mean the fast path changes nothing.  The values
are chosen to reach every branch: blanks, empty strings, text that looks like a formula,
XML specials, control characters, ``_xHHHH_`` look-alikes, leading/trailing spaces, a string
over Excel's limit, booleans, dates and datetimes, Decimals, identifiers given as numbers,
rows with missing keys.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from krm import forms, reference
from krm.workbook import writer
from krm.workbook.writer import write_form

PERIOD = "2019-05"
ODD_TEXT = ["=SUM(A1:A2)", "+7 701", "-x", "@home", "a & b < c > d", 'say "hi"', "line\nbreak", "tab\there",
            " leading", "trailing ", "\u00a0nbsp", "ctrl\x01char", "_x0041_ literal", "<r>rich?</r>", "",
            "Жоба «Құрылыс»", "x" * 40_000, "\ufffe", "normal text", "#N/A", "50 % %s %% done"]


def _odd_rows(n: int, seed: int = 5) -> list[dict]:
    rng = random.Random(seed)
    acts = reference.activities()
    out = []
    for i in range(n):
        r = {"activity": acts[i % 9].label("kk") if i % 7 else rng.choice([None, "", "no such activity"]),
             "project": rng.choice(ODD_TEXT), "enterprise": rng.choice(ODD_TEXT + [None]),
             "bin": rng.choice(["190540012345", 190540012345, None, "", "12"]),
             "start": rng.choice([dt.date(2019, 1, 10), dt.datetime(2019, 2, 3, 12, 30), None]),
             "end": rng.choice([dt.date(2020, 12, 31), dt.date(1900, 2, 28), dt.date(1900, 3, 1), None]),
             "plan": rng.choice([0, 7, 10 ** 15, 3.25, Decimal("12.5"), None, "", "text", True]),
             "fact": rng.choice([1, 0, None, -2, 2.0 ** 60]),
             "allocated": rng.choice([Decimal("0.001"), Decimal("123456.789"), 1e-9, None, 12]),
             "disbursed": rng.choice([Decimal("0"), 0.1 + 0.2, None])}
        for k in rng.sample(sorted(r), rng.randrange(0, 3)):  # some rows lack some keys
            del r[k]
        out.append(r)
    return out


def _extra(n: int) -> list[tuple[str, list[list]]]:
    rng = random.Random(9)
    table = [["file / Файл", "n", "sum", "note"]]
    for i in range(n):
        table.append([rng.choice(ODD_TEXT), i, Decimal(i) / 7, rng.choice([None, True, "", dt.date(2019, 1, i % 28 + 1),
                                                                            1.5, "ok"])])
    table.append([])
    table.append(["only one cell"])
    return [("Бақылау", table), ("Екінші", [["a"], [None, None, 3]])]


def _both_ways(monkeypatch, **kw) -> tuple[bytes, bytes]:
    out = []
    for bulk in (True, False):
        monkeypatch.setattr(writer.fastpath, "BULK_ROWS", bulk)
        buf = io.BytesIO()
        write_form(buf, **kw)
        out.append(buf.getvalue())
    return out[0], out[1]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.mark.parametrize("level", [None, 1])
@pytest.mark.parametrize("form", ["KRM-2", "KRM-3"])
def test_filled_free_form_same_bytes_both_ways(monkeypatch, form, level):
    spec = forms.get(form)
    header = {"period": PERIOD, "region": reference.regions(PERIOD)[0].name("kk"), "basis": "cumulative"}
    kw = dict(spec=spec, lang="kk", header=header, rows=_odd_rows(300), period=PERIOD, spare_rows=2,
              extra_sheets=_extra(120), input_cells=False, compress_level=level)
    fast, slow = _both_ways(monkeypatch, **kw)
    a, b = _parts(fast), _parts(slow)
    assert sorted(a) == sorted(b)
    for name in a:
        assert a[name] == b[name], name
    assert fast == slow
    # and the values are what was asked: text stays text, the over-long string is cut as Excel cuts it
    wb = CalamineWorkbook.from_filelike(io.BytesIO(fast))
    cells = {v for row in wb.get_sheet_by_index(0).to_python() for v in row}
    assert "=SUM(A1:A2)" in cells and "a & b < c > d" in cells and " leading" in cells
    assert "x" * 32_767 in cells and "x" * 40_000 not in cells


@pytest.mark.parametrize("form", sorted(forms.FORMS))
def test_every_template_same_bytes_both_ways(monkeypatch, form):
    for lang in ("kk", "ru"):
        fast, slow = _both_ways(monkeypatch, spec=forms.get(form), lang=lang, header={"period": PERIOD})
        assert fast == slow, (form, lang)


def test_fixed_rows_form_same_bytes_both_ways(monkeypatch):
    regions = reference.regions(PERIOD)
    rows = [{"region": r.kato, "projects_planned": i, "projects_done": None, "allocated": Decimal(i) / 3,
             "disbursed": Decimal("0.001"), "plan": i * 10, "fact": i} for i, r in enumerate(regions) if i % 3]
    fast, slow = _both_ways(monkeypatch, spec=forms.get("KRM-4"), lang="ru", header={"period": PERIOD}, rows=rows,
                            extra_sheets=_extra(10), input_cells=False, compress_level=1)
    assert fast == slow


def test_nan_fails_the_same_way_both_ways(monkeypatch):
    """A NaN cannot be written (xlsxwriter refuses it): the fast path refuses it the same way, not silently."""
    spec = forms.get("KRM-2")
    errors = []
    for bulk in (True, False):
        monkeypatch.setattr(writer.fastpath, "BULK_ROWS", bulk)
        with pytest.raises(TypeError) as e:
            write_form(io.BytesIO(), spec, "kk", header={"period": PERIOD},
                       rows=[{"project": "a", "plan": Decimal("NaN")}])
        errors.append(str(e.value))
    assert errors[0] == errors[1]


# ------------------------------------------------------------------ the fallback on an untested xlsxwriter
def _written(monkeypatch, private_ok: bool, **kw) -> bytes:
    monkeypatch.setattr(writer.fastpath, "_PRIVATE_OK", private_ok)
    buf = io.BytesIO()
    write_form(buf, **kw)
    return buf.getvalue()


def _all_cells(data: bytes) -> dict[str, list]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}


@pytest.mark.parametrize("level", [None, 1])
def test_public_api_fallback_writes_the_same_workbook(monkeypatch, level):
    """On an xlsxwriter version the fast path was not tested against, krm writes through xlsxwriter's public
    API only: the same cells in every sheet, the same XML in every part, and without a deflate level of its
    own (which only the private path can set) the same bytes."""
    spec = forms.get("KRM-3")
    header = {"period": PERIOD, "region": reference.regions(PERIOD)[0].name("kk"), "basis": "cumulative"}
    kw = dict(spec=spec, lang="kk", header=header, rows=_odd_rows(200), period=PERIOD, spare_rows=2,
              extra_sheets=_extra(80), input_cells=False, compress_level=level)
    fast = _written(monkeypatch, True, **kw)
    plain = _written(monkeypatch, False, **kw)
    assert _all_cells(fast) == _all_cells(plain)
    assert _parts(fast) == _parts(plain)
    if level is None:
        assert fast == plain


def test_fast_path_only_on_tested_xlsxwriter_versions(monkeypatch):
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

    fp = writer.fastpath
    monkeypatch.setattr(fp, "_PRIVATE_OK", None)
    monkeypatch.setattr(xlsxwriter, "__version__", "99.0.0")
    assert not fp.private_api_ok()
    wb = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    assert type(fp._add_sheet(wb, "a")) is Worksheet  # xlsxwriter's own sheet, no private method replaced
    assert type(writer.fastbook._new_workbook(io.BytesIO(), {"in_memory": True}, 1)) is xlsxwriter.Workbook
    monkeypatch.setattr(fp, "_PRIVATE_OK", None)
    monkeypatch.setattr(xlsxwriter, "__version__", sorted(fp.TESTED_XLSXWRITER)[0])
    assert fp.private_api_ok()
    assert type(fp._add_sheet(xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True}), "a")) is not Worksheet


def test_a_table_is_still_guarded_against_overlaps(monkeypatch):
    """The fast sheet records a table as one rectangle (krm.workbook.writer.fasttable): a merged range or a second
    table over it is refused as xlsxwriter refuses it, and the table part is the same as xlsxwriter's."""
    import xlsxwriter
    from xlsxwriter.exceptions import OverlappingRange

    from krm.workbook.writer import fastpath

    if not fastpath.private_api_ok():
        pytest.skip("the fast path is off on this xlsxwriter version")
    parts = []
    for cls in (None, fastpath._row_sheet_class()):
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        wb.set_properties({"created": dt.datetime(2019, 5, 1)})  # both workbooks of the same second, whenever run
        ws = wb.add_worksheet("a", cls)
        ws.add_table(2, 0, 50, 3, {"name": "T", "style": None, "autofilter": False,
                                   "columns": [{"header": f"h{i}"} for i in range(4)]})
        with pytest.raises(OverlappingRange):
            ws.merge_range(40, 2, 40, 5, "x")
        with pytest.raises(OverlappingRange):
            ws.add_table(49, 3, 60, 4)
        ws.merge_range(51, 0, 51, 3, "below")  # beside the table: allowed
        ws.write_number(50, 3, 7)
        wb.close()
        parts.append(_parts(buf.getvalue()))
    assert parts[0] == parts[1]
