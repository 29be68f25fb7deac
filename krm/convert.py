"""A parsed workbook as the shared data model: :func:`to_submission` (``krm.model.Submission``).

Codes, not names: activity codes "1"…"9", KATO codes for regions (2 digits) and
districts (9 digits), programme codes.  Numbers follow the blank-vs-zero rule (a
blank or unreadable numeric cell counts as 0: its finding says so); money is an
exact Decimal, jobs are ints.  Rows are kept in sheet order and carry their cell,
so every figure can be traced back.
"""

from __future__ import annotations

from decimal import Decimal

from krm import ids, reference, values
from krm.rules import lookup
from krm.model import ProjectRow, RegionRow, Submission
from krm.spec import ColType, Rows
from krm.workbook.reader import DataRow, ParsedForm
from krm.workbook.writer import a1


def _int(v) -> int:
    n, _ = values.parse_int(v)
    return n if n is not None else 0


def _money(v) -> Decimal:
    d, _ = values.parse_money(v)
    return d if d is not None else Decimal(0)


def _text(v) -> str | None:
    if values.is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def to_submission(pf: ParsedForm) -> Submission:
    """The typed content of one workbook (validate it first: this never raises on bad cells)."""
    from krm.rules.header import basis

    spec = pf.spec
    period, _ = values.parse_period(pf.header.get("period"), spec.period_kind)
    on = reference.as_date(period) if period else None
    reg = lookup.region(pf.header.get("region"), on) if pf.header.get("region") is not None and on else None
    dist = None
    if pf.header.get("district") is not None and on:
        d = lookup.district(pf.header.get("district"), reg.kato if reg else None, on)
        dist = d.kato if d else None
    prog = lookup.programme(pf.header.get("programme"), on) if pf.header.get("programme") is not None else None
    sub = Submission(path=pf.path, form=spec.id, period=period or "", programme=prog.code if prog else None,
                     region=reg.kato if reg else None, district=dist,
                     basis=basis(pf.header.get("basis")) or "cumulative" if pf.header.get("basis") else "cumulative",
                     lang=pf.lang, modified=pf.modified, body=_text(pf.header.get("body")))
    if spec.rows == Rows.FREE:
        sub.projects = [_project(pf, r, reg, on) for r in pf.rows]
    elif spec.rows == Rows.REGIONS:
        sub.regions = [x for x in (_region_row(pf, r, on) for r in pf.rows) if x is not None]
    return sub


def _project(pf: ParsedForm, r: DataRow, reg, on) -> ProjectRow:
    v = r.values
    a = lookup.activity(v.get("activity")) if v.get("activity") is not None else None
    start, _ = values.parse_date(v.get("start"))
    end, _ = values.parse_date(v.get("end"))
    row = ProjectRow(activity=a.code if a else "", project=_text(v.get("project")) or "",
                     bin=ids.normalise(v.get("bin"))[0] if v.get("bin") is not None else None,
                     enterprise=_text(v.get("enterprise")), start=start, end=end,
                     plan=_int(v.get("plan")), fact=_int(v.get("fact")),
                     allocated=_money(v.get("allocated")), disbursed=_money(v.get("disbursed")),
                     cell=a1(r.row, min(r.cols.values())), sheet_row=r.row + 1)
    if "district" in r.values and v.get("district") is not None and on:
        d = lookup.district(v.get("district"), reg.kato if reg else None, on)
        row.district = d.kato if d else None
    if pf.spec.id == "KRM-1":
        by = {c.measure: _int(v.get(c.key)) for c in pf.columns if c.key.startswith("act") and c.measure}
        row.plan_by_activity = {k: n for k, n in by.items() if n}
        row.plan = _int(v.get("total"))
        row.allocated = _money(v.get("rb")) + _money(v.get("lb"))
        if row.plan_by_activity:  # the activity with most planned jobs (first in order on a tie)
            row.activity = max(sorted(row.plan_by_activity), key=lambda k: (row.plan_by_activity[k], -int(k)))
    return row


def _region_row(pf: ParsedForm, r: DataRow, on) -> RegionRow | None:
    v = r.values
    reg = lookup.region(v.get("region"), on) if on and v.get("region") is not None else None
    if reg is None:
        return None
    row = RegionRow(region=reg.kato, projects_planned=_int(v.get("projects_planned")),
                    projects_done=_int(v.get("projects_done")), allocated=_money(v.get("allocated")),
                    disbursed=_money(v.get("disbursed")), plan=_int(v.get("plan")), fact=_int(v.get("fact")))
    if pf.spec.id == "KRM-5":
        row.by_activity = {c.measure: _int(v.get(c.key)) for c in pf.columns
                           if c.key.startswith("act") and c.measure and _int(v.get(c.key))}
    if pf.spec.id == "KRM-6":  # plan/fact over all programmes
        row.plan = sum(_int(v.get(c.key)) for c in pf.columns if c.programme and c.measure == "plan")
        row.fact = sum(_int(v.get(c.key)) for c in pf.columns if c.programme and c.measure == "fact")
    return row


__all__ = ["to_submission", "ColType"]
