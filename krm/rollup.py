"""The roll-up arithmetic of the KRM chain, exact and pure.

KRM-2 (district) -> KRM-3 (region) -> KRM-4 / KRM-5 (programme, by region); KRM-1
(district plans) -> the annual plan summary of Rule 12.1.  Every function here takes
:class:`krm.model.Submission` objects and returns new ones; nothing reads or writes
files.  Money is :class:`~decimal.Decimal` million tenge and jobs are ``int``, so the
sums are exact to the last job and the last tenge.

Definitions (the one place in the code; ``docs/aggregate.md`` repeats them):

* **Project** — identified by (BIN, project name folded for case and spaces) within a
  district: :func:`project_id` = (district KATO, *model.project_key(bin, name)*).  Two
  rows of one district with the same BIN and name are the same project; the same BIN
  and name in two districts are two projects.
* **Planned projects** (KRM-4 column 3) — the number of distinct projects in the inputs
  of a region.
* **Implemented projects** (KRM-4 column 4) — distinct projects whose implementation
  period (end date) is on or before the last day of the reporting month
  (:func:`period_end`).  A project whose rows give several end dates counts as
  implemented only when its latest end date is; a project with a row without an end
  date is not implemented.
* **Basis** — monthly figures are cumulative since January unless the header says
  ``month``.  Months are never added to each other: every roll-up groups by period
  *and* basis, and a group that would mix them raises :class:`RollupError`.
* **Jobs plan / fact, allocated, disbursed** — plain sums of the input rows; the
  control totals (:func:`control_totals`) prove that the output holds exactly the
  sums of its inputs.

The functions refuse, with :class:`RollupError`, inputs that would count something
twice: two submissions of one district (KRM-2) or one region (KRM-3) for the same
programme and period, or a region present both as a KRM-3 and as KRM-2 files.  The
pipeline (:mod:`krm.aggregate`) resolves such conflicts before calling them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from krm import reference
from krm.model import ProjectRow, RegionRow, Submission, project_key

ZERO = Decimal(0)
ACTIVITY_CODES = tuple(a.code for a in reference.activities())


class RollupError(ValueError):
    """Inputs that cannot be rolled up without mixing or doubling figures."""


# ------------------------------------------------------------------ definitions
def period_end(period: str) -> dt.date:
    """The last day of a reporting period: 'YYYY-MM' -> last day of the month, 'YYYY' -> 31 December."""
    s = str(period).strip()
    if len(s) == 4:
        return dt.date(int(s), 12, 31)
    y, m = int(s[:4]), int(s[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def is_implemented(end: dt.date | None, period: str) -> bool:
    """A project is implemented when its implementation period ended on or before the period's last day."""
    return end is not None and end <= period_end(period)


def region_of(sub: Submission) -> str | None:
    """The 2-digit KATO region of a submission (its header, else its district's region)."""
    if sub.region:
        return sub.region
    if sub.district:
        d = reference.district(sub.district, None, sub.period)
        if d is not None:
            return d.region_kato
    return None


def row_district(sub: Submission, row: ProjectRow) -> str | None:
    """The district of a project row: the row's own (KRM-3 column к1), else the KRM-2 header's."""
    return row.district or sub.district


def project_id(sub: Submission, row: ProjectRow) -> tuple[str, str, str]:
    """(district, BIN, folded project name): one project, see the module docstring."""
    b, name = project_key(row.bin, row.project)
    return (row_district(sub, row) or "", b, name)


def _sort_text(s: str | None) -> str:
    return project_key(None, s)[1]


def _basis(subs: list[Submission], what: str) -> str:
    bases = sorted({s.basis or "cumulative" for s in subs})
    if len(bases) > 1:
        raise RollupError(f"{what}: inputs mix bases {bases} (cumulative and month figures are never added)")
    return bases[0] if bases else "cumulative"


