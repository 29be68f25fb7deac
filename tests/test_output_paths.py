"""The KRM-3/4/5 output path's faster pieces give exactly what the plain ones gave (issue 16, session 11).

Each piece replaced for speed is compared with the code it replaced (kept here as the reference) on values that
reach its branches: row heights (memoised by text), numbers of a column (the total row, the print sheet's group
sums, the grouped view), a reading's rows decoded from its stored cells (one pass, values shared), a KRM-3's rows
(fields taken at once, each name looked up once), KRM-2 rows carried into a KRM-3 (without ``ProjectRow.build``),
and the bulk rows' numbers and dates (formatted once a process, per date system).  ``tests/test_writer_bulk.py``
compares whole workbooks written by the fast path and by plain xlsxwriter.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import random
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from krm import forms, reference
from krm.aggregate import sheets as agg_sheets
from krm.model import ProjectRow, RegionRow, Submission
from krm.register import codec
from krm.rollup import region as rollup_region
from krm.rollup.region import krm3_from_krm2
from krm.spec import ColType
from krm.workbook import writer
from krm.workbook.writer import fastbook, fastpath, groupview
from krm.workbook.writer import sheets as writer_sheets
from krm.workbook.writer.form import write_form
from krm.workbook.writer.layout import _text_height, column_width

PERIOD = "2019-05"


# ------------------------------------------------------------------ the replaced code, as it was (main ef8155b)
def _text_height_was(text, width, size=10, *, bold=False, italic=False, minimum=15):
    if not text:
        return minimum
    n = int(max(1.0, width * 1.1 * 10 / size / (1.15 if bold else 1.0) - 2))
    text = str(text)
    if "\n" in text:
        lines = 0
        for para in text.split("\n"):
            lines += max(1, -(-len(para) // n))
    else:
        lines = max(1, -(-len(text) // n))
    return max(minimum, round(lines * size * 1.32 + 5, 1))


def _rows_from_cells_was(cells):
    from krm import model

    built: dict = {}
    entry = None
    last = None
    for row_no, kind, key, type_, text in cells:
        if row_no != last:
            entry = built.get(row_no)
            if entry is None:
                entry = built[row_no] = (kind, {})
            last = row_no
        fields = entry[1]
        if type_ == "m":
            fields.setdefault(key, {})
        elif "." in key:
            name, sub = key.split(".", 1)
            fields.setdefault(name, {})[sub] = codec._value(type_, text)
        else:
            fields[key] = text if type_ == "s" else codec._value(type_, text)
    projects, regions = [], []
    for row_no in sorted(built):
        kind, fields = built[row_no]
        cls = getattr(model, kind)
        names = {f.name for f in dataclasses.fields(cls)}
        row = cls(**{k: v for k, v in fields.items() if k in names})
        (regions if kind == "RegionRow" else projects).append(row)
    return projects, regions


def _typed(x):
    """A value with the types of everything in it (equal Decimals, ints and floats are not the same output)."""
    if dataclasses.is_dataclass(x):
        return (type(x).__name__, [(f.name, _typed(getattr(x, f.name))) for f in dataclasses.fields(x)])
    if isinstance(x, dict):
        return ("dict", [(k, _typed(v)) for k, v in x.items()])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_typed(v) for v in x])
    return (type(x).__name__, repr(x))


# ------------------------------------------------------------------ row heights
def test_text_heights_memoised_are_the_computed_ones():
    rng = random.Random(11)
    words = ["Құрылыс", "жол", "Строительство", "школы", "a", "", "x" * 40, "1.", "2019-05"]
    cases = []
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(0, 30)))
        if rng.random() < 0.2:
            text = text.replace(" ", "\n", rng.randrange(0, 4))
        cases.append((text, rng.choice([8, 11.5, 13, 25.7, 48, 60.0]), rng.choice([8, 9, 10, 12, 10.0]),
                      rng.random() < 0.3, rng.random() < 0.2, rng.choice([15, 15.0, 18, 12, 30])))
    cases += [(1234567, 10, 10, False, False, 15), (None, 10, 10, False, False, 15), ("", 10, 10, False, False, 18.0)]
    for _ in range(2):  # the second round from the memo
        for text, width, size, bold, italic, minimum in cases:
            got = _text_height(text, width, size, bold=bold, italic=italic, minimum=minimum)
            want = _text_height_was(text, width, size, bold=bold, italic=italic, minimum=minimum)
            assert (got, type(got)) == (want, type(want)), (text, width, size, bold, minimum)


def test_table_rows_as_tall_as_their_longest_text():
    """Each data row's height in the written sheet: the tallest of its wrapped cells, as computed before."""
    spec = forms.get("KRM-3")
    acts = reference.activities()
    rng = random.Random(3)
    names = ["Мектеп", "Ауруханa салу " * 4, "Жол " * 30, "", None, "короткий", "line\nbreak\nthree"]
    rows = [{"activity": acts[i % 9].label("kk"), "project": rng.choice(names), "district": rng.choice(names),
             "plan": i, "fact": 1, "allocated": Decimal("1.5"), "disbursed": Decimal(0)} for i in range(120)]
    buf = io.BytesIO()
    lay = write_form(buf, spec, "kk", {"period": PERIOD}, rows, period=PERIOD, spare_rows=0, input_cells=False)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    heights = {int(r): float(h) for r, h in re.findall(r'<row r="(\d+)"[^>]*? ht="([^"]+)"', xml)}
    cols = lay.columns
    for k, d in enumerate(rows):
        need = None
        for c in cols:
            if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION, ColType.PROGRAMME):
                v = d.get(c.key) if c.key != "seq" else k + 1
                if v not in (None, ""):
                    h = _text_height_was(str(v), column_width(c, "kk"), 10)
                    need = h if need is None else max(need, h)
        r = lay.first_data_row + k + 1
        if need is not None and need > 15:
            assert heights[r] == int(need * 4 / 3 + 0.5) * 0.75, (k, d)
        else:
            assert r not in heights


