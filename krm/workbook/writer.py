"""Write a KRM form workbook (blank template or filled) from its spec, with xlsxwriter.

xlsxwriter is used for every workbook krm creates: it writes a styled form 2.3x
faster than openpyxl and stores strings in a shared table as Excel does
(``../shared/notes/excel-io.md``).  Text is always written with ``write_string``
so that a value beginning with = + - @ stays text, never a formula.

The layout (which row holds what) is computed once by :func:`layout` and the
workbook carries it as defined names (``KRM_PERIOD`` …) and one Excel table
(``KRM2_DATA`` …), so readers never guess positions.
"""

from __future__ import annotations

import datetime as dt
import io
import operator
import os
import re
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal
from pathlib import Path

from krm import reference
from krm.forms import BASIS_VALUES, SEAL, SIGNATURE
from krm.spec import SPEC_VERSION, ColType, Column, FormSpec, Rows, T

FIXED_TIME = dt.datetime(2019, 1, 1)  # document timestamps: same inputs, same bytes

UI = {
    "index": T("Индексі", "Индекс", "Index"),
    "periodicity": T("Кезеңділігі", "Периодичность", "Periodicity"),
    "submitter": T("Ұсынады", "Представляют", "Submitted by"),
    "recipient": T("Нысан қайда ұсынылады", "Куда представляется форма", "Submitted to"),
    "deadline": T("Ұсыну мерзімі", "Срок представления", "Deadline"),
    "lists": T("Тізімдер", "Списки", "Lists"),
    "instructions": T("Нұсқаулық", "Инструкция", "Instructions"),
    "groups": T("Қызмет түрлері бойынша", "По видам деятельности", "By activity"),
}


@dataclass
class Layout:
    """Row and column positions of one written form (0-based)."""

    spec: FormSpec
    columns: tuple[Column, ...]
    ncols: int
    header_rows: dict[str, int] = field(default_factory=dict)  # header key -> row of its value cell
    value_col: int = 3
    heading_row: int = 0  # first of the two heading rows
    number_row: int = 0  # the column-number row = the table's header row
    first_data_row: int = 0
    last_data_row: int = 0  # inclusive
    total_row: int | None = None
    signature_rows: dict[str, int] = field(default_factory=dict)
    fixed_keys: list[str] = field(default_factory=list)  # REGIONS/ACTIVITIES: the row keys in order
    fixed_labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (kk, ru, en)
    caption_row: int | None = None  # the reporting unit's caption ("(ауданның/қаланың/облыстың аталуы)")
    group_sheet: str | None = None  # KRM-2/3: the sheet with the nine-activity grouped view


UNIT_FIELDS = ("region", "district", "body")  # header fields that name the reporting unit


