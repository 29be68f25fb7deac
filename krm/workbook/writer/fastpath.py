"""The fast path: whole rows of cells written in one piece, byte for byte as xlsxwriter writes them cell by cell."""

from __future__ import annotations

import datetime as dt
import operator
import re
from decimal import Decimal
from functools import lru_cache

from krm.workbook.writer.layout import column_letter

#: the xlsxwriter versions the fast path is tested against (``tests/test_writer_bulk.py`` compares whole
#: workbooks written both ways).  It overrides private parts of xlsxwriter (``Worksheet._write_rows``,
#: ``_calculate_spans``, ``_write_cell``, ``_prepare_formula``, ``Workbook._store_workbook``, the packager's
#: ``SharedStrings``, the workbook module's ``ZipInfo``), so on any other version krm writes through
#: xlsxwriter's public API only (:func:`private_api_ok`): the same cells, slower, and deflated at xlsxwriter's
#: own level.  After testing a new xlsxwriter release, add its version here.
TESTED_XLSXWRITER = frozenset({"3.3.1"})

#: write blocks of rows through :class:`_RowSheet` (False: cell by cell, as plain xlsxwriter; same bytes)
BULK_ROWS = True

#: None: decided on first use from the installed xlsxwriter's version (tests set it to force either way)
_PRIVATE_OK: bool | None = None


def private_api_ok() -> bool:
    """Whether the installed xlsxwriter is one the fast path was tested against (:data:`TESTED_XLSXWRITER`)."""
    global _PRIVATE_OK
    if _PRIVATE_OK is None:
        import xlsxwriter

        _PRIVATE_OK = getattr(xlsxwriter, "__version__", "") in TESTED_XLSXWRITER
    return _PRIVATE_OK

_NUM, _STR, _BLANK, _DATE = 0, 1, 2, 3  # cell kinds: write_number, write_string, write_blank, write_datetime
_FORMULA = 4  # (_rs_write_cell only)
_LETTERS = [column_letter(c) for c in range(64)]
_INF, _NINF = float("inf"), float("-inf")


class _RowCells(tuple):
    """Marker cell: (XML of a whole row's cells with a %s per style attribute, the cells' formats)."""

    __slots__ = ()


class _RowEnd(tuple):
    """Marker cell in a bulk row's last column (keeps xlsxwriter's dimensions and row spans right); writes nothing."""

    __slots__ = ()


_END = _RowEnd()


def _write_kind(ws, row: int, col: int, kind: int, v, fmt) -> None:
    if kind == _NUM:
        ws.write_number(row, col, v, fmt)
    elif kind == _STR:
        ws.write_string(row, col, v, fmt)
    elif kind == _DATE:
        ws.write_datetime(row, col, v, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _form_cell(v, is_id: bool) -> tuple[int, object]:
    """How a form's table cell holding ``v`` is written: (kind, value).  Text is always a string, never a formula."""
    if v is None or v == "":
        return _BLANK, None
    if isinstance(v, bool):
        return _STR, str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return _DATE, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float, Decimal)) and not is_id:
        return _NUM, float(v)
    return _STR, str(v)


def _plain_cell(v) -> tuple[int, object] | None:
    """How an extra (control) sheet's cell holding ``v`` is written: numbers as numbers, the rest as text."""
    if v is None:
        return None
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return _NUM, float(v)
    return _STR, str(v)


#: one cell of a bulk row, by kind: %s = column letter; then, filled per row, %%s = row number and %%s = the value
#: (shared-string index, or the number as "%.16G" writes it); %%%%s stays for the style attribute, filled on close
_CELL = {_STR: '<c r="%s%%s"%%%%s t="s"><v>%%s</v></c>', _NUM: '<c r="%s%%s"%%%%s><v>%%s</v></c>',
         _BLANK: '<c r="%s%%s"%%%%s/>'}


#: any name Worksheet._prepare_formula rewrites (its list has "\\SINGLE\\(": any character, then "INGLE(")
_DYNAMIC_FUNCTIONS = re.compile(
    r"(ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|RANDARRAY|"
    r"REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|WRAPCOLS|WRAPROWS|"
    r"XLOOKUP)\(")


