"""KRM-6, KRM-7 and the analytical note for one month (or quarter), from whatever level of data is at hand.

The pipeline, in the order :func:`make_report` runs it:

0. **Read** (:func:`load_inputs`): every workbook validated in a worker, and only a :class:`FileSummary`
   of it kept (header, control totals, sums by activity, KRM-4/5 region rows) — never the rows; a KRM-3
   that the programme's KRM-4/5 cover is read for its header and totals only (see ``docs/report.md``).
1. **Select** (:func:`select`): for every (programme, region) of the month pick exactly one level —
   the programme's KRM-4 (with its KRM-5 for the activity breakdown) or a lone KRM-5 where they
   cover the region, otherwise the region's KRM-3, otherwise its districts' KRM-2 — and mark
   every other file for that cell as *superseded*.  Nothing is counted twice; every file of the
   month is listed in the control sheet with what happened to it.
2. **Roll up** the chosen KRM-2/KRM-3 with :func:`krm.rollup.programme_level` (each file's rows where
   it was read, the files grouped here), and prove the roll-up against our own sums of the same rows.
3. **Build** KRM-6 (region x programme) and KRM-7 (activity x programme) rows.  A cell nobody
   reported stays blank — never zero.  KRM-5 has facts by activity but no plan by activity, so a
   programme's KRM-7 plan column is filled only when every region of that programme came with
   project rows (KRM-2/KRM-3); otherwise it stays blank and the note says why.
4. **Check** (:func:`checks`): for each programme, the sum of the inputs' control totals ==
   KRM-6's total row == KRM-7's total row; the republic's total in KRM-6 == KRM-7 columns 3-4.
   After writing, the workbooks are read back and the same checks run on what is in the files.
   Any difference raises :class:`ReportError` (exit 1) and nothing is published.
5. **Write** atomically (temp file + rename), never over an existing file without ``force``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from krm import reference
from krm.model import Submission

ZERO = Decimal(0)
LANGS = ("kk", "ru")
INPUT_FORMS = ("KRM-2", "KRM-3", "KRM-4", "KRM-5")


class ReportError(Exception):
    """The report cannot be made or failed its own checks; ``code`` is the exit code (1 data, 2 usage/IO)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ periods
def parse_month(s: str) -> str:
    try:
        d = dt.datetime.strptime(str(s).strip(), "%Y-%m")
    except ValueError:
        raise ReportError(f"bad month {s!r}: write it as YYYY-MM, e.g. 2019-05", 2) from None
    return f"{d.year:04d}-{d.month:02d}"


