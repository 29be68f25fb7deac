"""What the register holds of earlier reports: the previous month's version of a district's KRM-2, the
year's KRM-1 plan, the districts' accepted KRM-2 of a period, each rebuilt from its stored rows.

A :class:`Past` answers for one run and remembers what it looked up (one query per period and form)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import PurePath

from krm.model import Submission, project_key

#: the states of an earlier version that are compared with (a returned version is not the district's report)
COMPARED = ("received", "checked", "accepted", "confirmed")


@dataclass
class Earlier:
    """An earlier version in the register and what it held."""

    version: object  # krm.register.Version
    submission: Submission

    @property
    def file(self) -> str:
        return PurePath(self.version.paths[0]).name if self.version.paths else self.version.sha256[:12]

    def params(self) -> dict:
        """What every finding across months says of the version it was compared with."""
        return {"prev_file": self.file, "prev_period": self.version.period, "prev_version": self.version.id,
                "prev_path": self.version.paths[0] if self.version.paths else None}


def previous_month(period: str) -> str | None:
    """'2019-05' → '2019-04'; None for January (cumulative figures start again) or a period that is not a month."""
    if len(period or "") != 7 or period[4] != "-" or not period[5:].isdigit() or not period[:4].isdigit():
        return None
    m = int(period[5:])
    return f"{period[:4]}-{m - 1:02d}" if 2 <= m <= 12 else None


#: earlier submissions a :class:`Past` keeps (least recently used first out): a run over a year compares each file
#: with a handful of them (its previous month, its KRM-1, a KRM-3's districts), so memory stays flat
SUBS_KEPT = 256
#: (form, period, states) lists of current versions kept: a KRM-2 is compared with its previous month's and its
#: year's KRM-1 (a KRM-3 with its period's KRM-2), and a national month's list holds ~3,000 versions (~2 KB each)
PERIODS_KEPT = 4


class Past:
    """Earlier versions of submissions in one register (see the module's doc)."""

    def __init__(self, reg, kept: int = SUBS_KEPT):
        self.reg = reg
        self.kept = kept
        self._current: OrderedDict[tuple, dict] = OrderedDict()
        self._subs: OrderedDict[int, Submission | None] = OrderedDict()

    def _versions(self, form: str, period: str, states) -> dict:
        key = (form, period, states)
        if key in self._current:
            self._current.move_to_end(key)
        else:
            vs = self.reg.versions(form=form, period=period, current=True, state=states)
            self._current[key] = {(v.district, v.programme): v for v in vs}
            while len(self._current) > PERIODS_KEPT:
                self._current.popitem(last=False)
        return self._current[key]

    def _earlier(self, v) -> Earlier | None:
        if v is None:
            return None
        if v.reading_id in self._subs:
            self._subs.move_to_end(v.reading_id)
        else:
            path = PurePath(v.paths[0]) if v.paths else PurePath(v.sha256)
            self._subs[v.reading_id] = self.reg.submission_of(v.reading_id, path)
            while len(self._subs) > self.kept:
                self._subs.popitem(last=False)
        sub = self._subs[v.reading_id]
        return Earlier(v, sub) if sub is not None else None

    def previous(self, sub: Submission) -> Earlier | None:
        """The same district's report of the same form and programme for the previous month (current version)."""
        prev = previous_month(sub.period)
        if prev is None or not sub.district:
            return None
        return self._earlier(self._versions(sub.form, prev, COMPARED).get((sub.district, sub.programme or "")))

    def plan(self, sub: Submission) -> Earlier | None:
        """The district's KRM-1 for the year of ``sub`` and its programme (current version)."""
        if not sub.district or not sub.period:
            return None
        return self._earlier(self._versions("KRM-1", sub.period[:4], COMPARED).get((sub.district, sub.programme or "")))

    def accepted_krm2(self, period: str, district: str, programme: str) -> Earlier | None:
        """A district's accepted (or confirmed) KRM-2 of a period."""
        return self._earlier(self._versions("KRM-2", period, ("accepted", "confirmed")).get((district, programme or "")))

    def accepted_districts(self, period: str, region: str, programme: str) -> dict[str, object]:
        """District → its accepted (or confirmed) KRM-2 version of a period, region and programme."""
        vs = self._versions("KRM-2", period, ("accepted", "confirmed"))
        return {d: v for (d, p), v in vs.items() if p == (programme or "") and v.region == region}

    def months(self, form: str, district: str, programme: str, periods: list[str]) -> dict[str, Earlier]:
        """The current versions of a district's reports for each of ``periods`` the register holds."""
        out = {}
        for p in periods:
            e = self._earlier(self._versions(form, p, COMPARED).get((district, programme or "")))
            if e is not None:
                out[p] = e
        return out


def match(rows_now: list, rows_before: list) -> list[tuple[object, object | None]]:
    """Pairs (row before, row now or None): by BIN and folded project name, else by BIN alone when it is
    unique on both sides (a project renamed or written in the other language), else by the name alone when
    it is unique on both sides (the BIN corrected)."""
    now_by_key = {}
    for r in rows_now:
        now_by_key.setdefault(project_key(r.bin, r.project), r)
    bins_now: dict[str, list] = {}
    for r in rows_now:
        if r.bin:
            bins_now.setdefault(str(r.bin).strip(), []).append(r)
    bins_before: dict[str, int] = {}
    for r in rows_before:
        if r.bin:
            b = str(r.bin).strip()
            bins_before[b] = bins_before.get(b, 0) + 1
    names_now, names_before = by_name(rows_now), by_name(rows_before)
    out = []
    for r in rows_before:
        m = now_by_key.get(project_key(r.bin, r.project))
        b = str(r.bin or "").strip()
        if m is None and b and bins_before.get(b) == 1 and len(bins_now.get(b, ())) == 1:
            m = bins_now[b][0]
        name = project_key(None, r.project)[1]
        if m is None and name in names_before:  # the BIN corrected (or mistyped): the same name, once on each side
            m = names_now.get(name)
        out.append((r, m))
    return out


def _period_key(r) -> tuple | None:
    return (r.start, r.end) if r.start is not None and r.end is not None else None


def _activity_fits(now, planned) -> bool:
    """The KRM-2 row's activity is one the KRM-1 row plans jobs for (unknown on either side: it fits)."""
    acts = getattr(planned, "plan_by_activity", None)
    return not acts or not now.activity or bool(acts.get(str(now.activity)))


def plan_pairs(rows_now: list, plan_rows: list) -> list[tuple[object, object]]:
    """Pairs (KRM-2 row, KRM-1 row) of the same project.  KRM-1 carries no BIN nor project code (the forms
    share only the project's name, implementation period, plan and allocated sums), so: by the folded name,
    unique on both sides; then, among the rows left on both sides, by the implementation period (start, end),
    when it is unique among those left on each side and the activity fits — a KRM-1 written in the other
    language (or a project renamed) still compares its plan and allocated sum."""
    planned = by_name(plan_rows)
    pairs, used = [], set()
    left_now = []
    for r in rows_now:
        p = planned.get(project_key(None, r.project)[1])
        if p is not None and id(p) not in used:
            pairs.append((r, p))
            used.add(id(p))
        else:
            left_now.append(r)
    left_plan = [p for p in plan_rows if id(p) not in used]
    if not left_now or not left_plan:
        return pairs
    count_now: dict[tuple, int] = {}
    for r in left_now:
        k = _period_key(r)
        count_now[k] = count_now.get(k, 0) + 1
    plan_by_period: dict[tuple, list] = {}
    for p in left_plan:
        plan_by_period.setdefault(_period_key(p), []).append(p)
    for r in left_now:
        k = _period_key(r)
        ps = plan_by_period.get(k, ()) if k is not None else ()
        if count_now[k] == 1 and len(ps) == 1 and _activity_fits(r, ps[0]):
            pairs.append((r, ps[0]))
    return pairs


def by_name(rows: list) -> dict[str, object]:
    """KRM-1 rows by folded project name (KRM-1 has no BIN); a name given twice is left out (ambiguous)."""
    out: dict[str, object] = {}
    twice = set()
    for r in rows:
        k = project_key(None, r.project)[1]
        if k in out:
            twice.add(k)
        out[k] = r
    return {k: v for k, v in out.items() if k not in twice and k}