def column_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def table_headers(columns: tuple[Column, ...]) -> list[str]:
    """Unique names for the table header row: the column number, suffixed where a number repeats."""
    counts: dict[str, int] = {}
    for c in columns:
        counts[c.number] = counts.get(c.number, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        if counts[c.number] > 1:
            seen[c.number] = seen.get(c.number, 0) + 1
            out.append(f"{c.number}.{seen[c.number]}")
        else:
            out.append(c.number)
    return out


def fixed_rows(spec: FormSpec, on: dt.date) -> list[tuple[str, str, str, str]]:
    """(key, kk, ru, en) of the fixed rows of a REGIONS or ACTIVITIES form."""
    if spec.rows == Rows.REGIONS:
        return [(r.kato, r.name_kk, r.name_ru, r.name_en) for r in reference.regions(on)]
    if spec.rows == Rows.ACTIVITIES:
        return [(a.code, a.label("kk"), a.label("ru"), a.label("en")) for a in reference.activities()]
    return []


def layout(spec: FormSpec, on: dt.date, nrows: int, programmes=None) -> Layout:
    cols = spec.columns_for(programmes)
    lay = Layout(spec=spec, columns=cols, ncols=max(len(cols), 8))
    r = 4  # 0 annex, 1 title, 2 index/periodicity, 3 submitter/recipient/deadline
    unit_keys = [h.key for h in spec.header if h.key in UNIT_FIELDS]
    for h in spec.header:
        lay.header_rows[h.key] = r
        r += 1
        # the caption under the reporting-unit line, as the regulation prints it
        if spec.unit_caption is not None and unit_keys and h.key == unit_keys[-1]:
            lay.caption_row = r
            r += 1
    if spec.unit_caption is not None and lay.caption_row is None:
        lay.caption_row = r
        r += 1
    r += 1
    lay.heading_row = r
    lay.number_row = r + 2
    lay.first_data_row = r + 3
    if spec.rows == Rows.FREE:
        n = max(nrows, 1)
    else:
        fixed = fixed_rows(spec, on)
        lay.fixed_keys = [k for k, *_ in fixed]
        lay.fixed_labels = {k: (kk, ru, en) for k, kk, ru, en in fixed}
        n = len(lay.fixed_keys)
    lay.last_data_row = lay.first_data_row + n - 1
    r = lay.last_data_row + 1
    if spec.total_label is not None:
        lay.total_row = r
        r += 1
    r += 1
    for s in SIGNATURE:
        lay.signature_rows[s.key] = r
        r += 2 if s.hint else 1
    return lay


def _text_height(text: str, width: float, size: float = 10, *, bold: bool = False, italic: bool = False,
                 minimum: float = 15) -> float:
    """Row height (points) that shows ``text`` wrapped in a cell ``width`` Excel units wide.

    An Excel width unit holds about 1.1 characters of 10-point Times New Roman (Cyrillic
    included; LibreOffice substitutes the metric-compatible Liberation Serif); bold text is
    ~15 % wider.  Rounded up so LibreOffice and Excel both show
    every line; the estimate errs on the tall side.
    """
    if not text:
        return minimum
    per_line = max(1.0, width * 1.1 * 10 / size / (1.15 if bold else 1.0) - 2)
    lines = 0
    for para in str(text).split("\n"):
        lines += max(1, -(-len(para) // int(per_line)))
    return max(minimum, round(lines * size * 1.32 + 5, 1))


def column_width(c: Column, lang: str) -> float:
    """The spec's width, widened so the longest word of the heading is not broken."""
    longest = max((len(w) for w in c.title(lang).split()), default=0)
    return max(c.width, round(longest * 1.05 + 2, 1))


PAGE_UNITS = 180.0  # column-width units that print legibly across one A4 landscape page (~55 % scale)
PT_PER_UNIT = 7.5  # printed width of one column-width unit; measured in LibreOffice's PDF (Excel: ~5.6)


def page_breaks(cols: tuple[Column, ...], widths: list[float]) -> list[int]:
    """Columns that start a new printed page, for forms too wide for one page; [] otherwise.

    The first two columns (№ and the row name) repeat on every page; a column group
    (a programme's plan/fact pair) is never split.
    """
    if sum(widths) <= PAGE_UNITS * 1.5 or len(cols) < 4:
        return []
    fixed = sum(widths[:2])
    breaks: list[int] = []
    used = fixed
    i = 2
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[i].group is not None and cols[j + 1].group == cols[i].group:
            j += 1
        w = sum(widths[i:j + 1])
        if used + w > PAGE_UNITS and used > fixed:
            breaks.append(i)
            used = fixed
        used += w
        i = j + 1
    return breaks


def print_scale(widths: list[float], breaks: list[int]) -> int:
    """Print scale (%) at which the widest page of a broken-up form fits A4 landscape."""
    pages, start = [], 2
    for b in breaks + [len(widths)]:
        pages.append(sum(widths[:2]) + sum(widths[start:b]) if start != 2 else sum(widths[:b]))
        start = b
    widest_pt = max(p * PT_PER_UNIT + 60 for p in pages)
    usable_pt = (11.69 - 0.8) * 72
    return max(10, min(100, int(100 * usable_pt / widest_pt)))


def _span_start(widths: list[float], want: float) -> int:
    """First column of a right-aligned span at least ``want`` units wide."""
    acc = 0.0
    for i in range(len(widths) - 1, -1, -1):
        acc += widths[i]
        if acc >= want:
            return i
    return 0


def _heading_heights(cols: tuple[Column, ...], lang: str) -> tuple[float, float]:
    """Heights of the group row and the title row of the column headings."""
    group_need, title_need, merged_need = 18.0, 18.0, 18.0
    i = 0
    while i < len(cols):
        c = cols[i]
        if c.group is None:
            merged_need = max(merged_need, _text_height(c.title(lang), column_width(c, lang), 10, bold=True))
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == c.group:
            j += 1
        span = sum(column_width(x, lang) for x in cols[i:j + 1])
        group_need = max(group_need, _text_height(c.group(lang), span, 10, bold=True))
        for k in range(i, j + 1):
            title_need = max(title_need, _text_height(cols[k].title(lang), column_width(cols[k], lang), 10,
                                                      bold=True))
        i = j + 1
    title_need = max(title_need, merged_need - group_need)
    return group_need, title_need


def _value_span(lay: Layout) -> tuple[int, int]:
    return lay.value_col, min(lay.ncols - 1, lay.value_col + 5)


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Times New Roman", "font_size": 10, "valign": "vcenter"}
        self.wb = wb
        self._cache: dict = {}
        self.base = base

    def __call__(self, **kw):
        key = tuple(sorted(kw.items()))
        if key not in self._cache:
            props = dict(self.base)
            props.update(kw)
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]


#: write blocks of rows through :class:`_RowSheet` (False: cell by cell, as plain xlsxwriter; same bytes)
BULK_ROWS = True

_NUM, _STR, _BLANK, _DATE = 0, 1, 2, 3  # cell kinds: write_number, write_string, write_blank, write_datetime
_LETTERS = [column_letter(c) for c in range(64)]
_INF, _NINF = float("inf"), float("-inf")


class _RowCells(tuple):
    """Marker cell: (XML of a whole row's cells with a %s per style attribute, the cells' formats)."""

    __slots__ = ()


class _RowEnd(tuple):
    """Marker cell in a bulk row's last column (keeps xlsxwriter's dimensions and row spans right); writes nothing."""

    __slots__ = ()


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


#: one cell of a bulk row, by kind: %s = column letter; then, filled per row, %%s = row number and %%s / %%.16G =
#: the value (shared-string index or number); %%%%s stays for the style attribute, filled on close
_CELL = {_STR: '<c r="%s%%s"%%%%s t="s"><v>%%s</v></c>', _NUM: '<c r="%s%%s"%%%%s><v>%%.16G</v></c>',
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
    from xlsxwriter.worksheet import Worksheet

    class _RowSheet(Worksheet):
        def put_rows(self, first: int, rows, formats: list, ids: list | None = None, *, form: bool = True) -> None:
            """Write ``rows`` (lists of values, one per column from column 0) from row ``first`` on.

            ``formats[c]`` is column c's cell format (or None); ``form=True`` writes values as
            :func:`_form_cell` (``ids[c]``: column c holds identifiers, numbers stay text),
            ``form=False`` as :func:`_plain_cell` (None: no cell).
            """
            sst = self.str_table
            half = self.xls_strmax // 2
            ids = ids or [False] * len(formats)
            num_ok = [not (form and x) for x in ids]
            letters = [_LETTERS[c] if c < 64 else column_letter(c) for c in range(len(formats))]
            conv = self._convert_date_time
            index = sst._get_shared_string_index
            templates = self.__dict__.setdefault("_krm_templates", {})
            dates = self.__dict__.setdefault("_krm_dates", {})
            bulk = self.__dict__.setdefault("_krm_bulk", {})
            no_fmt = [f is None for f in formats]
            shapes: dict = {}  # row shape -> (template, formats, columns, first, last column), for this block
            lo = hi = rmin = rmax = None  # the block's extent, for the sheet's dimensions (checked once, at the end)
            for row, vals in enumerate(rows, start=first):
                if row >= self.xls_rowmax:
                    self._slow_row(row, vals, formats, ids, form)  # outside the sheet: ignored as xlsxwriter does
                    continue
                r1 = str(row + 1)
                shape = []  # 4 * column + kind of every cell written
                add = shape.append
                args = []
                arg = args.append
                taken = sst.count
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
                            break
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
                        f = float(v)
                        if f != f or f == _INF or f == _NINF:
                            break
                        add(4 * c + _NUM)
                        arg(r1)
                        arg(f)
                    elif form and (t is dt.date or t is dt.datetime):
                        d = dates.get(v)
                        if d is None:
                            d = dates[v] = conv(v if t is dt.datetime else dt.datetime(v.year, v.month, v.day))
                        add(4 * c + _NUM)
                        arg(r1)
                        arg(d)
                    else:
                        break  # bool, a subclass, an identifier number …: the general path
                else:
                    if shape:
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
                            line[c1] = _RowEnd()
                        bulk[row] = c0
                    continue
                # the strings of this row were counted once already: the general path counts them again
                sst.count = taken
                self._slow_row(row, vals, formats, ids, form)
            if lo is not None:  # what _check_dimensions of each row's first and last cell would have stored
                self._check_dimensions(rmin, lo)
                self._check_dimensions(rmax, hi)

        def _slow_row(self, row: int, vals, formats, ids, form: bool) -> None:
            for c, v in enumerate(vals):
                kv = _form_cell(v, ids[c]) if form else _plain_cell(v)
                if kv is not None:
                    _write_kind(self, row, c, kv[0], kv[1], formats[c])

        def _bulk_xml(self, row: int, cell) -> str:
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

        def _write_cell(self, row, col, cell):
            cls = cell.__class__
            if cls is _RowEnd:
                return None
            if cls is _RowCells:
                self.fh.write(self._bulk_xml(row, cell))
                return None
            return super()._write_cell(row, col, cell)

        def _write_rows(self) -> None:
            """Worksheet._write_rows, with each untouched bulk row written in one piece."""
            bulk = self.__dict__.get("_krm_bulk")
            if not bulk or self.excel_version == 2010 or self.default_row_height != self.original_row_height:
                return super()._write_rows()  # rows with attributes of their own: xlsxwriter's way
            self._calculate_spans()
            spans = self.row_spans
            table, row_info, comments = self.table, self.row_info, self.comments
            styles = self.__dict__.setdefault("_krm_styles", {})
            write = self.fh.write
            for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
                c0 = bulk.get(row_num)
                if c0 is not None and row_num not in row_info and row_num not in comments:
                    line = table[row_num]
                    cell = line.get(c0)
                    if cell.__class__ is _RowCells and len(line) == (1 if cell[2][-1] == c0 else 2):
                        span = spans.get(row_num >> 4)
                        known = styles.get(cell[1])
                        xml = cell[0] % known if known is not None else self._bulk_xml(row_num, cell)
                        if span:
                            write(f'<row r="{row_num + 1}" spans="{span}">{xml}</row>')
                        else:
                            write(f'<row r="{row_num + 1}">{xml}</row>')
                        continue
                self._write_one_row(row_num, spans)

        def _calculate_spans(self) -> None:
            """Worksheet._calculate_spans (the columns used in each block of 16 rows), from each row's keys."""
            spans = {}
            span_min = span_max = None
            table, comments = self.table, self.comments
            cmin, cmax = self.dim_colmin, self.dim_colmax
            last = self.dim_rowmax
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

        def _prepare_formula(self, formula, expand_future_functions=False):
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
            return super()._prepare_formula(formula, expand_future_functions)

        def _write_one_row(self, row_num: int, spans: dict) -> None:
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

    return _RowSheet


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


#: a shared string that xlsxwriter writes other than as <si><t>text</t></si>: one that needs an _xHHHH_
#: escape, XML escaping, xml:space="preserve", or is rich text (the union of xlsxwriter's own tests)
_SST_SPECIAL = re.compile(r'_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff"&<>\n]|^\s|\s$')


@lru_cache(maxsize=1)
def _workbook_class():
    """xlsxwriter's Workbook, storing its shared strings faster, with the zip deflate level settable.

    * ``krm_compress_level``: xlsxwriter always deflates at zlib's default level (6).  For a big
      workbook that is ~15 % of the time it takes to write; level 1 takes a third of that, for
      files ~25 % larger (the cell values are the same, only the compressed bytes differ).
      xlsxwriter makes a ``ZipInfo`` per part (in_memory mode); while this workbook is stored,
      that name makes ones with the level set.
    * With :data:`BULK_ROWS`, the shared-string table is written with one regular-expression test
      per string: a string none of xlsxwriter's escapes applies to is written as it would be, the
      others by xlsxwriter (same bytes; ``tests/test_writer_bulk.py``).
    """
    import zipfile

    import xlsxwriter
    import xlsxwriter.packager as xp
    import xlsxwriter.workbook as xw
    from xlsxwriter.sharedstrings import SharedStrings

    class _Strings(SharedStrings):
        def _write_sst_strings(self) -> None:
            write, special, slow = self.fh.write, _SST_SPECIAL.search, self._write_si
            for string in self.string_table.string_array:
                if special(string):
                    slow(string)
                else:
                    write(f"<si><t>{string}</t></si>")

    class _Workbook(xlsxwriter.Workbook):
        krm_compress_level: int | None = None

        def _store_workbook(self) -> None:
            level = self.krm_compress_level
            patches = []
            if BULK_ROWS and xp.SharedStrings is SharedStrings:
                patches.append((xp, "SharedStrings", _Strings))
            if level is not None and xw.ZipInfo is zipfile.ZipInfo:
                class _Info(zipfile.ZipInfo):
                    __slots__ = ()

                    def __init__(self, *args, **kwargs):
                        super().__init__(*args, **kwargs)
                        self._compresslevel = level
                patches.append((xw, "ZipInfo", _Info))
            saved = [(m, name, getattr(m, name)) for m, name, _ in patches]
            try:
                for m, name, new in patches:
                    setattr(m, name, new)
                return super()._store_workbook()
            finally:
                for m, name, old in saved:
                    setattr(m, name, old)

    return _Workbook


def _add_sheet(wb, name: str):
    return wb.add_worksheet(name, _row_sheet_class()) if BULK_ROWS else wb.add_worksheet(name)


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


INPUT_FILL = "#FFF2CC"  # input cells: light yellow, unlocked
NUM_FORMATS = {ColType.MONEY: "#,##0.000", ColType.JOBS: "#,##0", ColType.COUNT: "#,##0",
               ColType.DATE: "yyyy-mm-dd", ColType.ID: "@", ColType.TEXT: "@", ColType.ACTIVITY: "@",
               ColType.REGION: "@", ColType.PROGRAMME: "@", ColType.SEQ: "0"}


def _to_number(v) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return None


def write_form(
    target: str | Path | io.BytesIO,
    spec: FormSpec,
    lang: str = "kk",
    header: dict | None = None,
    rows: list[dict] | None = None,
    *,
    period: str | None = None,
    programmes=None,
    spare_rows: int | None = None,
    signature: dict | None = None,
    extra_sheets: list[tuple[str, list[list]]] | None = None,
    input_cells: bool = True,
    doc_time: dt.datetime | None = None,
    compress_level: int | None = None,
) -> Layout:
    """Write one form workbook.

    ``header`` maps header keys (region, district, period, programme, basis, body) to
    display values; ``rows`` are dicts keyed by column key (FREE forms), or carry
    ``region`` (KATO) / ``activity`` (code) to place them on a fixed row.
    ``extra_sheets`` are (name, rows) tables appended after the form (control sheets).
    """
    import xlsxwriter

    header = dict(header or {})
    rows = list(rows or [])
    period = period or (str(header.get("period")) if header.get("period") else None)
    on = reference.as_date(period) if period else dt.date.today()
    if spec.programme_columns and programmes is None:
        programmes = reference.programmes(on)
    n_free = len(rows) + (spec.spare_rows if spare_rows is None else spare_rows)
    lay = layout(spec, on, n_free, programmes)
    cols = lay.columns

    wb = _workbook_class()(target, {"strings_to_formulas": False, "strings_to_numbers": False,
                                    "strings_to_urls": False, "in_memory": True})
    wb.krm_compress_level = compress_level
    wb.set_properties({
        "title": f"{spec.sheet_name}: {spec.title(lang)}"[:250], "subject": spec.id, "author": "krm",
        "company": "krm", "comments": f"krm form {spec.id}, spec {SPEC_VERSION}", "created": doc_time or FIXED_TIME,
        "keywords": "КРМ, KRM",
    })
    wb.set_custom_property("krm_form", spec.id)
    wb.set_custom_property("krm_spec_version", SPEC_VERSION)
    wb.set_custom_property("krm_lang", lang)
    if period:
        wb.set_custom_property("krm_period", str(period))
    F = _Formats(wb)
    ws = _add_sheet(wb, spec.sheet_name)
    group_ws = None
    if has_group_view(spec):
        lay.group_sheet = UI["groups"](lang)
        group_ws = _add_sheet(wb, lay.group_sheet)
    instructions = wb.add_worksheet(UI["instructions"](lang))
    lists = wb.add_worksheet(UI["lists"](lang))

    # ---- lists sheet (dropdown sources)
    list_names = _write_lists(wb, lists, F, spec, lang, on, header, programmes)

    # ---- columns
    widths = [column_width(c, lang) for c in cols] + [10.0] * (lay.ncols - len(cols))
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    breaks = page_breaks(cols, widths[:len(cols)])
    last = (breaks[0] - 1) if breaks else lay.ncols - 1  # the banner rows stay on the first page
    total_w = sum(widths[:last + 1])
    annex_c0 = _span_start(widths[:last + 1], 62)
    annex_text = f"{spec.annex(lang)}\n\n{spec.kind_line(lang)}"
    ws.set_row(0, _text_height(annex_text, sum(widths[annex_c0:last + 1]), 8, italic=True))
    ws.merge_range(0, annex_c0, 0, last, annex_text,
                   F(text_wrap=True, align="right", italic=True, font_size=8, valign="top"))
    ws.set_row(1, _text_height(spec.title(lang), total_w, 12, bold=True))
    ws.merge_range(1, 0, 1, last, spec.title(lang), F(text_wrap=True, align="center", bold=True, font_size=12))
    # the regulation prints index, periodicity, submitter, recipient and deadline one under the other
    line2 = f"{UI['index'](lang)}: {spec.sheet_name}\n{UI['periodicity'](lang)}: {spec.periodicity(lang)}"
    ws.set_row(2, _text_height(line2, total_w, 10))
    ws.merge_range(2, 0, 2, last, line2, F(text_wrap=True, align="left"))
    line3 = (f"{UI['submitter'](lang)}: {spec.submitter(lang)}\n{UI['recipient'](lang)}: {spec.recipient(lang)}\n"
             f"{UI['deadline'](lang)}: {spec.deadline.text(lang)}")
    ws.set_row(3, _text_height(line3, total_w, 10))
    ws.merge_range(3, 0, 3, last, line3, F(text_wrap=True, align="left"))

    # ---- header fields
    v0, v1 = _value_span(lay)
    label_f = F(align="right", bold=True, text_wrap=True)
    in_f = F(bg_color=INPUT_FILL, border=1, locked=False, align="left", num_format="@", text_wrap=True)
    for h in spec.header:
        r = lay.header_rows[h.key]
        val = header.get(h.key)
        if h.key == "basis" and val in BASIS_VALUES:
            val = BASIS_VALUES[val](lang)
        ws.set_row(r, max(_text_height(h.label(lang), sum(widths[:v0]), 10, bold=True, minimum=18),
                          _text_height(str(val or ""), sum(widths[v0:v1 + 1]), 10, minimum=18),
                          30 if h.type == "programme" else 18))
        ws.merge_range(r, 0, r, v0 - 1, h.label(lang), label_f)
        ws.merge_range(r, v0, r, v1, "", in_f if input_cells else F(border=1, align="left", text_wrap=True))
        if val not in (None, ""):
            ws.write_string(r, v0, str(val), in_f if input_cells else F(border=1, align="left", text_wrap=True))
        wb.define_name(h.name, f"='{spec.sheet_name}'!${column_letter(v0)}${r + 1}")
        _header_validation(ws, h, r, v0, list_names, lang)
    if lay.caption_row is not None:
        ws.merge_range(lay.caption_row, v0, lay.caption_row, v1, spec.unit_caption(lang),
                       F(italic=True, font_size=8, align="center", valign="top", text_wrap=True))
        ws.set_row(lay.caption_row, _text_height(spec.unit_caption(lang), sum(widths[v0:v1 + 1]), 8, minimum=12))

    # ---- column headings: group row, title row, number row (= table header)
    hr = lay.heading_row
    head_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#DDEBF7")
    sup_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#E2EFDA")
    group_h, title_h = _heading_heights(cols, lang)
    ws.set_row(hr, group_h)
    ws.set_row(hr + 1, title_h)
    i = 0
    while i < len(cols):
        c = cols[i]
        fmt = head_f if c.official else sup_f
        if c.group is None:
            ws.merge_range(hr, i, hr + 1, i, c.title(lang), fmt)
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == c.group:
            j += 1
        if j > i:
            ws.merge_range(hr, i, hr, j, c.group(lang), fmt)
        else:
            ws.write_string(hr, i, c.group(lang), fmt)
        for k in range(i, j + 1):
            ws.write_string(hr + 1, k, cols[k].title(lang), head_f if cols[k].official else sup_f)
        i = j + 1

    # ---- data table
    data = _place_rows(spec, lay, rows, lang)
    first, lastr = lay.first_data_row, lay.last_data_row
    names = table_headers(cols)
    col_formats = []
    for c in cols:
        props = {"border": 1, "num_format": NUM_FORMATS[c.type]}
        if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION):
            props["text_wrap"] = True
        fixed = (c.type == ColType.SEQ) or (spec.rows != Rows.FREE and c.key in ("region", "activity"))
        if input_cells and not fixed:
            props.update(bg_color=INPUT_FILL, locked=False)
        col_formats.append(F(**props))
    ws.add_table(first - 1, 0, lastr, len(cols) - 1, {
        "name": spec.table_name, "style": None, "autofilter": False,
        "columns": [{"header": n, "header_format": F(bold=True, align="center", border=1, italic=True,
                                                      bg_color="#F2F2F2")} for n in names],
    })
    wb.define_name("KRM_DATA", f"='{spec.sheet_name}'!$A${first + 1}:${column_letter(len(cols) - 1)}${lastr + 1}")
    wb.define_name("KRM_COLNUMS", f"='{spec.sheet_name}'!$A${first}:${column_letter(len(cols) - 1)}${first}")
    if spec.rows != Rows.FREE:  # region / activity names wrap in their column
        key_ci = next(i for i, c in enumerate(cols) if c.key in ("region", "activity"))
        for ri in range(first, lastr + 1):
            ws.set_row(ri, _text_height(str(data[ri - first].get(cols[key_ci].key) or ""), widths[key_ci], 10))
    keys = [c.key for c in cols]
    _put_rows(ws, first, _values(data[: lastr - first + 1], keys), col_formats, [c.type == ColType.ID for c in cols])
    _data_validations(ws, spec, cols, first, lastr, list_names)

    # ---- total row
    if lay.total_row is not None:
        tr = lay.total_row
        tot_f = F(bold=True, border=1, align="left")
        ws.write_string(tr, 0, "", tot_f)
        ws.write_string(tr, 1, spec.total_label(lang), tot_f)
        for ci, c in enumerate(cols):
            if ci < 2:
                continue
            if c.type.numeric:
                vals = [_to_number(d.get(c.key)) for d in data]
                total = sum(v for v in vals if v is not None)
                rng = f"{column_letter(ci)}{first + 1}:{column_letter(ci)}{lastr + 1}"
                ws.write_formula(tr, ci, f"=SUM({rng})",
                                 F(bold=True, border=1, num_format=NUM_FORMATS[c.type]),
                                 round(total, 6) if c.type == ColType.MONEY else int(round(total)))
            else:
                ws.write_blank(tr, ci, None, tot_f)
        wb.define_name("KRM_TOTAL", f"='{spec.sheet_name}'!$A${tr + 1}:${column_letter(len(cols) - 1)}${tr + 1}")

    # ---- signature block
    sig = signature or {}
    for s in SIGNATURE:
        r = lay.signature_rows[s.key]
        ws.set_row(r, _text_height(s.label(lang), sum(widths[:v0]), 10, minimum=18))
        ws.merge_range(r, 0, r, v0 - 1, s.label(lang), F(align="right", text_wrap=True))
        f = in_f if input_cells else F(border=1, align="left")
        ws.merge_range(r, v0, r, v1, "", f)
        if sig.get(s.key):
            ws.write_string(r, v0, str(sig[s.key]), f)
        wb.define_name(s.name, f"='{spec.sheet_name}'!${column_letter(v0)}${r + 1}")
        if s.hint:
            ws.merge_range(r + 1, v0, r + 1, v1, s.hint(lang), F(italic=True, font_size=8, align="center"))
    r = max(lay.signature_rows.values()) + 2
    ws.write_string(r, 1, SEAL(lang), F(italic=True))
    if spec.footnote is not None:
        ws.merge_range(r + 1, 0, r + 1, last, spec.footnote(lang), F(italic=True, font_size=9, text_wrap=True))
        ws.set_row(r + 1, _text_height(spec.footnote(lang), total_w, 9, italic=True))

    # ---- sheet settings: protection, print, freeze
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True, "sort": False, "autofilter": False})
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if breaks:
        # wide forms (KRM-6, KRM-7) continue on further pages, as the regulation prints them:
        # № and the row name repeat on every page, and a plan/fact pair is never split
        ws.set_v_pagebreaks(breaks)
        ws.repeat_columns(0, 1)
        ws.set_print_scale(print_scale(widths, breaks))
    else:
        ws.fit_to_pages(1, 0)
    ws.repeat_rows(hr, lay.number_row)
    ws.freeze_panes(first, 0)
    ws.set_footer(f"&L{spec.sheet_name}&R&P / &N")
    ws.activate()

    if group_ws is not None:
        _write_group_view(wb, group_ws, F, spec, lay, data, lang)
    _write_instructions(instructions, F, spec, lang, lay)
    for name, table in extra_sheets or []:
        _write_extra_sheet(wb, F, name, table)
    wb.close()
    return lay


