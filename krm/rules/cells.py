"""Cell values: jobs and counts whole numbers >= 0, sums numbers >= 0 (<= 3 decimals), dates real
dates, numbers/dates stored as text read with a warning, required cells filled, no garbled text.

Blank versus zero (the same everywhere, see krm/rules/__init__.py): a blank numeric cell is 0.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator

from krm import values
from krm.findings import Finding
from krm.rules import Ctx
from krm.spec import ColType, Rows

MAX_JOBS = 10_000_000  # in one cell: more is not a real figure (E026)
MAX_MONEY = Decimal(100_000_000)  # million tenge = 100 trillion tenge
LARGE_JOBS = 50_000  # in one project row: unusual (W006)
LARGE_MONEY = Decimal(1_000_000)

# UTF-8 Cyrillic read as cp1252/latin-1 ("Ð°Ñ"), cp1251 read as latin-1 ("Àëìà"), lost letters ("????"), U+FFFD
_GARBLED = re.compile(r"[ÐÑÒÓ][\u0080-\u00bf\u0152-\u0178\u2018-\u203a]|Ã.|\?{3,}|\ufffd|[ÀÁÂÃÄÅ][ëìíîïðñòóôõö]{2}")


def garbled(text: str) -> bool:
    return bool(_GARBLED.search(text))


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    yield from _garbled_header(ctx)
    if not ctx.columns_ok:
        return
    cols = pf.columns
    numeric = [c for c in cols if c.type.numeric]
    dates = [c for c in cols if c.type == ColType.DATE]
    texts = [c for c in cols if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION)]
    required = [c for c in cols if c.required]
    free = ctx.spec.rows == Rows.FREE
    rows = list(pf.rows) + ([pf.total] if pf.total is not None else [])
    for row in rows:
        is_total = row is pf.total
        if free and not is_total:
            for c in required:
                if values.is_blank(row.values.get(c.key)):
                    yield ctx.at("KRM-E024", row, c.key, value="", title=c.title)
        for c in numeric:
            yield from _number(ctx, row, c, project_row=free and not is_total)
        for c in dates:
            v, note = ctx.typed(row, c.key)
            if note == values.INVALID:
                yield ctx.at("KRM-E025", row, c.key)
            elif note == values.TEXT:
                yield ctx.at("KRM-W004", row, c.key, parsed=v.isoformat())
        for c in texts:
            v = row.values.get(c.key)
            if isinstance(v, str) and garbled(v):
                yield ctx.at("KRM-W034", row, c.key)
        if free and not is_total and numeric and all(values.is_blank(row.values.get(c.key)) for c in numeric):
            c0 = numeric[0]
            yield ctx.finding("KRM-W003", r=row.row, c=row.cols[c0.key], key=c0.key,
                              related=[ctx.cell(row, c.key) for c in numeric[1:]])


def _number(ctx: Ctx, row, col, project_row: bool) -> Iterator[Finding]:
    raw = row.values.get(col.key)
    v, note = ctx.typed(row, col.key)
    if note == values.INVALID:
        d, _ = values.parse_money(raw)
        if d is not None and col.type != ColType.MONEY:  # a number, but not whole
            yield ctx.at("KRM-E022", row, col.key)
            if d < 0:
                yield ctx.at("KRM-E021", row, col.key)
        else:
            yield ctx.at("KRM-E020", row, col.key)
        return
    if v is None:
        return
    if note == values.TEXT:
        yield ctx.at("KRM-W001", row, col.key, parsed=_fmt(v))
    if v < 0:
        yield ctx.at("KRM-E021", row, col.key)
    big, large = (MAX_MONEY, LARGE_MONEY) if col.type == ColType.MONEY else (MAX_JOBS, LARGE_JOBS)
    if abs(v) > big:
        yield ctx.at("KRM-E026", row, col.key)
    elif project_row and v > large:
        yield ctx.at("KRM-W006", row, col.key)
    if col.type == ColType.MONEY and values.decimals(v) > 3:
        yield ctx.at("KRM-W002", row, col.key)


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _garbled_header(ctx: Ctx) -> Iterator[Finding]:
    for key, v in ctx.pf.header.items():
        if isinstance(v, str) and garbled(v):
            ref = ctx.pf.header_cells.get(key)
            yield ctx.finding("KRM-W034", r=ref.row if ref else None, c=ref.col if ref else None, value=v)
