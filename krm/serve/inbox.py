"""The month as each level sees it, from the register: a district's submissions, an oblast's inbox per
programme (who sent, who is late, who is missing), the status across regions.

Completeness is :mod:`krm.intake.completeness` — the one definition ``krm status``, ``aggregate`` and the
note use: a submission *counts* when its current version is accepted or confirmed
(:data:`krm.register.COUNTED`); expected districts follow the KRM-1 plans of the year.  A version is
*late* when the register received it after the last working day of its deadline (the calendar's rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from krm.register import COUNTED
from krm.register import schema as S


def month_of(portal, request) -> str:
    """The month a page shows: ``?month=YYYY-MM``, else the portal's default, else the month before today."""
    from krm.values import month_arg

    q = request.query_params.get("month")
    if q:
        try:
            return month_arg(q)
        except ValueError:
            pass
    if portal.config.extra.get("month"):
        return portal.config.extra["month"]
    first = portal.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def period_deadlines(month: str, forms: tuple[str, ...] | None = None) -> list:
    from krm.deadlines import deadlines_for_period

    return [d for d in deadlines_for_period(month) if forms is None or d.form in forms]


def due_of(form: str, period: str) -> dt.date | None:
    from krm.deadlines import deadlines_for_period

    for d in deadlines_for_period(period):
        if d.key == form and d.step == "submit":
            return d.last_working_day
    return None


def checks_of(reg, reading_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(errors, warnings) of the latest check of each reading."""
    C = S.check
    out: dict[int, tuple[int, int]] = {}
    with reg.reader() as c, c.begin():
        for i in range(0, len(reading_ids), 500):
            for r in c.execute(select(C.c.reading_id, C.c.errors, C.c.warnings)
                               .where(C.c.reading_id.in_(reading_ids[i:i + 500])).order_by(C.c.as_of)):
                out[r.reading_id] = (r.errors, r.warnings)
    return out


@dataclass
class Row:
    version: object
    name: str
    late: bool
    errors: int
    warnings: int


@dataclass
class Inbox:
    region: str
    month: str
    due: dt.date | None
    programmes: dict = field(default_factory=dict)  # programme code -> [Row]
    rate: object | None = None  # krm.intake.completeness.Rate of the region's districts (KRM-2)


def _sent(versions) -> list:
    from krm.intake.completeness import Sent

    return [Sent(v.form, v.period, v.region, v.district, v.programme, v.state in COUNTED) for v in versions]


def _district_name(kato: str, lang: str, on: str) -> str:
    from krm import reference

    d = next((d for d in reference.districts(None, on) if d.kato == kato), None) or reference.district_any(kato)
    return d.name(lang) if d is not None else kato


def oblast_inbox(portal, region: str, month: str, lang: str) -> Inbox:
    from krm import reference
    from krm.intake.completeness import Rate, district_rates

    reg = portal.reg
    month_v = reg.versions(region=region, period=month, form="KRM-2", current=True)
    plans = reg.versions(region=region, period=month[:4], form="KRM-1", current=True)
    due = due_of("KRM-2", month)
    checks = checks_of(reg, [v.reading_id for v in month_v])
    box = Inbox(region, month, due)
    for v in month_v:
        e, w = checks.get(v.reading_id, (0, 0))
        late = due is not None and v.received_at.date() > due
        box.programmes.setdefault(v.programme, []).append(Row(v, _district_name(v.district, lang, month), late, e, w))
    rates = [r for r in district_rates(_sent(month_v + plans), forms=("KRM-1", "KRM-2"))
             if r.form == "KRM-2" and r.region == region]
    if rates:
        box.rate = rates[0]
    else:  # nothing sent yet: every district of the reference list is missing
        ds = list(reference.districts(region, f"{month}-01"))
        box.rate = Rate("KRM-2", month, "", region, ds, [], list(ds), [])
    return box


def district_month(portal, district: str, month: str) -> list:
    """The current version of each of the district's submissions of ``month`` (and of its year's plans)."""
    reg = portal.reg
    return (reg.versions(district=district, period=month, current=True)
            + reg.versions(district=district, period=month[:4], current=True))


def regions_status(portal, month: str) -> list:
    """(region, district-level Rate of KRM-2 or None) for every region of the month."""
    from krm import reference
    from krm.intake.completeness import district_rates

    reg = portal.reg
    vs = reg.versions(period=month, form="KRM-2", current=True) + reg.versions(period=month[:4], form="KRM-1",
                                                                               current=True)
    rates = {r.region: r for r in district_rates(_sent(vs), forms=("KRM-1", "KRM-2")) if r.form == "KRM-2"}
    return [(r, rates.get(r.kato)) for r in reference.regions(month)]
