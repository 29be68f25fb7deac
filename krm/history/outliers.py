"""Outliers as DHIS2 computes them: the modified z-score over the register's history.

For a month M, each district's KRM-2 (per programme) gives two measures **for the month**: jobs created and
the sum disbursed, i.e. the month's cumulative figure minus the previous month's (January: the figure itself;
a report "for the month only": its figure).  Each is compared

* with the same district, programme and measure over the earlier months of the year in the register
  (at least :data:`MIN_HISTORY` months): KRM-W310;
* with the region's other districts under the same programme for month M (at least :data:`MIN_PEERS`):
  KRM-W311.

The modified z-score (Iglewicz and Hoaglin; DHIS2's "modified z-score" outlier detection) of a value x
against values v is ``0.6745 · (x − median(v)) / MAD(v)``, MAD the median of ``|vᵢ − median(v)|``; x is an
outlier when ``|z|`` exceeds the threshold (3.5 by default).  When MAD is 0 the score is undefined and
nothing is reported (as in DHIS2).  The expected range is the values whose score is within the threshold,
``median ± threshold · MAD / 0.6745`` (never below 0); the history's min–max range is given beside it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from statistics import median

from krm.history.past import COMPARED

#: the constant of the modified z-score (the 0.75 quantile of the standard normal distribution)
K = 0.6745
THRESHOLD = 3.5
MIN_HISTORY = 4
MIN_PEERS = 4
MEASURES = ("fact", "disbursed")
_MEASURE_WORDS = {"fact": ("құрылған жұмыс орындары", "создано рабочих мест", "jobs created"),
                  "disbursed": ("игерілген сома", "освоено", "disbursed")}


@dataclass(frozen=True)
class Score:
    z: float
    median: float
    mad: float


def modified_z(x: float, values: list[float]) -> Score | None:
    """DHIS2's modified z-score of ``x`` against ``values``; None when MAD is 0 (or no values)."""
    if not values:
        return None
    med = median(values)
    mad = median(abs(v - med) for v in values)
    if mad == 0:
        return None
    return Score(K * (x - med) / mad, med, mad)


def expected_range(s: Score, threshold: float = THRESHOLD) -> tuple[float, float]:
    """The values whose modified z-score is within ``threshold`` (the lower end never below 0)."""
    half = threshold * s.mad / K
    return max(0.0, s.median - half), s.median + half


@dataclass
class Outlier:
    kind: str  # "history" | "districts"
    month: str
    region: str
    district: str
    programme: str
    measure: str
    value: float
    z: float
    median: float
    mad: float
    low: float
    high: float
    n: int  # months of history, or districts compared with
    min: float | None = None  # the history's range (kind "history")
    max: float | None = None
    file: str | None = None
    version: int | None = None
    sheet: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("value", "median", "mad", "low", "high", "min", "max"):
            if d[k] is not None:
                d[k] = _round(self.measure, d[k], exact=k in ("value", "min", "max"))
        d["z"] = round(self.z, 2)
        return d

    def finding(self):
        from krm.codes import W310, W311
        from krm.findings import Finding
        from krm.spec import T

        chk = W310 if self.kind == "history" else W311
        r = lambda v: _round(self.measure, v)  # noqa: E731
        params = {"measure": T(*_MEASURE_WORDS[self.measure]), "low": r(self.low), "high": r(self.high),
                  "median": r(self.median), "z": f"{self.z:.1f}", "months": self.n, "districts": self.n,
                  "min": r(self.min) if self.min is not None else "—", "max": r(self.max) if self.max is not None else "—"}
        return Finding(code=chk, severity=chk.severity, file=self.file or "", sheet=self.sheet, cell=self.cell,
                       value=_round(self.measure, self.value, exact=True), params=params, form="KRM-2")


def _round(measure: str, v: float, exact: bool = False):
    """A figure as shown: jobs whole (``exact``: a value of the data) or to one decimal (a median, a range's
    end), money to the thousandth (million tenge)."""
    if measure != "fact":
        return round(v, 3)
    return int(round(v)) if exact or float(v).is_integer() else round(v, 1)


# ------------------------------------------------------------------ the series from the register
def _months(month: str) -> list[str]:
    y, m = month[:4], int(month[5:])
    return [f"{y}-{i:02d}" for i in range(1, m + 1)]


def _basis(reg, reading_ids: list[int]) -> dict[int, str]:
    """Each reading's basis ("cumulative" or "month") from its stored header."""
    from sqlalchemy import select

    from krm.register import codec
    from krm.register import schema as S

    out = {}
    with reg.reader() as c, c.begin():
        for i in range(0, len(reading_ids), 500):
            q = select(S.reading.c.id, S.reading.c.header).where(S.reading.c.id.in_(reading_ids[i:i + 500]))
            for rid, header in c.execute(q):
                h = codec.loads(header) if header else {}
                out[rid] = (h or {}).get("basis") or "cumulative"
    return out


