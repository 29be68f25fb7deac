"""Write a KRM form workbook (blank template or filled) from its spec, with xlsxwriter.

xlsxwriter is used for every workbook krm creates: it writes a styled form 2.3x
faster than openpyxl and stores strings in a shared table as Excel does
(``../shared/notes/excel-io.md``).  Text is always written with ``write_string``
so that a value beginning with = + - @ stays text, never a formula.

The layout (which row holds what) is computed once by :func:`layout` and the
workbook carries it as defined names (``KRM_PERIOD`` …) and one Excel table
(``KRM2_DATA`` …), so readers never guess positions.

Modules: :mod:`.layout` (where everything is), :mod:`.form` (:func:`write_form`), :mod:`.groupview` (KRM-2/3's
hidden grouped view), :mod:`.sheets` (formats, lists, instructions, validations, extra sheets), :mod:`.fastpath`
(whole rows in one piece, only on the xlsxwriter versions it is tested against; switch: ``fastpath.BULK_ROWS``)
and :mod:`.fastbook` (its Workbook), :mod:`.files` (:func:`atomic_write`).
"""

from krm.workbook.writer.files import atomic_write
from krm.workbook.writer.form import has_group_view, write_form
from krm.workbook.writer.layout import (FIXED_TIME, PAGE_UNITS, PT_PER_UNIT, UI, UNIT_FIELDS, Layout, a1, column_letter,
                                        column_width, fixed_rows, layout, page_breaks, print_scale, table_headers)
from krm.workbook.writer.sheets import INPUT_FILL, INSTRUCTIONS, NUM_FORMATS

__all__ = [
    "FIXED_TIME", "INPUT_FILL", "INSTRUCTIONS", "NUM_FORMATS", "PAGE_UNITS", "PT_PER_UNIT", "UI",
    "UNIT_FIELDS", "Layout", "a1", "atomic_write", "column_letter", "column_width", "fixed_rows", "has_group_view",
    "layout", "page_breaks", "print_scale", "table_headers", "write_form",
]
