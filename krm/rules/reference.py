"""Reference data in the data rows: activity one of the nine groups (KRM-2/3); KRM-3 district in
the header's region and valid for the period.  (Header fields: header.py; fixed rows: structure.py.)"""

from __future__ import annotations

from typing import Iterator

from krm import values
from krm.rules import lookup
from krm.findings import Finding
from krm.rules.context import Ctx
from krm.rules.header import district
from krm.spec import ColType, Rows
from krm.codes import E058


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok or ctx.spec.rows != Rows.FREE:
        return
    cols = ctx.colmap
    act = "activity" if "activity" in cols and cols["activity"].type == ColType.ACTIVITY else None
    dist = "district" if "district" in cols else None
    for row in ctx.pf.rows:
        if act:
            v = row.values.get(act)
            if not values.is_blank(v) and lookup.activity(v) is None:
                yield ctx.at(E058, row, act)
        if dist and ctx.on is not None:
            v = row.values.get(dist)
            if not values.is_blank(v):
                yield from district(ctx, v, None, None, key=dist, row=row)
