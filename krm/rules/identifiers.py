"""Identifiers: BIN/IIN are 12 digits with a valid check digit and structure
(:mod:`krm.rules.relations.identifiers`, one per BIN/IIN column)."""

from __future__ import annotations

from typing import Iterator

from krm.findings import Finding
from krm.rules import relations
from krm.rules.context import Ctx


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok:
        return
    yield from relations.evaluate(ctx, relations.of_stage(ctx, "identifiers"))