def has_group_view(spec: FormSpec) -> bool:
    """KRM-2 and KRM-3 (free rows with an activity column) get the nine-activity grouped view."""
    return spec.rows == Rows.FREE and any(c.type == ColType.ACTIVITY for c in spec.columns)


def _write_group_view(wb, ws, F, spec: FormSpec, lay: Layout, data: list[dict], lang: str) -> None:
    """The nine activity groups as the regulation prints them, summed from the form's table.

    Every figure is a COUNTIFS/SUMIFS formula over the table's columns, written with its
    cached value (computed here the way Excel computes it: exact, case-insensitive text
    match) so that programs that do not calculate (calamine, pandas) read the right numbers.
    A row for activities that match no group and a total row make the sheet add up to the
    table, so nothing filled in disappears from the view.
    """
    sheet = spec.sheet_name
    cols = lay.columns
    act_ci = next(i for i, c in enumerate(cols) if c.type == ColType.ACTIVITY)
    nums = [(i, c) for i, c in enumerate(cols) if c.type.numeric]
    f0, f1 = lay.first_data_row + 1, lay.last_data_row + 1

    def rng(ci: int) -> str:
        L = column_letter(ci)
        return f"'{sheet}'!${L}${f0}:${L}${f1}"

    def num(v) -> float | None:
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, float, Decimal)):
            return float(v)
        return None

    def cached(c: Column, total: float):
        return round(total, 6) if c.type == ColType.MONEY else int(round(total))

    title = T(f"{sheet}: экономикалық қызмет түрлері бойынша топтастырылған көрініс",
              f"{sheet}: сводка по видам экономической деятельности",
              f"{sheet}: grouped by economic activity")(lang)
    note = T("Бұл парақ нысан кестесінен формулалармен есептеледі (толтырмаңыз). Топқа сәйкес келмейтін жолдар "
             "жеке көрсетіледі; «Барлығы» кестенің барлық жолдарының сомасы.",
             "Лист рассчитывается формулами из таблицы формы (не заполняйте). Строки, вид деятельности которых "
             "не совпадает со списком, показаны отдельно; «Всего» — сумма всех строк таблицы.",
             "Computed by formulas from the form's table (do not fill). Rows whose activity matches no group are "
             "shown separately; Total is the sum of every row of the table.")(lang)
    head_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#DDEBF7")
    widths = [48, 11] + [13] * len(nums)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    last = len(widths) - 1
    ws.set_row(0, _text_height(title, sum(widths), 12, bold=True))
    ws.merge_range(0, 0, 0, last, title, F(bold=True, font_size=12, text_wrap=True, align="center"))
    ws.set_row(1, _text_height(note, sum(widths), 9, italic=True))
    ws.merge_range(1, 0, 1, last, note, F(italic=True, font_size=9, text_wrap=True))
    heads = [cols[act_ci].title(lang), T("Жолдар саны", "Число строк", "Rows")(lang)]
    for _, c in nums:
        heads.append(f"{c.group(lang) + ': ' if c.group else ''}{c.title(lang)} ({c.number})")
    hr = 3
    ws.set_row(hr, max(_text_height(h, w, 10, bold=True) for h, w in zip(heads, widths)))
    for i, h in enumerate(heads):
        ws.write_string(hr, i, h, head_f)
    text_f = F(border=1, text_wrap=True)
    count_f = F(border=1, num_format="#,##0")
    num_f = {i: F(border=1, num_format=NUM_FORMATS[c.type]) for i, c in nums}
    bold_f = F(border=1, bold=True, text_wrap=True)
    bold_num = {i: F(border=1, bold=True, num_format=NUM_FORMATS[c.type]) for i, c in nums}
    acts = reference.activities()
    key = cols[act_ci].key
    filled = [d for d in data if d.get(key) not in (None, "")]
    matched = 0
    group_sums = {i: 0.0 for i, _ in nums}
    first = hr + 1
    by_label: dict[str, list[int]] = {}  # the rows of each activity label (case-insensitive), in table order
    for i, d in enumerate(data):
        v = d.get(key)
        if isinstance(v, str):
            by_label.setdefault(v.strip().casefold(), []).append(i)
    values = {ci: [num(d.get(c.key)) for d in data] for ci, c in nums}  # summed in table order, as before
    for gi, a in enumerate(acts):
        r = first + gi
        label = a.label(lang)
        ws.set_row(r, _text_height(label, widths[0], 10))
        ws.write_string(r, 0, label, text_f)
        mine = by_label.get(label.casefold(), [])
        matched += len(mine)
        ws.write_formula(r, 1, f"=COUNTIFS({rng(act_ci)},$A{r + 1})", count_f, len(mine))
        for ci, c in nums:
            vs = values[ci]
            t = sum([v for v in [vs[i] for i in mine] if v is not None])
            group_sums[ci] += t
            ws.write_formula(r, 2 + [x for x, _ in nums].index(ci),
                             f"=SUMIFS({rng(ci)},{rng(act_ci)},$A{r + 1})", num_f[ci], cached(c, t))
    g0, g1 = first + 1, first + len(acts)
    ru = first + len(acts)  # rows whose activity matches no group (or is blank but has figures)
    tr = ru + 1
    ws.write_string(ru, 0, T("Топқа сәйкес келмейтін жолдар", "Строки вне групп (вид не из списка)",
                             "Rows matching no group")(lang), text_f)
    ws.write_formula(ru, 1, f"=COUNTA({rng(act_ci)})-SUM(B{g0}:B{g1})", count_f, len(filled) - matched)
    ws.write_string(tr, 0, T("Барлығы", "Всего", "Total")(lang), bold_f)
    ws.write_formula(tr, 1, f"=COUNTA({rng(act_ci)})", F(border=1, bold=True, num_format="#,##0"), len(filled))
    for k, (ci, c) in enumerate(nums):
        L = column_letter(2 + k)
        total = sum([v for v in values[ci] if v is not None])
        ws.write_formula(ru, 2 + k, f"=SUM({rng(ci)})-SUM({L}{g0}:{L}{g1})", num_f[ci],
                         cached(c, total - group_sums[ci]))
        ws.write_formula(tr, 2 + k, f"=SUM({rng(ci)})", bold_num[ci], cached(c, total))
    wb.define_name("KRM_GROUPS", f"='{lay.group_sheet}'!$A${first + 1}:${column_letter(last)}${tr + 1}")
    ws.protect("")
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer(f"&L{sheet}: {lay.group_sheet}&R&P / &N")


