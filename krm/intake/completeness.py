"""Completeness: one definition, shared by ``krm status``, ``krm aggregate`` (its control sheets and summary)
and the report's note.

**District level** (KRM-2 of a month; KRM-1 of a year, the same way), per region that sent at least one
workbook of that form and period:

* *expected*: the region's districts valid for the period (the reference list) — or, where the region's
  districts sent admitted KRM-1 plans for the year, only the districts with a plan (a district without a
  plan runs no programme that year);
* *received*: an expected district with at least one KRM-2 that **counts** (admitted — no errors — and not
  left out as a duplicate, :mod:`krm.intake.admit`), under any programme;
* *missing*: an expected district that sent nothing; *not counted*: one that sent only workbooks that do not
  count (errors, or duplicates without ``--prefer newest``);
* completeness = received / expected.

The reference does not say which district runs which programme, so the unit is the district, not the
(district, programme) pair.  **Region level** (KRM-3 of a month), per programme and over all programmes:
expected every region valid for the period; received a region with a counting KRM-2 or KRM-3.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable


@dataclass(frozen=True)
class Sent:
    """One workbook as completeness sees it: its header and whether it counts."""

    form: str
    period: str
    region: str | None  # 2-digit KATO
    district: str | None  # 9-digit KATO
    programme: str | None
    counted: bool


@dataclass
class Rate:
    """Completeness of one region's districts (``region`` set) or of the regions (``region`` None)."""

    form: str
    period: str
    programme: str  # "" for all programmes
    region: str | None
    expected: list  # reference.District or reference.Region records, in reference order
    received: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    not_counted: list = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return round(100.0 * len(self.received) / len(self.expected), 1) if self.expected else None


def _on(period: str) -> str:
    return f"{period}-01" if len(str(period)) == 4 else str(period)


def plans_by_region(sent: Iterable[Sent], year: str) -> dict[str, set[str]]:
    """The districts of each region with an admitted KRM-1 plan for ``year``."""
    from krm import forms as specs

    out: dict[str, set[str]] = defaultdict(set)
    for s in sent:
        if specs.yearly(s.form) and str(s.period) == str(year) and s.counted and s.region and s.district:
            out[s.region].add(s.district)
    return dict(out)


def district_rates(sent: Iterable[Sent], forms: tuple[str, ...] | None = None,
                   programme: str = "") -> list[Rate]:
    """District-level completeness per (form, period, region) that sent at least one workbook (module docstring).

    ``forms``: the district-level forms to rate (default all: KRM-1 and KRM-2).  KRM-2 expectations follow the
    KRM-1 plans of the same year found among ``sent``."""
    from krm import forms as specs, reference

    forms = specs.of_level("district") if forms is None else forms
    sent = list(sent)
    by_region: dict[tuple, list[Sent]] = defaultdict(list)
    for s in sent:
        if s.form in forms and s.region:
            by_region[(s.form, str(s.period), s.region)].append(s)
    plans: dict[str, dict[str, set[str]]] = {}
    out = []
    for (form, period, region) in sorted(by_region):
        ss = by_region[(form, period, region)]
        districts = reference.districts(region, _on(period))
        if specs.kind(form) == "district":  # a month's facts: the districts with a plan for the year
            year = period[:4]
            if year not in plans:
                plans[year] = plans_by_region(sent, year)
            planned = plans[year].get(region)
            if planned:
                districts = [d for d in districts if d.kato in planned]
        counted = {s.district for s in ss if s.counted}
        got = {s.district for s in ss}
        out.append(Rate(form=form, period=period, programme=programme, region=region, expected=list(districts),
                        received=[d for d in districts if d.kato in counted],
                        missing=[d for d in districts if d.kato not in got],
                        not_counted=[d for d in districts if d.kato in got and d.kato not in counted]))
    return out


def expected_regions(planned: Iterable[tuple[str, str, str]], programme: str, reported: Iterable[str] = ()) -> set[str]:
    """Region level, per programme (the note's completeness): the regions expected to report ``programme`` are
    those with an admitted KRM-1 plan under it — ``planned`` holds (programme, region, district) of the plans —
    and those that reported it anyway (``reported``)."""
    return {r for p, r, _ in planned if p == programme} | set(reported)


def region_rates(sent: Iterable[Sent], programme: str | None = None) -> list[Rate]:
    """Region-level completeness per (period, programme), and per period over all programmes (``programme=""``)
    unless ``programme`` limits it to one."""
    from krm import forms as specs, reference

    levels: dict[tuple, list[Sent]] = defaultdict(list)
    for s in sent:
        if specs.kind(s.form) in ("district", "region"):
            levels[(str(s.period), s.programme or "")].append(s)
            if not programme:
                levels[(str(s.period), "")].append(s)
    out = []
    for (period, prog) in sorted(levels):
        ss = levels[(period, prog)]
        regions = reference.regions(period)
        counted = {s.region for s in ss if s.counted}
        got = {s.region for s in ss}
        out.append(Rate(form=specs.of_level("region")[0], period=period, programme=prog, region=None, expected=list(regions),
                        received=[r for r in regions if r.kato in counted],
                        missing=[r for r in regions if r.kato not in got],
                        not_counted=[r for r in regions if r.kato in got and r.kato not in counted]))
    return out
