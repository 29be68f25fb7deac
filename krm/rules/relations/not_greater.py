"""One figure is not greater than another in the same row: disbursed ≤ allocated (KRM-E034),
implemented projects ≤ planned (KRM-E033), jobs fact ≤ plan (a warning, KRM-W010)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from operator import gt
from typing import Iterator

from krm import values
from krm.findings import Check, Finding
from krm.rules.relations import Relation, blank_as_zero, fmt, values_of


@dataclass(frozen=True)
class NotGreater(Relation):
    key: str  # the figure reported when it is greater
    limit: str  # the figure it may not exceed
    code: Check
    label: str = ""  # how a reader names it ("disbursed ≤ allocated")
    limit_filled: bool = False  # only when the limit is filled (a blank plan is no plan to exceed)
    programmes: bool = False  # KRM-6/7: the pair in each programme's columns (<code>_fact ≤ <code>_plan)

    def describe(self) -> str:
        return f"{self.key} ≤ {self.limit}"

    def pairs(self, ctx) -> list[tuple[str, str]]:
        cols = ctx.colmap
        if not self.programmes:
            return [(self.key, self.limit)] if self.key in cols and self.limit in cols else []
        return [(f"{c.programme}_{self.key}", c.key) for c in ctx.pf.columns
                if c.programme and c.measure == self.limit and f"{c.programme}_{self.key}" in cols]

    def applies(self, ctx) -> bool:
        return bool(self.pairs(ctx))

    def row(self, ctx, row) -> Iterator[Finding]:
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        for key, limit in self.pairs(ctx):
            v = (typed.get(key) or ctx.typed(row, key))[0]
            w = (typed.get(limit) or ctx.typed(row, limit))[0]
            if not (0 if v is None else v) > (0 if w is None else w):  # a blank figure counts as 0
                continue
            if self.limit_filled and (ctx.num(row, limit) < 0 or values.is_blank(row.values.get(limit))):
                continue
            if ctx.known(row, key, limit):
                yield ctx.at(self.code, row, key, related=[ctx.cell(row, limit)], expected=fmt(ctx.num(row, limit)))

    def candidates(self, ctx) -> list[int] | None:
        hit: set[int] = set()
        for key, limit in self.pairs(ctx):
            if key not in ctx.columns or limit not in ctx.columns:
                return None
            a, b = blank_as_zero(values_of(ctx, key)), blank_as_zero(values_of(ctx, limit))
            hit.update(compress(range(len(a)), map(gt, a, b)))
        return sorted(hit)
