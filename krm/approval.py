"""Approval levels of a month, as ``krm status`` shows them (DHIS2's data approval, in the Rules' terms).

Per region and programme, for KRM-2 of the month and KRM-1 of its year (the forms the oblast reconciles and
confirms, Rules 9.1–9.2): how many submissions were **received**, **accepted**, **returned**, **explained**
(the workbook explains at least one finding on its sheet «Түсініктеме / Пояснения»), **confirmed** (with the
head's digital signature, ``krm confirm``) and **changed after confirmation** (a newer version arrived after
one was confirmed), with the Rules' deadlines:

* reconcile and confirm: KRM-2 by the 10th of the next month, KRM-1 by 10 December (the last working day
  on or before it);
* return wrong data within **1 working day** of finding it (Rule 9);
* correct and re-post within **2 working days** of the return (Rule 10).

A submission is *overdue* when ``as_of`` is past a deadline it has not met: "return" (errors found, not
returned in time — only the register knows when it was returned), "correction" (returned, no corrected
version by the due day), "confirmation" (accepted, not confirmed by the reconcile day — only the register
knows confirmations).

Two sources.  **Register** (when on): each submission's versions, states and audit trail (when the errors
were found: the version's check; when it was returned: its audit row).  **Files** (register off): each
workbook found; one with errors is counted as returned (found on the day it arrived, the return taken as
made on its due day), a later workbook of the same submission without errors as its correction;
confirmations are unknown (0, said in ``source``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from krm.deadlines import deadlines_for_period, working_days_after

FORMS = ("KRM-1", "KRM-2")
COUNTS = ("received", "accepted", "returned", "explained", "confirmed", "changed_after_confirmation",
          "overdue_return", "overdue_correction", "overdue_confirmation")


@dataclass
class Item:
    """One submission (form, district, programme) of the period and where it stands."""

    form: str
    region: str
    district: str
    programme: str
    state: str  # of the current version: accepted | returned | confirmed (| checked, received)
    explained: bool = False
    confirmed: bool = False  # a confirmed version exists (locked, maybe beside a newer one)
    changed_after_confirmation: bool = False
    versions: int = 1
    found: dt.date | None = None  # when errors were found in the current or the last returned version
    return_due: dt.date | None = None
    returned: dt.date | None = None
    correct_due: dt.date | None = None
    corrected: dt.date | None = None  # when a version without errors followed a returned one
    confirm_due: dt.date | None = None
    overdue: list[str] = field(default_factory=list)
    path: str | None = None

    def to_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"form": self.form, "region": self.region, "district": self.district, "programme": self.programme,
                "state": self.state, "explained": self.explained, "confirmed": self.confirmed,
                "changed_after_confirmation": self.changed_after_confirmation, "versions": self.versions,
                "found": iso(self.found), "return_due": iso(self.return_due), "returned": iso(self.returned),
                "correct_due": iso(self.correct_due), "corrected": iso(self.corrected),
                "confirm_due": iso(self.confirm_due), "overdue": self.overdue, "path": self.path}


def _reconcile_due(form: str, month: str) -> dt.date:
    period = month[:4] if form == "KRM-1" else month
    return next(d.last_working_day for d in deadlines_for_period(period) if d.key == f"{form}-reconcile")


def _windows(item: Item, as_of: dt.date, confirmations_known: bool) -> None:
    """Deadlines of one item from what it knows (found, returned, corrected, state); missed ones flagged."""
    if item.found is not None:
        item.return_due = working_days_after(item.found, 1)
        item.correct_due = working_days_after(item.returned or item.return_due, 2)
        if item.returned is not None and item.returned > item.return_due:
            item.overdue.append("return")
        if item.state == "returned" and as_of > item.correct_due:
            item.overdue.append("correction")
        elif item.corrected is not None and item.corrected > item.correct_due:
            item.overdue.append("correction")  # corrected, but late
    if confirmations_known and item.state == "accepted" and item.confirm_due and as_of > item.confirm_due:
        item.overdue.append("confirmation")


def from_files(arrivals: list, month: str, as_of: dt.date) -> list[Item]:
    """Items from the workbooks found (register off; see the module's doc)."""
    groups: dict[tuple, list] = defaultdict(list)
    for a in arrivals:
        want = month[:4] if a.form == "KRM-1" else month
        if a.form in FORMS and a.period == want and a.district and a.programme and \
                (a.when is None or a.when.date() <= as_of):
            groups[(a.form, a.district, a.programme)].append(a)
    out = []
    for (form, district, programme), members in sorted(groups.items()):
        members.sort(key=lambda x: (x.when or dt.datetime.min, x.path))
        cur = members[-1]
        it = Item(form, cur.region or district[:2], district, programme, "returned" if cur.errors else "accepted",
                  explained=bool(getattr(cur, "explained", 0)), versions=len(members), path=cur.path)
        bad = [m for m in members if m.errors]
        if bad:
            first_bad = bad[-1] if cur.errors else next(m for m in reversed(members[:-1]) if m.errors)
            it.found = first_bad.when.date() if first_bad.when else as_of
            if not cur.errors:
                it.corrected = cur.when.date() if cur.when else None
        it.confirm_due = _reconcile_due(form, month)
        _windows(it, as_of, False)
        out.append(it)
    return out


def from_register(reg, paths: set[str], month: str, as_of: dt.date) -> list[Item]:
    """Items from the register: the submissions of the period that any of ``paths`` is a version of (the register
    records where a file is, :func:`krm.intake.located.located`; an item shows its path as given here)."""
    from krm.intake.located import located

    ordered = sorted(paths)
    shown = dict(zip(located(ordered), ordered))
    paths = set(shown)
    chosen = []
    for form in FORMS:
        period = month[:4] if form == "KRM-1" else month
        subs: dict[int, list] = defaultdict(list)
        for v in reg.versions(form=form, period=period):
            subs[v.submission_id].append(v)
        for vs in subs.values():
            if not any(set(v.paths) & paths for v in vs) or not vs[0].district or not vs[0].programme \
                    or min(_day(v.received_at) for v in vs) > as_of:  # nothing of it had arrived by as_of
                continue
            chosen.append((form, sorted(vs, key=lambda v: v.number)))
    trails = reg.audits([v.id for _, vs in chosen for v in vs])
    explained = reg.explained_readings([_current(vs).reading_id for _, vs in chosen])
    out = [_register_item(form, vs, trails, explained, as_of, shown) for form, vs in chosen]
    out.sort(key=lambda i: (i.form, i.district, i.programme))
    return out


def _day(t: dt.datetime) -> dt.date:
    """The local calendar day of a register time (stored in UTC): the day the office saw it."""
    return t.replace(tzinfo=dt.timezone.utc).astimezone().date()


def _current(vs: list):
    live = [v for v in vs if v.state != "superseded"]
    return live[-1] if live else vs[-1]


def _register_item(form: str, vs: list, trails: dict, explained: set, as_of: dt.date, shown: dict) -> Item:
    cur = _current(vs)
    path = next((shown[p] for p in cur.paths if p in shown), cur.paths[0] if cur.paths else None)
    received = [v for v in vs if _day(v.received_at) <= as_of]
    it = Item(form, cur.region, cur.district, cur.programme, cur.state, versions=len(received),
              confirmed=any(v.state == "confirmed" for v in vs), explained=cur.reading_id in explained,
              changed_after_confirmation=cur.changed_after_confirmation,
              path=path)
    returned = [(v, ch) for v in vs for ch in trails.get(v.id, ()) if ch.to_state == "returned"]
    if returned:
        v, ch = returned[-1]
        # errors krm found on receipt: found when checked; a return by the oblast: found when returned
        found = next((c.at for c in trails[v.id] if c.to_state == "checked"), ch.at) \
            if ch.from_state == "checked" else ch.at
        it.found, it.returned = _day(found), _day(ch.at)
        later = [w for w in vs if w.number > v.number and w.state != "returned"]
        if cur.state != "returned" and later:
            it.corrected = _day(later[0].received_at)
    it.confirm_due = _reconcile_due(form, cur.period if form == "KRM-2" else f"{cur.period}-01")
    _windows(it, as_of, True)
    return it


def summarise(items: list[Item], month: str, source: str, region_name) -> dict:
    """The JSON of the approval levels: per (form, region, programme) counts, the deadlines, every item."""
    rows: dict[tuple, dict] = {}
    for it in items:
        r = rows.setdefault((it.form, it.region, it.programme), {
            "form": it.form, "region": it.region, "name": region_name(it.region), "programme": it.programme,
            **{k: 0 for k in COUNTS}})
        r["received"] += 1
        r[it.state if it.state in ("accepted", "returned", "confirmed") else "accepted"] += 1
        r["explained"] += it.explained
        r["changed_after_confirmation"] += it.changed_after_confirmation
        for o in it.overdue:
            r[f"overdue_{o}"] += 1
    deadlines = {}
    for form in FORMS:
        period = month[:4] if form == "KRM-1" else month
        deadlines[form] = {d.step: d.last_working_day.isoformat() for d in deadlines_for_period(period)
                           if d.form == form and d.step in ("submit", "reconcile")}
        deadlines[form].update({"return_working_days": 1, "correct_working_days": 2})
    return {"source": source, "confirmations_known": source == "register", "deadlines": deadlines,
            "by_region_programme": [rows[k] for k in sorted(rows)],
            "totals": {form: {k: sum(r[k] for r in rows.values() if r["form"] == form) for k in COUNTS}
                       for form in FORMS},
            "overdue": [it.to_dict() for it in items if it.overdue],
            "submissions": [it.to_dict() for it in items]}


def levels(arrivals: list, month: str, as_of: dt.date, region_name=lambda k: k) -> dict:
    """The approval levels of ``month`` (see the module's doc): from the register when it is on, else the files."""
    from krm.register.connect import RegisterError, configured
    from krm.register.plain import open_plain

    try:
        reg = open_plain(configured())  # an SQLite register at this schema: without SQLAlchemy (krm.register.plain)
    except RegisterError:
        reg = None
    if reg is None:
        return summarise(from_files(arrivals, month, as_of), month, "files", region_name)
    try:
        items = from_register(reg, {a.path for a in arrivals}, month, as_of)
    finally:
        reg.close()
    return summarise(items, month, "register", region_name)
