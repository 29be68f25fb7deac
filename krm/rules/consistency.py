"""Consistency: KRM-1 "1." = sum of 1.1-1.9; KRM-5 column 3 = sum of 4-12; totals rows = sum of
their rows; KRM-4 implemented <= planned; disbursed <= allocated; fact > plan (warning);
start <= end; duplicate projects (same BIN/IIN and project name)."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from krm import values
from krm.findings import Finding
from krm.model import project_key
from krm.rules import Ctx
from krm.spec import ColType, Rows

MONEY_TOLERANCE = Decimal("0.0005")  # half of the 3rd decimal: float sums of 3-decimal sums


def _fmt(d: Decimal) -> str:
    d = d.normalize()
    return format(d, "f") if d == d.to_integral_value() or d.as_tuple().exponent < 0 else format(d, "f")


def check(ctx: Ctx) -> Iterator[Finding]:
    if not ctx.columns_ok:
        return
    spec, pf = ctx.spec, ctx.pf
    cols = ctx.colmap
    rows = list(pf.rows)
    # row rules over the rows only: a total row that differs from its rows is KRM-E032's
    with_total = rows
    acts = [c.key for c in pf.columns if c.key.startswith("act") and c.measure]
    for row in with_total:
        if spec.id == "KRM-1" and "total" in cols:
            yield from _sum_check(ctx, row, "total", acts, "KRM-E030")
        if spec.id == "KRM-5":
            yield from _sum_check(ctx, row, "fact", acts, "KRM-E031")
        if "projects_done" in cols and ctx.known(row, "projects_done", "projects_planned") and ctx.num(row, "projects_done") > ctx.num(row, "projects_planned"):
            yield ctx.at("KRM-E033", row, "projects_done", related=[ctx.cell(row, "projects_planned")],
                         expected=_fmt(ctx.num(row, "projects_planned")))
        if "disbursed" in cols and "allocated" in cols:
            if ctx.known(row, "disbursed", "allocated") and ctx.num(row, "disbursed") > ctx.num(row, "allocated"):
                yield ctx.at("KRM-E034", row, "disbursed", related=[ctx.cell(row, "allocated")],
                             expected=_fmt(ctx.num(row, "allocated")))
        for plan, fact in _plan_fact_pairs(pf.columns):
            p, f = ctx.num(row, plan), ctx.num(row, fact)
            if f > p >= 0 and not values.is_blank(row.values.get(plan)) and ctx.known(row, plan, fact):
                yield ctx.at("KRM-W010", row, fact, related=[ctx.cell(row, plan)], expected=_fmt(p))
        if "start" in cols and "end" in cols:
            s, _ = ctx.typed(row, "start")
            e, _ = ctx.typed(row, "end")
            if s is not None and e is not None and s > e:
                yield ctx.at("KRM-E035", row, "start", value=s.isoformat(), related=[ctx.cell(row, "end")],
                             expected=e.isoformat())
    if pf.total is not None:
        yield from _totals(ctx, rows, pf.total)
    if spec.rows == Rows.FREE and "project" in cols:
        yield from _duplicates(ctx, rows)


def _plan_fact_pairs(columns) -> list[tuple[str, str]]:
    keys = {c.key for c in columns}
    out = []
    if "plan" in keys and "fact" in keys:
        out.append(("plan", "fact"))
    for c in columns:
        if c.programme and c.measure == "plan" and f"{c.programme}_fact" in keys:
            out.append((c.key, f"{c.programme}_fact"))
    return out


def _sum_check(ctx: Ctx, row, key: str, parts: list[str], code: str) -> Iterator[Finding]:
    if not ctx.known(row, key, *parts):
        return
    whole = ctx.num(row, key)
    total = sum((ctx.num(row, k) for k in parts), Decimal(0))
    if whole != total:
        yield ctx.at(code, row, key, value=_fmt(whole), related=[ctx.cell(row, k) for k in parts],
                     expected=_fmt(total))


def _totals(ctx: Ctx, rows, total) -> Iterator[Finding]:
    for c in ctx.pf.columns:
        if not c.type.numeric:
            continue
        want = sum((ctx.num(r, c.key) for r in rows), Decimal(0))
        if not ctx.known(total, c.key) or not all(ctx.known(r, c.key) for r in rows):
            continue  # a value is unknown: its own finding says so
        got = ctx.num(total, c.key)
        tol = MONEY_TOLERANCE if c.type == ColType.MONEY else Decimal(0)
        if abs(got - want) > tol:
            rng = [ctx.cell(rows[0], c.key), ctx.cell(rows[-1], c.key)] if rows else []
            yield ctx.at("KRM-E032", total, c.key, value=_fmt(got), related=rng, expected=_fmt(want))


def _duplicates(ctx: Ctx, rows) -> Iterator[Finding]:
    seen: dict[tuple, object] = {}
    has_bin = "bin" in ctx.colmap
    for row in rows:
        name = row.values.get("project")
        if values.is_blank(name):
            continue
        from krm import ids

        b = ids.normalise(row.values.get("bin"))[0] if has_bin else None
        key = project_key(b, name)
        if "district" in ctx.colmap:
            key = key + (str(row.values.get("district") or "").strip().casefold(),)
        if key in seen:
            first = seen[key]
            yield ctx.at("KRM-E036", row, "project", related=[ctx.cell(first, "project")], first=first.row + 1)
        else:
            seen[key] = row
