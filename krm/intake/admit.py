"""Which files count: admission, duplicates and resubmissions, and the choice of level — one rule each,
the same in ``krm validate``, ``aggregate``, ``report`` and ``status`` (``docs/architecture.md``).

* **Admission**: a workbook with an error is excluded; warnings never exclude (:func:`admitted`).
* **Duplicates and resubmissions**: two admitted workbooks with the same :func:`duplicate_key` (form,
  reporting unit, programme, period) are duplicates — a resubmission is one.  By default *neither* counts
  (each command lists them and says so); with ``prefer="newest"`` the newest counts and the others are
  listed as older duplicates.  "Newest" is one order (:func:`newest_order`): the document's modified time
  (``docProps/core.xml``), then the file's modified time, then the path — the last in that order is kept.
* **Level**: for a (programme, region) the highest level at hand is used, in :data:`LEVELS` order
  (:func:`choose_level`): the programme's KRM-4 (with its KRM-5) or a KRM-5, else the region's KRM-3,
  else its districts' KRM-2; the lower files are *superseded*, never added to the higher.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")

#: the forms whose figures the roll-ups and the report take, highest level first
LEVELS = ("KRM-4", "KRM-5", "KRM-3", "KRM-2")
#: the reporting unit each form speaks for
UNIT = {"KRM-1": "district", "KRM-2": "district", "KRM-3": "region", "KRM-4": "programme", "KRM-5": "programme"}


def admitted(errors: int, readable: bool = True) -> bool:
    """Errors exclude a workbook; warnings do not."""
    return readable and not errors


def unit_of(form: str | None, region: str | None, district: str | None) -> str:
    """The unit a workbook of ``form`` reports for: a district (KRM-1/2), a region (KRM-3), the programme (KRM-4/5)."""
    level = UNIT.get(form or "")
    return (district or "") if level == "district" else (region or "") if level == "region" else ""


def duplicate_key(form: str | None, period: str | None, programme: str | None, region: str | None,
                  district: str | None) -> tuple:
    """Two admitted workbooks with the same key are duplicates (form, unit, programme, period)."""
    return (form or "", unit_of(form, region, district), programme or "", str(period or ""))


def newest_order(modified: dt.datetime | None, mtime: float | None, path: str) -> tuple:
    """The sort key of "newest" (the last is the newest): document modified time, file modified time, path."""
    return (modified or dt.datetime.min, mtime or 0.0, str(path))


def choose(members: Iterable[T], prefer: str | None, order: Callable[[T], tuple]) -> tuple[T | None, list[T], str]:
    """Duplicates resolved: (the one kept or None, the others, how the kept one was told apart).

    Without ``prefer`` none is kept.  With ``prefer="newest"`` the last in ``order`` (:func:`newest_order`)."""
    members = list(members)
    if prefer != "newest" or not members:
        return None, members, ""
    ranked = sorted(members, key=order)
    kept = ranked[-1]
    if len(ranked) < 2:
        return kept, [], ""
    k, p = order(kept), order(ranked[-2])
    how = ("document modified time" if k[0] != p[0] else "file modified time" if k[1] != p[1]
           else "file path (all times equal)")
    return kept, ranked[:-1], how


def choose_level(available: Iterable[str]) -> str | None:
    """The level used for a (programme, region), of the forms at hand: the first of :data:`LEVELS`
    (a KRM-4 and a KRM-5 of the programme go together)."""
    have = set(available)
    return next((f for f in LEVELS if f in have), None)