def _place_rows(spec: FormSpec, lay: Layout, rows: list[dict], lang: str) -> list[dict]:
    n = lay.last_data_row - lay.first_data_row + 1
    if spec.rows == Rows.FREE:
        out = [dict(r) for r in rows] + [{} for _ in range(n - len(rows))]
        for i, r in enumerate(out[: len(rows)]):
            r.setdefault("seq", i + 1)
        return out
    by_key = {}
    keyname = "region" if spec.rows == Rows.REGIONS else "activity"
    for r in rows:
        by_key[str(r.get(keyname))] = r
    unknown = set(by_key) - set(lay.fixed_keys)
    if unknown:
        raise ValueError(f"{spec.id}: rows for {sorted(unknown)} have no place in the form for this period")
    li = {"kk": 0, "ru": 1, "en": 2}.get(lang, 2)
    out = []
    for i, k in enumerate(lay.fixed_keys):
        rec = {c: v for c, v in by_key.get(k, {}).items() if c != keyname}
        rec["seq"] = i + 1
        rec[keyname] = lay.fixed_labels[k][li]
        out.append(rec)
    return out


def _write_value(ws, r: int, c: int, col: Column, v, fmt) -> None:
    kind, x = _form_cell(v, col.type == ColType.ID)
    _write_kind(ws, r, c, kind, x, fmt)


