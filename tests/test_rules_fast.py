"""The fast paths of validation give exactly what the plain definitions give.

Validation types each data cell once (``krm.rules.type_rows``: a column at a time where calamine
gave plain floats, dates or digit strings), skips the row-by-row checks of a rule when a column-wise
test proves they have nothing to report, and the conversion reads the typed cells instead of parsing
them again.  Each shortcut is checked here against the general path it replaces, on real workbooks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

import pytest

import fill
from krm import ids, rules, values as V
from krm import convert
from krm.convert import to_submission
from krm.rules import relations
from krm.validate import validate_file
from krm.workbook.reader import read


# ------------------------------------------------------------------ the cell parsers
def _money_plain(v):
    """parse_money as defined: a finite float by its shortest repr."""
    if type(v) is float:
        return (Decimal(repr(v)), None) if math.isfinite(v) else (None, V.INVALID)
    return V.parse_money(v)


def _int_plain(v):
    d, note = _money_plain(v)
    if d is None:
        return None, note
    if d != d.to_integral_value():
        return None, V.INVALID
    return int(d), note


def _floats():
    rnd = random.Random(7)
    out = [0.0, -0.0, 1.0, 2.5, 0.1, 12.0, 1e22, 1e23, 2.0 ** 53, 2.0 ** 53 - 1, -(2.0 ** 53), 2.0 ** 53 + 2,
           9007199254740993.0, 1e300, 5e-324, float("nan"), float("inf"), -float("inf"), 123456789.123]
    for _ in range(3000):
        out.append(rnd.uniform(-1e6, 1e6))
        out.append(float(rnd.randint(-10 ** 17, 10 ** 17)))
        out.append(round(rnd.uniform(0, 1e5), rnd.randint(0, 4)))
        out.append(rnd.randint(0, 2 ** 60) * 2.0 ** rnd.randint(-60, 30))
    return out


def test_number_parsers_take_floats_as_the_definition_does():
    for x in _floats():
        assert V.parse_int(x) == _int_plain(x), x
        assert V.parse_money(x) == _money_plain(x), x
        if math.isfinite(x):
            assert str(V.parse_money(x)[0]) == str(Decimal(repr(x)))  # the same Decimal, exponent and all
    for x in (0, 7, -3, 10 ** 30, True, False, None, "", " 12 ", "1,5", dt.date(2019, 1, 1)):
        assert V.parse_int(x) == _int_plain(x), x


def test_date_parser_and_decimals():
    assert V.parse_date(dt.date(2019, 5, 1)) == (dt.date(2019, 5, 1), None)
    assert V.parse_date(dt.datetime(2019, 5, 1, 13, 5)) == (dt.date(2019, 5, 1), None)
    for d in ("1.500", "12", "1E+3", "0.001", "0.0001", "-0.0", "1.23456", "100.000000"):
        dd = Decimal(d)
        n = dd.normalize().as_tuple().exponent
        assert V.decimals(dd) == (-n if n < 0 else 0), d


# ------------------------------------------------------------------ BIN / IIN
def test_valid_is_inspect_ok():
    rnd = random.Random(3)
    days = (dt.date(2019, 7, 1), dt.date(1990, 1, 1), None)
    n_ok = 0
    for _ in range(20000):
        if rnd.random() < 0.5:  # BIN-like: YYMM, type 3-9, attribute 0-4
            head = f"{rnd.randint(0, 99):02d}{rnd.randint(0, 13):02d}{rnd.randint(3, 9)}{rnd.randint(0, 4)}"
        else:  # IIN-like: YYMMDD, century digit 0-7
            head = f"{rnd.randint(0, 99):02d}{rnd.randint(0, 13):02d}{rnd.randint(0, 32):02d}{rnd.randint(0, 7)}"
        body = head + "".join(rnd.choice("0123456789") for _ in range(11 - len(head)))
        for last in "0123456789":
            num = body + last
            for day in days:
                assert ids.valid(num, day) == ids.inspect(num, day).ok, (num, day)
            n_ok += ids.valid(num, days[0])
    assert n_ok > 1000  # the sample holds many valid numbers, not only invalid ones
    for num in ("١٢٣٤٥٦٧٨٩٠١٢", "０１２３４５６７８９０１", "12345", "abcdefghijkl", ""):
        assert ids.valid(num) == ids.inspect(num).ok


# ------------------------------------------------------------------ workbooks with every kind of cell
_ODD = [None, "  ", 0, 7, 12.0, 2.5, -3, 1e8, 60000, "1 234,5", "12", "abc", True, 0.1, 123.4567, 0.30000000000000004,
        dt.date(2019, 5, 1), dt.datetime(2019, 5, 1, 10, 0), "01.05.2019", "31.02.2019", 43586, "", "Ð°Ñ€Ñ‚ ????"]
_BINS = fill.BINS + [190540012345, 70941024691, "0709 4102 4691", "123", "abc", -5, 1.5, "", None, "190540012346"]


def _workbooks(tmp_path, n=12):
    """KRM-2/3 workbooks with random cells (and a clean one), plus the other forms filled."""
    rnd = random.Random(11)
    out = [fill.filled(f, tmp_path, name=f"{f}.xlsx") for f in ("KRM-1", "KRM-2", "KRM-3", "KRM-4", "KRM-5",
                                                                   "KRM-6", "KRM-7")]
    for i in range(n):
        form = "KRM-2" if i % 3 else "KRM-3"
        rows = []
        for _ in range(rnd.randint(2, 9)):
            r = dict(rnd.choice(fill.rows(form)))
            for key in ("plan", "fact", "allocated", "disbursed", "start", "end", "project", "activity"):
                if rnd.random() < 0.3:
                    r[key] = rnd.choice(_ODD)
            if rnd.random() < 0.3:
                r["bin"] = rnd.choice(_BINS)
            rows.append(r)
        if i == 0:
            rows.append(dict(rows[0]))  # a duplicate project
        out.append(fill.filled(form, tmp_path, name=f"rand{i}.xlsx", rows_over=rows))
    return out


def _row_by_row(monkeypatch):
    """Switch the column-wise evaluation off: every row goes through every relation's row check."""
    monkeypatch.setattr(relations, "COLUMN_WISE", False)


