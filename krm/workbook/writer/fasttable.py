"""The fast path's Excel table: ``_RowSheet.add_table`` (:mod:`.fastpath`), the same table part and cells as
xlsxwriter's, without a Python step per cell of the table's range."""

from __future__ import annotations


class _TableCells(dict):
    """Worksheet.table_cells ((row, col) -> the range of the table holding the cell): cells recorded one by one, and
    whole tables as rectangles (:func:`add_table`); Worksheet only asks it with ``get``."""

    def __init__(self, cells: dict):
        super().__init__(cells)
        self.rects: list[tuple[int, int, int, int, str]] = []

    def get(self, key, default=None):
        got = dict.get(self, key)
        if got is not None:
            return got
        row, col = key
        for r0, c0, r1, c1, rng in self.rects:
            if r0 <= row <= r1 and c0 <= col <= c1:
                return rng
        return default


def add_table(self, first_row, first_col, last_row, last_col, options=None):
    """Worksheet.add_table, without its walk over every cell of the range (a region's KRM-3 table has ~200,000):
    xlsxwriter adds a table of the header and one data row, the ranges are then widened to the whole table and the
    table's cells recorded as one rectangle (the same table part and cells).  A table with data, formulas or a
    total row, or one that overlaps earlier tables or merged cells, goes through xlsxwriter as it is."""
    from xlsxwriter.utility import xl_range
    from xlsxwriter.worksheet import Worksheet

    opts = options or {}
    ints = all(isinstance(x, int) for x in (first_row, first_col, last_row, last_col))
    if (not ints or not 0 <= first_row < last_row - 1 < self.xls_rowmax - 1 or not 0 <= first_col <= last_col
            or last_col >= self.xls_colmax or "data" in opts or opts.get("total_row") or not opts.get("header_row", True)
            or any(c and (c.get("formula") or c.get("total_function")) for c in opts.get("columns", []))
            or any(first_row <= r <= last_row and first_col <= c <= last_col
                   for r, c in list(self.table_cells) + list(self.merged_cells))
            or getattr(self.table_cells, "rects", None)):
        return Worksheet.add_table(self, first_row, first_col, last_row, last_col, options)
    got = Worksheet.add_table(self, first_row, first_col, first_row + 1, last_col, options)
    if got:
        return got
    table = self.tables[-1]
    table["range"] = full = xl_range(first_row, first_col, last_row, last_col)
    table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
    if table.get("autofilter"):
        table["autofilter"] = table["a_range"]
    cells = self.table_cells = _TableCells(self.table_cells)
    for key in [k for k, v in cells.items() if v == xl_range(first_row, first_col, first_row + 1, last_col)]:
        del cells[key]
    cells.rects.append((first_row, first_col, last_row, last_col, full))
    return got