@lru_cache(maxsize=1)
def _row_sheet_class():
    """An xlsxwriter Worksheet that takes a block of rows at once and writes each row's XML in one piece.

    xlsxwriter spends ~10 µs per cell (a namedtuple per cell on write; an attribute list,
    escaping and a file write per cell on close), and a region's KRM-3 holds ~15,000 cells.
    :meth:`put_rows` classifies each value as :func:`_form_cell` / :func:`_plain_cell`
    say, takes the shared-string indices in the order ``write_string`` would (so the string
    table is the same), renders the row's ``<c>`` elements from a template per row shape,
    leaving a placeholder for each style, and stores it as two marker cells (first and last
    column, so dimensions and row spans are the same).  On close, :meth:`_write_rows` fills
    in the style indices (taken in the same order as xlsxwriter takes them) and writes the
    row.  The XML is byte for byte what xlsxwriter writes cell by cell
    (``tests/test_writer_bulk.py`` compares whole workbooks written both ways); a row holding
    a value this path does not reproduce exactly (NaN, infinity, a string over 16,383
    characters, an unusual type, a row outside the sheet) goes through the ordinary
    ``write_*`` calls.
    """
    global _BASE
    from xlsxwriter.worksheet import Worksheet

    from krm.workbook.writer.fasttable import add_table

    _BASE = Worksheet
    methods = {"put_rows": _rs_put_rows, "put_cells": _rs_put_cells, "add_table": add_table, "_slow_row": _rs_slow_row, "_bulk_xml": _rs_bulk_xml,
               "_write_cell": _rs_write_cell, "_write_rows": _rs_write_rows, "_calculate_spans": _rs_calculate_spans,
               "_prepare_formula": _rs_prepare_formula, "_write_one_row": _rs_write_one_row, "set_row": _rs_set_row}
    return type("_RowSheet", (Worksheet,), methods)


_BASE = None  # xlsxwriter's Worksheet, once _row_sheet_class has run: the methods below call its own


def _rs_put_rows(self, first: int, rows, formats: list, ids: list | None = None, *, form: bool = True) -> None:
    """Write ``rows`` (lists of values, one per column from column 0) from row ``first`` on.

    ``formats[c]`` is column c's cell format (or None); ``form=True`` writes values as
    :func:`_form_cell` (``ids[c]``: column c holds identifiers, numbers stay text),
    ``form=False`` as :func:`_plain_cell` (None: no cell).
    """
    sst = self.str_table
    ids = ids or [False] * len(formats)
    num_ok = [not (form and x) for x in ids]
    letters = [_LETTERS[c] if c < 64 else column_letter(c) for c in range(len(formats))]
    dates = _DATES.get((self.date_1904, self.remove_timezone))
    if dates is None or len(dates) > _SHOWN_MAX:
        dates = _DATES[(self.date_1904, self.remove_timezone)] = {}
    if len(_SHOWN) > _SHOWN_MAX:
        _SHOWN.clear()
    how = (form, [f is None for f in formats], num_ok, self.xls_strmax // 2, sst._get_shared_string_index, dates,
           self._convert_date_time)
    templates = self.__dict__.setdefault("_krm_templates", {})
    bulk = self.__dict__.setdefault("_krm_bulk", {})
    shapes: dict = {}  # row shape -> (template, formats, columns, first, last column), for this block
    lo = hi = rmin = rmax = None  # the block's extent, for the sheet's dimensions (checked once, at the end)
    for row, vals in enumerate(rows, start=first):
        if row >= self.xls_rowmax:
            self._slow_row(row, vals, formats, ids, form)  # outside the sheet: ignored as xlsxwriter does
            continue
        taken = sst.count
        got = _row_cells(vals, str(row + 1), how)
        if got is None:
            # the strings of this row were counted once already: the general path counts them again
            sst.count = taken
            self._slow_row(row, vals, formats, ids, form)
            continue
        shape, args = got
        if not shape:
            continue
        shape = tuple(shape)
        known = shapes.get(shape)
        if known is None:
            cols = tuple(x >> 2 for x in shape)
            tmpl = templates.get(shape)
            if tmpl is None:
                tmpl = templates[shape] = "".join(_CELL[x & 3] % letters[x >> 2] for x in shape)
            known = shapes[shape] = (tmpl, tuple(formats[c] for c in cols), cols, cols[0], cols[-1])
        tmpl, fmts, cols, c0, c1 = known
        if lo is None:
            lo, hi, rmin = c0, c1, row
        elif c0 < lo or c1 > hi:
            lo, hi = min(lo, c0), max(hi, c1)
        rmax = row
        line = self.table[row]
        line[c0] = _RowCells((tmpl % tuple(args), fmts, cols))
        if c1 != c0:
            line[c1] = _END
        bulk[row] = c0
    if lo is not None:  # what _check_dimensions of each row's first and last cell would have stored
        self._check_dimensions(rmin, lo)
        self._check_dimensions(rmax, hi)


