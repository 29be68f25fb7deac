"""Rows of a print sheet that show the entry sheet's cells, each row's XML rendered in one piece.

A print sheet (:mod:`.printsheet`, :mod:`.grouped`) shows every value of the entry sheet as
``=IF(entry="","",entry)`` with the value cached beside it.  Written cell by cell, xlsxwriter
takes ~25 µs per such cell (the call, a tuple, the formula's preparation; on close the attribute
list, two escapes, a write), and a national month's KRM-3 outputs hold ~500,000 of them.

:class:`LinkedRows` renders a row's cells from a template per column, made once per sheet (the
formula is text with the entry sheet's row number put in twice, the cached value after it), and
hands the row to ``_RowSheet.put_cells`` (:mod:`.fastpath`), which writes it on close with the
cells' style indices filled in.  The bytes are those xlsxwriter writes cell by cell
(``tests/test_writer_bulk.py`` writes every print sheet both ways and compares them); where the
fast path is off (:data:`fastpath.BULK_ROWS`, an untested xlsxwriter) or a formula would be
rewritten by xlsxwriter (a dynamic-array name in the sheet's name), the cells go through
``write_formula`` as before.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from krm.workbook.writer.layout import column_letter

#: the cached strings xlsxwriter marks as error values (t="e"), as Worksheet._write_cell lists them
_ERRORS = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
_EPOCH = dt.date(1899, 12, 30)
#: text that _shown writes other than as it is: escaped, doubled %, or an error value
_SPECIAL = re.compile(r"[&<>%]|^#").search


def cached(v):
    """The value a formula shows, cached beside it: dates as Excel serials, numbers as numbers, text as text."""
    if v is None or v == "":
        return ""
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return (v - _EPOCH).days
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    return str(v)


def _shown(v) -> tuple[str, str]:
    """(type attribute, ``<v>`` text) of a cell caching ``v`` as Worksheet._write_cell writes a formula's value,
    with % doubled (the row's XML is formatted once more with the styles)."""
    t = v.__class__
    if t is str:
        if v == "":
            return "", ""
        text = v
    elif v is None:
        return "", ""
    elif t is float or t is int:
        return "", str(float(v))
    else:
        c = cached(v)
        if c == "":
            return "", ""
        if c.__class__ is not str:
            return "", str(c)
        text = c
    kind = ' t="e"' if text in _ERRORS else ' t="str"'
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "%" in text:
        text = text.replace("%", "%%")
    return kind, text


_INTS: dict[int, str] = {}  # an int's cached value as a formula shows it (its float's str)


class LinkedRows:
    """Writes rows whose cells show entry-sheet cells: ``cols`` is, per column from 0, (entry sheet column or None
    for a blank cell, the cell's format); ``src`` the entry sheet's name as a formula quotes it."""

    def __init__(self, ws, src: str, cols: list[tuple[int | None, object]]):
        self.ws, self.src, self.cols = ws, src, cols
        self.fmts = tuple(f for _, f in cols)
        self.idx = tuple(range(len(cols)))
        self.fast = hasattr(ws, "put_cells") and all(f is not None for f in self.fmts) and self._plain_formulas()
        if self.fast:  # per cell: its column letter, and the entry cell's reference (None: a blank cell), % doubled
            self.parts = tuple((f'<c r="{column_letter(k)}',
                                None if e is None else self._escaped(f"{src}!${column_letter(e)}$").replace("%", "%%"))
                               for k, (e, _) in enumerate(cols))

    def _plain_formulas(self) -> bool:
        """Whether xlsxwriter keeps ``=IF(x="","",x)`` as it is, but for the leading "=" (no dynamic-array name,
        no future-function prefix): then the template writes what it would."""
        from xlsxwriter.worksheet import re_dynamic_function

        probe = f'=IF({self.src}!$A$1="","",{self.src}!$A$1)'
        return (not getattr(self.ws, "use_future_functions", False) and "_xlfn." not in probe
                and not re_dynamic_function.search(probe) and self.ws._prepare_formula(probe) == probe[1:])

    @staticmethod
    def _escaped(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def put(self, r: int, er: int, values) -> None:
        """Row ``r`` shows entry-sheet row ``er``: ``values[k]`` is what column k's entry cell holds (the cached
        value; ignored for a blank column)."""
        if not self.fast or r >= self.ws.xls_rowmax:
            return self._slow(r, er, values)
        rs, es = str(r + 1), str(er + 1)
        out = []
        add = out.append
        # each cell as Worksheet._write_cell writes a formula with its value, a %s where its style goes
        for (at, x), v in zip(self.parts, values):
            if x is None:
                add(f'{at}{rs}"%s/>')
                continue
            t = v.__class__
            if t is str and v and not _SPECIAL(v):  # most text: nothing to escape
                add(f'{at}{rs}"%s t="str"><f>IF({x}{es}="","",{x}{es})</f><v>{v}</v></c>')
            elif v is None or (t is str and not v):
                add(f'{at}{rs}"%s><f>IF({x}{es}="","",{x}{es})</f><v></v></c>')
            elif t is int:  # (ints: their text once a process)
                shown = _INTS.get(v)
                if shown is None:
                    if len(_INTS) > 16384:
                        _INTS.clear()
                    shown = _INTS[v] = str(float(v))
                add(f'{at}{rs}"%s><f>IF({x}{es}="","",{x}{es})</f><v>{shown}</v></c>')
            elif t is float or t is Decimal:
                add(f'{at}{rs}"%s><f>IF({x}{es}="","",{x}{es})</f><v>{float(v)!s}</v></c>')
            elif t is dt.date:
                add(f'{at}{rs}"%s><f>IF({x}{es}="","",{x}{es})</f><v>{(v - _EPOCH).days}</v></c>')
            else:
                kind, text = _shown(v)
                add(f'{at}{rs}"%s{kind}><f>IF({x}{es}="","",{x}{es})</f><v>{text}</v></c>')
        self.ws.put_cells(r, "".join(out), self.fmts, self.idx)

    def _slow(self, r: int, er: int, values) -> None:
        ws = self.ws
        for k, ((e, fmt), v) in enumerate(zip(self.cols, values)):
            if e is None:
                ws.write_blank(r, k, None, fmt)
            else:
                x = f"{self.src}!${column_letter(e)}${er + 1}"
                ws.write_formula(r, k, f'=IF({x}="","",{x})', fmt, cached(v))
