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

The package, along the chain: :mod:`~krm.rollup.chain` (what every step shares), :mod:`~krm.rollup.region`
(KRM-2 -> KRM-3), :mod:`~krm.rollup.programme` (KRM-3 -> KRM-4/5, KRM-1 -> plan), :mod:`~krm.rollup.digest`
(the same from per-file digests) and :mod:`~krm.rollup.control` (control totals).
"""

from __future__ import annotations

from krm.rollup.chain import (
    ACTIVITY_CODES,
    ZERO,
    RollupError,
    is_implemented,
    period_end,
    project_id,
    region_of,
    row_district,
)
from krm.rollup.control import MEASURES, Control, ControlLine, control_totals
from krm.rollup.digest import (
    Digest,
    annual_plan_digests,
    digest,
    extra_totals,
    header_of,
    programme_level_digests,
)
from krm.rollup.programme import annual_plan, programme_level
from krm.rollup.region import krm3_from_krm2

__all__ = [
    "ACTIVITY_CODES", "MEASURES", "ZERO", "Control", "ControlLine", "Digest", "RollupError", "annual_plan",
    "annual_plan_digests", "control_totals", "digest", "extra_totals", "header_of", "is_implemented",
    "krm3_from_krm2", "period_end", "programme_level", "programme_level_digests", "project_id", "region_of",
    "row_district",
]
