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
