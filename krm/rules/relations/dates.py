"""A date cell holds a real date (KRM-E025), not text (KRM-W004: read as a date)."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Iterator

from krm import values
from krm.codes import E025, W004
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import Column


@dataclass(frozen=True)
class Date(Relation):
    column: Column
    stage = "cells"
    on_total = True
    CODES = (E025, W004)

    def row(self, ctx, row) -> Iterator[Finding]:
        key = self.column.key
        typed = row.typed if row.typed is not None else ctx.row_typed(row)
        v, note = typed.get(key) or ctx.typed(row, key)
        if note == values.INVALID:
            yield ctx.at(E025, row, key)
        elif note == values.TEXT:
            yield ctx.at(W004, row, key, parsed=v.isoformat())

    def candidates(self, ctx) -> list[int] | None:
        typed = ctx.columns.get(self.column.key)
        if typed is None:
            return None
        notes = list(map(itemgetter(1), typed))
        return [] if notes.count(None) == len(notes) else [i for i, n in enumerate(notes) if n is not None]
