"""Digests: a submission reduced to what the programme level needs, so that a roll-up over many files keeps
only their sums and project keys in memory."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from krm import forms
from krm.model import ProjectRow, RegionRow, Submission
from krm.rollup.chain import ACTIVITY_CODES, ZERO, added_measures, is_implemented, project_id
from krm.rollup.programme import _plan_groups, _plan_row, _programme_groups, _region_row


# ------------------------------------------------------------------ the same from digests (streaming)
@dataclass(slots=True)
class Digest:
    """One input's header and what the roll-ups need of its rows, without the rows (:func:`digest`).

    ``krm aggregate`` digests each file in the worker that read it, so the main process holds
    a few hundred bytes per file instead of every project row.  The header fields are those of
    :class:`~krm.model.Submission`; ``totals()`` and ``nrows`` are the file's control totals and
    row count; ``by_activity`` its jobs by activity code as (code, jobs) pairs in order of first
    appearance (KRM-2/3: fact, KRM-1: plan); ``projects_planned`` / ``projects_done`` its
    distinct (implemented) projects (:func:`project_id`; implemented as of the file's own
    period); ``districts`` the districts its project ids use.  It has no rows: the row-level
    functions (:func:`krm3_from_krm2`, :func:`programme_level`, :func:`annual_plan`) refuse it.
    """

    path: Path
    form: str
    period: str
    programme: str | None
    region: str | None = None
    district: str | None = None
    basis: str = "cumulative"
    lang: str | None = None
    modified: dt.datetime | None = None
    body: str | None = None
    edition: str | None = None
    nrows: int = 0
    plan: int = 0
    fact: int = 0
    allocated: Decimal = ZERO
    disbursed: Decimal = ZERO
    by_activity: tuple = ()
    plan_by_activity: tuple = ()  # KRM-2/3: (activity code, planned jobs) pairs, as by_activity
    projects_planned: int = 0
    projects_done: int = 0
    districts: tuple = ()
    extra: tuple = ()  # (column key, sum) of the figures its rows carry in ProjectRow.extra (extra_totals)

    @property
    def projects(self) -> tuple:
        return ()

    def totals(self) -> dict[str, Decimal | int]:
        return {"plan": self.plan, "fact": self.fact, "allocated": self.allocated, "disbursed": self.disbursed}


_HEADER_FIELDS = ("path", "form", "period", "programme", "region", "district", "basis", "lang", "modified", "body",
                  "edition")


def digest(sub: Submission) -> Digest:
    """The :class:`Digest` of a Submission (header, totals, per-file project counts and activity sums)."""
    d = Digest(**{k: getattr(sub, k) for k in _HEADER_FIELDS},
               nrows=len(sub.projects) if sub.projects else len(sub.regions), **sub.totals())
    ids: dict[tuple, list[dt.date | None]] = defaultdict(list)
    by: dict[str, int] = {}
    if forms.kind(sub.form) in ("district", "region"):
        plan_by: dict[str, int] = {}
        for r in sub.projects:
            ids[project_id(sub, r)].append(r.end)
            by[str(r.activity)] = by.get(str(r.activity), 0) + r.fact
            plan_by[str(r.activity)] = plan_by.get(str(r.activity), 0) + r.plan
        d.plan_by_activity = tuple(plan_by.items())
        d.projects_done = sum(1 for es in ids.values() if None not in es and is_implemented(max(es), sub.period))
    elif forms.yearly(sub.form):
        for r in sub.projects:
            ids[project_id(sub, r)].append(r.end)
            for code, n in (r.plan_by_activity or {}).items():
                by[str(code)] = by.get(str(code), 0) + int(n or 0)
    d.by_activity = tuple(by.items())
    d.extra = tuple(extra_totals(sub).items())
    d.projects_planned = len(ids)
    d.districts = tuple(sorted({k[0] for k in ids}))
    return d


def extra_totals(sub) -> dict:
    """The sums of the figures a submission's rows carry beyond the four control measures (the columns an
    edition added, :attr:`krm.model.ProjectRow.extra`), by column key; a Digest's as it recorded them."""
    if isinstance(sub, Digest):
        return dict(sub.extra)
    out: dict = {}
    for r in sub.projects:
        for k, v in (r.extra or {}).items():
            if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                out[k] = out.get(k, 0) + v
    return out


