"""A parsed workbook as the shared data model: :func:`to_submission` (``krm.model.Submission``).

Codes, not names: activity codes "1"…"9", KATO codes for regions (2 digits) and
districts (9 digits), programme codes.  Numbers follow the blank-vs-zero rule (a
blank or unreadable numeric cell counts as 0: its finding says so); money is an
exact Decimal, jobs are ints.  Rows are kept in sheet order and carry their cell,
so every figure can be traced back.
"""

from __future__ import annotations

from decimal import Decimal

from krm import ids, reference, values
from krm.rules import lookup
from krm.rules.context import CELL_PARSERS, row_parsers, typed_columns
from krm.model import ProjectRow, RegionRow, Submission, region_row_holds
from krm.spec import ColType, Rows, per_columns
from krm.workbook.reader import DataRow, ParsedForm
from krm.workbook.writer import column_letter


def _int(v) -> int:
    n, _ = values.parse_int(v)
    return n if n is not None else 0


def _money(v) -> Decimal:
    d, _ = values.parse_money(v)
    return d if d is not None else Decimal(0)


class _Row:
    """A data row's cells as the conversion reads them: from the typed columns (:func:`krm.rules.typed_columns`,
    parsed once for the rules too) where they were parsed the same way, else parsed here."""

    __slots__ = ("v", "t", "kinds")

    def __init__(self, r: DataRow, typed: dict, i: int, kinds: dict):
        self.v = r.values
        self.t = {k: col[i] for k, col in typed.items()}
        self.kinds = kinds  # column key -> the parser its typed value came from

    def get(self, key: str, parse):
        return self.t[key][0] if self.kinds.get(key) is parse else parse(self.v.get(key))[0]

    def int(self, key: str) -> int:
        n = self.get(key, values.parse_int)
        return n if n is not None else 0

    def money(self, key: str) -> Decimal:
        d = self.get(key, values.parse_money)
        return d if d is not None else Decimal(0)


# the cells of a project row: (key, parser), as ProjectRow's bin, start, end, plan, fact, allocated, disbursed
_PROJECT_CELLS = (("bin", ids.normalise), ("start", values.parse_date), ("end", values.parse_date),
                  ("plan", values.parse_int), ("fact", values.parse_int), ("allocated", values.parse_money),
                  ("disbursed", values.parse_money))


def _text(v) -> str | None:
    if type(v) is str:  # the common case (what follows, for a str)
        v = v.strip()
        return v if v else None
    if values.is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def to_submission(pf: ParsedForm) -> Submission:
    """The typed content of one workbook (validate it first: this never raises on bad cells)."""
    from krm.rules.header import basis

    spec = pf.spec
    period, _ = values.parse_period(pf.header.get("period"), spec.period_kind)
    on = reference.as_date(period) if period else None
    reg = lookup.region(pf.header.get("region"), on) if pf.header.get("region") is not None and on else None
    dist = None
    if pf.header.get("district") is not None and on:
        d = lookup.district(pf.header.get("district"), reg.kato if reg else None, on)
        dist = d.kato if d else None
    prog = lookup.programme(pf.header.get("programme"), on) if pf.header.get("programme") is not None else None
    sub = Submission(path=pf.path, form=spec.id, period=period or "", programme=prog.code if prog else None,
                     region=reg.kato if reg else None, district=dist,
                     basis=basis(pf.header.get("basis")) or "cumulative" if pf.header.get("basis") else "cumulative",
                     lang=pf.lang, modified=pf.modified, body=_text(pf.header.get("body")), edition=spec.edition)
    kinds = dict(row_parsers(pf.columns))
    if spec.rows == Rows.FREE:
        letters: dict[int, str] = {}  # first column -> its letter, for each row's A1 cell
        # each cell taken from the typed columns when it was typed by the same parser, else parsed here
        typed = typed_columns(pf)
        n = len(pf.rows)
        cells = [[v for v, _ in typed[k]] if kinds.get(k) is parse else
                 [parse(r.values.get(k))[0] for r in pf.rows] for k, parse in _PROJECT_CELLS]
        sub.projects = [_project(pf, r, c, reg, on, letters) for r, c in zip(pf.rows, zip(*cells))] if n else []
        _extra(pf, sub.projects, typed, kinds)
        if spec.id == "KRM-1":  # the plan per activity, total and sums of the plan rows
            for i, (r, row) in enumerate(zip(pf.rows, sub.projects)):
                _plan_row(pf, row, _Row(r, typed, i, kinds))
    elif spec.rows == Rows.REGIONS:
        typed = typed_columns(pf)
        sub.regions = [x for x in (_region_row(pf, r, _Row(r, typed, i, kinds), on) for i, r in enumerate(pf.rows))
                       if x is not None]
    return sub