def _rs_set_row(self, row, height=None, cell_format=None, options=None):
    """Worksheet.set_row for a row given only a height (the forms give thousands): what set_row_pixels stores,
    without its option handling; anything else goes through xlsxwriter."""
    if height is None or cell_format is not None or options or height.__class__ not in (int, float):
        return _BASE.set_row(self, row, height, cell_format, options)
    pixels = int(height * 4.0 / 3.0 + 0.5)
    if pixels == 0:  # hidden: xlsxwriter's way
        return _BASE.set_row(self, row, height, cell_format, options)
    if 0 <= row < self.xls_rowmax and not self.constant_memory and self.dim_rowmin is not None:
        if row < self.dim_rowmin:  # what _check_dimensions(row, dim_colmin) stores (the columns are set)
            self.dim_rowmin = row
        elif row > self.dim_rowmax:
            self.dim_rowmax = row
        if self.dim_colmin is None:
            self.dim_colmin = 0
            if self.dim_colmax is None or self.dim_colmax < 0:
                self.dim_colmax = 0
    elif self._check_dimensions(row, self.dim_colmin if self.dim_colmin is not None else 0):
        return -1
    self.row_info[row] = _row_info()(pixels, None, False, 0, False)  # (height, row_format, hidden, level, collapsed)
    self.row_sizes[row] = [pixels, False]
    if self.outline_row_level < 0:  # (max(outline_row_level, level 0), as set_row_pixels keeps it)
        self.outline_row_level = 0
    return 0


@lru_cache(maxsize=1)
def _row_info():
    from xlsxwriter.worksheet import RowInfo

    return RowInfo


def _rs_put_cells(self, row: int, xml: str, formats: tuple, cols: tuple) -> None:
    """Row ``row`` is ``xml``: the ``<c>`` elements of columns ``cols`` (ascending; nothing else is written in this
    row), a %s where each cell's style attribute goes (``formats``, one per cell), % doubled elsewhere."""
    c0, c1 = cols[0], cols[-1]
    line = self.table[row]
    line[c0] = _RowCells((xml, formats, cols))
    if c1 != c0:
        line[c1] = _END
    bulk = self.__dict__.get("_krm_bulk")
    if bulk is None:
        bulk = self.__dict__["_krm_bulk"] = {}
    bulk[row] = c0
    if (0 <= row < self.xls_rowmax and 0 <= c0 <= c1 < self.xls_colmax and not self.constant_memory
            and self.dim_rowmin is not None and self.dim_colmin is not None):
        # what _check_dimensions(row, c0) and (row, c1) store
        if row < self.dim_rowmin:
            self.dim_rowmin = row
        if row > self.dim_rowmax:
            self.dim_rowmax = row
        if c0 < self.dim_colmin:
            self.dim_colmin = c0
        if c1 > self.dim_colmax:
            self.dim_colmax = c1
        return
    self._check_dimensions(row, c0)
    self._check_dimensions(row, c1)


#: numbers as a bulk row's template writes them: ints by value, and dates by (date_1904, remove_timezone) and value
_SHOWN: dict = {}
_DATES: dict = {}
_SHOWN_MAX = 16384


