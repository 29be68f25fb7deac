"""The reader's one-pass byte scans answer exactly what the searches they replaced answered.

:func:`krm.workbook.guard.unusual` decides whether a sheet's extent may be read the cheap way (a sheet
with any of ``guard._UNUSUAL`` is read reference by reference), and :func:`krm.workbook.reader.cells.cell_notes`
skips its per-cell walk when a sheet has no formula element and no error cell.  A scan that missed a case
would let a far cell or a formula without a value go unseen, so each is compared with the plain searches
on text made of the bytes that matter.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from krm.workbook import guard
from krm.workbook.reader import cells

# the bytes the searches are made of, some that are not, and pieces of the searched strings
PIECES = [bytes([b]) for b in b"rc=:'\"ftwoe <>/\t\n\rA1"] + [b"r=", b"r ", b":c", b":r", b"ow", b"<f", b":f", b'="',
                                                           b"'e", b'"e', b"e'", b"r='", b'r="', b"=\n"]
text = st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join)
SHEET = (b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns:r="http://x"><sheetData><row r="1" spans="1:3">'
         b'<c r="A1" t="s"><v>0</v></c></row></sheetData><dataValidations><dataValidation><formula1>x</formula1>'
         b"</dataValidation></dataValidations></worksheet>")


@settings(max_examples=800, deadline=None)
@given(text)
def test_unusual_is_any_of_the_searches(xml):
    assert guard.unusual(xml) == any(u in xml for u in guard._UNUSUAL)


def test_every_search_and_its_near_misses_in_a_sheet():
    """Each searched string, and each one-byte change of it, at the start, middle and end of a real sheet."""
    for needle in guard._UNUSUAL + cells._F_TAGS:
        for i in range(len(needle) + 1):
            for b in b" r=:'\"\tx<>/fc":
                for variant in (needle[:i] + bytes([b]) + needle[i + 1:], needle[:i] + bytes([b]) + needle[i:]):
                    for xml in (variant + SHEET, SHEET[:300] + variant + SHEET[300:], SHEET + variant):
                        assert guard.unusual(xml) == any(u in xml for u in guard._UNUSUAL), xml
                        assert bool(cells._ANY_F.search(xml)) == any(t in xml for t in cells._F_TAGS), xml
        assert guard.unusual(SHEET + needle) == (needle in guard._UNUSUAL)


@given(st.integers(min_value=30, max_value=60), st.sampled_from([b"\n", b"\t", b"'", b"\r"]),
       st.sampled_from([b"r", b"r=", b"x", b"r=\""]))
def test_unusual_with_many_line_ends(n, ch, before):
    """Past the walk's limit (many quotes or line ends) the answer is still the searches'."""
    xml = (b'<row r="1">' + ch) * n + before + ch
    assert guard.unusual(xml) == any(u in xml for u in guard._UNUSUAL)


@settings(max_examples=800, deadline=None)
@given(text)
def test_formula_scan_is_any_of_the_tags(xml):
    assert bool(cells._ANY_F.search(xml)) == any(t in xml for t in cells._F_TAGS)
    assert bool(cells._QUOTED_E.search(xml)) >= (b'"e"' in xml or b"'e'" in xml)


#: the far-reference search as it was written first; guard._SUSPECT finds the same (fewer steps per "r=")
SUSPECT_FIRST = re.compile(rb"""r="(?<![\w:.-]r=")\s*(?:[A-Za-z]{0,3}\d{4}|[A-Za-z]{3})""")
REFS = st.lists(st.sampled_from([b'r="', b"r=", b"A", b"XF", b"D", b"1", b"12", b"1048576", b" ", b"\n", b'"', b":",
                                 b"x", b"<c ", b"-", b"Q9"]), max_size=20).map(b"".join)


@settings(max_examples=800, deadline=None)
@given(REFS)
def test_far_reference_search_is_the_first_one(xml):
    assert bool(guard._SUSPECT.search(xml)) == bool(SUSPECT_FIRST.search(xml))


def test_far_references_found():
    for ref in (b"A1000", b"XFD1", b"ABC12", b"  AB1234", b"1234", b"AAA", b"xfd1048576"):
        assert guard._SUSPECT.search(b'<c r="' + ref + b'"/>'), ref
    for ref in (b"A999", b"ZZ1", b"AB12", b"B7"):
        assert not guard._SUSPECT.search(b'<c r="' + ref + b'"/>'), ref
        assert not guard._SUSPECT.search(b'<x xmlns:r="' + ref + b'1000"/>'), ref


def test_error_and_formula_cells_still_seen():
    formula = b'<sheetData><row r="2"><c r="B2"><f>SUM(A1:A3)</f></c></row></sheetData>'
    assert cells.cell_notes(formula) == ({"B2": "SUM(A1:A3)"}, ["B2"], {})
    error = b"<sheetData><row r='2'><c r='C2' t='e'><v>#DIV/0!</v></c></row></sheetData>"
    assert cells.cell_notes(error) == ({}, [], {"C2": "#DIV/0!"})
