"""Identifiers: BIN/IIN are 12 digits with a valid check digit and structure."""

from __future__ import annotations

from typing import Iterator

from krm import ids
from krm.findings import Finding
from krm.rules import Ctx
from krm.spec import ColType


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok:
        return
    keys = [c.key for c in ctx.pf.columns if c.type == ColType.ID]
    for row in ctx.pf.rows:
        for key in keys:
            v = row.values.get(key)
            num, note = ids.normalise(v)
            if num is None:
                continue  # blank: required-missing is the cells rule's
            if note == "invalid" or len(num) != 12:
                yield ctx.at("KRM-E040", row, key)
                continue
            if note == "as-number":
                yield ctx.at("KRM-W011", row, key, parsed=num)
            r = ids.inspect(num, ctx.today)
            if r.problem == "checksum":
                yield ctx.at("KRM-E041", row, key, value=num, detail=r.detail)
            elif r.problem == "iin-structure":
                yield ctx.at("KRM-E042", row, key, value=num, detail=r.detail)
            elif r.problem == "bin-structure":
                yield ctx.at("KRM-E043", row, key, value=num, detail=r.detail)