# ------------------------------------------------------------------ numbers of a column
class _Int(int):
    pass


ODD = [None, "", "x", "12", 0, 1, -2, 3.5, float("nan"), float("inf"), Decimal("1.10"), Decimal("-0"), True, False,
       10 ** 20, _Int(5), dt.date(2019, 1, 1), [1]]


def test_numbers_of_a_column_as_one_by_one():
    assert repr(writer_sheets._to_numbers(ODD)) == repr([writer_sheets._to_number(v) for v in ODD])
    assert repr(groupview._numbers(ODD)) == repr([groupview._number(v) for v in ODD])


# ------------------------------------------------------------------ a reading's rows from its stored cells
def _odd_model_rows() -> list:
    rows = []
    for i in range(25):
        rows.append(ProjectRow(
            activity=str(i % 11), project=["Жоба", "", "a.b", "x" * 200][i % 4], bin=[None, "190540012345"][i % 2],
            district=[None, "751110000"][i % 2], start=[None, dt.date(2019, 1, i % 28 + 1)][i % 2],
            end=dt.date(2020, 12, 31), plan=i, fact=-i, allocated=[Decimal("1E+2"), Decimal("0.10"), Decimal("-0"),
                                                                  Decimal(i) / 7][i % 4],
            disbursed=Decimal("0.001"), plan_by_activity=[None, {}, {"1": 3, "9": 0}][i % 3],
            cell=f"A{i}", sheet_row=[None, i][i % 2],
            extra=[None, {"women": i, "share": Decimal("0.5"), "when": dt.datetime(2019, 5, 1, 12, 30),
                          "ratio": 0.25, "flag": True, "note": None}][i % 2]))
    for i in range(6):
        rows.append(RegionRow(region=str(11 + i), projects_planned=i, allocated=Decimal("2.500"),
                              by_activity={"1": i, "2": 0}, plan_by_activity=None if i % 2 else {"3": 4},
                              extra=None if i % 3 else {"women": i}))
    return rows


def test_rows_from_stored_cells_as_before():
    cells = codec.sorted_row_cells(_odd_model_rows())
    want = _rows_from_cells_was([c[:5] for c in cells])
    assert _typed(codec.rows_from_cells([c[:5] for c in cells])) == _typed(want)
    assert _typed(codec.rows_from_stored(cells)) == _typed(want)
    # as a register stores and gives them back: one JSON text, lists
    stored = json.loads(codec.cells_json(cells))
    assert _typed(codec.rows_from_stored(stored)) == _typed(want)
    # rows given out of order (the cells of one row together, or not)
    shuffled = list(cells)
    random.Random(2).shuffle(shuffled)
    assert _typed(codec.rows_from_cells([c[:5] for c in shuffled])) == \
        _typed(_rows_from_cells_was([c[:5] for c in shuffled]))
    # a row's dict fields are its own, shared values never mutable
    projects, _ = codec.rows_from_stored(cells)
    maps = [p.plan_by_activity for p in projects if p.plan_by_activity is not None]
    assert len({id(m) for m in maps}) == len(maps)


