"""Structure: the table is where the form has it, with the form's columns and fixed rows,
and nothing lies outside it; workbook-level warnings (macros, hidden rows/sheets, template)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Iterator

from krm import annex_text, editions
from krm.findings import Finding
from krm.rules import lookup, relations
from krm.rules.context import Ctx
from krm.spec import ColType, per_columns
from krm.workbook.writer import a1, table_headers
from krm.codes import E011, E012, E015, E016, E023, W005, W030, W031, W032, W033


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    if pf.layout:
        n = pf.layout.rsplit("-", 1)[-1]
        yield ctx.finding(W033, detail=f"drawn from the regulation's Annex {n}, not from a krm template; "
                                             f"read in the annex's layout")
    elif pf.recognised_by == "index-text":
        yield ctx.finding(W033, detail="recognised by its index text; no krm properties or names")
    elif pf.spec_version and not editions.known(pf.spec.id, pf.spec_version):  # a version no edition has
        yield ctx.finding(W033, detail=f"spec version {pf.spec_version}, current {editions.current(pf.spec.id).edition}")
    if pf.has_macros:
        yield ctx.finding(W030)
    lists = _lists_names()
    for name in pf.hidden_sheets:
        if name not in lists:
            yield ctx.finding(W032, value=name)
    yield from _formulas(ctx)
    if pf.number_row is None:
        ctx.columns_ok = False
        yield ctx.finding(E011, form=pf.spec.id)
        return
    if pf.layout:  # the annex layout's columns were checked as it was read (krm.rules.layout reports)
        ctx.columns_ok = pf.layout_columns_ok
    else:
        yield from _columns(ctx)
    if not ctx.columns_ok:
        return
    yield from relations.evaluate(ctx, relations.of_stage(ctx, "structure"))  # the fixed rows
    yield from _merged(ctx)
    yield from _hidden_rows(ctx)
    yield from _stray(ctx)


@lru_cache(maxsize=1)
def _lists_names() -> frozenset[str]:
    """krm's own hidden sheets (the dropdown lists, the grouped view), in every language: not a W032."""
    from krm.workbook.writer import UI

    return frozenset(UI[k](lang) for k in ("lists", "groups") for lang in ("kk", "ru", "en"))


def _formulas(ctx: Ctx) -> Iterator[Finding]:
    from krm.workbook.reader import parse_ref

    inv = {c: k for k, c in ctx.pf.colmap.items()}
    for ref in ctx.pf.formulas_without_value:
        pr = parse_ref(ref)
        if not pr:
            continue
        r, c = pr[1], pr[2]
        yield ctx.finding(E023, r=r, c=c, key=inv.get(c))


@lru_cache(maxsize=4096)
def same_number(found: str, name: str, number: str) -> bool:
    f = found.strip().rstrip(".").casefold()
    return f in (name.rstrip(".").casefold(), number.rstrip(".").casefold())