def _write_lists(wb, ws, F, spec: FormSpec, lang: str, on: dt.date, header: dict, programmes) -> dict[str, str]:
    """Dropdown sources on the lists sheet; returns name -> defined name."""
    sheet = UI["lists"](lang)
    bold = F(bold=True)
    cols: list[tuple[str, str, list[str]]] = [
        ("KRM_LIST_ACTIVITIES", T("Экономикалық қызмет түрлері", "Виды экономической деятельности",
                                  "Economic activities")(lang), [a.label(lang) for a in reference.activities()]),
        ("KRM_LIST_REGIONS", T("Өңірлер", "Регионы", "Regions")(lang), [r.name(lang) for r in reference.regions(on)]),
    ]
    reg = reference.region(header.get("region"), on) if header.get("region") else None
    dists = reference.districts(reg.kato if reg else None, on)
    cols.append(("KRM_LIST_DISTRICTS", T("Аудандар / қалалар", "Районы / города", "Districts / cities")(lang),
                 [reference.district_label(d, lang) for d in dists]))
    cols.append(("KRM_LIST_PROGRAMMES", T("Бағдарламалар", "Программы", "Programmes")(lang),
                 [p.name(lang) for p in (programmes or reference.programmes(on))]))
    cols.append(("KRM_LIST_BASIS", T("Деректер", "Данные", "Figures")(lang), [b(lang) for b in BASIS_VALUES.values()]))
    out = {}
    for ci, (name, title, values) in enumerate(cols):
        ws.set_column(ci, ci, min(60, max(14, len(title), *(len(v) for v in values)) * 0.9) if values else 14)
        ws.write_string(0, ci, title, bold)
        for ri, v in enumerate(values, start=1):
            ws.write_string(ri, ci, v)
        wb.define_name(name, f"='{sheet}'!${column_letter(ci)}$2:${column_letter(ci)}${len(values) + 1}")
        out[name] = f"={name}"
    ws.protect("")
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.set_footer(f"&L{spec.sheet_name}: {sheet}&R&P / &N")
    return out


