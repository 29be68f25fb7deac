"""Consistency: KRM-1 "1." = sum of 1.1-1.9; KRM-5 column 3 = sum of 4-12; totals rows = sum of
their rows; KRM-4 implemented <= planned; disbursed <= allocated; fact > plan (warning);
start <= end; duplicate projects (same BIN/IIN and project name)."""

from __future__ import annotations

from decimal import Decimal
from itertools import compress, repeat
from operator import gt, is_, itemgetter
from typing import Iterator

from krm import ids, values
from krm.findings import Finding
from krm.model import project_key
from krm.rules import Ctx
from krm.spec import ColType, Rows
from krm.codes import E030, E031, E032, E033, E034, E035, E036, W010

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
    done = "projects_done" in cols
    money = "disbursed" in cols and "allocated" in cols
    pairs = _plan_fact_pairs(pf.columns)
    dates = "start" in cols and "end" in cols
    sums = (spec.id == "KRM-1" and "total" in cols) or spec.id == "KRM-5"
    if not sums and not done:  # the rows the checks below may report on, found a column at a time
        with_total = _candidates(ctx, rows, money, pairs, dates)
    for row in with_total:
        t = row.typed if row.typed is not None else ctx.row_typed(row)
        if spec.id == "KRM-1" and "total" in cols:
            yield from _sum_check(ctx, row, "total", acts, E030)
        if spec.id == "KRM-5":
            yield from _sum_check(ctx, row, "fact", acts, E031)
        if done and ctx.known(row, "projects_done", "projects_planned") and ctx.num(row, "projects_done") > ctx.num(row, "projects_planned"):
            yield ctx.at(E033, row, "projects_done", related=[ctx.cell(row, "projects_planned")],
                         expected=_fmt(ctx.num(row, "projects_planned")))
        if money and _above(ctx, t, row, "disbursed", "allocated") and ctx.known(row, "disbursed", "allocated"):
            yield ctx.at(E034, row, "disbursed", related=[ctx.cell(row, "allocated")],
                         expected=_fmt(ctx.num(row, "allocated")))
        for plan, fact in pairs:
            if _above(ctx, t, row, fact, plan) and ctx.num(row, plan) >= 0 and not values.is_blank(row.values.get(plan)) \
                    and ctx.known(row, plan, fact):
                yield ctx.at(W010, row, fact, related=[ctx.cell(row, plan)], expected=_fmt(ctx.num(row, plan)))
        if dates:
            s = (t.get("start") or ctx.typed(row, "start"))[0]
            e = (t.get("end") or ctx.typed(row, "end"))[0]
            if s is not None and e is not None and s > e:
                yield ctx.at(E035, row, "start", value=s.isoformat(), related=[ctx.cell(row, "end")],
                             expected=e.isoformat())
    if pf.total is not None:
        yield from _totals(ctx, rows, pf.total)
    if spec.rows == Rows.FREE and "project" in cols:
        yield from _duplicates(ctx, pf.rows)


def _candidates(ctx: Ctx, rows: list, money: bool, pairs: list, dates: bool) -> list:
    """The rows (in order) where disbursed > allocated, fact > plan or start > end: the first condition of
    each row check, so no other row can be reported.  All rows when a column is not typed."""
    cols = ctx.columns
    hit: set[int] = set()
    checks = ([("disbursed", "allocated")] if money else []) + [(fact, plan) for plan, fact in pairs]
    for key, other in checks:  # as _above: a blank number counts as 0
        if key not in cols or other not in cols:
            return rows
        a = list(map(itemgetter(0), cols[key]))
        b = list(map(itemgetter(0), cols[other]))
        if any(map(is_, a, repeat(None))):  # not `None in`: Decimal == None is slow
            a = [0 if v is None else v for v in a]
        if any(map(is_, b, repeat(None))):
            b = [0 if v is None else v for v in b]
        hit.update(compress(range(len(a)), map(gt, a, b)))
    if dates:
        if "start" not in cols or "end" not in cols:
            return rows
        s = list(map(itemgetter(0), cols["start"]))
        e = list(map(itemgetter(0), cols["end"]))
        if any(map(is_, s, repeat(None))) or any(map(is_, e, repeat(None))):
            hit.update(i for i, (x, y) in enumerate(zip(s, e)) if x is not None and y is not None and x > y)
        else:
            hit.update(compress(range(len(s)), map(gt, s, e)))
    return [rows[i] for i in sorted(hit)]


def _above(ctx: Ctx, typed: dict, row, key: str, other: str) -> bool:
    """``ctx.num(row, key) > ctx.num(row, other)``, without making Decimals of whole numbers."""
    v = (typed.get(key) or ctx.typed(row, key))[0]
    w = (typed.get(other) or ctx.typed(row, other))[0]
    return (0 if v is None else v) > (0 if w is None else w)


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
            yield ctx.at(E032, total, c.key, value=_fmt(got), related=rng, expected=_fmt(want))


def _duplicates(ctx: Ctx, rows) -> Iterator[Finding]:
    seen: dict[tuple, object] = {}
    has_bin = "bin" in ctx.colmap
    has_district = "district" in ctx.colmap
    if not has_bin:
        bins = [None] * len(rows)
    elif ctx.colmap["bin"].type == ColType.ID and rows is ctx.pf.rows and "bin" in ctx.columns:
        bins = list(map(itemgetter(0), ctx.columns["bin"]))  # ids.normalise of each, done once (type_rows)
    else:
        bins = [ids.normalise(r.values.get("bin"))[0] for r in rows]
    for row, b in zip(rows, bins):
        name = row.values.get("project")
        if name is None or (isinstance(name, str) and name.strip() == ""):  # values.is_blank
            continue
        key = project_key(b, name)
        if has_district:
            key = key + (str(row.values.get("district") or "").strip().casefold(),)
        if key in seen:
            first = seen[key]
            yield ctx.at(E036, row, "project", related=[ctx.cell(first, "project")], first=first.row + 1)
        else:
            seen[key] = row
