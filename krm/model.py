"""The shared data model that validation, aggregation and reports exchange.

A :class:`Submission` is one workbook as the roll-ups see it: its header
(form, level, region, district, programme, period, basis) and its rows as typed
:class:`ProjectRow` records (KRM-1/2/3) or :class:`RegionRow` records (KRM-4/5).
Money is :class:`~decimal.Decimal` million tenge (3 decimals), jobs are ``int``,
so that roll-ups are exact to the last job and the last tenge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

def project_key(bin_: str | None, project: str | None) -> tuple[str, str]:
    """A project within a district: (BIN, project name folded for case and spaces)."""
    name = " ".join(str(project or "").split()).casefold()  # = re.sub(r"\s+", " ", …).strip(): same whitespace set
    return (str(bin_ or "").strip(), name)


@dataclass
class ProjectRow:
    """One project (KRM-2 enterprise row, KRM-3 project row, KRM-1 plan row)."""

    activity: str  # activity code "1" … "9"
    project: str
    bin: str | None = None
    enterprise: str | None = None
    district: str | None = None  # 9-digit KATO
    start: dt.date | None = None
    end: dt.date | None = None
    plan: int = 0
    fact: int = 0
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    plan_by_activity: dict[str, int] | None = None  # KRM-1 only: activity code -> planned jobs
    cell: str | None = None  # A1 of the row's first cell in its source (for traceability)
    sheet_row: int | None = None
    #: the row's values of the form's other carried columns (a role in the chain, not a field above),
    #: by column key: a column added to a form's edition travels here without a change to this class
    extra: dict[str, object] | None = None

    def get(self, key: str, default=None):
        """The value of spec column ``key``: a field above, else :attr:`extra`."""
        if key in _PROJECT_FIELDS:
            return getattr(self, key)
        return (self.extra or {}).get(key, default)

    @staticmethod
    def build(values: dict[str, object]) -> "ProjectRow":
        """A row from values keyed by column key: the fields above by name, the rest into :attr:`extra`."""
        fixed = {k: v for k, v in values.items() if k in _PROJECT_FIELDS}
        extra = {k: v for k, v in values.items() if k not in _PROJECT_FIELDS}
        return ProjectRow(**fixed, extra=extra or None)


_PROJECT_FIELDS = frozenset(f.name for f in fields(ProjectRow)) - {"extra"}


@dataclass
class RegionRow:
    """One region's row of KRM-4 / KRM-5 (and the per-programme cells of KRM-6)."""

    region: str  # 2-digit KATO
    projects_planned: int = 0
    projects_done: int = 0
    allocated: Decimal = Decimal(0)
    disbursed: Decimal = Decimal(0)
    plan: int = 0
    fact: int = 0
    by_activity: dict[str, int] = field(default_factory=dict)  # KRM-5: activity code -> jobs created
    # KRM-5's supplementary columns к1-к9: activity code -> planned jobs (None: not given)
    plan_by_activity: dict[str, int] | None = None
    #: the region's sums of the figures a newer edition added (a measure of KRM-4/5 that is not a field
    #: above), by column key: they travel here without a change to this class
    extra: dict[str, object] | None = None

    def get(self, key: str, default=None):
        """The value of KRM-4/5 column ``key``: a field above, an activity column (``act<code>``: jobs
        created, ``plan_act<code>``: planned), else :attr:`extra`."""
        if key in _REGION_FIELDS:
            return getattr(self, key)
        code = activity_of(key)
        if code is not None:
            acts = self.plan_by_activity if key.startswith(PLAN_ACT) else self.by_activity
            return (acts or {}).get(code, default)
        return (self.extra or {}).get(key, default)


#: KRM-5's column keys of the activity groups: ``act<code>`` (jobs created, columns 4-12) and
#: ``plan_act<code>`` (planned, krm's к1-к9); :meth:`RegionRow.get` reads them from the activity dicts
ACT, PLAN_ACT = "act", "plan_act"
_REGION_FIELDS = frozenset(f.name for f in fields(RegionRow)) - {"extra", "by_activity", "plan_by_activity"}


def region_row_holds(key: str) -> bool:
    """A KRM-4/5 column that :class:`RegionRow` has a field (or an activity dict) for, not :attr:`RegionRow.extra`."""
    return key in _REGION_FIELDS or activity_of(key) is not None


def activity_of(key: str) -> str | None:
    """The activity code of a KRM-5 activity column (``act<code>`` or ``plan_act<code>``), else None."""
    for prefix in (PLAN_ACT, ACT):
        if key.startswith(prefix) and key[len(prefix):].isdigit():
            return key[len(prefix):]
    return None


@dataclass
class Submission:
    path: Path
    form: str  # "KRM-2"
    period: str  # "2019-05" (or "2019" for KRM-1)
    programme: str | None  # programme code
    region: str | None = None  # 2-digit KATO
    district: str | None = None  # 9-digit KATO
    basis: str = "cumulative"  # or "month"
    lang: str | None = None
    modified: dt.datetime | None = None
    body: str | None = None
    projects: list[ProjectRow] = field(default_factory=list)
    regions: list[RegionRow] = field(default_factory=list)
    edition: str | None = None  # the form's edition it was read against (krm.editions); None: the current one

    @property
    def level(self) -> str:
        return {"KRM-1": "district", "KRM-2": "district", "KRM-3": "region", "KRM-4": "programme",
                "KRM-5": "programme", "KRM-6": "nation", "KRM-7": "nation"}[self.form]

    def totals(self) -> dict[str, Decimal | int]:
        """Control totals: jobs plan, jobs fact, allocated, disbursed."""
        if self.projects:
            rows = self.projects
        else:
            rows = self.regions
        return {
            "plan": sum(r.plan for r in rows),
            "fact": sum(r.fact for r in rows),
            "allocated": sum((r.allocated for r in rows), Decimal(0)),
            "disbursed": sum((r.disbursed for r in rows), Decimal(0)),
        }