def header_of(sub, projects: list[ProjectRow] | None = None) -> Submission:
    """A plain Submission with ``sub``'s header (a Digest's, say) and the given rows."""
    return Submission(**{k: getattr(sub, k) for k in _HEADER_FIELDS}, projects=list(projects or []))


def _disjoint(ds: list[Digest]) -> bool:
    """No project id can be shared between these files: their districts do not overlap."""
    return sum(len(d.districts) for d in ds) == len(set().union(*(d.districts for d in ds)))


def _merged(region: str, ds: list[Digest], *, plan: bool = False) -> RegionRow:
    """A region's row from its files' digests (their projects are disjoint, so counts add up)."""
    by_activity = {c: 0 for c in ACTIVITY_CODES}
    for d in ds:
        for code, n in d.by_activity:
            by_activity[code] = by_activity.get(code, 0) + n
    extra: dict = {}
    for d in ds if not plan else ():  # the plan summary has the plan's figures only
        if not d.extra:
            continue  # (nothing to carry: its edition's measures are not looked up)
        sums = dict(d.extra)
        for k, to in added_measures(d).items():
            if k in sums:
                extra[to] = extra.get(to, 0) + sums[k]
    row = RegionRow(region=region, extra=extra or None, projects_planned=sum(d.projects_planned for d in ds),
                    allocated=sum((d.allocated for d in ds), ZERO), plan=sum(d.plan for d in ds),
                    by_activity=by_activity)
    if not plan:
        plan_by = {c: 0 for c in ACTIVITY_CODES}
        for d in ds:
            for code, n in d.plan_by_activity:
                plan_by[code] = plan_by.get(code, 0) + n
        row.plan_by_activity = plan_by
        row.projects_done = sum(d.projects_done for d in ds)
        row.disbursed = sum((d.disbursed for d in ds), ZERO)
        row.fact = sum(d.fact for d in ds)
    return row


def programme_level_digests(digests: list[Digest], rows=None) -> list[Submission]:
    """:func:`programme_level` from :class:`Digest` objects: the same Submissions, the same refusals.

    A region's figures are the sums of its files' digests when no two of its files share a
    district (each district sends one file, so no project can be in two files): that is
    always so after :mod:`krm.aggregate` resolved conflicts.  Otherwise ``rows(digest)``
    must give the file's project rows and the region is computed from them
    (``TypeError`` without ``rows``).
    """
    out = []
    for period, programme, basis, regions in _programme_groups(digests):
        rrows = []
        for region, ds in regions:
            if _disjoint(ds):
                rrows.append(_merged(region, ds))
            elif rows is None:
                raise TypeError(f"region {region}: files share districts; their rows are needed")
            else:
                rrows.append(_region_row(region, [(d, r) for d in ds for r in rows(d)], period))
        out.append(Submission(path=Path(f"KRM-4.{period}.{programme}"), form="KRM-4", period=period,
                              programme=programme or None, basis=basis, regions=rrows))
    return out


def annual_plan_digests(digests: list[Digest], rows=None) -> list[Submission]:
    """:func:`annual_plan` from :class:`Digest` objects (see :func:`programme_level_digests`)."""
    out = []
    for year, programme, regions in _plan_groups(digests):
        rrows = []
        for region, ds in regions:
            if _disjoint(ds):
                rrows.append(_merged(region, ds, plan=True))
            elif rows is None:
                raise TypeError(f"region {region}: files share districts; their rows are needed")
            else:
                rrows.append(_plan_row(region, [(d, r) for d in ds for r in rows(d)]))
        out.append(Submission(path=Path(f"PLAN.{year}.{programme}"), form="KRM-1", period=str(year),
                              programme=programme or None, regions=rrows))
    return out