def _krm2_rows(n: int = 40) -> list:
    """Project rows as a KRM-2 reading holds them: text, none, ints, Decimals and dates only (no dict field)."""
    return [ProjectRow(activity=str(1 + i % 9), project=f"Жоба {i % 7} & <{i}>", bin=None if i % 5 else f"{i:012d}",
                       enterprise=f"ЖШС «{i}»", district=None if i % 3 else "111000000",
                       start=dt.date(2017, 1 + i % 12, 1), end=None if i % 4 == 1 else dt.date(2019, 4, 9),
                       plan=i, fact=i % 11, allocated=Decimal("393.740") if i % 2 else Decimal(i),
                       disbursed=Decimal("0.5"), cell=f"A{15 + i}", sheet_row=15 + i) for i in range(n)]


def test_a_krm2_readings_rows_decoded_in_one_pass_as_before():
    """A KRM-2's stored cells (the reading a KRM-3 after edits decodes, ≈ 14 a KRM-3) take the plain path
    (codec._plain_projects), giving the rows the general decoding gives, dates and amounts shared; anything else
    (a dict field, a field ProjectRow lacks, a region row, rows out of order) goes the general way, alike."""
    cells = json.loads(codec.cells_json(codec.sorted_row_cells(_krm2_rows())))
    want = _rows_from_cells_was([c[:5] for c in cells])
    assert codec._plain_projects(cells) is not None
    assert _typed(codec.rows_from_stored(cells)) == _typed(want)
    projects, _ = codec.rows_from_stored(cells)
    assert projects[1].allocated is projects[3].allocated and projects[0].end is projects[2].end
    assert codec.rows_from_stored([]) == ([], [])
    odd = [
        cells + [[999, "ProjectRow", "extra", "m", None, None], [999, "ProjectRow", "extra.women", "i", "3", "3"]],
        [c if c[2] != "cell" else [c[0], c[1], "no_such_field", c[3], c[4], c[5]] for c in cells],
        [c for c in cells if c[0] != 1] + [c for c in cells if c[0] == 1],  # a row after a later one
        [c for c in cells if c[0] != 1][:30] + [c for c in cells if c[0] == 1] + [c for c in cells if c[0] != 1][30:],
        cells + json.loads(codec.cells_json(codec.sorted_row_cells(
            [ProjectRow(activity="1", project="x")] * 40 + [RegionRow(region="11", plan=3)])))[-40:],
        cells[:-1] + [cells[-1][:3] + ["f", "0.25", "0.25"]],
    ]
    for c in odd:
        assert codec._plain_projects(c) is None
        try:
            got = _typed(codec.rows_from_stored(c))
        except (TypeError, ValueError) as e:
            got = type(e)
        try:
            was = _typed(_rows_from_cells_was([x[:5] for x in c]))
        except (TypeError, ValueError) as e:
            was = type(e)
        assert got == was


def test_rows_from_stored_refuses_what_rows_from_cells_refused():
    with pytest.raises(ValueError):
        codec.rows_from_stored([[0, "NoSuchRow", "a", "s", "x", None]])
    with pytest.raises(ValueError):
        codec.rows_from_stored([[0, "ProjectRow", "a", "s", "x"]])  # five parts: not a stored cell


# ------------------------------------------------------------------ a KRM-3's rows
def _krm2(district: str, n: int, seed: int) -> Submission:
    rng = random.Random(seed)
    rows = [ProjectRow(activity=rng.choice(["1", "5", "9", "12", ""]), project=rng.choice(["Б жоба", "а жоба", "  A  "]),
                       bin=rng.choice([None, "190540012345"]), district=rng.choice([None, district, "999999999"]),
                       start=dt.date(2019, 1, 1), end=rng.choice([None, dt.date(2019, 3, 31)]), plan=rng.randrange(9),
                       fact=rng.randrange(9), allocated=Decimal(rng.randrange(999)) / 1000, disbursed=Decimal(0))
            for _ in range(n)]
    return Submission(path=Path(f"{district}.xlsx"), form="KRM-2", period=PERIOD, programme="INFRA", region="75",
                      district=district, basis="cumulative", projects=rows)


