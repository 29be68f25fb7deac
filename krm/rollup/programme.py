"""KRM-3 -> KRM-4 / KRM-5 (programme, one row per region) and KRM-1 -> the annual plan summary (Rule 12.1)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from krm import forms, reference
from krm.model import ProjectRow, RegionRow, Submission
from krm.rollup.chain import (
    ACTIVITY_CODES,
    RollupError,
    ZERO,
    _basis,
    _need_rows,
    added_measures,
    is_implemented,
    project_id,
    region_of,
)


def _activity_rank(code: str | None) -> tuple[int, str]:
    c = str(code or "")
    return (ACTIVITY_CODES.index(c), c) if c in ACTIVITY_CODES else (len(ACTIVITY_CODES), c)


# ------------------------------------------------------------------ -> KRM-4 / KRM-5
def _region_row(region: str, items: list[tuple[Submission, ProjectRow]], period: str) -> RegionRow:
    ends: dict[tuple, list[dt.date | None]] = defaultdict(list)
    for s, r in items:
        ends[project_id(s, r)].append(r.end)
    by_activity = {c: 0 for c in ACTIVITY_CODES}
    plan_by_activity = {c: 0 for c in ACTIVITY_CODES}
    for _, r in items:
        by_activity[str(r.activity)] = by_activity.get(str(r.activity), 0) + r.fact
        plan_by_activity[str(r.activity)] = plan_by_activity.get(str(r.activity), 0) + r.plan
    return RegionRow(
        region=region,
        extra=_added(items),
        projects_planned=len(ends),
        projects_done=sum(1 for es in ends.values() if None not in es and is_implemented(max(es), period)),
        allocated=sum((r.allocated for _, r in items), ZERO),
        disbursed=sum((r.disbursed for _, r in items), ZERO),
        plan=sum(r.plan for _, r in items),
        fact=sum(r.fact for _, r in items),
        by_activity=by_activity,
        plan_by_activity=plan_by_activity,
    )


def _added(items) -> dict | None:
    """A region's sums of the figures newer editions added, by their KRM-4/5 keys (None: no such figure).
    A workbook of an edition without the column adds nothing, as its blank rows add nothing in KRM-3."""
    out: dict = {}
    keys: dict = {}
    for s, r in items:
        m = keys.get((s.form, s.edition))
        if m is None:
            m = keys[(s.form, s.edition)] = added_measures(s)
        for k, to in m.items():
            v = r.get(k)
            if v is not None:
                out[to] = out.get(to, 0) + v
    return out or None


def _region_order(period: str) -> dict[str, int]:
    return {r.kato: i for i, r in enumerate(reference.regions(period))}


def _programme_groups(subs: list[Submission]):
    """Group KRM-2/KRM-3 for :func:`programme_level`: yield (period, programme, basis, [(region, members)]).

    Regions come in the official order; every refusal of :func:`programme_level` is raised here.
    """
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for s in subs:
        if forms.kind(s.form) not in ("district", "region"):
            raise RollupError(f"{s.path}: programme_level takes KRM-2 or KRM-3 submissions, not {s.form}")
        groups[(s.period, s.programme or "")].append(s)
    for period, programme in sorted(groups):
        members = groups[(period, programme)]
        basis = _basis(members, f"KRM-4/5 {programme} {period}")
        by_region: dict[str, list[Submission]] = defaultdict(list)
        for s in members:
            by_region[region_of(s) or ""].append(s)
        order = _region_order(period)
        regions = []
        for region in sorted(by_region, key=lambda k: (order.get(k, len(order)), k)):
            rs = by_region[region]
            levels = {forms.level(s.form) for s in rs}
            if len(levels) > 1:
                raise RollupError(f"region {region}: both a KRM-3 and KRM-2 files for {programme} {period}")
            key = "region" if "region" in levels else "district"
            seen: dict = {}
            for s in rs:
                k = s.region if key == "region" else s.district
                if k in seen:
                    raise RollupError(f"{key} {k}: two {s.form} for {programme} {period} ({seen[k]} and {s.path})")
                seen[k] = s.path
            regions.append((region, rs))
        yield period, programme, basis, regions


def programme_level(subs: list[Submission]) -> list[Submission]:
    """KRM-4/KRM-5 figures: one Submission per (programme, period), with one RegionRow per region.

    Stable interface (the report engineer builds KRM-6/KRM-7 on it).

    * Input: KRM-2 submissions (districts) and/or KRM-3 submissions (regions), of any
      programmes and periods; they are grouped by (programme, period).
    * Output, ordered by (period, programme): ``Submission(form="KRM-4", period,
      programme, basis, regions=[RegionRow ...])``.  ``regions`` holds one row for each
      region that has inputs, in the official order of ``reference.regions(period)``
      (KATO order; regions unknown for the period come last, by code).  A region
      without inputs has no row (no data is not zero): the writer leaves its row blank.
    * Each RegionRow: ``projects_planned`` = distinct projects, ``projects_done`` =
      distinct implemented projects (see the module docstring), ``allocated``,
      ``disbursed`` (Decimal), ``plan``, ``fact`` (int) = sums of the project rows,
      ``by_activity`` = {activity code "1".."9": jobs created (fact)} — KRM-5's columns
      4-12, always all nine codes, summing to ``fact`` (rows with an unknown activity
      code appear under that code, so the sum still holds); ``plan_by_activity`` the same
      for the jobs plan (krm's supplementary KRM-5 columns к1-к9, which carry KRM-7's plan
      by activity up the chain), summing to ``plan``.
    * The figures are the same whether the regions come as KRM-3 or as their districts'
      KRM-2 (level by level = straight through).

    Raises :class:`RollupError` if one group mixes bases, if a region arrives both as a
    KRM-3 and as KRM-2 files, or if a district (KRM-2) or region (KRM-3) arrives twice.
    """
    _need_rows(subs, "programme_level")
    out = []
    for period, programme, basis, regions in _programme_groups(subs):
        rows = [_region_row(region, [(s, r) for s in rs for r in s.projects], period) for region, rs in regions]
        out.append(Submission(path=Path(f"KRM-4.{period}.{programme}"), form="KRM-4", period=period,
                              programme=programme or None, basis=basis, regions=rows))
    return out


# ------------------------------------------------------------------ KRM-1 -> annual plan
def _plan_groups(subs_krm1: list[Submission]):
    """Group KRM-1 for :func:`annual_plan`: yield (year, programme, [(region, members)]), refusing doubles."""
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for s in subs_krm1:
        if not forms.yearly(s.form):
            raise RollupError(f"{s.path}: annual_plan takes KRM-1 submissions, not {s.form}")
        groups[(s.period, s.programme or "")].append(s)
    for year, programme in sorted(groups):
        members = groups[(year, programme)]
        by_region: dict[str, list[Submission]] = defaultdict(list)
        for s in members:
            by_region[region_of(s) or ""].append(s)
        order = _region_order(f"{year}-01" if len(str(year)) == 4 else year)
        regions = []
        for region in sorted(by_region, key=lambda k: (order.get(k, len(order)), k)):
            seen: dict = {}
            for s in by_region[region]:
                if s.district in seen:
                    raise RollupError(f"district {s.district}: two KRM-1 for {programme} {year} "
                                      f"({seen[s.district]} and {s.path})")
                seen[s.district] = s.path
            regions.append((region, by_region[region]))
        yield year, programme, regions


def _plan_row(region: str, items: list[tuple[Submission, ProjectRow]]) -> RegionRow:
    by_activity = {c: 0 for c in ACTIVITY_CODES}
    for _, r in items:
        for code, n in (r.plan_by_activity or {}).items():
            by_activity[str(code)] = by_activity.get(str(code), 0) + int(n or 0)
    return RegionRow(region=region, projects_planned=len({project_id(s, r) for s, r in items}),
                     allocated=sum((r.allocated for _, r in items), ZERO),
                     plan=sum(r.plan for _, r in items), by_activity=by_activity)


def annual_plan(subs_krm1: list[Submission]) -> list[Submission]:
    """The annual plan summary of Rule 12.1: one Submission per (programme, year), by region and activity.

    Input: KRM-1 submissions (district plans; ``period`` is the year).  Output rows are
    RegionRows as in :func:`programme_level`, but with *plan* figures: ``plan`` = the
    planned jobs (KRM-1 row "1."), ``by_activity`` = planned jobs by activity group
    (rows 1.1-1.9, from ``ProjectRow.plan_by_activity``), ``projects_planned`` =
    distinct projects, ``allocated`` = the planned budget (republican + local, as the
    converter puts it in ``allocated``); ``fact``, ``projects_done`` and ``disbursed``
    stay 0.  The form is "KRM-1" (plan level) so no one mistakes it for facts.
    Raises :class:`RollupError` on a non-KRM-1 input or a district sent twice.
    """
    _need_rows(subs_krm1, "annual_plan")
    out = []
    for year, programme, regions in _plan_groups(subs_krm1):
        rows = [_plan_row(region, [(s, r) for s in rs for r in s.projects]) for region, rs in regions]
        out.append(Submission(path=Path(f"PLAN.{year}.{programme}"), form="KRM-1", period=str(year),
                              programme=programme or None, regions=rows))
    return out