@dataclass(frozen=True)
class Current:
    """What :func:`series` keeps of a current version when asked ``light``: its id, reading and control totals."""

    id: int
    reading_id: int
    totals: dict


def _current(reg, months: list[str]) -> tuple[list, dict[int, str]]:
    """The current KRM-2 versions of ``months`` in the compared states, as ``reg.versions(form="KRM-2", period=…,
    current=True, state=COMPARED)`` gives them month by month (same versions, same order) but holding only a
    :class:`Current` (no paths, confirmations or times), with each one's (region, district, programme, period), and
    each reading's basis as :func:`_basis` gives it: one query instead of a query a month and one for the bases."""
    import json

    from sqlalchemy import and_, func, select

    from krm.register import codec
    from krm.register import schema as S

    V, T, W, R = S.version, S.submission, S.workbook, S.reading
    latest = (select(V.c.submission_id.label("sid"), func.max(V.c.number).label("n"))
              .where(V.c.state != "superseded").group_by(V.c.submission_id).subquery())
    q = (select(V.c.id, V.c.number, V.c.reading_id, T.c.region, T.c.district, T.c.programme, T.c.period, R.c.totals,
                R.c.header)
         .select_from(V.join(T, T.c.id == V.c.submission_id).join(W, W.c.id == V.c.workbook_id)
                      .join(R, R.c.id == V.c.reading_id)
                      .join(latest, and_(latest.c.sid == V.c.submission_id, latest.c.n == V.c.number)))
         .where(T.c.form == "KRM-2", T.c.period.in_(months), V.c.state.in_(list(COMPARED))))
    rows, basis = [], {}
    with reg.reader() as c, c.begin():
        for vid, number, rid, region, district, programme, period, totals, header in c.execute(q):
            rows.append(((period, region, district, programme, number),
                         Current(vid, rid, json.loads(totals) if totals else {})))
            if rid not in basis:
                h = codec.loads(header) if header else {}
                basis[rid] = (h or {}).get("basis") or "cumulative"
    rows.sort(key=lambda r: r[0])
    return rows, basis


def series(reg, month: str, light: bool = False) -> dict[tuple[str, str, str], dict[str, dict]]:
    """(region, district, programme) → period → {"fact", "disbursed" for the month, "version"} for each KRM-2
    of the year up to ``month`` in the register (current versions, not returned).  ``light``: each "version" is a
    :class:`Current` (enough for :func:`find` with ``place=False``), not a :class:`krm.register.queries.Version`."""
    cum: dict[tuple, dict[str, tuple]] = {}
    versions = {}
    if light:
        rows, basis = _current(reg, _months(month))
        for (p, region, district, programme, _), v in rows:
            versions[((region, district, programme), p)] = v
    else:
        for p in _months(month):
            for v in reg.versions(form="KRM-2", period=p, current=True, state=COMPARED):
                key = (v.region, v.district, v.programme)
                versions[(key, p)] = v
        basis = _basis(reg, sorted({v.reading_id for v in versions.values()}))
    for (key, p), v in versions.items():
        t = v.totals or {}
        cum.setdefault(key, {})[p] = (float(Decimal(str(t.get("fact", 0)))), float(Decimal(str(t.get("disbursed", 0)))),
                                      basis.get(v.reading_id), v)
    out: dict = {}
    for key, by in cum.items():
        for p, (fact, disb, b, v) in by.items():
            prev = f"{p[:4]}-{int(p[5:]) - 1:02d}" if p[5:] != "01" else None
            if b == "month" or prev is None:
                vals = (fact, disb)
            elif prev in by and by[prev][2] == "cumulative":
                vals = (fact - by[prev][0], disb - by[prev][1])
            else:
                continue  # the previous month is not known: this month's own figure is not either
            out.setdefault(key, {})[p] = {"fact": vals[0], "disbursed": vals[1], "version": v}
    return out


