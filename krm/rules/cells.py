"""Cell values: jobs and counts whole numbers >= 0, sums numbers >= 0 (<= 3 decimals), dates real
dates, numbers/dates stored as text read with a warning, required cells filled, no garbled text.

Blank versus zero (the same everywhere, see krm/rules/__init__.py): a blank numeric cell is 0.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import repeat
from operator import is_, itemgetter
from typing import Iterator

from krm import values
from krm.findings import Finding
from krm.rules import Ctx
from krm.spec import ColType, Rows
from krm.codes import E020, E021, E022, E024, E025, E026, W001, W002, W003, W004, W006, W034

MAX_JOBS = 10_000_000  # in one cell: more is not a real figure (E026)
MAX_MONEY = Decimal(100_000_000)  # million tenge = 100 trillion tenge
LARGE_JOBS = 50_000  # in one project row: unusual (W006)
LARGE_MONEY = Decimal(1_000_000)
_MILLI = Decimal("0.001")

# UTF-8 Cyrillic read as cp1252/latin-1 ("Ð°Ñ"), cp1251 read as latin-1 ("Àëìà"), lost letters ("????"), U+FFFD
_GARBLED = re.compile(r"[ÐÑÒÓ][\u0080-\u00bf\u0152-\u0178\u2018-\u203a]|Ã.|\?{3,}|\ufffd|[ÀÁÂÃÄÅ][ëìíîïðñòóôõö]{2}")


# every match of _GARBLED holds one of these: a plain search for them first is 4x faster on clean text
_GARBLED_CHARS = re.compile("[\u00c0-\u00c5\u00d0-\u00d3?\ufffd]")


def garbled(text: str) -> bool:
    return _GARBLED_CHARS.search(text) is not None and _GARBLED.search(text) is not None


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    yield from _garbled_header(ctx)
    if not ctx.columns_ok:
        return
    cols = pf.columns
    numeric = [c for c in cols if c.type.numeric]
    dates = [c.key for c in cols if c.type == ColType.DATE]
    texts = [c.key for c in cols if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION)]
    required = [(c, c.key) for c in cols if c.required]
    # a whole number in 0…LARGE_JOBS, or a sum in 0…LARGE_MONEY with <= 3 decimals, has nothing to report
    quiet = [(c, c.key, LARGE_MONEY if c.type == ColType.MONEY else LARGE_JOBS) for c in numeric]
    free = ctx.spec.rows == Rows.FREE
    # the row-by-row checks below, over the rows that may have something to report
    body = [] if _quiet(ctx, free, required, quiet, dates, texts) else pf.rows
    rows = list(body) + ([pf.total] if pf.total is not None else [])
    for row in rows:
        is_total = row is pf.total
        vals = row.values
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        if free and not is_total:
            for c, key in required:
                v = vals.get(key)
                if v is None or (isinstance(v, str) and v.strip() == ""):  # values.is_blank
                    yield ctx.at(E024, row, key, value="", title=c.title)
        blank = True  # every numeric cell blank
        for c, key, large in quiet:
            v, note = typed.get(key) or ctx.typed(row, key)
            if note is None:
                if v is None:
                    continue
                blank = False
                if 0 <= v <= large and (type(v) is int or v == v.quantize(_MILLI)):  # <= 3 decimals: exact here
                    continue
            else:
                blank = False
            yield from _number(ctx, row, c, project_row=free and not is_total)
        for key in dates:
            v, note = typed.get(key) or ctx.typed(row, key)
            if note is None:
                continue
            if note == values.INVALID:
                yield ctx.at(E025, row, key)
            elif note == values.TEXT:
                yield ctx.at(W004, row, key, parsed=v.isoformat())
        for key in texts:
            v = vals.get(key)
            if isinstance(v, str) and _GARBLED_CHARS.search(v) is not None and _GARBLED.search(v) is not None:
                yield ctx.at(W034, row, key)
        if free and not is_total and numeric and blank:
            c0 = numeric[0]
            yield ctx.finding(W003, r=row.row, c=row.cols[c0.key], key=c0.key,
                              related=[ctx.cell(row, c.key) for c in numeric[1:]])


def _quiet(ctx: Ctx, free: bool, required, quiet, dates, texts) -> bool:
    """True when no data row (``pf.rows``) can have a finding of this rule: checked a column at a time
    with builtins, as sufficient conditions for the row-by-row checks to yield nothing."""
    rows = ctx.pf.rows
    cols = ctx.columns
    if free:  # E024: required cells filled
        for c, key in required:
            raw = [r.values.get(key) for r in rows]
            if any(map(is_, raw, repeat(None))):
                return False
            strs = [v for v in raw if isinstance(v, str)]
            if strs and not all(map(str.strip, strs)):
                return False
    blank_somewhere = True
    for c, key, large in quiet:  # numbers: readable, whole where they must be, in range, <= 3 decimals
        typed = cols.get(key)
        if typed is None:
            return False
        if list(map(itemgetter(1), typed)).count(None) != len(typed):
            return False
        vs = list(map(itemgetter(0), typed))
        if any(map(is_, vs, repeat(None))):  # not `None in`: Decimal == None is slow
            vs = [v for v in vs if v is not None]
        else:
            blank_somewhere = False  # every row has this number: no row is without figures (W003)
        if not vs:
            continue
        if not (0 <= min(vs) and max(vs) <= large):
            return False
        if c.type == ColType.MONEY and (set(map(type, vs)) != {Decimal}
                                        or vs != list(map(Decimal.quantize, vs, repeat(_MILLI)))):
            return False
    if free and quiet and blank_somewhere:
        return False  # W003 possible
    for key in dates:  # dates: real dates, not text
        typed = cols.get(key)
        if typed is None or list(map(itemgetter(1), typed)).count(None) != len(typed):
            return False
    for key in texts:  # W034: the characters every garbled text holds, in no cell of the column
        strs = [v for r in rows if isinstance(v := r.values.get(key), str)]
        if strs and _maybe_garbled("\n".join(strs)):
            return False
    return True


def _maybe_garbled(text: str) -> bool:
    """False when ``text`` holds none of :data:`_GARBLED_CHARS` (so nothing garbled): tested on its UTF-8
    bytes, where À…Å and Ð…Ó all start with the byte C3 — a byte search, faster than a character class."""
    try:
        b = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return _GARBLED_CHARS.search(text) is not None
    return b"\xc3" in b or b"?" in b or b"\xef\xbf\xbd" in b


def _number(ctx: Ctx, row, col, project_row: bool) -> Iterator[Finding]:
    raw = row.values.get(col.key)
    v, note = ctx.typed(row, col.key)
    if note == values.INVALID:
        d, _ = values.parse_money(raw)
        if d is not None and col.type != ColType.MONEY:  # a number, but not whole
            yield ctx.at(E022, row, col.key)
            if d < 0:
                yield ctx.at(E021, row, col.key)
        else:
            yield ctx.at(E020, row, col.key)
        return
    if v is None:
        return
    if note == values.TEXT:
        yield ctx.at(W001, row, col.key, parsed=_fmt(v))
    if v < 0:
        yield ctx.at(E021, row, col.key)
    big, large = (MAX_MONEY, LARGE_MONEY) if col.type == ColType.MONEY else (MAX_JOBS, LARGE_JOBS)
    if abs(v) > big:
        yield ctx.at(E026, row, col.key)
    elif project_row and v > large:
        yield ctx.at(W006, row, col.key)
    if col.type == ColType.MONEY and values.decimals(v) > 3:
        yield ctx.at(W002, row, col.key)


def _fmt(v) -> str:
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def _garbled_header(ctx: Ctx) -> Iterator[Finding]:
    for key, v in ctx.pf.header.items():
        if isinstance(v, str) and garbled(v):
            ref = ctx.pf.header_cells.get(key)
            yield ctx.finding(W034, r=ref.row if ref else None, c=ref.col if ref else None, value=v)