def _columns(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    cols = pf.columns
    names = _table_headers(cols)
    c0 = min(pf.colmap.values()) if pf.colmap else 0
    found = pf.found_numbers
    nr = pf.number_row
    for i, (col, name) in enumerate(zip(cols, names)):
        got = found[c0 + i] if c0 + i < len(found) else ""
        if not same_number(got, name, col.number):
            ctx.columns_ok = False
            yield ctx.finding(E012, r=nr, c=c0 + i, key=col.key, value=got, expected=col.number)
            return
        if col.type == ColType.JOBS and col.measure and not col.programme:  # KRM-1 / KRM-5 activity columns
            title = pf.cell(nr - 1, c0 + i)
            a = lookup.activity(title) if isinstance(title, str) else None
            if title is not None and (a is None or a.code != col.measure):
                ctx.columns_ok = False
                yield ctx.finding(E012, r=nr - 1, c=c0 + i, key=col.key, value=title,
                                  expected=f"{col.number} {col.title('kk')}")
                return
    extra = c0 + len(cols)
    if extra < len(found) and found[extra] != "":
        ctx.columns_ok = False
        yield ctx.finding(E012, r=nr, c=extra, value=found[extra], expected="—")


def _merged(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    first, last = pf.data_range
    if pf.total is not None:
        last = pf.total.row
    c0 = min(pf.colmap.values())
    c1 = max(pf.colmap.values())
    for r1, cc1, r2, cc2 in pf.merged:
        if r2 < first or r1 > last or cc2 < c0 or cc1 > c1:
            continue
        if pf.total is not None and r1 == r2 == pf.total.row and cc2 <= c0 + 1:
            continue  # a merged "Total" label
        if r1 == r2 and r1 in pf.layout_rows:
            continue  # an activity group's or a subtotal's label merged across the annex layout's columns
        yield ctx.finding(E016, r=r1, c=cc1, detail=f"{a1(r1, cc1)}:{a1(r2, cc2)}")


def _hidden_rows(ctx: Ctx) -> Iterator[Finding]:
    hidden = set(ctx.pf.hidden_rows)
    if not hidden:
        return
    c0 = min(ctx.pf.colmap.values())
    for row in ctx.pf.rows:
        if row.row in hidden:
            yield ctx.finding(W031, r=row.row, c=c0)


@lru_cache(maxsize=1)
def _allowed_texts() -> frozenset[str]:
    from krm import forms

    out = set()
    for s in forms.SIGNATURE:
        for t in (s.label, s.hint):
            if t is not None:
                out.update(_key(t(lang)) for lang in ("kk", "ru", "en"))
    out.update(_key(forms.SEAL(lang)) for lang in ("kk", "ru", "en"))
    for spec in forms.FORMS.values():
        if spec.total_label is not None:
            out.update(_key(spec.total_label(lang)) for lang in ("kk", "ru", "en"))
    out.update(_key(t) for t in annex_text.footnote_texts())  # "Ескертпе: …", and the bare text of older books
    return frozenset(out)


_HEADERS: dict[int, tuple] = {}  # id(columns) -> (columns, table_headers(columns)): columns are per form


def _table_headers(cols) -> list[str]:
    return per_columns(_HEADERS, cols, table_headers)


def _key(v) -> str:
    return _text_key(v) if type(v) is str else _key_of(v)


@lru_cache(maxsize=4096)  # the signature block's labels, the same in every workbook
def _text_key(v: str) -> str:
    return _key_of(v)


def _key_of(v) -> str:
    return re.sub(r"[\s:：*]+", " ", str(v)).strip().casefold()


def _stray(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    grid = pf.grid
    c_end = max(pf.colmap.values()) + 1
    first, last = pf.data_range
    if pf.total is not None:
        last = max(last, pf.total.row)
    # right of the table, on the table's rows
    for r in range(first, min(last, len(grid) - 1) + 1):
        row = grid[r]
        if len(row) <= c_end:
            continue
        tail = row[c_end:]
        if tail.count("") + tail.count(None) == len(tail):
            continue  # all empty: the common case, without a Python loop
        for c in range(c_end, len(row)):
            v = row[c]
            if v != "" and v is not None:
                yield _stray_finding(ctx, r, c, v)
    # above the table: in krm's own layout the header block holds text and the header input cells only,
    # so a number (or date) typed anywhere else there would be lost. Foreign layouts put numbers in
    # their header freely (a year typed as a number), so they are not judged here.
    if pf.recognised_by != "index-text" and pf.number_row is not None:
        head_cells = {(ref.row, ref.col) for ref in pf.header_cells.values()}
        for r in range(0, min(pf.number_row, len(grid))):
            for c, v in enumerate(grid[r]):
                if type(v) is str or (r, c) in head_cells or isinstance(v, bool):
                    continue  # text is never a stray number
                if isinstance(v, (int, float, dt.date, dt.datetime)):
                    yield _stray_finding(ctx, r, c, v)
    # below the table: only the signature block, the seal and footnotes belong there
    allowed = _allowed_texts()
    sig_cells = {(ref.row, ref.col) for ref in pf.signature_cells.values()}
    for r in range(last + 1, len(grid)):
        row = grid[r]
        if row.count("") + row.count(None) == len(row):
            continue
        for c, v in enumerate(row):
            if v == "" or v is None or (r, c) in sig_cells:
                continue
            if isinstance(v, str) and _key(v) in allowed:
                continue
            yield _stray_finding(ctx, r, c, v)


def _stray_finding(ctx: Ctx, r: int, c: int, v) -> Finding:
    from krm import values

    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return ctx.finding(E015, r=r, c=c, value=v)
    if isinstance(v, str):
        d, _ = values.parse_money(v)
        if d is not None:
            return ctx.finding(E015, r=r, c=c, value=v)
    return ctx.finding(W005, r=r, c=c, value=v)
