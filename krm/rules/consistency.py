"""Consistency: the relations between a form's columns that its spec declares
(:attr:`krm.spec.FormSpec.relations`, kinds in :mod:`krm.rules.relations`): KRM-1 "1." = sum of
1.1-1.9; KRM-5 column 3 = sum of 4-12; totals rows = sum of their rows; KRM-4 implemented <= planned;
disbursed <= allocated; fact > plan (warning); start <= end; duplicate projects (same BIN/IIN and
project name)."""

from __future__ import annotations

from typing import Iterator

from krm.findings import Finding
from krm.rules import relations
from krm.rules.context import Ctx


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok:
        return
    yield from relations.evaluate(ctx, relations.of_stage(ctx, "consistency"))
