"""Who was expected to submit what for a month, what arrived, what is late: `krm status`.

Status counts what ``krm aggregate`` and ``krm report`` count (docs/calendar.md, docs/architecture.md):
every workbook is read and validated through the intake (:func:`krm.intake.read`); which ones count is
:mod:`krm.intake.admit` (errors exclude, warnings do not; duplicates count only with ``prefer="newest"``, the
newest); who is expected and who was received is :mod:`krm.intake.completeness`:

* KRM-2 (district level): per region that sent workbooks, every district of the region (reference list
  valid for the month), or only those with a KRM-1 plan where the region's plans are in the folder;
  received = a KRM-2 of the district counts (any programme).
* KRM-1 (district level, the plan for the year): every district of each region that sent plans or KRM-2.
* KRM-3 (region level): every (region, programme) planned or reported in a region with expected KRM-2.
* KRM-4 and KRM-5 (programme level): each of those programmes.  KRM-6 and KRM-7: one each.

Approval levels (received, accepted, returned, explained, confirmed, changed after confirmation, with the
return and correction windows) are :mod:`krm.approval`: from the register when it is on, else the files.

"When" is the document's modified time (docProps/core.xml) when the workbook carries one other than the
fixed time krm's own templates carry, else the file's modified time.  A unit is on time when it is received
and its first admitted workbook arrived on or before the calendar due date (the Rules say "not later than").
``as_of``: files that arrived after it are treated as not yet arrived; a missing submission is "overdue"
once ``as_of`` is past its due date.

Rates per region, as DHIS2's reporting-rate summary: completeness = received / expected,
timeliness = received on time / expected.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from krm import forms, reference
from krm.catalogue.status import problem
from krm.deadlines import deadlines_for_period
from krm.findings import Words
from krm.intake import admit, completeness

LEVEL_FORMS = tuple((forms.level(f), f) for f in forms.FORMS)  # (level, form) in form order


@dataclass
class Arrival:
    """One workbook's header, as far as status needs it."""

    path: str
    form: str | None = None
    period: str | None = None
    region: str | None = None  # 2-digit KATO
    district: str | None = None  # 9-digit KATO
    programme: str | None = None  # programme code
    when: dt.datetime | None = None
    when_source: str | None = None  # "document" | "file"
    modified: dt.datetime | None = None  # the document's modified time (docProps/core.xml), as written
    mtime: float = 0.0  # the file's modified time
    problem: str | None = None  # why it could not be placed (unreadable, errors, unknown district …)
    errors: int = 0  # errors found by validation: a workbook with any is excluded (krm.intake.admit)
    status: str = "accepted"  # accepted | excluded | conflict | superseded (older duplicate, --prefer newest)
    explained: int = 0  # findings the workbook explains (sheet «Түсініктеме / Пояснения», krm.explanations)
    why: tuple = ()  # the problem as (key of krm.catalogue.status.PROBLEMS, its parameters): shown in any language

    def say(self, key: str, **params) -> None:
        """Record the problem ``key`` (:data:`krm.catalogue.status.PROBLEMS`); ``problem`` is its English text."""
        self.why = (key, params)
        self.problem = problem(key, "en", **params)

    def problem_in(self, lang: str) -> str | None:
        """The problem in ``lang`` (kk, ru, en)."""
        if not self.why:
            return self.problem
        return problem(self.why[0], lang, **self.why[1])


@dataclass
class Expected:
    form: str
    key: tuple  # (district, programme) | (region, programme) | (programme,) | ()
    region: str | None
    due: dt.date
    arrived: Arrival | None = None  # the workbook that counts (the first one, for a district)
    copies: int = 0  # how many workbooks claim this slot
    first: dt.datetime | None = None  # when the first admitted workbook for it arrived (decides timeliness)

    @property
    def state(self) -> str:
        return "missing" if self.arrived is None else ("on-time" if self.on_time else "late")

    @property
    def on_time(self) -> bool:
        when = self.first or (self.arrived.when if self.arrived is not None else None)
        return self.arrived is not None and when is not None and when.date() <= self.due


