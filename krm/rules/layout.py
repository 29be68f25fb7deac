"""Findings of a workbook read in the annex's printed layout (:mod:`krm.layouts.annex`): what the
layout reader noted (header lines not found or fitting two names, a column-number row or heading that
disagrees), implementation periods that cannot be read, and subtotals that disagree with their rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from krm.codes import E032, E063, E064
from krm import values
from krm.findings import Finding
from krm.rules.context import Ctx
from krm.rules import relations
from krm.rules.relations import fmt as _fmt
from krm.rules.relations.total_row import MONEY_TOLERANCE, TotalRow
from krm.spec import ColType


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    if not pf.layout:
        return
    for code, r, c, key, value, params in pf.layout_notes:
        yield ctx.finding(code, r=r, c=c, key=key if key in ctx.colmap else None, value=value, **params)
    if not pf.layout_columns_ok:
        return
    if "start" in pf.colmap:
        for row in pf.rows:
            v = row.values.get("period")
            if not values.is_blank(v) and row.values.get("start") is None:
                yield ctx.at(E063, row, "start", value=v)
    yield from _subtotals(ctx)
    if pf.total is not None and not any(isinstance(r, TotalRow) for r in ctx.spec.relations):
        # the annex prints a total row where krm's template has none (KRM-2, KRM-3): the same relation
        yield from relations.evaluate(ctx, [TotalRow(E032)])


def _subtotals(ctx: Ctx) -> Iterator[Finding]:
    from krm.layouts.annex import subtotal_checks

    for group, holder, key in subtotal_checks(ctx.pf):
        got, note = ctx.typed(holder, key)
        if got is None or note == values.INVALID:
            continue
        if not all(ctx.known(r, key) for r in group.members):
            continue
        want = sum((ctx.num(r, key) for r in group.members), Decimal(0))
        tol = MONEY_TOLERANCE if ctx.colmap[key].type == ColType.MONEY else Decimal(0)
        if abs(Decimal(got) - want) > tol:
            rng = [ctx.cell(group.members[0], key), ctx.cell(group.members[-1], key)] if group.members else []
            yield ctx.at(E064, holder, key, value=_fmt(Decimal(got)), related=rng, expected=_fmt(want),
                         group=group.activity.label(ctx.pf.lang if ctx.pf.lang in ("kk", "ru", "en") else "kk"))

