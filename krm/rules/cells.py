"""Cell values: jobs and counts whole numbers >= 0, sums numbers >= 0 (<= 3 decimals), dates real
dates, numbers/dates stored as text read with a warning, required cells filled, no garbled text.

Each check is a relation object (:mod:`krm.rules.relations`: numbers, dates, required, texts,
figures) that the columns' types imply; this rule group runs them, plus the header's garbled text.
Blank versus zero (the same everywhere, see krm/rules/context.py): a blank numeric cell is 0.
"""

from __future__ import annotations

from typing import Iterator

from krm.codes import W034
from krm.findings import Finding
from krm.rules import relations
from krm.rules.context import Ctx
from krm.rules.relations.texts import garbled


def check(ctx: Ctx) -> Iterator[Finding]:
    yield from _garbled_header(ctx)
    if not ctx.columns_ok:
        return
    yield from relations.evaluate(ctx, relations.of_stage(ctx, "cells"))


def _garbled_header(ctx: Ctx) -> Iterator[Finding]:
    for key, v in ctx.pf.header.items():
        if isinstance(v, str) and garbled(v):
            ref = ctx.pf.header_cells.get(key)
            yield ctx.finding(W034, r=ref.row if ref else None, c=ref.col if ref else None, value=v)