@dataclass
class LevelSummary:
    form: str
    level: str
    period: str
    due: dt.date
    last_working_day: dt.date
    expected: int
    received: int
    on_time: int
    late: int
    missing: int
    overdue: int
    by_region: list[dict] = field(default_factory=list)

    @property
    def completeness(self) -> float | None:
        return round(100 * self.received / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None

    def to_dict(self) -> dict:
        return {"form": self.form, "level": self.level, "period": self.period, "due": self.due.isoformat(),
                "last_working_day": self.last_working_day.isoformat(), "expected": self.expected,
                "received": self.received, "on_time": self.on_time, "late": self.late, "missing": self.missing,
                "overdue": self.overdue, "completeness": self.completeness, "timeliness": self.timeliness,
                "by_region": self.by_region}


@dataclass
class StatusReport:
    month: str
    as_of: dt.date
    rule: str  # how KRM-2 expectations were built
    levels: list[LevelSummary]
    slots: list[Expected]
    unexpected: list[Arrival]  # arrived for the month, but not expected (unknown district, no plan …)
    duplicates: list[tuple[Arrival, Arrival]]  # (kept, extra) for one slot
    unreadable: list[Arrival]
    other_periods: int
    excluded: list[Arrival] = field(default_factory=list)  # for the month, with errors: never counted
    approval: dict | None = None  # approval levels and correction windows (krm.approval.levels)

    def level(self, form: str) -> LevelSummary:
        return next(x for x in self.levels if x.form == form)

    def to_dict(self) -> dict:
        def arr(a: Arrival) -> dict:
            return {"path": a.path, "form": a.form, "period": a.period, "region": a.region, "district": a.district,
                    "programme": a.programme, "when": a.when.isoformat() if a.when else None,
                    "when_source": a.when_source, "problem": a.problem, "status": a.status}

        def slot(e: Expected) -> dict:
            return {"form": e.form, "region": e.region, "key": list(e.key), "due": e.due.isoformat(),
                    "state": e.state, "overdue": e.arrived is None and self.as_of > e.due,
                    "path": e.arrived.path if e.arrived else None,
                    "when": e.arrived.when.isoformat() if e.arrived and e.arrived.when else None}

        return {
            "month": self.month, "as_of": self.as_of.isoformat(), "rule": self.rule,
            "levels": [x.to_dict() for x in self.levels],
            "missing": [slot(e) for e in self.slots if e.state == "missing"],
            "late": [slot(e) for e in self.slots if e.state == "late"],
            "unexpected": [arr(a) for a in self.unexpected],
            "duplicates": [{"kept": arr(a), "extra": arr(b)} for a, b in self.duplicates],
            "unreadable": [arr(a) for a in self.unreadable],
            "excluded": [arr(a) for a in self.excluded],
            "other_periods": self.other_periods,
            **({"approval": self.approval} if self.approval is not None else {}),
        }


# ------------------------------------------------------------------ reading headers
def find_workbooks(paths: list[Path]) -> list[Path]:
    """Workbooks under the paths (:func:`krm.intake.discover.discover`, as every command finds them)."""
    from krm.intake.discover import find_workbooks as found

    return found(paths)


def _krm_fixed_time() -> dt.datetime:
    from krm.workbook.writer import FIXED_TIME

    return FIXED_TIME


def read_arrival(path: Path) -> Arrival:
    """The header of one workbook; never raises (a problem is recorded instead)."""
    from krm.workbook.reader import ReadError, read

    a = Arrival(path=str(path))
    try:
        pf = read(path)
    except ReadError as e:
        a.say("finding", first=_read_error(e))
        return a
    except Exception as e:  # noqa: BLE001 - a status listing must go on past any bad file
        a.say("unreadable", error=f"{type(e).__name__}: {e}")
        return a
    a.form = pf.spec.id
    h = pf.header
    raw_period = h.get("period")
    if isinstance(raw_period, (dt.date, dt.datetime)):
        a.period = f"{raw_period.year:04d}" if pf.spec.period_kind == "year" else f"{raw_period:%Y-%m}"
    elif isinstance(raw_period, float) and raw_period.is_integer():
        a.period = str(int(raw_period))
    elif raw_period not in (None, ""):
        a.period = str(raw_period).strip()
    on = a.period if a.period and _period_ok(a.period) else None
    if h.get("region") not in (None, ""):
        r = reference.region(h.get("region"), on) if on else reference.region_any(h.get("region"))
        a.region = r.kato if r else None
        if r is None:
            a.say("region", value=h.get("region"), period=a.period)
    if h.get("district") not in (None, ""):
        d = reference.district(h.get("district"), a.region, on) if on else None
        if d is None:
            a.say("district", value=h.get("district"), period=a.period)
        else:
            a.district = d.kato
            a.region = a.region or d.region_kato
    if h.get("programme") not in (None, ""):
        p = reference.programme(h.get("programme"), on)
        a.programme = p.code if p else None
        if p is None:
            a.say("programme", value=h.get("programme"))
    _set_when(a, pf.modified)
    return a


def _read_error(e) -> "Words":
    """A read error's code and its catalogue message in each language (the detail as it was, in English, when the
    code is not in the catalogue)."""
    from krm.findings import Finding

    said = f"{e.code}: {e.detail}"
    try:
        f = Finding(code=e.code, severity="error", file="", params={"detail": e.detail, **e.params})
        return Words(f"{e.code}: {f.message('kk')}", f"{e.code}: {f.message('ru')}", said)
    except Exception:  # noqa: BLE001 - never fail a status listing over a message
        return Words(said, said, said)


def _set_when(a: Arrival, modified: dt.datetime | None) -> None:
    """When the workbook arrived: its document time, unless it is the fixed time krm's templates carry, else the
    file's modified time."""
    a.modified = modified
    try:
        a.mtime = Path(a.path).stat().st_mtime
    except OSError:
        a.mtime = 0.0
    if modified is not None and modified != _krm_fixed_time():
        a.when, a.when_source = modified, "document"
    elif a.mtime:
        a.when = dt.datetime.fromtimestamp(a.mtime).replace(microsecond=0)
        a.when_source = "file"
    else:
        a.when = None


def arrival_of(rep) -> Arrival:
    """``validate_paths(reduce=...)``: a validated workbook as status sees it (built in the worker)."""
    from krm import rollup

    sub = rep.submission
    a = Arrival(path=str(rep.path), form=rep.form, errors=rep.errors,
                explained=sum(1 for f in rep.findings if f.explanation))
    if sub is not None:
        a.form, a.period, a.programme, a.district = sub.form, str(sub.period), sub.programme, sub.district
        a.region = rollup.region_of(sub)
        _set_when(a, sub.modified)
    if rep.errors or sub is None:
        first = next((f for f in rep.findings if f.severity == "error"), None)
        what = Words(*(f"{first.code}: {first.message(x)}" for x in Words._fields)) if first is not None else None
        if rep.errors and sub is not None:
            a.say("errors", n=rep.errors, first=what if what is not None else Words(*(
                problem("not-a-form", x) for x in Words._fields)))
        else:
            a.say("finding", first=what) if what is not None else a.say("not-a-form")
        if sub is None:
            a.form = None  # nothing of its header can be placed
    return a


def _period_ok(p: str) -> bool:
    try:
        reference.as_date(p)
        return True
    except ValueError:
        return False


def read_arrivals(paths: list[Path], jobs: int | None = None, cache: bool | None = None) -> list[Arrival]:
    """Every workbook under ``paths``, validated through the intake (:func:`krm.intake.read`), as arrivals."""
    from krm.intake import read
    from krm.validate import FileReport

    _, results = read(paths, jobs=jobs, reduce=arrival_of, cache=cache)
    return [arrival_of(r) if isinstance(r, FileReport) else r for r in results]  # a crashed worker: not reduced


# ------------------------------------------------------------------ the status
def _due(form: str, month: str) -> tuple[dt.date, dt.date]:
    period = month[:4] if forms.yearly(form) else month
    d = next(x for x in deadlines_for_period(period) if x.key == form and x.step == "submit")
    return d.due, d.last_working_day


def compute(arrivals: list[Arrival], month: str, as_of: dt.date | None = None,
            prefer: str | None = None) -> StatusReport:
    """The status of a month from already-read headers (pure: tests call it directly).

    Which workbooks count is decided by :mod:`krm.intake.admit` (errors exclude; duplicates count only with
    ``prefer="newest"``, the newest), completeness by :mod:`krm.intake.completeness` — as in ``krm aggregate``
    and ``krm report``."""
    year = month[:4]
    as_of = as_of or dt.date.today()
    cutoff = dt.datetime.combine(as_of, dt.time.max)
    unreadable = [a for a in arrivals if a.form is None]
    current = [a for a in arrivals if a.form is not None]
    want_period = {f: (year if forms.yearly(f) else month) for _, f in LEVEL_FORMS}
    mine = [a for a in current if a.period == want_period.get(a.form)]
    other_periods = len(current) - len(mine)
    # not yet arrived at the as-of date
    mine = [a for a in mine if a.when is None or a.when <= cutoff]
    excluded = [a for a in mine if a.errors]
    for a in excluded:
        a.status = "excluded"
    duplicates = _resolve_duplicates([a for a in mine if not a.errors], prefer)
    sent = [completeness.Sent(a.form, a.period, a.region, a.district, a.programme, a.status == "accepted")
            for a in mine if forms.level(a.form) == "district"]
    rates = completeness.district_rates(sent)
    # plans are due from every district of a region that reports: a region with KRM-2 but no KRM-1 is listed too
    with_plans = {r.region for r in rates if forms.yearly(r.form)}
    rates += [completeness.Rate(plan, year, "", r.region, list(reference.districts(r.region, f"{year}-01-01")))
              for plan in forms.of_kind("plan") for r in rates
              if forms.kind(r.form) == "district" and r.region not in with_plans]
    expected, rule, slotted = _district_slots(rates, mine, month)
    expected += _upper_slots(expected, mine, month)

    index = {(e.form, e.key): e for e in expected if forms.level(e.form) != "district"}
    unexpected: list[Arrival] = []
    for a in sorted(mine, key=lambda x: (x.when or dt.datetime.max, x.path)):
        if a.errors or id(a) in slotted:
            continue
        key = _slot_key(a)
        e = index.get((a.form, key)) if key is not None else None
        if e is None:
            if a.status == "accepted":
                if a.problem is None:
                    (a.say("unexpected-district", district=a.district, period=a.period)
                     if forms.level(a.form) == "district" else a.say("unexpected"))
                unexpected.append(a)
            continue
        e.copies += 1
        if a.status == "accepted" and e.arrived is None:
            e.arrived = a
        if e.first is None or (a.when is not None and a.when < e.first):
            e.first = a.when
    for e in expected:  # a slot whose workbooks do not count has not been received
        if e.arrived is None:
            e.first = None

    levels = []
    for level, form in LEVEL_FORMS:
        due, lwd = _due(form, month)
        es = [e for e in expected if e.form == form]
        s = _summary(form, level, want_period[form], due, lwd, es, as_of)
        if level in ("district", "region"):
            for reg in sorted({e.region for e in es if e.region}):
                sub = [e for e in es if e.region == reg]
                r = _summary(form, level, want_period[form], due, lwd, sub, as_of)
                s.by_region.append({"region": reg, "name": _region_name(reg, month), **{
                    k: v for k, v in r.to_dict().items() if k in ("expected", "received", "on_time", "late",
                                                                   "missing", "overdue", "completeness",
                                                                   "timeliness")}})
        levels.append(s)
    return StatusReport(month, as_of, rule, levels, expected, unexpected, duplicates, unreadable, other_periods,
                        excluded)


def _resolve_duplicates(admitted: list[Arrival], prefer: str | None) -> list[tuple[Arrival, Arrival]]:
    """The one rule of :mod:`krm.intake.admit`: (kept or first, other) for each duplicate; statuses set."""
    groups: dict[tuple, list[Arrival]] = defaultdict(list)
    for a in admitted:
        a.status = "accepted"
        groups[admit.duplicate_key(a.form, a.period, a.programme, a.region, a.district)].append(a)
    out = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda x: (x.when or dt.datetime.max, x.path))
        if len(members) < 2:
            continue
        kept, others, _how = admit.choose(members, prefer, lambda a: admit.newest_order(a.modified, a.mtime, a.path))
        if kept is None:
            for a in members:
                a.status = "conflict"
            out += [(members[0], a) for a in members[1:]]
        else:
            for a in others:
                a.status = "superseded"
            out += [(kept, a) for a in others]
    return out