def parse_quarter(s: str) -> tuple[str, list[str]]:
    """'2019Q2' -> ('2019Q2', ['2019-04', '2019-05', '2019-06'])."""
    t = str(s).strip().upper().replace("-", "")
    if len(t) != 6 or not t[:4].isdigit() or t[4] != "Q" or t[5] not in "1234":
        raise ReportError(f"bad quarter {s!r}: write it as YYYYQn, e.g. 2019Q2", 2)
    y, q = int(t[:4]), int(t[5])
    return f"{y}Q{q}", [f"{y:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def previous_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


# ------------------------------------------------------------------ selection
@dataclass
class Source:
    """One input file of the month and what the report did with it."""

    path: str  # as shown (relative to the folder searched)
    form: str
    period: str
    programme: str | None
    region: str | None
    district: str | None
    basis: str
    totals: dict
    status: str = "used"  # used | superseded | excluded
    note: str = ""

    @property
    def level(self) -> str:
        return {"KRM-2": "district", "KRM-3": "region", "KRM-4": "programme", "KRM-5": "programme"}.get(
            self.form, "")


@dataclass
class Unit:
    """The figures of one programme in one region for the month, from exactly one level."""

    programme: str
    region: str
    level: str  # KRM-4+5 | KRM-4 | KRM-5 | KRM-3 | KRM-2
    plan: int | None
    fact: int | None
    allocated: Decimal | None
    disbursed: Decimal | None
    act_plan: dict[str, int] | None  # activity code -> planned jobs (None: not available at this level)
    act_fact: dict[str, int] | None
    districts: tuple[str, ...] | None  # KRM-2 level: the districts that reported
    sources: list[str] = field(default_factory=list)


@dataclass
class MonthData:
    period: str
    basis: str | None
    units: dict[tuple[str, str], Unit]
    sources: list[Source]
    warnings: list[str]
    expected: dict[str, dict[str, int | None]]  # programme -> plan/fact/allocated/disbursed from the inputs' totals
    # files read for their header and totals only (FileSummary.checked False) that this selection would not
    # simply list as superseded: they must be read and validated in full, and the selection made again
    needs_check: list[Path] = field(default_factory=list)

    @property
    def programmes(self) -> list:
        return reference.programmes(self.period)

    @property
    def regions(self) -> list:
        return reference.regions(self.period)

    @property
    def has_data(self) -> bool:
        return bool(self.units)

    def units_of(self, programme: str | None = None, region: str | None = None) -> list[Unit]:
        # the note asks this a few thousand times: the units are sorted and indexed once (again if they change)
        stamp = (id(self.units), len(self.units))
        if self.__dict__.get("_index_stamp") != stamp:
            ordered = sorted(self.units.items())
            index: dict = defaultdict(list)
            for (p, r), u in ordered:
                index[(p, None)].append(u)
                index[(None, r)].append(u)
                index[(p, r)].append(u)
            index[(None, None)] = [u for _, u in ordered]
            self.__dict__["_index"], self.__dict__["_index_stamp"] = index, stamp
        return list(self.__dict__["_index"].get((programme, region), ()))

    def total(self, programme: str | None = None, region: str | None = None) -> dict:
        return _sum_units(self.units_of(programme, region))

    def activity_available(self, programme: str, measure: str) -> bool:
        us = self.units_of(programme)
        return bool(us) and all(getattr(u, f"act_{measure}") is not None for u in us)

    def republic_activity_available(self, measure: str) -> bool:
        progs = [p.code for p in self.programmes if self.units_of(p.code)]
        return bool(progs) and all(self.activity_available(p, measure) for p in progs)

    def activity_value(self, activity: str, programme: str | None, measure: str) -> int | None:
        if programme is None:
            if not self.republic_activity_available(measure):
                return None
            return sum(self.activity_value(activity, p.code, measure) or 0 for p in self.programmes
                       if self.units_of(p.code))
        if not self.activity_available(programme, measure):
            return None
        return sum(getattr(u, f"act_{measure}").get(activity, 0) for u in self.units_of(programme))


def _opt_sum(values):
    vals = [v for v in values if v is not None]
    return sum(vals[1:], vals[0]) if vals else None


def _sum_units(units: list[Unit]) -> dict:
    return {
        "plan": _opt_sum(u.plan for u in units),
        "fact": _opt_sum(u.fact for u in units),
        "allocated": _opt_sum(u.allocated for u in units),
        "disbursed": _opt_sum(u.disbursed for u in units),
        "n": len(units),
    }


def _display(path: Path, root: Path | None) -> str:
    return _displayer(root)(path)


def _displayer(root: Path | None):
    """``_display`` for many paths: the root and each folder resolved once (a selection shows thousands of
    paths); a file that is itself a symbolic link is resolved in full, as before."""
    base = None
    if root is not None:
        try:
            base = Path(root).resolve()
        except OSError:
            base = None
    folders: dict[Path, Path] = {}

    def resolved(p: Path) -> Path:
        if p.is_symlink() or p.name in ("", ".", ".."):
            return p.resolve()
        d = p.parent
        if d not in folders:
            folders[d] = d.resolve()
        return folders[d] / p.name

    def show(path: Path) -> str:
        p = Path(path)
        if base is not None:
            try:
                return resolved(p).relative_to(base).as_posix()
            except (ValueError, OSError):
                pass
        return p.as_posix()

    return show


def _activity_codes() -> tuple[str, ...]:
    return tuple(a.code for a in reference.activities())


def _rows_by_activity(rows, attr: str) -> dict[str, int] | None:
    codes = _activity_codes()
    out = {c: 0 for c in codes}
    for r in rows:
        if str(r.activity) not in out:
            return None
        out[str(r.activity)] += getattr(r, attr)
    return out


def _merge_activities(parts: list[dict[str, int] | None]) -> dict[str, int] | None:
    """Per-file activity sums added up: None (not available) as soon as one file has an unknown activity."""
    out = {c: 0 for c in _activity_codes()}
    for part in parts:
        if part is None:
            return None
        for k, v in part.items():
            out[k] += v
    return out


def _empty_row(r) -> bool:
    """A KRM-4/5 region row with nothing in it: the reader gives blank cells as 0, and a blank row is a
    region the programme did not report — it must show as "not reported", never as zero."""
    return not (r.plan or r.fact or r.allocated or r.disbursed or r.projects_planned or r.projects_done
                or any(r.by_activity.values()))


# ------------------------------------------------------------------ what is kept of each file
@dataclass
class FileSummary:
    """What the report keeps of one valid workbook: its header, its control totals and the figures it can
    be used for — never its rows.

    :func:`summarise` makes it from a :class:`~krm.model.Submission`, in the worker that read the file
    (``validate_paths(..., reduce=...)``), so memory does not grow with the rows read: a KRM-2/3 keeps
    its sums per activity and the row :func:`krm.rollup.programme_level` gives for it alone (what the
    selection cross-checks), a KRM-4/5 its region rows, a KRM-1 its header.
    """

    path: Path
    form: str
    period: str
    programme: str | None
    region: str | None  # the region it speaks for: rollup.region_of (the header's, else its district's)
    header_region: str | None  # Submission.region (the header's own)
    district: str | None
    basis: str | None  # as in the Submission (None/"" read as cumulative)
    modified: dt.datetime | None
    totals: dict  # Submission.totals(): plan, fact, allocated, disbursed
    regions: list = field(default_factory=list)  # KRM-4/5: RegionRow
    act_plan: dict[str, int] | None = None  # KRM-2/3: activity -> jobs planned (None: an unknown activity)
    act_fact: dict[str, int] | None = None
    rolled: object | None = None  # KRM-2/3: the RegionRow of rollup.programme_level([this file])
    # False: a KRM-3 read for its header and totals only, not validated, because the programme's KRM-4/5
    # cover it (see load_inputs); select() asks for it in full if it would be more than superseded
    checked: bool = True


def summarise(sub) -> FileSummary:
    """A :class:`FileSummary` of a (valid) Submission; a FileSummary is returned as it is."""
    from krm import rollup

    if isinstance(sub, FileSummary):
        return sub
    out = FileSummary(path=sub.path, form=sub.form, period=sub.period, programme=sub.programme,
                      region=rollup.region_of(sub), header_region=sub.region, district=sub.district,
                      basis=sub.basis, modified=sub.modified, totals=sub.totals())
    if sub.form in ("KRM-4", "KRM-5"):
        out.regions = list(sub.regions)
    elif sub.form in ("KRM-2", "KRM-3"):
        out.act_plan = _rows_by_activity(sub.projects, "plan")
        out.act_fact = _rows_by_activity(sub.projects, "fact")
        try:
            rolled = rollup.programme_level([sub])
            out.rolled = rolled[0].regions[0] if rolled and rolled[0].regions else None
        except rollup.RollupError:  # one file cannot mix bases or repeat a unit; never here
            out.rolled = None
    return out


def _unit_key(s: FileSummary, region: str | None) -> tuple:
    """What one submission speaks for: the same key twice is a duplicate."""
    unit = {"KRM-2": s.district, "KRM-3": region}.get(s.form, "")
    return (s.form, s.programme or "", unit or "")


def _stand_in(s: FileSummary) -> Submission:
    """The file's header as a Submission without rows: what rollup.programme_level groups by and refuses."""
    return Submission(path=s.path, form=s.form, period=s.period, programme=s.programme, region=s.header_region,
                      district=s.district, basis=s.basis)


def _add_rows(rows: list) -> tuple:
    """(plan, fact, allocated, disbursed, by_activity) of RegionRows added up (rollup's own arithmetic)."""
    by: dict[str, int] = defaultdict(int)
    for r in rows:
        for k, v in r.by_activity.items():
            by[k] += v
    return (sum(r.plan for r in rows), sum(r.fact for r in rows), sum((r.allocated for r in rows), ZERO),
            sum((r.disbursed for r in rows), ZERO), dict(by))


def select(subs: list, period: str, root: Path | None = None, *,
           prefer: str | None = None) -> MonthData:
    """Choose one level per (programme, region) for ``period`` and build the units (see the module docstring).

    ``subs``: :class:`~krm.model.Submission` or :class:`FileSummary` objects (any periods and forms).
    Duplicates (two files for the same district/region/programme, or two KRM-4/KRM-5 of one programme) are
    all left out, as ``krm aggregate`` does, unless ``prefer="newest"`` keeps the newest (document modified
    time, then path); either way the control sheet and the note say so.
    """
    from krm import rollup

    progs = [p.code for p in reference.programmes(period)]
    valid_regions = {r.kato for r in reference.regions(period)}
    show = _displayer(root)
    sources: list[Source] = []
    warnings: list[str] = []
    by_path: dict[int, Source] = {}
    k4: dict[str, FileSummary] = {}
    k5: dict[str, FileSummary] = {}
    k3: dict[tuple[str, str], FileSummary] = {}
    k2: dict[tuple[str, str], dict[str, FileSummary]] = defaultdict(dict)
    needs: set[Path] = set()

    shown = [(summarise(s), show(s.path)) for s in subs if s.period == period and s.form in INPUT_FORMS]
    shown.sort(key=lambda x: (x[0].form, x[1]))
    mine = [s for s, _ in shown]
    candidates: list[tuple[FileSummary, str | None]] = []
    for s, path in shown:
        region = s.region if s.form in ("KRM-2", "KRM-3") else None
        src = Source(path=path, form=s.form, period=s.period, programme=s.programme,
                     region=region, district=s.district, basis=s.basis or "cumulative", totals=s.totals)
        sources.append(src)
        by_path[id(s)] = src
        if not s.programme:
            src.status, src.note = "excluded", "no programme in the header"
        elif s.programme not in progs:
            src.status, src.note = "excluded", f"programme {s.programme} is not a KRM-6/7 column for {period}"
        elif s.form in ("KRM-2", "KRM-3") and (not region or region not in valid_regions):
            src.status, src.note = "excluded", "no region (or a region not valid for the period) in the header"
        elif s.form == "KRM-2" and not s.district:
            src.status, src.note = "excluded", "no district in the header"
        elif s.form in ("KRM-4", "KRM-5") and {r.region for r in s.regions} - valid_regions:
            bad = sorted({r.region for r in s.regions} - valid_regions)
            src.status, src.note = "excluded", f"regions {', '.join(bad)} do not exist in {period}"
        else:
            candidates.append((s, region))

    groups: dict[tuple, list[tuple[FileSummary, str | None]]] = defaultdict(list)
    for s, region in candidates:
        groups[_unit_key(s, region)].append((s, region))
    for key in sorted(groups):
        members = groups[key]
        if len(members) > 1:
            # which one is kept, or whether any is, depends on each being valid: only a validated file decides
            needs.update(s.path for s, _ in members if not s.checked)
            names = [by_path[id(s)].path for s, _ in members]
            if prefer == "newest":
                ranked = sorted(members, key=lambda m: (m[0].modified or dt.datetime.min, by_path[id(m[0])].path))
                kept = ranked[-1]
                for s, _ in ranked[:-1]:
                    by_path[id(s)].status = "excluded"
                    by_path[id(s)].note = f"older duplicate of {by_path[id(kept[0])].path} (--prefer newest)"
                warnings.append(f"duplicates {', '.join(names)}: kept the newest, {by_path[id(kept[0])].path}")
                members = [kept]
            else:
                for s, _ in members:
                    by_path[id(s)].status = "excluded"
                    by_path[id(s)].note = ("duplicate of " + ", ".join(n for n in names if n != by_path[id(s)].path)
                                           + ": not counted (use --prefer newest to keep the newest)")
                warnings.append(f"duplicates, none counted: {', '.join(names)} (same {key[0]}, unit and "
                                f"programme; use --prefer newest to keep the newest)")
                continue
        s, region = members[0]
        if s.form == "KRM-4":
            k4[s.programme] = s
        elif s.form == "KRM-5":
            k5[s.programme] = s
        elif s.form == "KRM-3":
            k3[(s.programme, region)] = s
        else:
            k2[(s.programme, region)][s.district] = s

    units: dict[tuple[str, str], Unit] = {}
    lower: list[FileSummary] = []
    for p in progs:
        r4 = {r.region: r for r in k4[p].regions if not _empty_row(r)} if p in k4 else {}
        r5 = {r.region: r for r in k5[p].regions if not _empty_row(r)} if p in k5 else {}
        low_regions = {r for (pp, r) in k3 if pp == p} | {r for (pp, r) in k2 if pp == p and k2[(pp, r)]}
        for region in sorted(set(r4) | set(r5) | low_regions):
            if region in r4 or region in r5:
                row4, row5 = r4.get(region), r5.get(region)
                act_fact = None
                if row5 is not None:
                    bad = {str(k) for k in row5.by_activity} - set(_activity_codes())
                    s5 = sum(row5.by_activity.values())
                    if bad or s5 != row5.fact:
                        warnings.append(f"KRM-5 {p}, region {region}: column 3 ({row5.fact}) is not the sum of "
                                        f"columns 4-12 ({s5}); its activity breakdown is not used")
                    elif row4 is not None and row4.fact != row5.fact:
                        warnings.append(f"KRM-4 and KRM-5 of {p} disagree for region {region}: {row4.fact} and "
                                        f"{row5.fact} jobs created; KRM-4 is used and the activity breakdown is "
                                        f"not shown")
                    else:
                        act_fact = {c: int(row5.by_activity.get(c, 0)) for c in _activity_codes()}
                if row4 is not None:
                    u = Unit(p, region, "KRM-4+5" if row5 is not None else "KRM-4", row4.plan, row4.fact,
                             row4.allocated, row4.disbursed, None, act_fact, None,
                             [by_path[id(k4[p])].path] + ([by_path[id(k5[p])].path] if row5 is not None else []))
                else:
                    u = Unit(p, region, "KRM-5", None, row5.fact, None, None, None, act_fact, None,
                             [by_path[id(k5[p])].path])
                units[(p, region)] = u
                for s in ([k3[(p, region)]] if (p, region) in k3 else []) + list(k2.get((p, region), {}).values()):
                    src = by_path[id(s)]
                    src.status, src.note = "superseded", f"{u.level} of the programme covers region {region}"
                continue
            if (p, region) in k3:
                chosen = [k3[(p, region)]]
                for s in k2.get((p, region), {}).values():
                    src = by_path[id(s)]
                    src.status, src.note = "superseded", f"the region's KRM-3 ({by_path[id(chosen[0])].path}) is used"
                level = "KRM-3"
            else:
                chosen = [k2[(p, region)][d] for d in sorted(k2[(p, region)])]
                level = "KRM-2"
            lower.extend(chosen)
            # the sums of the chosen files' rows (each file's, added up: the same numbers, to the last tenge)
            units[(p, region)] = Unit(
                p, region, level, sum(s.totals["plan"] for s in chosen), sum(s.totals["fact"] for s in chosen),
                sum((s.totals["allocated"] for s in chosen), ZERO), sum((s.totals["disbursed"] for s in chosen), ZERO),
                _merge_activities([s.act_plan for s in chosen]), _merge_activities([s.act_fact for s in chosen]),
                tuple(sorted(s.district for s in chosen)) if level == "KRM-2" else None,
                [by_path[id(s)].path for s in chosen])
            if units[(p, region)].act_plan is None:
                warnings.append(f"{p}, region {region}: rows with an unknown activity code; the activity "
                                f"breakdown is not shown")

    needs.update(s.path for s in mine if not s.checked and by_path[id(s)].status != "superseded")
    if needs:  # a file read for its totals only would be used, or decides a duplicate: read it in full first
        return MonthData(period, None, {}, sources, warnings, {}, sorted(needs))

    # the aggregate engineer's roll-up must give the same figures as our own sums of the same rows: each
    # file's rows were rolled up (rollup.programme_level) where it was read; here the roll-up groups the
    # files (refusing mixed bases, a unit twice) and its per-file rows are added up against the units
    if lower:
        try:
            rolled = rollup.programme_level([_stand_in(s) for s in lower])
        except rollup.RollupError as e:
            raise ReportError(str(e)) from None
        per_unit: dict[tuple, list] = defaultdict(list)
        for s in lower:
            if s.rolled is None:
                raise ReportError(f"roll-up of {by_path[id(s)].path} failed")
            per_unit[(s.programme, s.region)].append(s.rolled)
        for sub in rolled:
            for row in sub.regions:
                u = units.get((sub.programme, row.region))
                mine_ = (u.plan, u.fact, u.allocated, u.disbursed) if u else None
                plan, fact, allocated, disbursed, by_activity = _add_rows(per_unit[(sub.programme, row.region)])
                theirs = (plan, fact, allocated, disbursed)
                if mine_ != theirs:
                    raise ReportError(f"roll-up of {sub.programme} region {row.region} does not balance: "
                                      f"rollup {theirs} vs report {mine_}")
                if u.act_fact is not None and {k: v for k, v in by_activity.items() if v} != \
                        {k: v for k, v in u.act_fact.items() if v}:
                    raise ReportError(f"roll-up of {sub.programme} region {row.region}: facts by activity differ")

    used = [s for s in sources if s.status == "used"]
    bases = sorted({s.basis for s in used})
    if len(bases) > 1:
        raise ReportError(f"{period}: the inputs mix bases ({', '.join(bases)}); cumulative and monthly figures "
                          f"are never added — ask for the files on one basis")
    # per programme, the sums of the used inputs' own control totals (computed apart from the units)
    expected: dict[str, dict] = {}
    for s in mine:
        src = by_path[id(s)]
        if src.status != "used":
            continue
        e = expected.setdefault(s.programme, {"plan": None, "fact": None})
        if s.form == "KRM-5":  # a KRM-5 gives the facts only where no KRM-4 covers the region
            only5 = [r.fact for r in s.regions if not _empty_row(r) and
                     units[(s.programme, r.region)].level == "KRM-5"]
            if only5:
                e["fact"] = (e["fact"] or 0) + sum(only5)
            continue
        e["plan"] = (e["plan"] or 0) + int(src.totals["plan"])
        e["fact"] = (e["fact"] or 0) + int(src.totals["fact"])
    return MonthData(period, bases[0] if bases else None, units, sources, warnings, expected)


# ------------------------------------------------------------------ KRM-6 / KRM-7 rows
def krm6_rows(md: MonthData) -> list[dict]:
    rows = []
    for r in md.regions:
        rec: dict = {"region": r.kato}
        for u in md.units_of(region=r.kato):
            rec[f"{u.programme}_plan"] = u.plan
            rec[f"{u.programme}_fact"] = u.fact
        rows.append(rec)
    return rows


def krm7_rows(md: MonthData) -> list[dict]:
    rows = []
    for a in reference.activities():
        rec: dict = {"activity": a.code,
                     "plan": md.activity_value(a.code, None, "plan"),
                     "fact": md.activity_value(a.code, None, "fact")}
        for p in md.programmes:
            rec[f"{p.code}_plan"] = md.activity_value(a.code, p.code, "plan")
            rec[f"{p.code}_fact"] = md.activity_value(a.code, p.code, "fact")
        rows.append(rec)
    return rows


def _col_total(rows: list[dict], key: str) -> int | None:
    return _opt_sum(r.get(key) for r in rows)


@dataclass
class Check:
    what: str
    inputs: int | None
    krm6: int | None
    krm7: int | None  # None: KRM-7 has no such figure (e.g. plan by activity not available)
    ok: bool


def checks(md: MonthData, rows6: list[dict], rows7: list[dict]) -> list[Check]:
    """The cross-form equalities: inputs == KRM-6 total row == KRM-7 total row, per programme and republic."""
    out = []
    for p in md.programmes:
        if p.code not in md.expected and not md.units_of(p.code):
            continue
        for m in ("plan", "fact"):
            exp = md.expected.get(p.code, {}).get(m)
            t6 = _col_total(rows6, f"{p.code}_{m}")
            t7 = _col_total(rows7, f"{p.code}_{m}") if md.activity_available(p.code, m) else None
            ok = exp == t6 and (t7 is None or t7 == t6)
            out.append(Check(f"{p.code} {m}", exp, t6, t7, ok))
    for m in ("plan", "fact"):
        exp = _opt_sum(e.get(m) for e in md.expected.values())
        t6 = _opt_sum(_col_total(rows6, f"{p.code}_{m}") for p in md.programmes)
        t7 = _col_total(rows7, m) if md.republic_activity_available(m) else None
        rowsum_ok = all(r.get(m) is None or r[m] == sum(r.get(f"{p.code}_{m}") or 0 for p in md.programmes)
                        for r in rows7)
        out.append(Check(f"republic {m}", exp, t6, t7, exp == t6 and (t7 is None or t7 == t6) and rowsum_ok))
    return out


def readback(path: Path, spec, lay) -> dict[str, tuple[int | None, int | None]]:
    """What a written form holds: column key -> (sum of its data rows, its total-row value)."""
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.sheet_name).to_python(
        skip_empty_area=False)
    out = {}
    for ci, c in enumerate(lay.columns):
        if not c.type.numeric:
            continue
        vals = [grid[r][ci] for r in range(lay.first_data_row, lay.last_data_row + 1)]
        nums = [int(round(v)) for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        tot = grid[lay.total_row][ci] if lay.total_row is not None else None
        out[c.key] = (sum(nums) if nums else None, int(round(tot)) if isinstance(tot, (int, float)) else None)
    return out


# ------------------------------------------------------------------ texts
@dataclass
class Texts:
    lang: str
    data: dict

    def __call__(self, key: str, **kw) -> str:
        s = self.data.get(key, key)
        return s.format(**kw) if kw else s

    def month(self, period: str) -> str:
        y, m = int(period[:4]), int(period[5:7])
        return self.data["month_fmt"].format(y=y, m=self.data["months"][m - 1])

    def programme(self, p) -> str:
        return self.data["prog_short"].get(p.code, p.short or p.code)

    def region(self, r, short: bool = False) -> str:
        name = r.name(self.lang)
        if short:
            for w in self.data["region_words"]:
                name = name.replace(w, "")
            name = name.strip()
        return name

    def activity(self, a) -> str:
        return a.name(self.lang)


def texts(lang: str) -> Texts:
    with open(Path(str(resources.files("krm") / "report_templates" / "messages.json")), encoding="utf-8") as fh:
        data = json.load(fh)
    return Texts(lang, data[lang])


# ------------------------------------------------------------------ control sheet
def control_sheet(md: MonthData, chk: list[Check], t: Texts) -> tuple[str, list[list]]:
    rows: list[list] = [[t("c_file"), t("c_form"), t("c_level"), t("c_programme"), t("c_region"), t("c_district"),
                         t("c_period"), t("c_basis"), t("plan"), t("fact"), t("allocated"), t("disbursed"),
                         t("c_status"), t("c_note")]]
    for s in md.sources:
        rows.append([s.path, s.form, t("level_" + s.level), s.programme or "", s.region or "", s.district or "",
                     s.period, s.basis, s.totals["plan"], s.totals["fact"], s.totals["allocated"],
                     s.totals["disbursed"], t("status_" + s.status), s.note])
    if not md.sources:
        rows.append([t("no_files")])
    rows.append([])
    rows.append([t("c_check"), t("c_inputs"), "КРМ-6", "КРМ-7", t("c_result")])
    for c in chk:
        rows.append([c.what, c.inputs, c.krm6, c.krm7 if c.krm7 is not None else t("c_na"),
                     t("ok") if c.ok else t("fail")])
    if md.warnings:
        rows.append([])
        rows.append([t("c_warnings")])
        rows.extend([[w] for w in md.warnings])
    return t("control_sheet"), rows


# ------------------------------------------------------------------ inputs from disk
def report_periods(month: str, quarter: str | None = None) -> frozenset[str]:
    """The months whose KRM-2 … KRM-5 a report of ``month`` (or ``quarter``) can use: the month, the previous
    month (the month's change) and the quarter's months."""
    months = {month, previous_month(month)}
    if quarter:
        months.update(parse_quarter(quarter)[1])
    return frozenset(months)


@dataclass
class _Bad:
    """A file that is unreadable or has errors: listed as excluded (built in the worker, a few hundred bytes)."""

    path: Path
    form: str
    period: str
    programme: str | None
    note: str

    def source(self, show) -> Source:
        return Source(path=show(self.path), form=self.form, period=self.period, programme=self.programme,
                      region=None, district=None, basis="",
                      totals={"plan": None, "fact": None, "allocated": None, "disbursed": None},
                      status="excluded", note=self.note)


class _Keep:
    """``validate_paths(reduce=...)``: what the report keeps of one validated file, computed in the worker.

    A :class:`FileSummary` for a valid KRM-2 … KRM-5 of a month the report uses (:func:`report_periods`) and
    for a KRM-1 of the year (its header says who planned jobs); a :class:`_Bad` for a file with errors or
    unreadable; ``None`` for anything else (other months, other forms): nothing of it is held."""

    def __init__(self, periods: frozenset[str], year: str):
        self.periods, self.year = periods, year

    def __call__(self, rep):
        sub = getattr(rep, "submission", None)
        if rep.errors or sub is None:
            first = next((f for f in rep.findings if f.severity == "error"), None)
            why = f"{rep.errors} errors" + (f" (first: {first.code} {first.message('en')})" if first else "")
            return _Bad(rep.path, rep.form or "?", getattr(sub, "period", "") or "",
                        getattr(sub, "programme", None), f"{why}; run krm validate on it")
        if (sub.form in INPUT_FORMS and sub.period in self.periods) or \
                (sub.form == "KRM-1" and str(sub.period) == self.year and sub.programme):
            return summarise(sub)
        return None


_KRM_FORM = re.compile(rb'name="krm_form"[^>]*>\s*<[^>]*>\s*([^<]{1,16}?)\s*<')
_CUSTOM = b"docProps/custom.xml"


def _form_hint(path: Path) -> str | None:
    """The ``krm_form`` document property of a workbook, or None (absent, unusual or unreadable zip).

    Only a hint for the order of reading (:func:`load_inputs`): a wrong or missing hint costs time, never
    changes a figure, because every file is then read by the reader itself.  It reads two small pieces of
    the zip by hand (the central directory at its end, then the one member, at most 64 KB, inflated with a
    bound), which is a few times cheaper than opening the zip and safe on any bytes: it runs in this process.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the run
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        with os.fdopen(fd, "rb") as fh:
            size = fh.seek(0, 2)
            tail_len = min(size, 65536 + 22)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
            e = tail.rfind(b"PK\x05\x06")
            if e < 0 or len(tail) < e + 22:
                return None
            cd_size, cd_offset = struct.unpack_from("<II", tail, e + 12)
            if cd_size > 1 << 20 or cd_offset + cd_size > size:
                return None
            fh.seek(cd_offset)
            cd = fh.read(cd_size)
            i = cd.find(b"PK\x01\x02")
            while 0 <= i and i + 46 <= len(cd):
                method, = struct.unpack_from("<H", cd, i + 10)
                csize, usize, nlen, xlen, clen = struct.unpack_from("<IIHHH", cd, i + 20)
                local, = struct.unpack_from("<I", cd, i + 42)
                if cd[i + 46:i + 46 + nlen] == _CUSTOM:
                    if csize > 65536 or usize > 65536 or method not in (0, 8):
                        return None
                    fh.seek(local)
                    lh = fh.read(30)
                    if len(lh) < 30 or lh[:4] != b"PK\x03\x04":
                        return None
                    lnlen, lxlen = struct.unpack_from("<HH", lh, 26)
                    fh.seek(local + 30 + lnlen + lxlen)
                    data = fh.read(csize)
                    if method == 8:
                        data = zlib.decompressobj(-15).decompress(data, 65536)
                    m = _KRM_FORM.search(data)
                    return m.group(1).decode("ascii", "replace") if m else None
                i = cd.find(b"PK\x01\x02", i + 46 + nlen + xlen + clen)
    except (OSError, ValueError, struct.error, zlib.error):
        return None
    return None


def _light_totals(rows) -> dict:
    """Submission.totals() of a KRM-3's data rows without building the rows: the same parsing as
    krm.convert (a blank or unreadable number counts as 0), the same sums in the same order."""
    from krm import values

    plan = fact = 0
    allocated = disbursed = Decimal(0)
    for r in rows:
        v = r.values
        n, _ = values.parse_int(v.get("plan"))
        plan += n if n is not None else 0
        n, _ = values.parse_int(v.get("fact"))
        fact += n if n is not None else 0
        d, _ = values.parse_money(v.get("allocated"))
        allocated += d if d is not None else Decimal(0)
        d, _ = values.parse_money(v.get("disbursed"))
        disbursed += d if d is not None else Decimal(0)
    return {"plan": plan, "fact": fact, "allocated": allocated, "disbursed": disbursed}


class _Light:
    """Read a KRM-3 for its header and control totals only — no rules, no rows kept — if a higher level
    covers its (period, programme, region), as its own header says; otherwise None (read it in full)."""

    def __init__(self, cover: set[tuple[str, str, str]]):
        self.cover = cover

    def __call__(self, path: Path) -> FileSummary | None:
        from krm import rollup
        from krm.convert import to_submission
        from krm.workbook.reader import ReadError, read

        try:
            pf = read(Path(path))
        except (ReadError, OSError):
            return None
        if pf.spec.id != "KRM-3" or pf.number_row is None:
            return None
        rows, pf.rows = pf.rows, []  # the header only: to_submission's own reading of it
        try:
            sub = to_submission(pf)
        except Exception:  # noqa: BLE001 - read it in full: validation will say what is wrong
            return None
        region = rollup.region_of(sub)
        if (sub.period, sub.programme, region) not in self.cover:
            return None
        return FileSummary(path=sub.path, form=sub.form, period=sub.period, programme=sub.programme, region=region,
                           header_region=sub.region, district=sub.district, basis=sub.basis, modified=sub.modified,
                           totals=_light_totals(rows), checked=False)


def _covered(records) -> set[tuple[str, str, str]]:
    """(period, programme, region) that a non-empty KRM-4/5 row of the records speaks for."""
    cover = set()
    for r in records:
        if isinstance(r, FileSummary) and r.form in ("KRM-4", "KRM-5"):
            cover.update((r.period, r.programme, row.region) for row in r.regions if not _empty_row(row))
    return cover


def load_inputs(root: Path, month: str, quarter: str | None = None, *, jobs: int | None = None,
                prefer: str | None = None, cache: bool | None = None,
                light: bool = True) -> tuple[list[FileSummary], list[Source]]:
    """What the report needs of every workbook under ``root``: a :class:`FileSummary` of each valid KRM-2 …
    KRM-5 of the months it uses (:func:`report_periods`) and of each KRM-1 of the year, and an excluded
    :class:`Source` for each file that is unreadable or has errors (any month).  Nothing else of any file
    is held, and no file's rows: each is summarised in the worker that validated it.

    A KRM-3 is not validated for nothing when the programme's KRM-4/KRM-5 cover its region (as in
    ``krm aggregate``'s output, where the report uses KRM-4/5 and lists every KRM-3 as superseded):

    1. a hint of each file's form (its ``krm_form`` property, :func:`_form_hint`; a wrong hint costs time);
    2. every file but the KRM-3 is validated (``validate_paths``, ``reduce`` keeping the summary);
    3. a KRM-3 whose own header (read by the reader, not the hint) names a (period, programme, region) that
       a non-empty KRM-4/5 row covers is read for its header and totals only, without the rules
       (``checked=False``); every other KRM-3 is validated;
    4. any KRM-3 read that way that :func:`select` would do more with than list as *superseded* (use it,
       because the KRM-4/5 turn out to be excluded or duplicates, or weigh it against a duplicate) is then
       validated too, and the selection made again.

    So such a KRM-3 is listed as superseded with its own totals, exactly as before, unless it has errors:
    those are not looked for (it used to be listed as excluded for them; ``krm validate`` finds them).
    ``light=False`` (``--strict``) validates every file.
    """
    from krm.pool import run_isolated
    from krm.validate import FileReport, find_workbooks, validate_paths

    root = Path(root)
    if not root.exists():
        raise ReportError(f"{root}: no such folder", 2)
    month = parse_month(month)
    periods = report_periods(month, quarter)
    keep = _Keep(periods, month[:4])
    paths = find_workbooks([root])
    results: dict[Path, object] = {}

    def validate(todo: list[Path]) -> None:
        if todo:
            for p, r in zip(todo, validate_paths(todo, jobs=jobs, reduce=keep, cache=cache)):
                results[p] = keep(r) if isinstance(r, FileReport) else r  # a crashed worker's report

    hints = {p: _form_hint(p) for p in paths} if light else {}
    validate([p for p in paths if hints.get(p) != "KRM-3"])
    todo = [p for p in paths if hints.get(p) == "KRM-3"]
    cover = _covered(results.values())
    if cover and todo:
        import krm.convert  # noqa: F401 - imported once here, before the fork
        import krm.rollup  # noqa: F401
        import krm.workbook.reader  # noqa: F401

        full = []
        for p, ok, res in run_isolated(_Light(cover), todo, jobs=jobs if jobs is not None else
                                       min(os.cpu_count() or 1, 8), mem_limit_mb=1024, timeout_s=60, chunksize=4,
                                       isolate=True):
            if ok and isinstance(res, FileSummary):
                results[p] = res
            else:
                full.append(p)
        todo = full
    validate(todo)
    while any(isinstance(r, FileSummary) and not r.checked for r in results.values()):
        summaries = [r for r in results.values() if isinstance(r, FileSummary)]
        needs: set[Path] = set()
        for period in sorted(periods):
            try:
                needs.update(select(summaries, period, root, prefer=prefer).needs_check)
            except ReportError:  # only raised once nothing needs reading; build() raises it where it matters
                pass
        if not needs:
            break
        validate([p for p in paths if p in needs])
    show = _displayer(root)
    ordered = [results[p] for p in paths]
    return [r for r in ordered if isinstance(r, FileSummary)], [r.source(show) for r in ordered if isinstance(r, _Bad)]


# ------------------------------------------------------------------ the report
@dataclass
class Report:
    month: str
    quarter: str | None
    data: MonthData
    previous: MonthData | None
    quarter_months: list[MonthData | None]
    rows6: list[dict]
    rows7: list[dict]
    checks: list[Check]
    excluded: list[Source]
    planned: set[tuple[str, str, str]] | None = None  # (programme, region, district) with a KRM-1 plan for the year

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def build(subs: list, month: str, *, quarter: str | None = None, root: Path | None = None,
          excluded: list[Source] | None = None, prefer: str | None = None) -> Report:
    """Everything the outputs need, computed and checked in memory (no files written).

    ``subs``: :class:`~krm.model.Submission` or :class:`FileSummary` objects (:func:`load_inputs`)."""
    month = parse_month(month)
    q_months: list[str] = []
    if quarter:
        quarter, q_months = parse_quarter(quarter)
        if month != q_months[-1]:
            raise ReportError(f"the quarterly note {quarter} is made from the quarter's last month {q_months[-1]}, "
                              f"not {month}", 2)
    periods = report_periods(month, quarter)
    subs = [summarise(s) for s in subs if (s.form in INPUT_FORMS and s.period in periods) or s.form == "KRM-1"]
    excluded = [e for e in (excluded or []) if not e.period or e.period == month]
    md = _select_checked(subs, month, root, prefer)
    md.sources.extend(excluded)
    prev = None
    pm = previous_month(month)
    if month[5:7] != "01" or md.basis == "month":
        p = _select_checked(subs, pm, root, prefer)
        prev = p if p.has_data else None
    qm = []
    for m in q_months:
        if m == month:
            qm.append(md)
        else:
            d = _select_checked(subs, m, root, prefer)
            qm.append(d if d.has_data else None)
    rows6, rows7 = krm6_rows(md), krm7_rows(md)
    chk = checks(md, rows6, rows7)
    plans = [s for s in subs if s.form == "KRM-1" and str(s.period) == month[:4] and s.programme]
    planned = {(s.programme, s.region or "", s.district or "") for s in plans} if plans else None
    rep = Report(month, quarter, md, prev, qm, rows6, rows7, chk, excluded, planned)
    if not rep.ok:
        raise ReportError("control totals do not balance: " + "; ".join(
            f"{c.what}: inputs {c.inputs}, KRM-6 {c.krm6}, KRM-7 {c.krm7}" for c in chk if not c.ok))
    return rep


def _select_checked(subs: list[FileSummary], period: str, root: Path | None, prefer: str | None) -> MonthData:
    md = select(subs, period, root, prefer=prefer)
    if md.needs_check:  # load_inputs reads these in full before building; a caller of build() must too
        raise ReportError(f"{period}: {len(md.needs_check)} files were read for their totals only and must be "
                          f"validated first (first: {md.needs_check[0]})")
    return md


def output_names(rep_month: str, quarter: str | None, langs: list[str]) -> list[str]:
    names = []
    for lang in langs:
        names += [f"KRM-6-{rep_month}.{lang}.xlsx", f"KRM-7-{rep_month}.{lang}.xlsx",
                  f"note-{quarter or rep_month}.{lang}.html"]
    return names


def write_outputs(rep: Report, out: Path, langs: list[str], *, force: bool = False) -> list[Path]:
    """Write KRM-6, KRM-7 and the note for each language; read the forms back and re-check them."""
    from krm import forms
    from krm.workbook.writer import atomic_write, write_form

    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ReportError(f"cannot create folder {out}: {e.strerror or e}", 2) from None
    targets = [out / n for n in output_names(rep.month, rep.quarter, langs)]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise ReportError(f"{existing[0]} exists; use --force to overwrite", 2)
    written = []
    header = {"period": rep.month, "basis": rep.data.basis or "cumulative"}
    progs = rep.data.programmes
    for lang in langs:
        t = texts(lang)
        sheet = control_sheet(rep.data, rep.checks, t)
        for spec, rows in ((forms.get("KRM-6"), rep.rows6), (forms.get("KRM-7"), rep.rows7)):
            target = out / f"{spec.id}-{rep.month}.{lang}.xlsx"

            def _write(tmp, spec=spec, rows=rows):
                lay = write_form(tmp, spec, lang, header=header, rows=rows, period=rep.month, programmes=progs,
                                 spare_rows=0, extra_sheets=[sheet], input_cells=False)
                got = readback(Path(tmp), spec, lay)
                for key, (colsum, tot) in got.items():
                    want = _col_total(rows, key)
                    if colsum != want or (tot or 0) != (want or 0):
                        raise ReportError(f"{target.name}: column {key} reads back as {colsum} (total row {tot}), "
                                          f"expected {want}; nothing was written")

            _atomic(atomic_write, target, _write, force)
            written.append(target)
        target = out / f"note-{rep.quarter or rep.month}.{lang}.html"
        html = render_note(rep, lang)
        _atomic(atomic_write, target, lambda tmp, html=html: Path(tmp).write_text(html, encoding="utf-8"), force)
        written.append(target)
    return written


def _atomic(atomic_write, target: Path, writer, force: bool) -> None:
    try:
        atomic_write(target, writer, force=force)
    except FileExistsError:
        raise ReportError(f"{target} exists; use --force to overwrite", 2) from None
    except PermissionError as e:
        raise ReportError(f"cannot write {target}: {e.strerror or e}", 2) from None
    except OSError as e:
        raise ReportError(f"cannot write {target}: {e.strerror or e}", 2) from None


def make_report(root: Path, month: str | None, out: Path, *, langs: list[str] | None = None,
                quarter: str | None = None, force: bool = False, jobs: int | None = None,
                prefer: str | None = None, strict: bool = False,
                cache: bool | None = None) -> tuple[Report, list[Path]]:
    """The whole command: read ``root``, build, check, write.  Raises :class:`ReportError`.

    ``cache=False``: read without the register of submissions (:mod:`krm.register`); default: as configured
    (``KRM_REGISTER``)."""
    langs = langs or ["kk"]
    for lang in langs:
        if lang not in LANGS:
            raise ReportError(f"unknown language {lang!r}: use kk, ru or kk,ru", 2)
    if quarter and not month:
        month = parse_quarter(quarter)[1][-1]
    if not month:
        raise ReportError("give --month YYYY-MM (or --quarter YYYYQn)", 2)
    if not Path(root).exists():
        raise ReportError(f"{root}: no such folder", 2)
    month = parse_month(month)
    if quarter:  # a bad or mismatched quarter is refused before any file is read (build() says the same)
        quarter_id, q_months = parse_quarter(quarter)
        if month != q_months[-1]:
            raise ReportError(f"the quarterly note {quarter_id} is made from the quarter's last month "
                              f"{q_months[-1]}, not {month}", 2)
    subs, excluded = load_inputs(Path(root), month, quarter, jobs=jobs, prefer=prefer, cache=cache, light=not strict)
    rep = build(subs, month, quarter=quarter, root=Path(root), excluded=excluded, prefer=prefer)
    left_out = [s for s in rep.data.sources if s.status == "excluded"]
    if not any(s.status == "used" for s in rep.data.sources) and not any(rep.quarter_months or []):
        # blank KRM-6/7 for a month nobody reported would look like a national zero; say it instead
        raise ReportError(f"no usable KRM-2 … KRM-5 workbook for {rep.month} under {root} "
                          f"({len(rep.data.sources)} files of that month excluded or superseded, "
                          f"{len(excluded)} unreadable or with errors); nothing was written")
    if strict and left_out:
        raise ReportError(f"--strict: {len(left_out)} input files of {rep.month} are excluded (first: "
                          f"{left_out[0].path}: {left_out[0].note}); nothing was written")
    return rep, write_outputs(rep, out, langs, force=force)


# ------------------------------------------------------------------ the analytical note (HTML)
def _pct(fact, plan) -> float | None:
    if plan in (None, 0) or fact is None:
        return None
    return 100.0 * float(fact) / float(plan)


def _money(v) -> str:
    if v is None:
        return "—"
    q = Decimal(v).quantize(Decimal("0.1"))
    s = f"{q:,.1f}".replace(",", "\u202f").replace(".", ",")
    return s.replace("-", "−")


def _change(md: MonthData, prev: MonthData | None, programme: str | None = None, region: str | None = None):
    """Jobs created since the previous month, over the (programme, region) cells reported in both months."""
    if prev is None:
        return None
    diffs = []
    for (p, r), u in md.units.items():
        if (programme and p != programme) or (region and r != region):
            continue
        v = prev.units.get((p, r))
        if v is not None and u.fact is not None and v.fact is not None:
            diffs.append(u.fact if md.basis == "month" else u.fact - v.fact)
    return sum(diffs) if diffs else None


def _signed(n) -> str:
    from krm.svg import fmt_int

    if n is None:
        return "—"
    return ("+" if n > 0 else "") + fmt_int(n)


def note_context(rep: Report, lang: str) -> dict:
    """Everything the note template shows, as display strings (the template does no arithmetic)."""
    from krm import __version__, svg

    t = texts(lang)
    md, prev = rep.data, rep.previous
    fi, fp = svg.fmt_int, svg.fmt_pct
    regions = md.regions
    progs = md.programmes
    rep_total = md.total()
    ctx: dict = {"t": t, "lang": lang, "version": __version__}
    period_label = t.month(md.period)
    ctx["period_label"] = period_label
    if rep.quarter:
        y, q = rep.quarter[:4], rep.quarter[5]
        ctx["subtitle"] = t("subtitle_quarter", quarter=t("quarter_fmt").format(y=y, q=q))
    else:
        ctx["subtitle"] = t("subtitle_month", period=period_label)
    ctx["basis"] = t("basis_" + (md.basis or "cumulative"))
    used = [s for s in md.sources if s.status == "used"]
    counts = defaultdict(int)
    for s in used:
        counts[s.form] += 1
    ctx["based_on"] = t("based_on", n=len(used), levels=", ".join(
        f"{f.replace('KRM', 'КРМ')} × {n}" for f, n in sorted(counts.items())))
    ctx["has_data"] = md.has_data
    ctx["has_prev"] = prev is not None

    # headline
    pct = _pct(rep_total["fact"], rep_total["plan"])
    disb_pct = _pct(rep_total["disbursed"], rep_total["allocated"])
    change = _change(md, prev)
    reported = sorted({r for (_, r) in md.units})
    ctx["kpi"] = {
        "plan": fi(rep_total["plan"]), "fact": fi(rep_total["fact"]), "pct": fp(pct),
        "pct_colour": svg.class_colour(pct),
        "allocated": _money(rep_total["allocated"]), "disbursed": _money(rep_total["disbursed"]),
        "disb_pct": t("disbursed_pct", pct=fp(disb_pct)) if disb_pct is not None else "",
        "change": _signed(change) if change is not None else None,
        "change_note": (t("kpi_month_jan") if md.period[5:7] == "01" and md.basis != "month"
                        else t("kpi_month_na")),
        "coverage": t("kpi_coverage_val", n=len(reported), total=len(regions)),
        "progs": t("kpi_progs", n=len({p for (p, _) in md.units}), total=len(progs)),
    }

    # by region
    region_rows, chart_rows, map_values, map_labels = [], [], {}, {}
    for r in regions:
        tot = md.total(region=r.kato)
        rp = _pct(tot["fact"], tot["plan"])
        has = tot["n"] > 0
        region_rows.append({"name": t.region(r), "plan": fi(tot["plan"]) if has else "—",
                            "fact": fi(tot["fact"]) if has else "—", "pct": fp(rp), "pct_value": rp,
                            "colour": svg.class_colour(rp) if has else svg.NO_DATA,
                            "change": _signed(_change(md, prev, region=r.kato)),
                            "allocated": _money(tot["allocated"]), "disbursed": _money(tot["disbursed"]),
                            "n": tot["n"], "reported": has, "plan_raw": tot["plan"], "fact_raw": tot["fact"],
                            "gap": (tot["plan"] - tot["fact"]) if (tot["plan"] and tot["fact"] is not None) else None})
        if has:
            chart_rows.append((t.region(r), tot["plan"], tot["fact"]))
        map_values[r.kato] = rp
        map_labels[r.kato] = f"{t.region(r, short=True)}\n{fp(rp) if has else t('no_data_short')}"
    ctx["regions"] = region_rows
    ctx["region_total"] = {"plan": fi(rep_total["plan"]), "fact": fi(rep_total["fact"]), "pct": fp(pct),
                           "change": _signed(change), "allocated": _money(rep_total["allocated"]),
                           "disbursed": _money(rep_total["disbursed"])}
    chart_rows.sort(key=lambda x: (-(_pct(x[2], x[1]) if _pct(x[2], x[1]) is not None else -1), x[0]))
    n_silent = len(regions) - len(chart_rows)
    ctx["regions_missing_caption"] = t("chart_missing", n=n_silent, total=len(regions)) if n_silent else ""
    ctx["region_chart"] = svg.bullet_chart(chart_rows, plan_label=t("plan"), fact_label=t("fact"),
                                           missing_label=t("not_reported"), title=t("sec_regions"))
    geo = "regions_2019.geojson" if md.period < "2022-06" else "regions.geojson"
    ctx["map"] = svg.region_map(svg.load_regions(reference.data_path(geo)), map_values, map_labels,
                                reported=set(reported), legend_title=t("map_legend"),
                                no_data_label=t("map_no_data"), no_plan_label=t("map_no_plan"),
                                attribution=t("attribution"), title=t("sec_map"))
    ctx["attribution"] = t("attribution")

    behind = sorted((x for x in region_rows if x["pct_value"] is not None and x["pct_value"] < 100),
                    key=lambda x: (x["pct_value"], -(x["gap"] or 0), x["name"]))[:5]
    ctx["behind"] = [dict(x, gap=fi(x["gap"])) for x in behind]

    # by programme
    prog_rows, prog_chart = [], []
    for p in progs:
        tot = md.total(programme=p.code)
        if tot["n"] == 0:
            continue
        levels = sorted({u.level for u in md.units_of(p.code)})
        prog_rows.append({"name": t.programme(p), "full": p.name(lang), "plan": fi(tot["plan"]),
                          "fact": fi(tot["fact"]), "pct": fp(_pct(tot["fact"], tot["plan"])),
                          "colour": svg.class_colour(_pct(tot["fact"], tot["plan"])),
                          "change": _signed(_change(md, prev, programme=p.code)),
                          "regions": t("kpi_coverage_val", n=tot["n"], total=len(regions)),
                          "allocated": _money(tot["allocated"]), "disbursed": _money(tot["disbursed"]),
                          "levels": ", ".join(lv.replace("KRM", "КРМ") for lv in levels)})
        prog_chart.append((t.programme(p), tot["plan"], tot["fact"]))
    ctx["programmes"] = prog_rows
    ctx["programme_chart"] = svg.bullet_chart(prog_chart, plan_label=t("plan"), fact_label=t("fact"),
                                              missing_label=t("not_reported"), title=t("sec_programmes"))

    # by activity
    act_rows, act_chart = [], []
    plan_ok, fact_ok = md.republic_activity_available("plan"), md.republic_activity_available("fact")
    for a in reference.activities():
        pl = md.activity_value(a.code, None, "plan")
        fa = md.activity_value(a.code, None, "fact")
        act_rows.append({"name": a.label(lang), "plan": fi(pl) if plan_ok else t("na"),
                         "fact": fi(fa) if fact_ok else t("na"), "pct": fp(_pct(fa, pl))})
        act_chart.append((a.name(lang), pl if plan_ok else None, fa if fact_ok else None))
    ctx["activities"] = act_rows
    tp, tf = _opt_sum(md.activity_value(a.code, None, "plan") for a in reference.activities()), \
        _opt_sum(md.activity_value(a.code, None, "fact") for a in reference.activities())
    ctx["activity_total"] = {"plan": fi(tp) if plan_ok else t("na"), "fact": fi(tf) if fact_ok else t("na"),
                             "pct": fp(_pct(tf, tp))}
    ctx["activity_chart"] = svg.bullet_chart(act_chart, plan_label=t("plan"), fact_label=t("fact"),
                                             missing_label=t("na"), title=t("sec_activities")) \
        if (plan_ok or fact_ok) else ""
    with_units = [p for p in progs if md.units_of(p.code)]
    no_plan = [t.programme(p) for p in with_units if not md.activity_available(p.code, "plan")]
    no_fact = [t.programme(p) for p in with_units if not md.activity_available(p.code, "fact")]
    ctx["activity_notes"] = ([t("act_plan_na", list=", ".join(no_plan))] if no_plan else []) + \
        ([t("act_fact_na", list=", ".join(no_fact))] if no_fact else [])

    # key points
    points = []
    if md.has_data:
        points.append(t("pt_overall", period=period_label, plan=fi(rep_total["plan"]), fact=fi(rep_total["fact"]),
                        pct=fp(pct)))
        if change is not None:
            points.append(t("pt_month", change=_signed(change)))
        ranked = [x for x in region_rows if x["pct_value"] is not None]
        if ranked:
            best = max(ranked, key=lambda x: (x["pct_value"], x["name"]))
            points.append(t("pt_best", region=best["name"], pct=best["pct"]))
        if behind:
            points.append(t("pt_behind", list=", ".join(f"{x['name']} ({x['pct']})" for x in behind[:3])))
        if disb_pct is not None:
            points.append(t("pt_money", allocated=_money(rep_total["allocated"]),
                            disbursed=_money(rep_total["disbursed"]), pct=fp(disb_pct)))
        silent = [t.region(r) for r in regions if r.kato not in reported]
        if silent:
            points.append(t("pt_missing", n=len(silent), list=", ".join(silent)))
        if no_plan:
            points.append(t("pt_no_plan_act", list=", ".join(no_plan)))
    ctx["points"] = points

    # completeness: a region x programme grid, and the districts behind KRM-2-level figures
    planned = rep.planned
    compl, districts, grid = [], [], []
    for p in with_units:
        have = {u.region for u in md.units_of(p.code)}
        missing = [r for r in regions if r.kato not in have]
        line = (t("compl_prog_missing", n=len(missing), total=len(regions), programme=t.programme(p))
                if missing else t("compl_prog_full", programme=t.programme(p), total=len(regions)))
        if planned is not None and missing:
            exp = [t.region(r) for r in missing if any(pp == p.code and rr == r.kato for pp, rr, _ in planned)]
            if exp:
                line += " " + t("compl_expected", list=", ".join(exp))
        compl.append(line)
        for u in md.units_of(p.code):
            if u.districts is None:
                continue
            reg = next(r for r in regions if r.kato == u.region)
            got = set(u.districts)
            if planned is not None:
                exp_d = sorted(d for pp, rr, d in planned if pp == p.code and rr == u.region and d)
                miss = [reference.district(d, u.region, md.period) for d in exp_d if d not in got]
                districts.append({"region": t.region(reg), "programme": t.programme(p), "n": len(got),
                                  "planned": len(exp_d),
                                  "missing": ", ".join(d.name(lang) if d else "?" for d in miss) or "—"})
            else:
                districts.append({"region": t.region(reg), "programme": t.programme(p), "n": len(got),
                                  "planned": t("na"), "missing": t("compl_no_plans")})
    for r in regions:
        cells = []
        for p in with_units:
            u = md.units.get((p.code, r.kato))
            exp = planned is not None and any(pp == p.code and rr == r.kato for pp, rr, _ in planned)
            if u is not None:
                cells.append({"cls": "yes", "text": u.level.replace("KRM", "КРМ")})
            elif exp:
                cells.append({"cls": "late", "text": t("grid_expected")})
            else:
                cells.append({"cls": "no", "text": "—"})
        grid.append({"region": t.region(r), "cells": cells})
    none = [t.programme(p) for p in progs if not md.units_of(p.code)]
    ctx["completeness"] = compl
    ctx["grid_programmes"] = [t.programme(p) for p in with_units]
    ctx["grid"] = grid
    ctx["planned_known"] = planned is not None
    ctx["no_data_programmes"] = t("compl_no_data", n=len(none), list=", ".join(none)) if none else ""
    ctx["districts_total"] = len(districts)
    ctx["districts"] = [d for d in districts if d["missing"] != "—"] if planned is not None else districts
    ctx["districts_complete"] = t("compl_districts_ok", n=len(districts) - len(ctx["districts"]),
                                  total=len(districts)) if planned is not None and districts else ""
    ctx["region_level_note"] = any(u.districts is None for u in md.units.values())

    # quarter
    if rep.quarter:
        months, qrows, qchart_regions, qprog = [], [], [], []
        parsed = parse_quarter(rep.quarter)[1]
        for m, d in zip(parsed, rep.quarter_months):
            months.append(t.month(m))
            if d is None:
                qrows.append({"month": t.month(m), "missing": True})
                continue
            tt = d.total()
            qrows.append({"month": t.month(m), "missing": False, "plan": fi(tt["plan"]), "fact": fi(tt["fact"]),
                          "pct": fp(_pct(tt["fact"], tt["plan"])), "allocated": _money(tt["allocated"]),
                          "disbursed": _money(tt["disbursed"]),
                          "regions": t("kpi_coverage_val", n=len({r for (_, r) in d.units}), total=len(regions))})
        for r in regions:
            vals = [(d.total(region=r.kato)["fact"] if d is not None and d.total(region=r.kato)["n"] else None)
                    for d in rep.quarter_months]
            qchart_regions.append((t.region(r), vals))
        for p in progs:
            vals = [(d.total(programme=p.code)["fact"] if d is not None and d.units_of(p.code) else None)
                    for d in rep.quarter_months]
            if any(v is not None for v in vals):
                qprog.append({"name": t.programme(p), "vals": [fi(v) if v is not None else "—" for v in vals]})
        ctx["quarter"] = {"months": months, "rows": qrows, "programmes": qprog,
                          "chart": svg.grouped_bars(qchart_regions, months, missing_label=t("not_reported"),
                                                    title=t("sec_quarter"))}
    else:
        ctx["quarter"] = None

    # sources and checks
    ctx["sources"] = [{"path": s.path, "form": s.form.replace("KRM", "КРМ"), "level": t("level_" + s.level),
                       "programme": s.programme or "", "region": s.region or "", "district": s.district or "",
                       "plan": fi(s.totals["plan"]), "fact": fi(s.totals["fact"]),
                       "allocated": _money(s.totals["allocated"]), "disbursed": _money(s.totals["disbursed"]),
                       "status": t("status_" + s.status), "note": s.note, "cls": s.status} for s in md.sources]
    ctx["checks"] = [{"what": c.what, "inputs": fi(c.inputs), "krm6": fi(c.krm6),
                      "krm7": fi(c.krm7) if c.krm7 is not None else t("c_na"),
                      "ok": t("ok") if c.ok else t("fail")} for c in rep.checks]
    ctx["warnings"] = md.warnings
    return ctx


def render_note(rep: Report, lang: str) -> str:
    """The self-contained HTML note (inline CSS and SVG, no scripts, no network)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("krm") / "report_templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    ctx = note_context(rep, lang)
    for k in ("map", "region_chart", "programme_chart", "activity_chart"):
        ctx[k] = Markup(ctx[k])
    if ctx["quarter"]:
        ctx["quarter"]["chart"] = Markup(ctx["quarter"]["chart"])
    return env.get_template("note.html.j2").render(**ctx)