def _row_cells(vals, r1: str, how) -> tuple[list, list] | None:
    """One row's cells as (shape: 4 * column + kind of every cell written, the template's arguments), or None
    when a value needs the general path (bool, a subclass, an identifier number, NaN, a very long string …)."""
    form, no_fmt, num_ok, half, index, dates, conv = how
    shape: list = []
    add = shape.append
    args: list = []
    arg = args.append
    c = -1
    for v in vals:
        c += 1
        t = v.__class__
        if t is str:
            if v == "" and form:
                if no_fmt[c]:
                    continue
                add(4 * c + _BLANK)
                arg(r1)
            elif len(v) > half:
                return None
            else:
                add(4 * c + _STR)
                arg(r1)
                arg(index(v))
        elif v is None:
            if not form or no_fmt[c]:
                continue  # a blank without a format is not written
            add(4 * c + _BLANK)
            arg(r1)
        elif (t is int or t is float or t is Decimal) and num_ok[c]:
            g = _SHOWN.get(v) if t is int else None  # (an int is the one number type whose equal values print alike)
            if g is None:
                f = float(v)
                if f != f or f == _INF or f == _NINF:
                    return None
                g = "%.16G" % f
                if t is int:
                    _SHOWN[v] = g
            add(4 * c + _NUM)
            arg(r1)
            arg(g)
        elif form and (t is dt.date or t is dt.datetime):
            d = dates.get(v)  # (a date is never equal to a datetime)
            if d is None:
                d = dates[v] = "%.16G" % conv(v if t is dt.datetime else dt.datetime(v.year, v.month, v.day))
            add(4 * c + _NUM)
            arg(r1)
            arg(d)
        else:
            return None  # bool, a subclass, an identifier number …: the general path
    return shape, args


def _rs_slow_row(self, row: int, vals, formats, ids, form: bool) -> None:
    for c, v in enumerate(vals):
        kv = _form_cell(v, ids[c]) if form else _plain_cell(v)
        if kv is not None:
            _write_kind(self, row, c, kv[0], kv[1], formats[c])


def _rs_bulk_xml(self, row: int, cell) -> str:
    xml, fmts, cols = cell
    cache = self.__dict__.setdefault("_krm_styles", {})
    styles = cache.get(fmts)
    if styles is None:  # the style attribute as Worksheet._write_cell makes it: cell, row or column format
        key = fmts if None not in fmts else None  # without a cell format it depends on the row
        info = self.row_info.get(row)
        out = []
        for c, fmt in zip(cols, fmts):
            if fmt:
                out.append(f' s="{fmt._get_xf_index()}"')
            elif info is not None and info.row_format:
                out.append(f' s="{info.row_format._get_xf_index()}"')
            elif c in self.col_info and self.col_info[c].column_format is not None:
                out.append(f' s="{self.col_info[c].column_format._get_xf_index()}"')
            else:
                out.append("")
        styles = tuple(out)
        if key is not None:
            cache[key] = styles
    return xml % styles


def _rs_write_cell(self, row, col, cell):
    cls = cell.__class__
    if cls is _RowEnd:
        return None
    if cls is _RowCells:
        self.fh.write(self._bulk_xml(row, cell))
        return None
    kind = _PLAIN_CELLS().get(cls)
    if kind is None or self.constant_memory:
        return _BASE._write_cell(self, row, col, cell)
    # Worksheet._write_cell of a shared string, a number or a blank: its reference and style attribute need no
    # escaping (a reference, an integer)
    fmt = cell.format
    if fmt:
        s = f' s="{fmt._get_xf_index()}"'
    elif row in self.row_info and self.row_info[row].row_format:
        s = f' s="{self.row_info[row].row_format._get_xf_index()}"'
    elif col in self.col_info and self.col_info[col].column_format is not None:
        s = f' s="{self.col_info[col].column_format._get_xf_index()}"'
    else:
        s = ""
    ref = _rowcol_to_cell()(row, col)
    if kind == _STR:
        self.fh.write(f'<c r="{ref}"{s} t="s"><v>{cell.string}</v></c>')
    elif kind == _NUM:
        self.fh.write(f"<c r=\"{ref}\"{s}><v>{cell.number:.16G}</v></c>")
    elif kind == _BLANK:
        self.fh.write(f'<c r="{ref}"{s}/>')
    else:  # a formula and its value (the type attribute after the style, as _write_cell appends it)
        value = cell.value
        if isinstance(value, bool):
            t, value = ' t="b"', 1 if value else 0
        elif isinstance(value, str):
            t = "" if value == "" else ' t="e"' if value in _ERROR_CODES else ' t="str"'
        else:
            t = ""
        escape = self._escape_data
        self.fh.write(f"<c r=\"{ref}\"{s}{t}><f>{escape(cell.formula)}</f><v>{escape(value)}</v></c>")
    return None