def test_krm3_rows_carried_as_before(monkeypatch):
    subs = [_krm2(d, 40, i) for i, d in enumerate(["751110000", "751210000", "751310000"])]
    fast = krm3_from_krm2(subs)
    monkeypatch.setattr(rollup_region, "_PROJECT_FIELDS", frozenset())  # every row through ProjectRow.build
    slow = krm3_from_krm2(subs)
    assert _typed(fast) == _typed(slow)


def test_krm3_rows_in_the_order_they_had():
    """Activity group, district, folded project name, BIN, input order: the sort key as it was computed."""
    from krm.rollup.chain import _sort_text, row_district
    from krm.rollup.programme import _activity_rank

    subs = [_krm2(d, 60, 7 + i) for i, d in enumerate(["751310000", "751110000", "751210000"])]
    for s in subs:  # activities as codes, blank, unknown, None; names differing only in case and spaces
        s.projects[0].activity, s.projects[1].activity = None, "99"
        s.projects[2].project, s.projects[3].project = "  Мектеп  салу ", "мектеп САЛУ"
    [got] = krm3_from_krm2(subs)
    rows = [(order, s, r) for order, (s, r) in enumerate((s, r) for s in sorted(subs, key=lambda m: (m.district, str(m.path)))
                                                         for r in s.projects)]
    rows.sort(key=lambda t: (_activity_rank(t[2].activity), row_district(t[1], t[2]) or "", _sort_text(t[2].project),
                             t[2].bin or "", t[0]))
    assert [(r.activity, r.project, r.bin, r.plan, r.fact, r.allocated) for r in got.projects] == \
        [(r.activity, r.project, r.bin, r.plan, r.fact, r.allocated) for _, _, r in rows]
    assert [r.district for r in got.projects] == [row_district(s, r) for _, s, r in rows]


def test_krm3_output_rows_as_cell_by_cell():
    [sub] = krm3_from_krm2([_krm2(d, 50, i) for i, d in enumerate(["751110000", "751210000"])])
    cols = [c for c in forms.get("KRM-3").columns if c.role]
    for lang in ("kk", "ru"):
        got = agg_sheets._krm3_rows(cols, sub.projects, lang, PERIOD)
        want = [{c.key: agg_sheets._krm3_cell(c, r, lang, PERIOD) for c in cols} for r in sub.projects]
        assert _typed(got) == _typed(want)
    # a column the rows keep in .extra: cell by cell
    extra = dataclasses.replace(cols[-1], key="women") if dataclasses.is_dataclass(cols[-1]) else \
        cols[-1].model_copy(update={"key": "women"})
    rows = [dataclasses.replace(r, extra={"women": i}) for i, r in enumerate(sub.projects)]
    got = agg_sheets._krm3_rows(cols + [extra], rows, "kk", PERIOD)
    assert [g["women"] for g in got] == list(range(len(rows)))


# ------------------------------------------------------------------ bulk rows: numbers and dates once a process
def _dates_book(bulk: bool, date_1904: bool) -> bytes:
    rows = [[dt.date(2019, 1, 1), dt.datetime(2019, 1, 1, 6), 7, 7.0, Decimal("7"), 2 ** 60, -0.0, Decimal("-0"),
             dt.date(1900, 2, 28), dt.date(1904, 1, 2)] for _ in range(3)]
    buf = io.BytesIO()
    wb = fastbook._new_workbook(buf, {"in_memory": True, "date_1904": date_1904}, None)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("S", fastpath._row_sheet_class()) if bulk else wb.add_worksheet("S")
    fastpath._put_rows(ws, 0, rows, [fmt] * len(rows[0]))
    wb.close()
    return buf.getvalue()


def test_bulk_numbers_and_dates_per_date_system():
    for date_1904 in (True, False, True):  # one process, both date systems, in turn
        assert _dates_book(True, date_1904) == _dates_book(False, date_1904)
    assert _dates_book(True, True) != _dates_book(True, False)


def test_writer_bulk_rows_are_on():
    assert writer.fastpath.BULK_ROWS and fastpath.private_api_ok()
