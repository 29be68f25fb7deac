"""BIN / IIN: 12 digits (KRM-E040) with a valid check digit (E041) and structure (E042 IIN, E043 BIN);
W011 when stored as a number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from krm import ids
from krm.codes import E040, E041, E042, E043, W011
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import Column


@dataclass(frozen=True)
class Identifier(Relation):
    column: Column
    stage = "identifiers"
    CODES = (E040, E041, E042, E043, W011)

    def row(self, ctx, row) -> Iterator[Finding]:
        key = self.column.key
        num, note = ctx.typed(row, key)  # ids.normalise of the cell, done once (krm.rules.context.type_rows)
        if num is None:
            return  # blank: required-missing is the cells rule's
        if note == "invalid" or len(num) != 12:
            yield ctx.at(E040, row, key)
            return
        if note == "as-number":
            yield ctx.at(W011, row, key, parsed=num)
        if ids.valid(num, ctx.today):
            return
        r = ids.inspect(num, ctx.today)
        if r.problem == "checksum":
            yield ctx.at(E041, row, key, value=num, detail=r.detail)
        elif r.problem == "iin-structure":
            yield ctx.at(E042, row, key, value=num, detail=r.detail)
        elif r.problem == "bin-structure":
            yield ctx.at(E043, row, key, value=num, detail=r.detail)

    def candidates(self, ctx) -> list[int] | None:
        typed = ctx.columns.get(self.column.key)
        if typed is None:
            return None
        today = ctx.today
        return [i for i, (num, note) in enumerate(typed)
                if num is not None and (note is not None or len(num) != 12 or not ids.valid(num, today))]
