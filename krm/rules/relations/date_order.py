"""A project starts on or before it ends (KRM-E035)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress, repeat
from operator import gt, is_
from typing import Iterator

from krm.findings import Check, Finding
from krm.rules.relations import Relation, values_of


@dataclass(frozen=True)
class DateOrder(Relation):
    first: str  # column key of the earlier date
    then: str  # column key of the later one
    code: Check
    label: str = ""

    def describe(self) -> str:
        return f"{self.first} ≤ {self.then}"

    def applies(self, ctx) -> bool:
        return self.first in ctx.colmap and self.then in ctx.colmap

    def row(self, ctx, row) -> Iterator[Finding]:
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        s = (typed.get(self.first) or ctx.typed(row, self.first))[0]
        e = (typed.get(self.then) or ctx.typed(row, self.then))[0]
        if s is not None and e is not None and s > e:
            yield ctx.at(self.code, row, self.first, value=s.isoformat(), related=[ctx.cell(row, self.then)],
                         expected=e.isoformat())

    def candidates(self, ctx) -> list[int] | None:
        if self.first not in ctx.columns or self.then not in ctx.columns:
            return None
        s, e = values_of(ctx, self.first), values_of(ctx, self.then)
        if any(map(is_, s, repeat(None))) or any(map(is_, e, repeat(None))):
            return [i for i, (x, y) in enumerate(zip(s, e)) if x is not None and y is not None and x > y]
        return list(compress(range(len(s)), map(gt, s, e)))
