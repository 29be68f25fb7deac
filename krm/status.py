"""Who was expected to submit what for a month, what arrived, what is late: `krm status`.

The rule for "expected" (docs/calendar.md):

* KRM-2 (district level): every (district, programme) pair that has a KRM-1 plan for the
  month's year in the folder.  For a region with no KRM-1 plan at all: every district of the
  region (reference list valid for the month) under every programme seen in that region's KRM-2.
* KRM-1 (district level, the plan for the year): every pair above (a district that reports
  KRM-2 under a programme should have a plan for it).
* KRM-3 (region level): every (region, programme) with at least one expected KRM-2.
* KRM-4 and KRM-5 (programme level): every programme with at least one expected KRM-2.
* KRM-6 and KRM-7 (nation level): one each.

"Arrived" is read from the workbooks' headers (form, region, district, programme, period)
with :func:`krm.workbook.reader.read` — no full validation.  "When" is the document's
modified time (docProps/core.xml) when the workbook carries one other than the fixed time
krm's own templates carry, else the file's modified time.  A submission is on time when it
arrived on or before the calendar due date (the Rules say "not later than").  ``as_of``:
files that arrived after it are treated as not yet arrived; a missing submission is
"overdue" once ``as_of`` is past its due date.

Rates per region, as DHIS2's reporting-rate summary: completeness = received / expected,
timeliness = received on time / expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from krm import reference
from krm.deadlines import deadlines_for_period

LEVEL_FORMS = (("district", "KRM-1"), ("district", "KRM-2"), ("region", "KRM-3"), ("programme", "KRM-4"),
               ("programme", "KRM-5"), ("nation", "KRM-6"), ("nation", "KRM-7"))


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
    problem: str | None = None  # why it could not be placed (unreadable, unknown district …)


@dataclass
class Expected:
    form: str
    key: tuple  # (district, programme) | (region, programme) | (programme,) | ()
    region: str | None
    due: dt.date
    arrived: Arrival | None = None
    copies: int = 0  # how many workbooks claim this slot

    @property
    def state(self) -> str:
        return "missing" if self.arrived is None else ("on-time" if self.on_time else "late")

    @property
    def on_time(self) -> bool:
        return self.arrived is not None and self.arrived.when is not None and self.arrived.when.date() <= self.due


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

    def level(self, form: str) -> LevelSummary:
        return next(x for x in self.levels if x.form == form)

    def to_dict(self) -> dict:
        def arr(a: Arrival) -> dict:
            return {"path": a.path, "form": a.form, "period": a.period, "region": a.region, "district": a.district,
                    "programme": a.programme, "when": a.when.isoformat() if a.when else None,
                    "when_source": a.when_source, "problem": a.problem}

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
            "other_periods": self.other_periods,
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
        a.problem = f"{e.code}: {e.detail}"
        return a
    except Exception as e:  # noqa: BLE001 - a status listing must go on past any bad file
        a.problem = f"unreadable: {type(e).__name__}: {e}"
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
            a.problem = f"region {h.get('region')!r} unknown for {a.period}"
    if h.get("district") not in (None, ""):
        d = reference.district(h.get("district"), a.region, on) if on else None
        if d is None:
            a.problem = f"district {h.get('district')!r} not in the {a.period} list"
        else:
            a.district = d.kato
            a.region = a.region or d.region_kato
    if h.get("programme") not in (None, ""):
        p = reference.programme(h.get("programme"), on)
        a.programme = p.code if p else None
        if p is None:
            a.problem = f"programme {h.get('programme')!r} unknown"
    fixed = _krm_fixed_time()
    if pf.modified is not None and pf.modified != fixed:
        a.when, a.when_source = pf.modified, "document"
    else:
        try:
            a.when = dt.datetime.fromtimestamp(Path(path).stat().st_mtime).replace(microsecond=0)
            a.when_source = "file"
        except OSError:
            a.when = None
    return a


def _period_ok(p: str) -> bool:
    try:
        reference.as_date(p)
        return True
    except ValueError:
        return False


def read_arrivals(paths: list[Path], jobs: int | None = None) -> list[Arrival]:
    """Headers of many workbooks, each read in an isolated worker (a hostile file fails only itself)."""
    from krm.pool import run_isolated

    from krm.intake.discover import discover

    entries = discover(paths)
    results = iter(run_isolated(read_arrival, [str(e.path) for e in entries if e.ok], jobs=jobs, timeout_s=60))
    out = []
    for e in entries:  # an entry that cannot be read (a FIFO, a folder without permission) is never opened
        if not e.ok:
            out.append(Arrival(path=str(e.path), problem=f"{e.code}: {e.detail}"))
            continue
        item, ok, res = next(results)
        out.append(res if ok else Arrival(path=item, problem=f"unreadable: {res}"))
    return out


# ------------------------------------------------------------------ the status
def _due(form: str, month: str) -> tuple[dt.date, dt.date]:
    period = month[:4] if form == "KRM-1" else month
    d = next(x for x in deadlines_for_period(period) if x.key == form and x.step == "submit")
    return d.due, d.last_working_day


def compute(arrivals: list[Arrival], month: str, as_of: dt.date | None = None) -> StatusReport:
    """The status of a month from already-read headers (pure: tests call it directly)."""
    year = month[:4]
    as_of = as_of or dt.date.today()
    cutoff = dt.datetime.combine(as_of, dt.time.max)
    unreadable = [a for a in arrivals if a.form is None]
    current = [a for a in arrivals if a.form is not None]
    want_period = {f: (year if f == "KRM-1" else month) for _, f in LEVEL_FORMS}
    mine = [a for a in current if a.period == want_period.get(a.form)]
    other_periods = len(current) - len(mine)
    # not yet arrived at the as-of date
    mine = [a for a in mine if a.when is None or a.when <= cutoff]

    plans = {(a.district, a.programme) for a in mine
             if a.form == "KRM-1" and a.district and a.programme and not a.problem}
    facts = [a for a in mine if a.form == "KRM-2" and a.district and a.programme and not a.problem]
    planned_regions = {_region_of(d) for d, _ in plans}
    slots2: set[tuple[str, str]] = set(plans)
    fallback_regions = set()
    for reg in sorted({a.region for a in facts if a.region} - planned_regions):
        fallback_regions.add(reg)
        progs = {a.programme for a in facts if a.region == reg}
        for d in reference.districts(reg, month):
            for p in progs:
                slots2.add((d.kato, p))
    rule = "KRM-1 plans" if not fallback_regions else (
        "KRM-1 plans; regions without plans: every district x programme seen in the region ("
        + ", ".join(sorted(fallback_regions)) + ")")

    expected: list[Expected] = []
    for form in ("KRM-1", "KRM-2"):
        due, _ = _due(form, month)
        for d, p in sorted(slots2):
            expected.append(Expected(form, (d, p), _region_of(d), due))
    due3, _ = _due("KRM-3", month)
    for reg, p in sorted({(_region_of(d), p) for d, p in slots2}):
        expected.append(Expected("KRM-3", (reg, p), reg, due3))
    for form in ("KRM-4", "KRM-5"):
        due, _ = _due(form, month)
        for p in sorted({p for _, p in slots2}):
            expected.append(Expected(form, (p,), None, due))
    for form in ("KRM-6", "KRM-7"):
        due, _ = _due(form, month)
        expected.append(Expected(form, (), None, due))

    index = {(e.form, e.key): e for e in expected}
    unexpected: list[Arrival] = []
    duplicates: list[tuple[Arrival, Arrival]] = []
    for a in sorted(mine, key=lambda x: (x.when or dt.datetime.max, x.path)):
        key = _slot_key(a)
        e = index.get((a.form, key)) if key is not None else None
        if e is None:
            if a.problem is None:
                a.problem = "not expected: no KRM-1 plan for this district and programme" if a.form == "KRM-2" \
                    else "not expected for this month"
            unexpected.append(a)
            continue
        e.copies += 1
        if e.arrived is None:
            e.arrived = a  # the earliest copy decides timeliness
        else:
            duplicates.append((e.arrived, a))

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
    return StatusReport(month, as_of, rule, levels, expected, unexpected, duplicates, unreadable, other_periods)


def _summary(form, level, period, due, lwd, es: list[Expected], as_of: dt.date) -> LevelSummary:
    received = sum(e.arrived is not None for e in es)
    on_time = sum(e.on_time for e in es)
    missing = len(es) - received
    overdue = missing if as_of > due else 0
    return LevelSummary(form, level, period, due, lwd, len(es), received, on_time, received - on_time, missing,
                        overdue)


def _slot_key(a: Arrival) -> tuple | None:
    if a.form in ("KRM-1", "KRM-2"):
        return (a.district, a.programme) if a.district and a.programme else None
    if a.form == "KRM-3":
        return (a.region, a.programme) if a.region and a.programme else None
    if a.form in ("KRM-4", "KRM-5"):
        return (a.programme,) if a.programme else None
    return ()


def _region_of(district_kato: str) -> str:
    d = next((x for x in reference._all_districts() if x.kato == district_kato), None)
    return d.region_kato if d else district_kato[:2]


def _region_name(kato: str, month: str) -> str:
    r = next((x for x in reference.regions(month) if x.kato == kato), None)
    return r.name_en if r else kato


def status(paths: list[Path] | Path, month: str, as_of: dt.date | None = None, jobs: int | None = None) -> StatusReport:
    """Read every workbook under ``paths`` and compute the month's status."""
    if isinstance(paths, (str, Path)):
        paths = [Path(paths)]
    reference.as_date(month)
    return compute(read_arrivals(list(paths), jobs=jobs), month, as_of)
