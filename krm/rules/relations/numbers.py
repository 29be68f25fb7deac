"""A figure is a number: jobs and counts whole, nothing negative, sums with at most 3 decimals, nothing
implausibly large (KRM-E020, E021, E022, E026; W001 stored as text, W002 decimals, W006 large)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Iterator

from krm import values
from krm.codes import E020, E021, E022, E026, W001, W002, W006
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import ColType, Column, Rows

MAX_JOBS = 10_000_000  # in one cell: more is not a real figure (E026)
MAX_MONEY = Decimal(100_000_000)  # million tenge = 100 trillion tenge
LARGE_JOBS = 50_000  # in one project row: unusual (W006)
LARGE_MONEY = Decimal(1_000_000)
_MILLI = Decimal("0.001")


@dataclass(frozen=True)
class Number(Relation):
    column: Column
    stage = "cells"
    on_total = True
    CODES = (E020, E021, E022, E026, W001, W002, W006)

    @property
    def money(self) -> bool:
        return self.column.type == ColType.MONEY

    @property
    def large(self):
        return LARGE_MONEY if self.money else LARGE_JOBS

    def quiet(self, v) -> bool:
        """A whole number in 0…LARGE_JOBS, or a sum in 0…LARGE_MONEY with <= 3 decimals: nothing to report."""
        return 0 <= v <= self.large and (type(v) is int or v == v.quantize(_MILLI))

    def row(self, ctx, row) -> Iterator[Finding]:
        key = self.column.key
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        v, note = typed.get(key) or ctx.typed(row, key)
        if note is None and (v is None or self.quiet(v)):
            return
        yield from _number(ctx, row, self.column, project_row=ctx.spec.rows == Rows.FREE and row is not ctx.pf.total)

    def candidates(self, ctx) -> list[int] | None:
        typed = ctx.columns.get(self.column.key)
        if typed is None:
            return None
        if list(map(itemgetter(1), typed)).count(None) == len(typed):  # all readable: the range at once
            vs = [v for v in map(itemgetter(0), typed) if v is not None]
            if not vs:
                return []
            if 0 <= min(vs) and max(vs) <= self.large and (
                    not self.money or (set(map(type, vs)) == {Decimal}
                                       and vs == list(map(Decimal.quantize, vs, repeat(_MILLI))))):
                return []
        return [i for i, (v, note) in enumerate(typed) if note is not None or (v is not None and not self.quiet(v))]


def _number(ctx, row, col, project_row: bool) -> Iterator[Finding]:
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
