"""Identifiers: BIN/IIN are 12 digits with a valid check digit and structure."""

from __future__ import annotations

from typing import Iterator

from krm import ids
from krm.findings import Finding
from krm.rules import Ctx, row_parsers
from krm.spec import ColType
from krm.codes import E040, E041, E042, E043, W011


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok:
        return
    cols = ctx.pf.columns
    keys = [c.key for c in cols if c.type == ColType.ID]
    if not keys:
        return
    today = ctx.today
    parsers = dict(row_parsers(cols))
    # ids.normalise of each cell, done once (krm.rules.type_rows)
    typed = [ctx.columns.get(key) if parsers.get(key) is ids.normalise else None for key in keys]
    for i, row in enumerate(ctx.pf.rows):
        for key, col in zip(keys, typed):
            num, note = col[i] if col is not None else ids.normalise(row.values.get(key))
            if num is None:
                continue  # blank: required-missing is the cells rule's
            if note == "invalid" or len(num) != 12:
                yield ctx.at(E040, row, key)
                continue
            if note == "as-number":
                yield ctx.at(W011, row, key, parsed=num)
            if ids.valid(num, today):
                continue
            r = ids.inspect(num, today)
            if r.problem == "checksum":
                yield ctx.at(E041, row, key, value=num, detail=r.detail)
            elif r.problem == "iin-structure":
                yield ctx.at(E042, row, key, value=num, detail=r.detail)
            elif r.problem == "bin-structure":
                yield ctx.at(E043, row, key, value=num, detail=r.detail)
