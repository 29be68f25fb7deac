"""The checks across months count like every other finding: run when a version is recorded, they return it.

:func:`check_and_record` runs after a run recorded its versions (``krm validate`` and ``krm register ingest``
through the register, and :meth:`krm.register.Register.ingest`): it adds the findings across months to the
reports (:func:`krm.history.rules.check`), and a file whose findings across months hold an *error* (KRM-E301
… KRM-E305) has its current version moved from accepted to returned, the audit row's reason naming each
code, cell and the earlier version it was compared with — so the version's state, admission to roll-ups
from the register and ``krm status`` reflect them, as for a file's own errors.  Warnings (KRM-W30x) never
change a state.  A confirmed version is locked and stays as it is; one already returned stays returned.

Order of arrival: the check runs when a version is recorded, against what the register holds *then*.  A
month recorded before its previous month is compared with nothing; it is checked again whenever it is
validated or ingested again (same bytes: its version is found, checked against what the register now holds,
and returned if it now fails), and :func:`recheck_next` re-checks the next month's current accepted
versions of the districts whose reports a run has just recorded — so a late earlier month re-checks the month
after it at once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from krm.history.past import COMPARED, Past, previous_month

#: the codes of the checks across months
ACROSS = ("KRM-E301", "KRM-E302", "KRM-E303", "KRM-E304", "KRM-E305",
          "KRM-W301", "KRM-W302", "KRM-W303")


def errors_across(findings) -> list:
    """The findings across months that are errors (these return a version)."""
    return [f for f in findings if f.code in ACROSS and f.severity == "error"]


def reason(found: list) -> str:
    """The audit row's reason: each error's code, cell and the version it was compared with."""
    parts = []
    for f in found:
        p = f.params or {}
        parts.append(f"{f.code} {f.cell or '—'} (vs version {p.get('prev_version', '?')}, "
                     f"{p.get('prev_period', '?')}, {p.get('prev_file', '?')})")
    return "across months: " + "; ".join(parts)


def _sha(path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _return(reg, version, found: list, by: str | None) -> bool:
    """Return an accepted version for its errors across months; True if its state changed."""
    if version is None or version.state != "accepted" or not found:
        return False
    from krm.register import StateError

    try:
        reg.set_state(version.id, "returned", by=by, reason=reason(found))
    except StateError:  # changed meanwhile (another run): its state stands
        return False
    return True


def _version_of(reg, sub, sha: str | None):
    """The current version of ``sub``'s submission holding these bytes (None: not recorded)."""
    if sha is None or sub is None:
        return None
    vs = reg.versions(form=sub.form, district=sub.district or "", programme=sub.programme or "",
                      period=sub.period, current=True)
    return next((v for v in vs if v.sha256 == sha), None)


def check_and_record(reports, reg, by: str | None = None, overrun=None, spill=None) -> list[int]:
    """Add the findings across months to ``reports`` and return the versions they make wrong (see the module's
    doc); returns the ids of the versions moved to returned.  ``overrun``: KRM-W303's multiple of the KRM-1
    plan (None: the default, 1.5); ``spill``: where findings across months are kept (:func:`krm.history.rules.check`)."""
    from krm.history.rules import FAR_BEYOND, check

    if reg is None:
        return []
    check(reports, reg, FAR_BEYOND if overrun is None else overrun, spill)
    moved = []
    for r in reports:
        found = errors_across(r.findings) if r.errors else []
        sub = getattr(r, "submission", None)
        if found and sub is not None:
            v = _version_of(reg, sub, _sha(r.path))
            if _return(reg, v, found, by):
                moved.append(v.id)
    moved += recheck_next(reports, reg, by)
    return moved


def _next_month(period: str) -> str | None:
    if len(period or "") != 7 or not period[5:].isdigit():
        return None
    m = int(period[5:])
    return f"{period[:4]}-{m + 1:02d}" if 1 <= m <= 11 else None


def recheck_next(reports, reg, by: str | None = None) -> list[int]:
    """Re-check the next month's current accepted KRM-2 of each district this run recorded a report for (a
    previous month that arrived late); returns the ids of the versions moved to returned."""
    from krm.history.rules import check_submission

    wanted: dict[str, set] = {}
    this_run = set()
    for r in reports:
        sub = getattr(r, "submission", None)
        if sub is None or sub.form != "KRM-2" or not sub.district or r.errors:
            continue
        this_run.add((sub.period, sub.district, sub.programme or ""))
        nxt = _next_month(sub.period)
        if nxt is not None and previous_month(nxt) == sub.period:
            wanted.setdefault(nxt, set()).add((sub.district, sub.programme or ""))
    past, moved = Past(reg), []
    for period, keys in sorted(wanted.items()):
        for v in reg.versions(form="KRM-2", period=period, current=True, state=("accepted",)):
            if (v.district, v.programme) not in keys or (period, v.district, v.programme) in this_run:
                continue  # checked with this run's reports already
            sub = reg.submission_of(v.reading_id, Path(v.paths[0] if v.paths else v.sha256))
            found = errors_across(check_submission(sub, str(sub.path), past)) if sub is not None else []
            if _return(reg, v, found, by):
                moved.append(v.id)
    return moved


__all__ = ["ACROSS", "COMPARED", "check_and_record", "recheck_next", "errors_across", "reason"]