# ------------------------------------------------------------------ KRM-2 -> KRM-3
def krm3_from_krm2(subs: list[Submission]) -> list[Submission]:
    """Roll districts' KRM-2 up into one KRM-3 per (region, programme, period).

    Every KRM-2 row becomes one KRM-3 row, unchanged in value, carrying its district
    (column к1), BIN and implementation period, so nothing is lost and the KRM-3 can
    itself be rolled up to KRM-4/5 with the same result as the KRM-2s
    (``programme_level(krm3_from_krm2(x)) == programme_level(x)``).  Rows are ordered
    as the form groups them: activity group 1-9, then district (KATO), then project
    name (folded), then BIN, then input order.  Output order: period, programme, region.

    Raises :class:`RollupError` on a non-KRM-2 input, on two submissions of one
    district for the same programme and period, or on mixed bases within a group.
    """
    _need_rows(subs, "krm3_from_krm2")
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for s in subs:
        if s.form != "KRM-2":
            raise RollupError(f"{s.path}: krm3_from_krm2 takes KRM-2 submissions, not {s.form}")
        groups[(s.period, s.programme or "", region_of(s) or "")].append(s)
    out = []
    for (period, programme, region) in sorted(groups):
        members = groups[(period, programme, region)]
        seen: dict[str | None, Path] = {}
        for s in members:
            if s.district in seen:
                raise RollupError(f"district {s.district}: two KRM-2 for {programme} {period} "
                                  f"({seen[s.district]} and {s.path})")
            seen[s.district] = s.path
        basis = _basis(members, f"KRM-3 {region} {programme} {period}")
        rows = []
        for order, (s, r) in enumerate((s, r) for s in sorted(members, key=lambda m: (m.district or "", str(m.path)))
                                       for r in s.projects):
            rows.append((order, s, r))
        rows.sort(key=lambda t: (_activity_rank(t[2].activity), row_district(t[1], t[2]) or "",
                                 _sort_text(t[2].project), t[2].bin or "", t[0]))
        carried = {}  # per edition of KRM-2: (column key, key in KRM-3)
        projects = [_krm3_row(s, r, carried) for _, s, r in rows]
        out.append(Submission(path=Path(f"KRM-3.{period}.{programme}.{region}"), form="KRM-3", period=period,
                              programme=programme or None, region=region or None, basis=basis,
                              projects=projects))
    return out


def _krm3_row(s: Submission, r: ProjectRow, carried: dict) -> ProjectRow:
    """A KRM-2 row as a KRM-3 row: every column with a role in the chain (its spec's, in the edition
    ``s`` was read against) under the key it feeds, and the district the row belongs to."""
    pairs = carried.get(s.edition)
    if pairs is None:
        from krm import editions

        spec = editions.spec("KRM-2", s.edition)
        pairs = carried[s.edition] = [(c.key, c.carried_as) for c in spec.columns if c.carried_as]
    values = {to: r.get(key) for key, to in pairs}
    values["district"] = row_district(s, r)
    return ProjectRow.build(values)


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
        projects_planned=len(ends),
        projects_done=sum(1 for es in ends.values() if None not in es and is_implemented(max(es), period)),
        allocated=sum((r.allocated for _, r in items), ZERO),
        disbursed=sum((r.disbursed for _, r in items), ZERO),
        plan=sum(r.plan for _, r in items),
        fact=sum(r.fact for _, r in items),
        by_activity=by_activity,
        plan_by_activity=plan_by_activity,
    )


def _region_order(period: str) -> dict[str, int]:
    return {r.kato: i for i, r in enumerate(reference.regions(period))}


def _programme_groups(subs: list[Submission]):
    """Group KRM-2/KRM-3 for :func:`programme_level`: yield (period, programme, basis, [(region, members)]).

    Regions come in the official order; every refusal of :func:`programme_level` is raised here.
    """
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for s in subs:
        if s.form not in ("KRM-2", "KRM-3"):
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
            forms = {s.form for s in rs}
            if len(forms) > 1:
                raise RollupError(f"region {region}: both a KRM-3 and KRM-2 files for {programme} {period}")
            key = "region" if "KRM-3" in forms else "district"
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
        if s.form != "KRM-1":
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
    if sub.form in ("KRM-2", "KRM-3"):
        plan_by: dict[str, int] = {}
        for r in sub.projects:
            ids[project_id(sub, r)].append(r.end)
            by[str(r.activity)] = by.get(str(r.activity), 0) + r.fact
            plan_by[str(r.activity)] = plan_by.get(str(r.activity), 0) + r.plan
        d.plan_by_activity = tuple(plan_by.items())
        d.projects_done = sum(1 for es in ids.values() if None not in es and is_implemented(max(es), sub.period))
    elif sub.form == "KRM-1":
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


def _need_rows(subs, what: str) -> None:
    for s in subs:
        if isinstance(s, Digest):
            raise TypeError(f"{what} needs the rows of {s.path}, not its Digest")


def _disjoint(ds: list[Digest]) -> bool:
    """No project id can be shared between these files: their districts do not overlap."""
    return sum(len(d.districts) for d in ds) == len(set().union(*(d.districts for d in ds)))


