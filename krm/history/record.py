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
import sys
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


#: versions returned a transaction (a year's run can return tens of thousands)
RETURN_BATCH = 500


class Returns:
    """The versions a run's findings across months return, in the order found, in batches: each version looked
    up in the current versions of its (form, period), fetched once (:data:`PERIODS_KEPT` periods kept), and
    returned with its audit row a batch a transaction (:meth:`krm.register.Store.return_versions`)."""

    PERIODS_KEPT = 2  # a run's reports come a month after another (a national month: ~3,000 versions, ~6 MB)

    def __init__(self, reg, by: str | None = None):
        self.reg, self.by = reg, by
        self.moved: list[int] = []
        self._todo: list[tuple[int, str]] = []
        self._periods: dict[tuple, dict] = {}

    def _current(self, form: str, period: str) -> dict:
        key = (form, period)
        got = self._periods.pop(key, None)
        if got is None:
            got = {}
            for v in self.reg.versions(form=form, period=period, current=True):
                got.setdefault((v.district, v.programme), []).append(v)
        self._periods[key] = got  # the most recently used last
        while len(self._periods) > self.PERIODS_KEPT:
            del self._periods[next(iter(self._periods))]
        return got

    def of(self, sub, sha: str | None):
        """The current version of ``sub``'s submission holding these bytes (None: not recorded)."""
        if sha is None or sub is None:
            return None
        vs = self._current(sub.form, sub.period).get((sub.district or "", sub.programme or ""), ())
        return next((v for v in vs if v.sha256 == sha), None)

    def add(self, version, found: list) -> None:
        """Return an accepted version for its errors across months (a version no longer accepted stays)."""
        if version is None or version.state != "accepted" or not found:
            return
        self._todo.append((version.id, reason(found)))
        if len(self._todo) >= RETURN_BATCH:
            self.flush()

    def flush(self) -> list[int]:
        if self._todo:
            self.moved += self.reg.return_versions(self._todo, by=self.by)
            self._todo = []
        return self.moved


def check_and_record(reports, reg, by: str | None = None, overrun=None) -> list[int]:
    """Add the findings across months to ``reports`` and return the versions they make wrong (see the module's
    doc); returns the ids of the versions moved to returned.  ``overrun``: KRM-W303's multiple of the KRM-1
    plan (None: the default, 1.5)."""
    from krm.history.rules import FAR_BEYOND, check

    if reg is None:
        return []
    check(reports, reg, FAR_BEYOND if overrun is None else overrun)
    ret = Returns(reg, by)
    for r in reports:
        found = errors_across(r.findings) if r.errors else []
        sub = getattr(r, "submission", None)
        if found and sub is not None:
            ret.add(ret.of(sub, r.sha256 or _sha(r.path)), found)
    return ret.flush() + recheck_next(reports, reg, by)


def _shared(x):
    return sys.intern(x) if type(x) is str else x


def _next_month(period: str) -> str | None:
    if len(period or "") != 7 or not period[5:].isdigit():
        return None
    m = int(period[5:])
    return f"{period[:4]}-{m + 1:02d}" if 1 <= m <= 11 else None


def recheck_next(reports, reg, by: str | None = None) -> list[int]:
    """Re-check the next month's current accepted KRM-2 of each district this run recorded a report for (a
    previous month that arrived late); returns the ids of the versions moved to returned."""
    later = Later()
    for r in reports:
        later.note(r)
    return later.recheck(reg, by)


class Later:
    """The next months a run's KRM-2 reports may change the checks of (:func:`recheck_next`), noted one report
    at a time."""

    def __init__(self):
        self.wanted: dict[str, set] = {}
        self.this_run: set = set()

    def note(self, r) -> None:
        sub = getattr(r, "submission", None)
        if sub is None or sub.form != "KRM-2" or not sub.district or r.errors:
            return
        period, district, programme = (_shared(x) for x in (sub.period, sub.district, sub.programme or ""))
        self.this_run.add((period, district, programme))  # one a file: its words shared with the other files'
        nxt = _next_month(period)
        if nxt is not None and previous_month(nxt) == period:
            self.wanted.setdefault(nxt, set()).add((district, programme))

    def recheck(self, reg, by: str | None = None) -> list[int]:
        from krm.history.rules import check_submission

        past, ret = Past(reg), Returns(reg, by)
        for period, keys in sorted(self.wanted.items()):
            for v in reg.versions(form="KRM-2", period=period, current=True, state=("accepted",)):
                if (v.district, v.programme) not in keys or (period, v.district, v.programme) in self.this_run:
                    continue  # checked with this run's reports already
                sub = reg.submission_of(v.reading_id, Path(v.paths[0] if v.paths else v.sha256))
                ret.add(v, errors_across(check_submission(sub, str(sub.path), past)) if sub is not None else [])
        return ret.flush()


__all__ = ["ACROSS", "COMPARED", "Later", "Returns", "check_and_record", "recheck_next", "errors_across", "reason"]