def _extra(pf: ParsedForm, projects: list[ProjectRow], typed: dict, kinds: dict) -> None:
    """The carried columns that have no field in ProjectRow (a column a new edition added), into
    ``ProjectRow.extra`` by column key: figures typed (blank = 0), dates typed, text as text."""
    for c in per_columns(_EXTRA, pf.columns, _extra_columns):
        key, parse = c.key, CELL_PARSERS.get(c.type)
        if parse is None:
            vals = [_text(r.values.get(key)) for r in pf.rows]
        elif kinds.get(key) is parse:
            vals = [v for v, _ in typed[key]]
        else:
            vals = [parse(r.values.get(key))[0] for r in pf.rows]
        blank = Decimal(0) if c.type == ColType.MONEY else 0 if c.type.numeric else None
        for row, v in zip(projects, vals):
            row.extra = row.extra or {}
            row.extra[key] = blank if v is None else v


_EXTRA: dict = {}


def _extra_columns(columns: tuple) -> tuple:
    fields = ProjectRow.__dataclass_fields__  # a column feeding a field is the conversion's (KRM-1's plan row)
    return tuple(c for c in columns if c.carried_as and c.key not in fields and c.carried_as not in fields)


def _project(pf: ParsedForm, r: DataRow, cells: tuple, reg, on, letters: dict) -> ProjectRow:
    v = r.values
    b, start, end, plan, fact, allocated, disbursed = cells
    a = lookup.activity(v.get("activity")) if v.get("activity") is not None else None
    first = min(r.cols.values())
    letter = letters.get(first) or letters.setdefault(first, column_letter(first))
    row = ProjectRow(activity=a.code if a else "", project=_text(v.get("project")) or "",
                     bin=b, enterprise=_text(v.get("enterprise")), start=start, end=end,
                     plan=plan if plan is not None else 0, fact=fact if fact is not None else 0,
                     allocated=allocated if allocated is not None else Decimal(0),
                     disbursed=disbursed if disbursed is not None else Decimal(0),
                     cell=f"{letter}{r.row + 1}", sheet_row=r.row + 1)  # cell: a1(r.row, first)
    if "district" in r.values and v.get("district") is not None and on:
        d = lookup.district(v.get("district"), reg.kato if reg else None, on)
        row.district = d.kato if d else None
    return row


def _plan_row(pf: ParsedForm, row: ProjectRow, c: _Row) -> None:
    """KRM-1: the planned jobs per activity (the activity with most), their total, the РБ + ЖБ sum."""
    by = {col.measure: c.int(col.key) for col in pf.columns if col.key.startswith("act") and col.measure}
    row.plan_by_activity = {k: n for k, n in by.items() if n}
    row.plan = c.int("total")
    row.allocated = c.money("rb") + c.money("lb")
    if row.plan_by_activity:  # the activity with most planned jobs (first in order on a tie)
        row.activity = max(sorted(row.plan_by_activity), key=lambda k: (row.plan_by_activity[k], -int(k)))


def _region_row(pf: ParsedForm, r: DataRow, c: _Row, on) -> RegionRow | None:
    v = r.values
    reg = lookup.region(v.get("region"), on) if on and v.get("region") is not None else None
    if reg is None:
        return None
    row = RegionRow(region=reg.kato, projects_planned=c.int("projects_planned"),
                    projects_done=c.int("projects_done"), allocated=c.money("allocated"),
                    disbursed=c.money("disbursed"), plan=c.int("plan"), fact=c.int("fact"))
    if pf.spec.id == "KRM-5":
        row.by_activity = {col.measure: c.int(col.key) for col in pf.columns
                           if col.key.startswith("act") and col.measure and c.int(col.key)}
        plan = {col.key[len("plan_act"):]: c.get(col.key, values.parse_int) for col in pf.columns
                if col.key.startswith("plan_act")}
        if any(n is not None for n in plan.values()):  # all nine blank: not given (an annex-only KRM-5)
            row.plan_by_activity = {k: n or 0 for k, n in plan.items()}
    if pf.spec.id == "KRM-6":  # plan/fact over all programmes
        row.plan = sum(c.int(col.key) for col in pf.columns if col.programme and col.measure == "plan")
        row.fact = sum(c.int(col.key) for col in pf.columns if col.programme and col.measure == "fact")
    # a measure RegionRow has no field for (a column a newer edition added): into RegionRow.extra by its key
    extra = {col.key: c.money(col.key) if col.type == ColType.MONEY else c.int(col.key) for col in pf.columns
             if col.role == "measure" and not col.programme and not region_row_holds(col.key)}
    row.extra = extra or None
    return row


__all__ = ["to_submission", "ColType"]