def test_shortcuts_give_the_row_by_row_findings(tmp_path, monkeypatch):
    paths = _workbooks(tmp_path)
    fast = [validate_file(p, today=fill.TODAY) for p in paths]
    assert sum(len(r.findings) for r in fast) > 50  # the random cells give plenty to report
    assert not fast[1].findings  # and the filled KRM-2 nothing
    _row_by_row(monkeypatch)
    slow = [validate_file(p, today=fill.TODAY) for p in paths]
    for p, a, b in zip(paths, fast, slow):
        assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings], p.name
        assert a.submission == b.submission, p.name


def test_cells_typed_once_as_each_parser_types_them(tmp_path):
    for p in _workbooks(tmp_path, n=6):
        pf = read(p)
        by_column = rules.type_rows(pf.rows, pf.columns)
        for i, row in enumerate(pf.rows):
            typed = rules.typed_row(row, pf.columns)
            for key, parse in rules.row_parsers(pf.columns):
                want = parse(row.values.get(key))
                assert typed[key] == want == by_column[key][i], (p.name, row.row, key)
                assert type(typed[key][0]) is type(want[0]) is type(by_column[key][i][0])
                assert str(typed[key][0]) == str(want[0]) == str(by_column[key][i][0])


def test_conversion_reads_the_typed_cells_as_it_would_parse_them(tmp_path):
    for p in _workbooks(tmp_path, n=6):
        plain = read(p)  # not typed yet: the conversion types the cells itself
        assert plain.typed is None
        typed = read(p)
        rules.run(typed, str(p), fill.TODAY)
        assert typed.typed is not None or not typed.rows  # the rules typed the cells: the conversion reuses them
        a, b = to_submission(plain), to_submission(typed)
        assert a == b, p.name
        assert [str(r.allocated) for r in a.projects] == [str(r.allocated) for r in b.projects]
        if plain.spec.id in ("KRM-2", "KRM-3"):  # each figure as parsing its cell gives it
            assert len(a.projects) == len(plain.rows)
            for r, got in zip(plain.rows, a.projects):
                v = r.values
                assert (got.plan, got.fact) == (convert._int(v.get("plan")), convert._int(v.get("fact")))
                assert str(got.allocated) == str(convert._money(v.get("allocated")))
                assert str(got.disbursed) == str(convert._money(v.get("disbursed")))
                assert (got.start, got.end) == (V.parse_date(v.get("start"))[0], V.parse_date(v.get("end"))[0])
                assert got.bin == ids.normalise(v.get("bin"))[0]