def _merged(region: str, ds: list[Digest], *, plan: bool = False) -> RegionRow:
    """A region's row from its files' digests (their projects are disjoint, so counts add up)."""
    by_activity = {c: 0 for c in ACTIVITY_CODES}
    for d in ds:
        for code, n in d.by_activity:
            by_activity[code] = by_activity.get(code, 0) + n
    row = RegionRow(region=region, projects_planned=sum(d.projects_planned for d in ds),
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


# ------------------------------------------------------------------ control totals
MEASURES = ("plan", "fact", "allocated", "disbursed")


@dataclass
class ControlLine:
    """One input's contribution (or a total): rows and the four control measures."""

    label: str  # input path, or "inputs total" / "output total"
    form: str | None = None
    region: str | None = None
    district: str | None = None
    rows: int = 0
    plan: int = 0
    fact: int = 0
    allocated: Decimal = ZERO
    disbursed: Decimal = ZERO

    def values(self) -> dict:
        return {m: getattr(self, m) for m in MEASURES}


@dataclass
class Control:
    """Inputs' totals against the output's totals; ``balanced`` only if every measure is equal."""

    inputs: list[ControlLine]
    input_total: ControlLine
    output_total: ControlLine
    problems: list[str] = field(default_factory=list)  # human-readable differences

    @property
    def balanced(self) -> bool:
        return not self.problems


def _line(label: str, sub: Submission) -> ControlLine:
    t = sub.totals()
    n = sub.nrows if isinstance(sub, Digest) else len(sub.projects) if sub.projects else len(sub.regions)
    return ControlLine(label=label, form=sub.form, region=region_of(sub) if sub.form in ("KRM-1", "KRM-2", "KRM-3")
                       else sub.region, district=sub.district, rows=n, **t)


def _extra_problems(inputs, outputs) -> list[str]:
    """Every added figure (a column of a newer edition) sums in the outputs as in the inputs."""
    def total(subs):
        out: dict = {}
        for s in subs:
            for k, v in extra_totals(s).items():
                out[k] = out.get(k, 0) + v
        return out
    a, b = total(inputs), total(o for o in outputs if o.projects)
    if not b and not any(o.projects for o in outputs):
        return []  # a programme-level output: the added figures stop at KRM-3
    return [f"{k}: inputs {a.get(k, 0)} != output {b.get(k, 0)}" for k in sorted(set(a) | set(b))
            if a.get(k, 0) != b.get(k, 0)]


def control_totals(inputs: list[Submission], outputs: list[Submission], *, label=str) -> Control:
    """Prove that ``outputs`` hold exactly the sums of ``inputs`` (jobs plan, jobs fact, allocated, disbursed).

    ``label(sub)`` names each input line (default: its path).  Also checks, for
    programme-level outputs, that each region's activity columns sum to its jobs
    (KRM-5: column 3 = columns 4-12; for an annual plan: plan = sum of the activities),
    and, for project-level outputs, that no row was lost or added.
    """
    lines = [_line(str(label(s)), s) for s in inputs]
    itot = ControlLine(label="inputs total", rows=sum(x.rows for x in lines),
                       plan=sum(x.plan for x in lines), fact=sum(x.fact for x in lines),
                       allocated=sum((x.allocated for x in lines), ZERO),
                       disbursed=sum((x.disbursed for x in lines), ZERO))
    olines = [_line("output", s) for s in outputs]
    otot = ControlLine(label="output total", rows=sum(x.rows for x in olines),
                       plan=sum(x.plan for x in olines), fact=sum(x.fact for x in olines),
                       allocated=sum((x.allocated for x in olines), ZERO),
                       disbursed=sum((x.disbursed for x in olines), ZERO))
    problems = []
    for m in MEASURES:
        a, b = getattr(itot, m), getattr(otot, m)
        if a != b:
            problems.append(f"{m}: inputs {a} != output {b}")
    problems += _extra_problems(inputs, outputs)
    if outputs and all(o.projects or not o.regions for o in outputs) and itot.rows != otot.rows:
        problems.append(f"rows: inputs {itot.rows} != output {otot.rows}")
    for o in outputs:
        for rr in o.regions:
            act = sum(rr.by_activity.values())
            want = rr.plan if o.form == "KRM-1" else rr.fact
            if act != want:
                problems.append(f"region {rr.region}: activities sum to {act}, "
                                f"{'plan' if o.form == 'KRM-1' else 'fact'} is {want}")
            if rr.plan_by_activity is not None and sum(rr.plan_by_activity.values()) != rr.plan:
                problems.append(f"region {rr.region}: the plan by activity sums to "
                                f"{sum(rr.plan_by_activity.values())}, plan is {rr.plan}")
    return Control(inputs=lines, input_total=itot, output_total=otot, problems=problems)