def _header_validation(ws, h, r: int, c: int, lists: dict[str, str], lang: str) -> None:
    msg = T("Тізімнен таңдаңыз", "Выберите из списка", "Choose from the list")(lang)
    if h.type in ("region", "district", "programme", "basis"):
        src = {"region": "KRM_LIST_REGIONS", "district": "KRM_LIST_DISTRICTS", "programme": "KRM_LIST_PROGRAMMES",
               "basis": "KRM_LIST_BASIS"}[h.type]
        ws.data_validation(r, c, r, c, {"validate": "list", "source": lists[src], "input_title": h.label(lang)[:32],
                                        "input_message": msg, "error_type": "warning"})
    elif h.type in ("period", "year"):
        n = 7 if h.type == "period" else 4
        ws.data_validation(r, c, r, c, {
            "validate": "length", "criteria": "==", "value": n, "input_title": h.label(lang)[:32],
            "input_message": ("2019-05" if n == 7 else "2019"),
            "error_message": T("Кезеңді ЖЖЖЖ-АА түрінде жазыңыз", "Укажите период в виде ГГГГ-ММ",
                               "Write the period as YYYY-MM")(lang) if n == 7 else
            T("Жылды ЖЖЖЖ түрінде жазыңыз", "Укажите год в виде ГГГГ", "Write the year as YYYY")(lang)})


