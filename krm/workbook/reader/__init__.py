"""Read a filled KRM workbook into a :class:`ParsedForm`.

Bulk cell values come from python-calamine (12-18x faster than openpyxl).  The few
things calamine cannot give are read straight from the zip with defusedxml:
defined names, the data table's range, the document properties (form id, spec
version) and formulas that have no cached value (calamine silently drops them).

A workbook is recognised by what it holds, never by its file name: the custom
document property ``krm_form``, else the defined names, else the "Индексі: КРМ-N"
text in the header.  A form made from a foreign template (no defined names) is
read by finding its column-number row.

The package: :mod:`~krm.workbook.reader.model` (what is returned), :mod:`~krm.workbook.reader.zipparts` (the
zip, opened safely), :mod:`~krm.workbook.reader.package` (names, sheets, properties),
:mod:`~krm.workbook.reader.cells` (formulas, notes, hidden rows from the sheet XML),
:mod:`~krm.workbook.reader.recognise` (which form), :mod:`~krm.workbook.reader.locate` (header fields, the
column-number row, the end of the data) and :mod:`~krm.workbook.reader.load` (:func:`read`).
"""

from __future__ import annotations

from krm.workbook.reader.model import (
    MAX_COLS,
    MAX_MEMBER_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_TOTAL_BYTES,
    RAW_MAX,
    CellRef,
    DataRow,
    ParsedForm,
    ReadError,
)
from krm.workbook.reader.zipparts import check_members, precheck_zip, _open_regular, _xml
from krm.workbook.reader.package import NS, Package, col_index, parse_ref, read_package
from krm.workbook.reader.cells import cell_notes, formulas_without_value
from krm.workbook.reader.recognise import recognise
from krm.workbook.reader.locate import _by_label
from krm.workbook.reader.load import layout_fits, read, _locate_any

__all__ = [
    "CellRef",
    "DataRow",
    "MAX_COLS",
    "MAX_MEMBER_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_TOTAL_BYTES",
    "NS",
    "Package",
    "ParsedForm",
    "RAW_MAX",
    "ReadError",
    "_by_label",
    "_locate_any",
    "_open_regular",
    "_xml",
    "cell_notes",
    "check_members",
    "col_index",
    "formulas_without_value",
    "layout_fits",
    "parse_ref",
    "precheck_zip",
    "read",
    "read_package",
    "recognise",
]