#: the cached strings Worksheet._write_cell marks as error values
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))


@lru_cache(maxsize=1)
def _PLAIN_CELLS() -> dict:
    """xlsxwriter's cell tuples that :func:`_rs_write_cell` writes itself, by kind."""
    from xlsxwriter import worksheet as w

    return {w.CellStringTuple: _STR, w.CellNumberTuple: _NUM, w.CellDatetimeTuple: _NUM, w.CellBlankTuple: _BLANK,
            w.CellFormulaTuple: _FORMULA}


@lru_cache(maxsize=1)
def _rowcol_to_cell():
    from xlsxwriter.utility import xl_rowcol_to_cell_fast

    return xl_rowcol_to_cell_fast


def _rs_write_rows(self) -> None:
    """Worksheet._write_rows, with each untouched bulk row written in one piece (its ``<row>`` tag too, when the
    row has no attribute but its height)."""
    bulk = self.__dict__.get("_krm_bulk")
    if not bulk or self.excel_version == 2010 or self.default_row_height != self.original_row_height:
        return _BASE._write_rows(self)  # rows with attributes of their own: xlsxwriter's way
    self._calculate_spans()
    spans = self.row_spans
    table, row_info, comments = self.table, self.row_info, self.comments
    styles = self.__dict__.setdefault("_krm_styles", {})
    heights: dict = {}  # row height -> the <row> tag's attributes after r and spans (as Worksheet._write_row)
    write = self.fh.write
    for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
        c0 = bulk.get(row_num)
        if c0 is not None and row_num not in comments:
            info = row_info.get(row_num)
            if info is None:
                ht = ""
            elif info.row_format or info.hidden or info.level or info.collapsed:
                ht = None
            else:  # (_height_attrs)
                ht = heights.get(info.height)
                if ht is None:
                    ht = _height_attrs(self, info, heights)
            line = table[row_num]
            cell = line.get(c0)
            if ht is not None and cell.__class__ is _RowCells and len(line) == (1 if cell[2][-1] == c0 else 2):
                span = spans.get(row_num >> 4)
                known = styles.get(cell[1])
                xml = cell[0] % known if known is not None else self._bulk_xml(row_num, cell)
                if span:
                    write(f'<row r="{row_num + 1}" spans="{span}"{ht}>{xml}</row>')
                else:
                    write(f'<row r="{row_num + 1}"{ht}>{xml}</row>')
                continue
        self._write_one_row(row_num, spans)


def _height_attrs(self, info, known: dict) -> str | None:
    """The attributes Worksheet._write_row gives a row with ``info`` after r and spans, when it has none but a
    height (else None: xlsxwriter writes the row); the sheet's default height is its original one."""
    if info.row_format or info.hidden or info.level or info.collapsed:
        return None
    h = info.height
    got = known.get(h)
    if got is None:
        got = known[h] = "" if h is None or h == self.original_row_height else \
            f' ht="{h * 0.75:.16g}" customHeight="1"'
    return got


