"""A project row that has no figure at all (every numeric cell blank, read as 0): KRM-W003."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import is_, itemgetter
from typing import Iterator

from krm.codes import W003
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import Column, Rows


@dataclass(frozen=True)
class Figures(Relation):
    columns: tuple[Column, ...]  # the numeric columns, the first one is where the finding points
    stage = "cells"
    CODES = (W003,)

    def applies(self, ctx) -> bool:
        return ctx.spec.rows == Rows.FREE and bool(self.columns)

    def row(self, ctx, row) -> Iterator[Finding]:
        if row is ctx.pf.total:
            return
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        for c in self.columns:
            v, note = typed.get(c.key) or ctx.typed(row, c.key)
            if v is not None or note is not None:
                return
        c0 = self.columns[0]
        yield ctx.finding(W003, r=row.row, c=row.cols[c0.key], key=c0.key,
                          related=[ctx.cell(row, c.key) for c in self.columns[1:]])

    def candidates(self, ctx) -> list[int] | None:
        cols = [ctx.columns.get(c.key) for c in self.columns]
        if any(col is None for col in cols):
            return None
        if not any(map(is_, map(itemgetter(0), cols[0]), repeat(None))):
            return []  # the first figure is in every row
        idx = range(len(cols[0]))
        for col in cols:
            idx = [i for i in idx if col[i][0] is None and col[i][1] is None]
            if not idx:
                break
        return idx