def find(reg, month: str, threshold: float = THRESHOLD, data: dict | None = None,
         place: bool = True) -> list[Outlier]:
    """Every outlier of ``month`` (see the module's doc), ordered by region, district, programme, measure.
    ``data``: :func:`series` of the month when the caller has it already; ``place=False``: without each
    outlier's file and cells (which load the KRM-2's rows; the report's note shows neither)."""
    data = series(reg, month) if data is None else data
    out: list[Outlier] = []
    for (region, district, programme), by in data.items():
        now = by.get(month)
        if now is None:
            continue
        hist = {p: x for p, x in by.items() if p < month}
        if len(hist) < MIN_HISTORY:
            continue
        for m in MEASURES:
            vals = [hist[p][m] for p in sorted(hist)]
            s = modified_z(now[m], vals)
            if s is not None and abs(s.z) > threshold:
                lo, hi = expected_range(s, threshold)
                out.append(Outlier("history", month, region, district, programme, m, now[m], s.z, s.median, s.mad,
                                   lo, hi, len(vals), min(vals), max(vals), version=now["version"].id))
    peers: dict[tuple, list] = {}
    for (region, district, programme), by in data.items():
        if month in by:
            peers.setdefault((region, programme), []).append((district, by[month]))
    for (region, programme), ds in peers.items():
        if len(ds) <= MIN_PEERS:
            continue
        for district, now in ds:
            for m in MEASURES:
                others = [x[m] for d, x in ds if d != district]
                s = modified_z(now[m], others)
                if s is not None and abs(s.z) > threshold:
                    lo, hi = expected_range(s, threshold)
                    out.append(Outlier("districts", month, region, district, programme, m, now[m], s.z, s.median,
                                       s.mad, lo, hi, len(others), version=now["version"].id))
    if place:
        _place(reg, out, {x["version"].id: x["version"] for by in data.values() for x in by.values()})
    out.sort(key=lambda o: (o.region, o.district, o.programme, o.kind != "history", MEASURES.index(o.measure)))
    return out


def _place(reg, found: list[Outlier], versions: dict) -> None:
    """Each outlier's file, sheet and cells: the measure's column over the KRM-2's project rows."""
    from pathlib import PurePath

    from krm import forms
    from krm.history.rules import cell_of

    spec = forms.get("KRM-2")
    subs = {}
    for o in found:
        v = versions[o.version]
        o.file = v.paths[0] if v.paths else v.sha256
        o.sheet = spec.sheet_name
        if v.reading_id not in subs:
            subs[v.reading_id] = reg.submission_of(v.reading_id, PurePath(o.file))
        sub = subs[v.reading_id]
        if sub is not None and sub.projects:
            a, b = cell_of(spec, sub.projects[0], o.measure), cell_of(spec, sub.projects[-1], o.measure)
            o.cell = a if a == b else f"{a}:{b}"


# ------------------------------------------------------------------ outliers as findings of `krm validate`
def has_history(data: dict, month: str) -> bool:
    """Whether the register holds enough history for ``month``: a series of it with MIN_HISTORY earlier months."""
    return any(month in by and sum(1 for p in by if p < month) >= MIN_HISTORY for by in data.values())


def month_of(r) -> str | None:
    """The month whose outliers a report of a run is given: a KRM-2 without errors (its own or across months)."""
    sub = getattr(r, "submission", None)
    if sub is not None and sub.form == "KRM-2" and not r.errors and len(sub.period or "") == 7:
        return sub.period
    return None


def may_have_history(reg, month: str) -> bool:
    """Whether the register holds KRM-2 of MIN_HISTORY earlier months of ``month``'s year, which
    :func:`has_history` needs (one small query instead of every version of the year's months)."""
    from sqlalchemy import select

    from krm.register import schema as S

    earlier = [p for p in _months(month) if p < month]
    if len(earlier) < MIN_HISTORY:
        return False
    T = S.submission
    with reg.reader() as c, c.begin():
        found = c.execute(select(T.c.period).distinct().where(T.c.form == "KRM-2", T.c.period.in_(earlier))).all()
    return len(found) >= MIN_HISTORY


def by_bytes(reg, month: str, threshold: float = THRESHOLD) -> dict[str, list[Outlier]]:
    """{SHA-256 of a KRM-2: its outliers} for ``month`` (none when the register lacks its history, has_history)."""
    if not may_have_history(reg, month):
        return {}
    data = series(reg, month)
    if not has_history(data, month):
        return {}
    found = find(reg, month, threshold, data)
    if not found:
        return {}
    sha = {v.id: v.sha256 for v in reg.versions(form="KRM-2", period=month, current=True)}
    out: dict[str, list] = {}
    for o in found:
        out.setdefault(sha.get(o.version), []).append(o)
    return out


def findings_of(found: list[Outlier], path) -> list:
    """The outliers of a run's file as its findings (KRM-W310/W311), tied to that file."""
    out = []
    for o in found:
        o.file = str(path)
        out.append(o.finding())
    return out


def add_to_reports(reports, reg, threshold: float = THRESHOLD) -> None:
    """Add each outlier of the KRM-2 of a run (in place) as a warning (KRM-W310/W311, with the expected range)
    to its report, tied to the report's file, the sheet and the measure's cells — only for the months whose
    history the register holds (:func:`has_history`): a register with one month gives none."""
    from krm.history.record import _sha

    months: dict[str, list] = {}
    for r in reports:
        m = month_of(r)
        if m is not None:
            months.setdefault(m, []).append(r)
    for month, rs in sorted(months.items()):
        by_sha = by_bytes(reg, month, threshold)
        if not by_sha:
            continue
        for r in rs:
            r.findings.extend(findings_of(by_sha.get(r.sha256 or _sha(r.path), ()), r.path))