def _district_slots(rates: list, mine: list[Arrival], month: str) -> tuple[list[Expected], str, set[int]]:
    """KRM-1 and KRM-2 slots, one per expected district (krm.intake.completeness), with what counts for each."""
    by_district: dict[tuple, list[Arrival]] = defaultdict(list)
    for a in mine:
        if forms.level(a.form) == "district" and a.district and not a.errors:
            by_district[(a.form, a.district)].append(a)
    plans = completeness.plans_by_region(
        [completeness.Sent(a.form, a.period, a.region, a.district, a.programme, a.status == "accepted")
         for a in mine if forms.yearly(a.form)], month[:4])
    expected: list[Expected] = []
    slotted: set[int] = set()
    fallback = set()
    for r in rates:
        if r.period not in (month, month[:4]):
            continue
        due, _ = _due(r.form, month)
        if forms.kind(r.form) == "district" and not plans.get(r.region):
            fallback.add(r.region)
        for d in r.expected:
            arrivals = sorted(by_district.get((r.form, d.kato), []), key=lambda x: (x.when or dt.datetime.max, x.path))
            slotted.update(id(a) for a in arrivals)
            progs = ",".join(sorted({a.programme for a in arrivals if a.programme}))
            e = Expected(r.form, (d.kato, progs), r.region, due, copies=len(arrivals))
            counted = [a for a in arrivals if a.status == "accepted"]
            if counted:
                e.arrived = counted[0]
                e.first = min((a.when for a in arrivals if a.when is not None), default=None)
            expected.append(e)
    rule = "KRM-1 plans" if not fallback else (
        "KRM-1 plans; regions without plans: every district of the region (" + ", ".join(sorted(fallback)) + ")")
    return expected, rule, slotted


