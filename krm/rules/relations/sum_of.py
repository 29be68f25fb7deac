"""A whole equals the sum of its parts in each row: KRM-1 "1." = rows 1.1-1.9 (KRM-E030), KRM-5 column 3
= columns 4-12 (KRM-E031)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from krm.findings import Check, Finding
from krm.rules.relations import Relation, fmt

#: ``parts`` naming the activity columns (KRM-1 1.1-1.9, KRM-5 4-12), added to the spec from the reference list
ACTIVITIES = "activities"


@dataclass(frozen=True)
class SumOf(Relation):
    total: str  # column key of the whole
    parts: tuple[str, ...] | str  # column keys, or ACTIVITIES
    code: Check
    label: str = ""  # how a reader names it ("jobs = sum of the activities")

    def describe(self) -> str:
        return f"{self.total} = sum of {self.parts}"

    def keys(self, ctx) -> list[str]:
        if self.parts == ACTIVITIES:
            return [c.key for c in ctx.pf.columns if c.key.startswith("act") and c.measure]
        return [k for k in self.parts if k in ctx.colmap]

    def applies(self, ctx) -> bool:
        return self.total in ctx.colmap

    def row(self, ctx, row) -> Iterator[Finding]:
        parts = self.keys(ctx)
        if not ctx.known(row, self.total, *parts):
            return
        whole = ctx.num(row, self.total)
        total = sum((ctx.num(row, k) for k in parts), Decimal(0))
        if whole != total:
            yield ctx.at(self.code, row, self.total, value=fmt(whole), related=[ctx.cell(row, k) for k in parts],
                         expected=fmt(total))

    def candidates(self, ctx) -> list[int] | None:
        cols = [ctx.columns.get(k) for k in (self.total, *self.keys(ctx))]
        if any(c is None for c in cols):
            return None
        out = []
        for i, cells in enumerate(zip(*cols)):
            if any(n is not None for _, n in cells):
                out.append(i)  # unreadable: the row path decides
                continue
            vs = [0 if v is None else v for v, _ in cells]
            if vs[0] != sum(vs[1:]):
                out.append(i)
        return out
