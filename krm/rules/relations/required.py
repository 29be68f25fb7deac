"""A required cell of a project row is filled (KRM-E024): activity, project name, BIN/IIN, district …"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import is_
from typing import Iterator

from krm.codes import E024
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import Column, Rows


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")  # values.is_blank


@dataclass(frozen=True)
class Required(Relation):
    column: Column
    stage = "cells"
    CODES = (E024,)

    def applies(self, ctx) -> bool:
        return ctx.spec.rows == Rows.FREE

    def row(self, ctx, row) -> Iterator[Finding]:
        if row is not ctx.pf.total and _blank(row.values.get(self.column.key)):
            yield ctx.at(E024, row, self.column.key, value="", title=self.column.title)

    def candidates(self, ctx) -> list[int]:
        raw = ctx.raw(self.column.key)
        if not any(map(is_, raw, repeat(None))):
            strs = [v for v in raw if isinstance(v, str)]
            if not strs or all(map(str.strip, strs)):
                return []
        return [i for i, v in enumerate(raw) if _blank(v)]
