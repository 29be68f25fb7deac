"""Header: required fields present; period a real month (year for KRM-1) and not in the future;
region, district and programme exist in the reference data valid for the period; basis known."""

from __future__ import annotations

import datetime as dt
from typing import Iterator

from krm import reference, values
from krm.rules import lookup
from krm.findings import Finding
from krm.rules.context import Ctx
from krm.codes import E013, E050, E051, E052, E053, E054, E055, E056, E057, E059, E060, E061, W035


def check(ctx: Ctx) -> Iterator[Finding]:
    pf, spec = ctx.pf, ctx.spec
    for h in spec.header:
        v = pf.header.get(h.key)
        ref = pf.header_cells.get(h.key)
        r, c = (ref.row, ref.col) if ref else (None, None)
        if values.is_blank(v):
            if pf.layout:  # the annex layout has lines of text, not krm's drop-downs
                if h.required and h.key not in pf.layout_reported:
                    yield ctx.finding(E061, r=r, c=c, field=h.label)
            elif h.required:
                yield ctx.finding(E013, r=r, c=c, field=h.label)
            continue
        if h.key == "period":
            yield from _period(ctx, v, r, c)
        elif h.key == "region" and ctx.on is not None:
            if lookup.region(v, ctx.on) is None:
                code = E053 if lookup.region_any(v) is not None else E052
                yield ctx.finding(code, r=r, c=c, value=v, period=ctx.period)
        elif h.key == "district" and ctx.on is not None:
            yield from district(ctx, v, r, c)
        elif h.key == "programme" and ctx.on is not None:
            if lookup.programme(v, ctx.on) is None:
                code = E057 if lookup.programme(v) is not None else E056
                yield ctx.finding(code, r=r, c=c, value=v, period=ctx.period)
            elif not reference.programmes_cover(ctx.on):
                yield ctx.finding(W035, r=r, c=c, value=v, period=ctx.period)
        elif h.key == "basis":
            if basis(v) is None:
                yield ctx.finding(E059, r=r, c=c, value=v)


def basis(v) -> str | None:
    """'cumulative' / 'month' from the display text the writer put (any language) or the key."""
    from krm.forms import BASIS_VALUES

    key = reference.norm(v)
    for k, t in BASIS_VALUES.items():
        if key in (k, reference.norm(t.kk), reference.norm(t.ru), reference.norm(t.en)):
            return k
    return None


def _period(ctx: Ctx, v, r, c) -> Iterator[Finding]:
    kind = ctx.spec.period_kind
    p = ctx.period  # values.parse_period(v, kind): v is the header's period
    if p is None:
        yield ctx.finding(E050, r=r, c=c, value=v)
        return
    today = ctx.today
    if kind == "year":
        future = int(p) > today.year + 1  # KRM-1 plans the coming year
    else:
        y, m = int(p[:4]), int(p[5:])
        nxt = dt.date(y + (m == 12), 1 if m == 12 else m + 1, 1)
        future = nxt > today  # the month has not ended
    if future:
        yield ctx.finding(E051, r=r, c=c, value=p)


def district(ctx: Ctx, v, r, c, key: str | None = None, row=None) -> Iterator[Finding]:
    """E054 unknown / E055 in another region / E060 not valid in the period (header or KRM-3 column)."""
    region = ctx.region
    rk = region.kato if region else None
    if lookup.district(v, rk, ctx.on) is not None:
        return
    if rk and lookup.district_any(v, rk) is not None:
        code, extra = E060, {}
    elif rk and (lookup.district(v, None, ctx.on) or lookup.district_any(v)) is not None:
        code, extra = E055, {"region": region.name(ctx.pf.lang or "kk")}
    elif not rk and lookup.district_any(v) is not None:
        code, extra = E060, {}
    else:
        code, extra = E054, {}
    if row is not None:
        yield ctx.at(code, row, key, period=ctx.period, **extra)
    else:
        yield ctx.finding(code, r=r, c=c, value=v, period=ctx.period, **extra)
