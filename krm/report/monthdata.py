"""What the report keeps of each file (:class:`FileSummary`) and of each month (:class:`MonthData`)."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from krm import forms, reference

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
        lvl = forms.kind(self.form)  # the input levels of a report; "" for the plan (KRM-1)
        return lvl if lvl in ("district", "region", "programme") else ""


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
    projects: tuple[int, int] | None = None  # KRM-4 columns 3-4: (planned, implemented) projects; None: not known

    @property
    def from_programme_level(self) -> bool:
        """Its figures come from the programme's own forms (KRM-4 and/or KRM-5), not from the regions'."""
        return forms.level(self.level.split("+")[0]) == "programme"


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
        "projects": _opt_sum(u.projects[0] for u in units if u.projects is not None),
        "done": _opt_sum(u.projects[1] for u in units if u.projects is not None),
        "n": len(units),
    }


def _displayer(root: Path | None):
    """A path as a report shows it, for many paths: the root and each folder resolved once (a selection shows thousands of
    paths), and each folder's name under the root made once; a file that is itself a symbolic link is resolved in full,
    as before."""
    from krm.textsafe import path as safe

    base = None
    if root is not None:
        try:
            base = Path(root).resolve()
        except OSError:
            base = None
    under: dict[str, tuple] = {}  # a folder as found -> (resolved, its name under the root: "." for the root, or None)

    def folder(d: str) -> tuple:
        if d not in under:
            real = Path(d).resolve()
            try:
                under[d] = real, real.relative_to(base).as_posix()
            except ValueError:
                under[d] = real, None
        return under[d]

    def show(path: Path) -> str:
        """As outputs show it: undecodable bytes of a name as \\xNN (:func:`krm.textsafe.path`)."""
        p = path if isinstance(path, Path) else Path(path)
        if base is not None:
            try:
                if p.is_symlink() or p.name in ("", ".", ".."):
                    return safe(p.resolve().relative_to(base).as_posix())
                name = p.name
                real, rel = folder(os.path.dirname(str(p)) or ".")  # a Path's text: its parent's is before the last /
                if rel is not None:
                    return safe(name if rel == "." else f"{rel}/{name}")
                return safe((real / name).relative_to(base).as_posix())
            except (ValueError, OSError):
                pass
        return safe(p.as_posix())

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
                or any(r.by_activity.values()) or any((r.plan_by_activity or {}).values()))


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
    mtime: float = 0.0  # the file's modified time: the second key of "newest" (krm.intake.admit.newest_order)


def _mtime(path) -> float:
    try:
        return Path(path).stat().st_mtime
    except (OSError, TypeError, ValueError):
        return 0.0


def summarise(sub, digest=None) -> FileSummary:
    """A :class:`FileSummary` of a (valid) Submission; a FileSummary is returned as it is.  ``digest``: the
    Submission's :class:`krm.rollup.Digest` as the register stored it (krm.remembered), used instead of its
    rows when they were not loaded: the same summary."""
    from krm import rollup

    if isinstance(sub, FileSummary):
        return sub
    if digest is not None and forms.kind(sub.form) in ("district", "region") and _not_loaded(sub):
        return _from_digest(sub, digest)
    out = FileSummary(path=sub.path, form=sub.form, period=sub.period, programme=sub.programme,
                      region=rollup.region_of(sub), header_region=sub.region, district=sub.district,
                      basis=sub.basis, modified=sub.modified, totals=sub.totals(), mtime=_mtime(sub.path))
    if forms.level(sub.form) == "programme":
        out.regions = list(sub.regions)
    elif forms.kind(sub.form) in ("district", "region"):
        out.act_plan = _rows_by_activity(sub.projects, "plan")
        out.act_fact = _rows_by_activity(sub.projects, "fact")
        try:
            rolled = rollup.programme_level([sub])
            out.rolled = rolled[0].regions[0] if rolled and rolled[0].regions else None
        except rollup.RollupError:  # one file cannot mix bases or repeat a unit; never here
            out.rolled = None
    return out


def _not_loaded(sub) -> bool:
    from krm.register.memo import LazyRows

    return isinstance(sub.projects, LazyRows) and not sub.projects.loaded


def _from_digest(sub, d) -> FileSummary:
    """:func:`summarise` of a KRM-2/3 from its digest (totals, sums by activity, its region's row)."""
    from krm import rollup

    codes = _activity_codes()

    def by_activity(pairs):
        if any(code not in codes for code, _ in pairs):
            return None
        out = {c: 0 for c in codes}
        for code, n in pairs:
            out[code] += n
        return out
    out = FileSummary(path=sub.path, form=sub.form, period=sub.period, programme=sub.programme,
                      region=rollup.region_of(sub), header_region=sub.region, district=sub.district,
                      basis=sub.basis, modified=sub.modified, totals=d.totals(), mtime=_mtime(sub.path))
    out.act_plan = by_activity(d.plan_by_activity)
    out.act_fact = by_activity(d.by_activity)
    try:
        rolled = rollup.programme_level_digests([d])
        out.rolled = rolled[0].regions[0] if rolled and rolled[0].regions else None
    except rollup.RollupError:
        out.rolled = None
    return out
