"""What every roll-up step shares: the error, periods and implementation, a row's region, district and project
identity, the basis of a group (see the definitions in :mod:`krm.rollup`)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from krm import reference
from krm.model import ProjectRow, Submission, project_key, region_row_holds


ZERO = Decimal(0)
ACTIVITY_CODES = tuple(a.code for a in reference.activities())


class RollupError(ValueError):
    """Inputs that cannot be rolled up without mixing or doubling figures."""


# ------------------------------------------------------------------ definitions
def period_end(period: str) -> dt.date:
    """The last day of a reporting period: 'YYYY-MM' -> last day of the month, 'YYYY' -> 31 December."""
    s = str(period).strip()
    if len(s) == 4:
        return dt.date(int(s), 12, 31)
    y, m = int(s[:4]), int(s[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def is_implemented(end: dt.date | None, period: str) -> bool:
    """A project is implemented when its implementation period ended on or before the period's last day."""
    return end is not None and end <= period_end(period)


def region_of(sub: Submission) -> str | None:
    """The 2-digit KATO region of a submission (its header, else its district's region)."""
    if sub.region:
        return sub.region
    if sub.district:
        d = reference.district(sub.district, None, sub.period)
        if d is not None:
            return d.region_kato
    return None


def row_district(sub: Submission, row: ProjectRow) -> str | None:
    """The district of a project row: the row's own (KRM-3 column к1), else the KRM-2 header's."""
    return row.district or sub.district


def project_id(sub: Submission, row: ProjectRow) -> tuple[str, str, str]:
    """(district, BIN, folded project name): one project, see the module docstring."""
    b, name = project_key(row.bin, row.project)
    return (row_district(sub, row) or "", b, name)


def _sort_text(s: str | None) -> str:
    return project_key(None, s)[1]


def _basis(subs: list[Submission], what: str) -> str:
    bases = sorted({s.basis or "cumulative" for s in subs})
    if len(bases) > 1:
        raise RollupError(f"{what}: inputs mix bases {bases} (cumulative and month figures are never added)")
    return bases[0] if bases else "cumulative"


def _need_rows(subs, what: str) -> None:
    from krm.rollup.digest import Digest  # digest builds on this module

    for s in subs:
        if isinstance(s, Digest):
            raise TypeError(f"{what} needs the rows of {s.path}, not its Digest")


def added_measures(sub) -> dict[str, str]:
    """The figures ``sub``'s rows carry in :attr:`~krm.model.ProjectRow.extra` (the columns a newer edition
    added) that reach the programme level (KRM-4/5): {key in its rows: key in RegionRow.extra}."""
    from krm import editions

    return {k: v for k, v in editions.carried_to(sub.form, sub.edition, "programme").items()
            if not region_row_holds(v)}