def _upper_slots(district: list[Expected], mine: list[Arrival], month: str) -> list[Expected]:
    """KRM-3 per (region, programme), KRM-4/5 per programme, of the regions with expected KRM-2 districts and
    the programmes planned or reported there; one KRM-6 and one KRM-7."""
    regions = {e.region for e in district if forms.kind(e.form) == "district"}
    pairs = {(a.region, a.programme) for a in mine if forms.level(a.form) == "district" and a.region in regions
             and a.programme and a.status == "accepted"}
    out: list[Expected] = []
    for form in forms.of_level("region"):
        due, _ = _due(form, month)
        for reg, p in sorted(pairs):
            out.append(Expected(form, (reg, p), reg, due))
    for form in forms.of_level("programme"):
        due, _ = _due(form, month)
        for p in sorted({p for _, p in pairs}):
            out.append(Expected(form, (p,), None, due))
    for form in forms.of_level("nation"):
        due, _ = _due(form, month)
        out.append(Expected(form, (), None, due))
    return out


def _summary(form, level, period, due, lwd, es: list[Expected], as_of: dt.date) -> LevelSummary:
    received = sum(e.arrived is not None for e in es)
    on_time = sum(e.on_time for e in es)
    missing = len(es) - received
    overdue = missing if as_of > due else 0
    return LevelSummary(form, level, period, due, lwd, len(es), received, on_time, received - on_time, missing,
                        overdue)


def _slot_key(a: Arrival) -> tuple | None:
    lvl = forms.level(a.form)
    if lvl == "district":
        return (a.district, a.programme) if a.district and a.programme else None
    if lvl == "region":
        return (a.region, a.programme) if a.region and a.programme else None
    if lvl == "programme":
        return (a.programme,) if a.programme else None
    return ()


def _region_name(kato: str, month: str) -> str:
    r = next((x for x in reference.regions(month) if x.kato == kato), None)
    return r.name_en if r else kato


def status(paths: list[Path] | Path, month: str, as_of: dt.date | None = None, jobs: int | None = None,
           prefer: str | None = None, cache: bool | None = None) -> StatusReport:
    """Read (and validate) every workbook under ``paths`` and compute the month's status."""
    if isinstance(paths, (str, Path)):
        paths = [Path(paths)]
    reference.as_date(month)
    from krm import approval

    arrivals = read_arrivals(list(paths), jobs=jobs, cache=cache)
    rep = compute(arrivals, month, as_of, prefer=prefer)
    rep.approval = approval.levels(arrivals, month, rep.as_of, lambda k: _region_name(k, month))
    return rep