@pytest.mark.parametrize("form", ["KRM-2", "KRM-3"])
def test_clean_rows_take_the_shortcut(tmp_path, monkeypatch, form):
    """A correctly filled form is proven quiet column by column; one bad cell sends its row row by row."""
    judged = []
    real = relations.candidate_rows
    monkeypatch.setattr(relations, "candidate_rows", lambda ctx, rels: judged.append(real(ctx, rels)) or judged[-1])
    assert not validate_file(fill.filled(form, tmp_path, name="ok.xlsx"), today=fill.TODAY).findings
    assert judged and not any(judged)  # every rule group: no row judged one by one
    bad = {"fact": -1}, {"fact": 2.5}, {"allocated": 1.0001}, {"project": " "}, {"project": "Ð°Ñ€Ñ‚"}, \
        {"start": "01.05.2019"}, {"plan": None, "fact": None, "allocated": None, "disbursed": None}, {"plan": "7"}
    for i, change in enumerate(bad):
        rows = fill.rows(form)
        rows[1] = {**rows[1], **change}
        judged.clear()
        assert validate_file(fill.filled(form, tmp_path, name=f"bad{i}.xlsx", rows_over=rows),
                             today=fill.TODAY).findings, change
        assert [r.row for rr in judged for r in rr] == [judged[0][0].row], change  # that row only


def test_garbled_prefilters_miss_nothing():
    """Every character the garbled-text pattern can start with is caught by both prefilters."""
    from krm.rules.relations.texts import GARBLED as _GARBLED, GARBLED_CHARS as _GARBLED_CHARS, garbled, maybe_garbled as _maybe_garbled

    for i in range(0x10000):
        if 0xD800 <= i <= 0xDFFF:
            continue
        ch = chr(i)
        if _GARBLED_CHARS.search(ch):
            assert _maybe_garbled("ab" + ch + "cd"), hex(i)
        for tail in ("", "\u0080", "ëì", "??"):  # whatever follows: the pattern never matches without one
            if _GARBLED.search(ch + tail):
                assert _GARBLED_CHARS.search(ch + tail), hex(i)
    for text in ("Ð°Ñ€Ñ‚", "Àëìà", "что????", "a\ufffd", "ÃŸ"):
        assert garbled(text) and _maybe_garbled(text)
    assert not _maybe_garbled("Өсімдік майын өндіру зауытын кеңейту (4)")


def test_duplicates_looked_for_whenever_two_rows_may_share_a_key(tmp_path, monkeypatch):
    """A form whose BIN/IIN texts all differ has no duplicate project (the key holds the BIN/IIN): the loop
    over the rows is skipped then, and only then; the findings are the row-by-row ones either way."""
    from krm.rules.relations.duplicates import _may_repeat

    assert not _may_repeat(["190540012345", "070941024691"])
    for bins in (["190540012345", "190540012345"], ["190540012345", " 190540012345"], [None, None], ["1", None],
                 ["1", 1]):
        assert _may_repeat(bins)
    rs = fill.rows("KRM-2")
    same_bin = {**rs[0], "project": " " + str(rs[0]["project"]).upper() + "  ", "plan": 1, "fact": 1}
    other_bin = {**same_bin, "bin": fill.BINS[-1] if fill.BINS[-1] != rs[0]["bin"] else fill.BINS[-2]}
    for extra, codes in (([same_bin], ["KRM-E036"]), ([other_bin], []), ([{**same_bin, "project": "басқа"}], [])):
        p = fill.filled("KRM-2", tmp_path, name="d.xlsx", rows_over=rs + extra)
        fast = [f.to_dict() for f in validate_file(p, today=fill.TODAY).findings]
        assert [f["code"] for f in fast if f["code"] == "KRM-E036"] == codes
        monkeypatch.setattr(relations, "COLUMN_WISE", False)
        assert [f.to_dict() for f in validate_file(p, today=fill.TODAY).findings] == fast
        monkeypatch.setattr(relations, "COLUMN_WISE", True)