def _rs_calculate_spans(self) -> None:
    """Worksheet._calculate_spans (the columns used in each block of 16 rows), from each row's keys."""
    spans = {}
    span_min = span_max = None
    table, comments = self.table, self.comments
    cmin, cmax = self.dim_colmin, self.dim_colmax
    last = self.dim_rowmax
    if not comments:  # (the forms': one look-up a row)
        for row_num in range(self.dim_rowmin, last + 1):
            cells = table.get(row_num)
            if cells:
                lo, hi = min(cells), max(cells)
                if lo < cmin or hi > cmax:
                    cols = [c for c in cells if cmin <= c <= cmax]
                    lo, hi = (min(cols), max(cols)) if cols else (None, None)
                if lo is None:
                    pass
                elif span_min is None:
                    span_min, span_max = lo, hi
                else:
                    if lo < span_min:
                        span_min = lo
                    if hi > span_max:
                        span_max = hi
            if ((row_num + 1) % 16 == 0) or row_num == last:
                if span_min is not None:
                    spans[int(row_num / 16)] = f"{span_min + 1}:{span_max + 1}"
                    span_min = None
        self.row_spans = spans
        return
    for row_num in range(self.dim_rowmin, last + 1):
        for cells in (table.get(row_num), comments.get(row_num) if comments else None):
            if cells:
                lo, hi = min(cells), max(cells)
                if lo < cmin or hi > cmax:  # never for cells written through the checks, but exactly so
                    cols = [c for c in cells if cmin <= c <= cmax]
                    if not cols:
                        continue
                    lo, hi = min(cols), max(cols)
                if span_min is None:
                    span_min, span_max = lo, hi
                else:
                    span_min, span_max = min(span_min, lo), max(span_max, hi)
        if ((row_num + 1) % 16 == 0) or row_num == last:
            if span_min is not None:
                spans[int(row_num / 16)] = f"{span_min + 1}:{span_max + 1}"
                span_min = None
    self.row_spans = spans


def _rs_prepare_formula(self, formula, expand_future_functions=False):
    # Worksheet._prepare_formula runs ~30 substitutions (dynamic-array functions) on every
    # formula; when none of those names occurs they change nothing, so skip them
    if (not self.use_future_functions and not expand_future_functions and "_xlfn." not in formula
            and not _DYNAMIC_FUNCTIONS.search(formula)):
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula
    # the rest (data validations expand future functions too: ~150 substitutions, ~1 ms a formula) depends only on
    # these three, and the same few formulas come back in every workbook
    key = (formula, bool(expand_future_functions), bool(self.use_future_functions))
    got = _PREPARED.get(key)
    if got is None:
        got = _BASE._prepare_formula(self, formula, expand_future_functions)
        if len(_PREPARED) < 4096:
            _PREPARED[key] = got
    return got


_PREPARED: dict[tuple[str, bool, bool], str] = {}  # Worksheet._prepare_formula's results (_rs_prepare_formula)


def _rs_write_one_row(self, row_num: int, spans: dict) -> None:
    # one iteration of Worksheet._write_rows (xlsxwriter 3.x)
    if row_num in self.row_info or row_num in self.comments or self.table[row_num]:
        span_index = int(row_num / 16)
        span = spans[span_index] if span_index in spans else None
        info = self.row_info[row_num] if row_num in self.row_info else None
        if self.table[row_num]:
            if info is None:
                self._write_row(row_num, span)
            else:
                self._write_row(row_num, span, info)
            for col_num in range(self.dim_colmin, self.dim_colmax + 1):
                if col_num in self.table[row_num]:
                    self._write_cell(row_num, col_num, self.table[row_num][col_num])
            self._xml_end_tag("row")
        else:
            self._write_empty_row(row_num, span, info)


def _values(records: list[dict], keys: list[str]):
    """Each record's values in ``keys`` order (None where a key is missing)."""
    if len(keys) < 2:
        for rec in records:
            yield [rec.get(k) for k in keys]
        return
    get = operator.itemgetter(*keys)
    for rec in records:
        try:
            yield get(rec)
        except KeyError:
            yield [rec.get(k) for k in keys]


def _add_sheet(wb, name: str):
    return wb.add_worksheet(name, _row_sheet_class()) if BULK_ROWS and private_api_ok() else wb.add_worksheet(name)


def _put_rows(ws, first: int, rows, formats: list, ids: list | None = None, *, form: bool = True) -> None:
    """Write a block of rows (see ``_RowSheet.put_rows``), in one piece per row when the sheet can."""
    if BULK_ROWS and hasattr(ws, "put_rows"):
        ws.put_rows(first, rows, formats, ids, form=form)
        return
    ids = ids or [False] * len(formats)
    for row, vals in enumerate(rows, start=first):
        for c, v in enumerate(vals):
            kv = _form_cell(v, ids[c]) if form else _plain_cell(v)
            if kv is not None:
                _write_kind(ws, row, c, kv[0], kv[1], formats[c])
