"""Cells whose value is not what it looks like: formulas, error values and over-long text in the cells a
submitter fills.

* An error value (``t="e"``: ``#DIV/0!``, ``#REF!`` …) in a data, total or header cell: KRM-E027.
  calamine reads it as blank, which would count as 0.
* A formula that reaches outside the workbook — DDE (``cmd|'/c calc'!A1``), ``HYPERLINK``,
  ``WEBSERVICE``, ``CALL``, ``REGISTER``, ``RTD``, a link to another workbook (``[1]Sheet!A1``) —
  in a data or header cell: KRM-E029.  Opening or recalculating such a file runs or fetches something.
* Any other formula in a data or header cell: KRM-W036, naming the formula: the figure used is its
  stored result, which the submitter did not type.

* Text longer than a cell can hold (32,767 characters, Excel's limit) in a data or header cell:
  KRM-E028.  No output could carry it whole, and cutting it would change it in silence.

Formulas of the total row are the form's own (``SUM``) and are checked against the rows (KRM-E032); so are
those of the subtotal and total rows of a workbook in the annex's layout (KRM-E064, KRM-E032).
"""

from __future__ import annotations

import re
from typing import Iterator

from krm.codes import E027, E028, E029, W036
from krm.findings import Finding
from krm.rules import Ctx

_STRING = re.compile(r'"(?:[^"]|"")*"')
_UNSAFE_CALL = re.compile(r"\b(?:HYPERLINK|WEBSERVICE|FILTERXML|CALL|REGISTER(?:\.ID)?|RTD|EXEC|DDE\w*|IMPORT\w*)\s*\(",
                          re.I)
_EXTERNAL = re.compile(r"\[[^\]]*\]")  # [1]Sheet!A1, '[book.xlsx]Sheet'!A1, 'C:\[x.xls]S'!A1


def unsafe(formula: str) -> str | None:
    """Why a formula reaches outside the workbook, or None."""
    bare = _STRING.sub('""', formula)
    if "|" in bare:
        return "DDE"
    m = _UNSAFE_CALL.search(bare)
    if m:
        return m.group(0).rstrip("( ").upper()
    if _EXTERNAL.search(bare):
        return "a link to another workbook"
    return None


def _input_cells(ctx: Ctx) -> dict[str, str | None]:
    """A1 of every cell a submitter fills -> its column key (None for a header or signature cell)."""
    from krm.workbook.writer import a1

    pf = ctx.pf
    out: dict[str, str | None] = {}
    for ref in list(pf.header_cells.values()) + list(pf.signature_cells.values()):
        out[a1(ref.row, ref.col)] = None
    if pf.number_row is not None and pf.colmap:
        first, last = pf.data_range
        for r in range(first, min(last, len(pf.grid) - 1) + 1):
            for key, c in pf.colmap.items():
                out[a1(r, c)] = key
    return out


#: the most characters an Excel cell holds
MAX_TEXT = 32_767


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    yield from _long_text(ctx)
    if not pf.formulas and not pf.error_cells:
        return
    from krm.workbook.reader import parse_ref

    cells = _input_cells(ctx)
    total = pf.total.row if pf.total is not None else None
    inv = {c: k for k, c in pf.colmap.items()}
    for ref, text in pf.error_cells.items():
        pr = parse_ref(ref)
        if pr is None:
            continue
        if ref in cells or (pr[1] == total and pr[2] in inv):
            yield ctx.finding(E027, r=pr[1], c=pr[2], key=cells.get(ref) or inv.get(pr[2]), value=text)
    for ref, formula in pf.formulas.items():
        if ref not in cells:
            continue
        pr = parse_ref(ref)
        if pr[1] in pf.layout_rows and not unsafe(formula):
            continue  # a group's subtotal or the total of the annex's layout: the form's own sums (KRM-E064/E032)
        why = unsafe(formula)
        if why:
            yield ctx.finding(E029, r=pr[1], c=pr[2], key=cells[ref], value="=" + formula, detail=why)
        elif ref not in pf.formulas_without_value:  # without a value it is KRM-E023 already
            yield ctx.finding(W036, r=pr[1], c=pr[2], key=cells[ref], value="=" + formula)


def _long_text(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    for key, v in pf.header.items():
        if isinstance(v, str) and len(v) > MAX_TEXT:
            ref = pf.header_cells[key]
            yield ctx.finding(E028, r=ref.row, c=ref.col, value=v[:60], length=len(v))
    for row in pf.rows:
        for key, v in row.values.items():
            if type(v) is str and len(v) > MAX_TEXT:
                yield ctx.at(E028, row, key, value=v[:60], length=len(v))
