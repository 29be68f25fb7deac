"""The total row of a form holds the sum of its rows, column by column (KRM-E032)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from krm.findings import Check, Finding
from krm.rules.relations import Relation, fmt
from krm.spec import ColType

MONEY_TOLERANCE = Decimal("0.0005")  # half of the 3rd decimal: float sums of 3-decimal sums


@dataclass(frozen=True)
class TotalRow(Relation):
    code: Check
    label: str = "total row = sum of the rows"

    def applies(self, ctx) -> bool:
        return ctx.pf.total is not None

    def whole(self, ctx) -> Iterator[Finding]:
        rows, total = list(ctx.pf.rows), ctx.pf.total
        for c in ctx.pf.columns:
            if not c.type.numeric:
                continue
            want = sum((ctx.num(r, c.key) for r in rows), Decimal(0))
            if not ctx.known(total, c.key) or not all(ctx.known(r, c.key) for r in rows):
                continue  # a value is unknown: its own finding says so
            got = ctx.num(total, c.key)
            tol = MONEY_TOLERANCE if c.type == ColType.MONEY else Decimal(0)
            if abs(got - want) > tol:
                rng = [ctx.cell(rows[0], c.key), ctx.cell(rows[-1], c.key)] if rows else []
                yield ctx.at(self.code, total, c.key, value=fmt(got), related=rng, expected=fmt(want))