def _data_validations(ws, spec: FormSpec, cols, first: int, last: int, lists: dict[str, str]) -> None:
    for ci, c in enumerate(cols):
        if spec.rows != Rows.FREE and c.key in ("region", "activity"):
            continue
        rng = (first, ci, last, ci)
        if c.type == ColType.ACTIVITY:
            ws.data_validation(*rng, {"validate": "list", "source": lists["KRM_LIST_ACTIVITIES"]})
        elif c.key == "district" and c.type == ColType.TEXT:
            ws.data_validation(*rng, {"validate": "list", "source": lists["KRM_LIST_DISTRICTS"],
                                      "error_type": "warning"})
        elif c.type in (ColType.JOBS, ColType.COUNT):
            ws.data_validation(*rng, {"validate": "integer", "criteria": "between", "minimum": 0,
                                      "maximum": 10_000_000, "error_title": "0 … 10 000 000",
                                      "error_message": "Бүтін сан ≥ 0 / Целое число ≥ 0 / Whole number ≥ 0"})
        elif c.type == ColType.MONEY:
            ws.data_validation(*rng, {"validate": "decimal", "criteria": ">=", "value": 0,
                                      "error_message": "Сан ≥ 0, млн теңге / Число ≥ 0, млн тенге / Number ≥ 0"})
        elif c.type == ColType.DATE:
            ws.data_validation(*rng, {"validate": "date", "criteria": "between",
                                      "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                                      "error_message": "ЖЖЖЖ-АА-КК / ГГГГ-ММ-ДД / YYYY-MM-DD"})
        elif c.type == ColType.ID:
            ws.data_validation(*rng, {"validate": "length", "criteria": "==", "value": 12,
                                      "error_message": "12 цифр / 12 сан / 12 digits"})


INSTRUCTIONS = {
    "kk": [
        "Сары ұяшықтарды ғана толтырыңыз; қалғандары қорғалған (құпиясөзсіз).",
        "Өңірді, ауданды, бағдарламаны және экономикалық қызмет түрін тізімнен таңдаңыз.",
        "Кезеңді ЖЖЖЖ-АА (мысалы 2019-05), күндерді ЖЖЖЖ-АА-КК түрінде жазыңыз.",
        "Жұмыс орындары — бүтін сан ≥ 0; сомалар — млн теңге, 3 ондық белгіге дейін.",
        "БСН/ЖСН 12 цифрдан тұрады және мәтін ретінде сақталады (алдыңғы нөлдер жоғалмайды).",
        "Бос ұяшық «деректер жоқ» дегенді білдіреді; нөл болса, 0 жазыңыз.",
        "Кестеде жол жеткіліксіз болса, кестенің ішіне жол қосыңыз (қорғауды алып тастап) немесе krm-ге "
        "жаңа шаблон жасатыңыз.",
        "Жасыл тақырыпты бағандар — krm қосқан қосымша бағандар (ережеде жоқ, бірақ жинақтау үшін қажет).",
        "Тексеру: krm validate ФАЙЛ",
    ],
    "ru": [
        "Заполняйте только жёлтые ячейки; остальные защищены (без пароля).",
        "Регион, район, программу и вид экономической деятельности выбирайте из списка.",
        "Период пишите как ГГГГ-ММ (например 2019-05), даты — как ГГГГ-ММ-ДД.",
        "Рабочие места — целое число ≥ 0; суммы — в млн тенге, до 3 знаков после запятой.",
        "БИН/ИИН — 12 цифр, хранится как текст (ведущие нули не теряются).",
        "Пустая ячейка означает «нет данных»; если значение равно нулю, пишите 0.",
        "Если строк в таблице не хватает, вставьте строки внутри таблицы (сняв защиту) или создайте "
        "шаблон заново командой krm.",
        "Графы с зелёным заголовком — дополнительные графы krm (их нет в Правилах, но они нужны для свода).",
        "Проверка: krm validate ФАЙЛ",
    ],
    "en": [
        "Fill the yellow cells only; everything else is protected (no password).",
        "Choose region, district, programme and economic activity from the lists.",
        "Write the period as YYYY-MM (e.g. 2019-05) and dates as YYYY-MM-DD.",
        "Jobs are whole numbers >= 0; sums are in million tenge, up to 3 decimals.",
        "BIN/IIN: 12 digits, kept as text (leading zeros are not lost).",
        "A blank cell means 'no data'; write 0 for zero.",
        "If the table has too few rows, insert rows inside the table (unprotect first) or write a new template.",
        "Columns with a green heading are krm's supplementary columns (not in the Rules; needed for roll-ups).",
        "Check with: krm validate FILE",
    ],
}


def _write_instructions(ws, F, spec: FormSpec, lang: str, lay: Layout) -> None:
    ws.set_column(0, 0, 110)
    wrap = F(text_wrap=True, valign="top")
    title = f"{spec.sheet_name}. {spec.title(lang)}"
    ws.set_row(0, _text_height(title, 110, 12, bold=True))
    ws.write_string(0, 0, title, F(bold=True, text_wrap=True, font_size=12))
    r = 2
    ws.write_string(r, 0, T("Жұмыс кітабын қалай толтыру керек", "Как заполнять рабочую книгу",
                            "How to fill this workbook")(lang), F(bold=True))
    r += 1
    for line in INSTRUCTIONS.get(lang, INSTRUCTIONS["en"]):
        ws.set_row(r, _text_height(f"• {line}", 110))
        ws.write_string(r, 0, f"• {line}", wrap)
        r += 1
    r += 1
    ws.write_string(r, 0, T("Нысанды толтыру бойынша түсіндірме (Қағидалардан)",
                            "Пояснение по заполнению формы (из Правил)",
                            "Explanation for filling the form (from the Rules)")(lang), F(bold=True))
    r += 1
    for i, p in enumerate(spec.explanation, start=1):
        ws.set_row(r, _text_height(f"{i}. {p(lang)}", 110))
        ws.write_string(r, 0, f"{i}. {p(lang)}", wrap)
        r += 1
    r += 1
    ws.write_string(r, 0, T("Бағандар", "Графы", "Columns")(lang), F(bold=True))
    r += 1
    for c in lay.columns:
        extra = "" if c.official else " [krm]"
        unit = f" ({c.unit(lang)})" if c.unit else ""
        group = f"{c.group(lang)}: " if c.group else ""
        line = f"{c.number} — {group}{c.title(lang)}{unit}{extra}"
        ws.set_row(r, _text_height(line, 110))
        ws.write_string(r, 0, line, wrap)
        r += 1
    ws.protect("")
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.6, top=0.6, bottom=0.6)
    ws.set_footer(f"&L{spec.sheet_name}: {UI['instructions'](lang)}&R&P / &N")


def _write_extra_sheet(wb, F, name: str, table: list[list]) -> None:
    ws = _add_sheet(wb, name[:31])
    bold = F(bold=True, border=1, bg_color="#F2F2F2", text_wrap=True)
    if table:
        width = max(len(r) for r in table)
        _put_rows(ws, 0, table[:1], [bold] * width, form=False)
        _put_rows(ws, 1, table[1:], [None] * width, form=False)
    if table:
        for ci in range(len(table[0])):
            ws.set_column(ci, ci, 18 if ci else 40)


def atomic_write(path: Path, writer, *, force: bool = False) -> None:
    """Call ``writer(tmp_path)`` then rename into ``path``; never overwrite unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    os.close(fd)
    try:
        writer(tmp)
        if not force and path.exists():
            raise FileExistsError(str(path))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a template is an ordinary file
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
