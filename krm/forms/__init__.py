"""The seven KRM forms of Order No. 189 (2019), one declarative spec each.

The package holds one module per kind of submitter, plus the pieces they share:

* :mod:`krm.forms.pieces` — annex texts, header fields, the signature block, column makers and the relations
  declared by name (``DISBURSED_NOT_ABOVE_ALLOCATED``, ``FACT_NOT_ABOVE_PLAN`` …);
* :mod:`krm.forms.district` — KRM-1, KRM-2, KRM-3 (districts and regions);
* :mod:`krm.forms.central` — KRM-4, KRM-5 (central state bodies);
* :mod:`krm.forms.lrdc` — KRM-6, KRM-7 (the Labour Resources Development Centre).

Every name other code uses is importable from here (``forms.FORMS``, ``forms.get``, ``forms.KRM2``,
``forms.SIGNATURE`` …).  Kazakh texts are the regulation's words (broken PDF lines rejoined); Russian texts
are our translation; English is for developers and the JSON report.
"""

from __future__ import annotations

from krm.forms.central import KRM4, KRM5, PLAN_BY_ACTIVITY
from krm.forms.district import KRM1, KRM2, KRM3
from krm.forms.lrdc import KRM6, KRM7
from krm.forms.pieces import (  # noqa: F401 - re-exported: the names of the shared pieces
    BASIS_VALUES,
    DISBURSED_NOT_ABOVE_ALLOCATED,
    DONE_NOT_ABOVE_PLANNED,
    FACT_NOT_ABOVE_PLAN,
    FACT_NOT_ABOVE_PLAN_BY_PROGRAMME,
    FIXED_ROWS,
    H_BASIS,
    H_BODY,
    H_DISTRICT,
    H_MONTH,
    H_PROGRAMME,
    H_REGION,
    H_YEAR,
    KIND_LINE,
    ONE_ROW_PER_PROJECT,
    REGION_COL,
    SEAL,
    SEQ,
    SIGNATURE,
    START_NOT_AFTER_END,
    TOTAL,
    TOTAL_IS_SUM_OF_ROWS,
    annex,
)
from krm.spec import FormSpec

FORMS: dict[str, FormSpec] = {f.id: f for f in (KRM1, KRM2, KRM3, KRM4, KRM5, KRM6, KRM7)}


def get(form_id: str) -> FormSpec:
    """The spec for 'KRM-2', 'krm2', 'КРМ-2', '2' …"""
    import re

    s = str(form_id).strip().upper().replace("К", "K").replace("Р", "R").replace("М", "M")
    m = re.fullmatch(r"(?:KRM)?[-_ ]?([1-7])", s)
    if not m:
        raise KeyError(form_id)
    return FORMS[f"KRM-{m.group(1)}"]


# ------------------------------------------------------------------ what a form is, from its spec
# Code that treats forms differently asks these (the spec's level and period kind), never a literal form id,
# so a form added at a level is treated as its level's forms are.
def level(form_id: str | None) -> str | None:
    """The form's level: "district" (KRM-1, KRM-2), "region" (KRM-3), "programme" (KRM-4, KRM-5) or
    "nation" (KRM-6, KRM-7); None: not a form."""
    spec = FORMS.get(form_id or "")
    return spec.level if spec is not None else None


def yearly(form_id: str | None) -> bool:
    """A form filled once a year (its period is a year: KRM-1, the plan)."""
    spec = FORMS.get(form_id or "")
    return spec is not None and spec.period_kind == "year"


def kind(form_id: str | None) -> str | None:
    """``"plan"`` for a yearly form (KRM-1, whose figures feed the plan summary, not the next level), else its
    :func:`level` ("district" is then KRM-2)."""
    return "plan" if yearly(form_id) else level(form_id)


def of_level(lvl: str) -> tuple[str, ...]:
    """The ids of the forms at level ``lvl``, in form order ("district": KRM-1 and KRM-2)."""
    return tuple(f for f in FORMS if level(f) == lvl)


def of_kind(k: str) -> tuple[str, ...]:
    """The ids of the forms of :func:`kind` ``k``, in form order ("plan": KRM-1, "district": KRM-2)."""
    return tuple(f for f in FORMS if kind(f) == k)


def has_column(form_id: str | None, key: str) -> bool:
    """The form has a column ``key`` ("plan": KRM-4 has the jobs plan by region, KRM-5 the facts only)."""
    spec = FORMS.get(form_id or "")
    return spec is not None and any(c.key == key for c in spec.columns)
