"""The context every rule works on (:class:`Ctx`) and the data cells typed once.

A workbook is parsed once (:func:`krm.workbook.reader.read`); the :class:`Ctx` wraps
the :class:`ParsedForm` with what several rules need (the period as a date, the
header's region, the cells' typed values), computed once and cached.

Blank versus zero, everywhere: a blank numeric cell counts as 0 (nothing to
report).  It is never an error by itself; a FREE-form row that names a project but
has no figure at all gets one warning (KRM-W003).  Required *text* cells
(activity, project, BIN/IIN, district, dates where the form requires them) that
are blank in a data row are errors (KRM-E024).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from itertools import repeat
from typing import Callable, Iterable, Iterator

from krm import ids, values
from krm.findings import Check, Finding
from krm.spec import ColType, Column, per_columns
from krm.workbook.reader import DataRow, ParsedForm
from krm.workbook.writer import a1


@dataclass
class Ctx:
    pf: ParsedForm
    today: dt.date
    file: str
    columns_ok: bool = True  # False once the column layout is found changed: data rules stop

    # ---------------------------------------------------------------- derived, once
    @cached_property
    def spec(self):
        return self.pf.spec

    @cached_property
    def colmap(self) -> dict[str, Column]:
        return {c.key: c for c in self.pf.columns}

    @cached_property
    def period(self) -> str | None:
        v = self.pf.header.get("period")
        try:
            return _period(type(v), v, self.spec.period_kind)
        except TypeError:  # not hashable
            return values.parse_period(v, self.spec.period_kind)[0]

    @cached_property
    def on(self) -> dt.date | None:
        """The day reference data are looked up on: the period's first day."""
        if not self.period:
            return None
        return _first_day(self.period)

    @cached_property
    def region(self):
        """The header's region valid in the period (None if absent/unknown)."""
        from krm.rules import lookup

        v = self.pf.header.get("region")
        if v is None or self.on is None:
            return None
        return lookup.region(v, self.on)

    # ---------------------------------------------------------------- typed cells
    @cached_property
    def _raw(self) -> dict[str, list]:
        return {}

    @cached_property
    def memo(self) -> dict:
        """What a rule works out once a workbook for several relations (by a key of its own)."""
        return {}

    def raw(self, key: str) -> list:
        """The value of column ``key`` in each data row (``pf.rows``) as read (``row.values.get(key)``), listed
        once for every rule that looks at the column (the rules never change a row's values)."""
        got = self._raw.get(key)
        if got is None:
            got = self._raw[key] = [r.values.get(key) for r in self.pf.rows]
        return got

    @cached_property
    def columns(self) -> dict[str, list[tuple]]:
        """Column key -> the (value, note) of that cell in each data row (``pf.rows``, not the total),
        typed once for all rows (:func:`typed_columns`)."""
        return typed_columns(self.pf, self.raw)

    @cached_property
    def _row_index(self) -> dict[int, int]:
        return {id(r): i for i, r in enumerate(self.pf.rows)}

    def row_typed(self, row: DataRow) -> dict[str, tuple]:
        """``row.typed``: taken from :attr:`columns` for a data row, parsed for any other (the total)."""
        if row.typed is None:
            i = self._row_index.get(id(row))
            if i is not None and self.pf.rows[i] is row:
                row.typed = {k: col[i] for k, col in self.columns.items()}
            else:
                typed_row(row, self.pf.columns)
        return row.typed

    def typed(self, row: DataRow, key: str):
        """(value, note) of a data cell, parsed by the column's type (once: :meth:`row_typed`);
        (raw value, None) for a text column."""
        t = row.typed if row.typed is not None else self.row_typed(row)
        r = t.get(key)
        if r is None:
            self.colmap[key]  # noqa: B018 - a key that is not a column is a KeyError, as ever
            return row.values.get(key), None
        return r

    def num(self, row: DataRow, key: str) -> Decimal:
        """A numeric cell as a Decimal; blank (and unreadable) counts as 0 — the blank-vs-zero rule."""
        v, _ = self.typed(row, key)
        if v is None:
            return Decimal(0)
        return v if isinstance(v, Decimal) else Decimal(v)

    def known(self, row: DataRow, *keys: str) -> bool:
        """All these cells have a usable value (blank counts as 0; unreadable ones are reported elsewhere)."""
        nv = self.pf.formulas_without_value
        for k in keys:
            if self.typed(row, k)[1] == values.INVALID:
                return False
            if nv and self.cell(row, k) in nv:
                return False
        return True

    # ---------------------------------------------------------------- building findings
    def cell(self, row: DataRow, key: str) -> str:
        return a1(*row.at(key)) if row.rows else a1(row.row, row.cols[key])

    def finding(self, code: Check, *, r: int | None = None, c: int | None = None, key: str | None = None,
                value=None, related: Iterable[str] = (), **params) -> Finding:
        col = self.colmap.get(key) if key else None
        lang = self.pf.lang if self.pf.lang in ("kk", "ru", "en") else "kk"
        return Finding(
            code=code.code, severity=code.severity, file=self.file, sheet=self.pf.sheet,
            cell=a1(r, c) if r is not None and c is not None else None,
            row=r + 1 if r is not None else None,
            column=col.number if col else None,
            column_title=col.title(lang) if col else None,
            value=value, related=list(related), params=params, form=self.spec.id)

    def at(self, code: Check, row: DataRow, key: str, value=None, related: Iterable[str] = (), **params) -> Finding:
        r, c = row.at(key) if row.rows else (row.row, row.cols[key])
        return self.finding(code, r=r, c=c, key=key,
                            value=row.values.get(key) if value is None else value, related=related, **params)


Rule = Callable[[Ctx], Iterator[Finding]]


@lru_cache(maxsize=1024)  # every workbook of a month names the same period
def _period(_type: type, v, kind: str) -> str | None:
    return values.parse_period(v, kind)[0]  # the type is in the key: 1 == 1.0 == True as keys


@lru_cache(maxsize=1024)
def _first_day(period: str) -> dt.date:
    from krm.reference import as_date

    return as_date(period)


# ---------------------------------------------------------------- typing the cells once
CELL_PARSERS = {ColType.JOBS: values.parse_int, ColType.COUNT: values.parse_int, ColType.MONEY: values.parse_money,
            ColType.DATE: values.parse_date, ColType.ID: ids.normalise}
_PLANS: dict[int, tuple] = {}  # id(columns) -> (columns, ((key, parser), ...)): columns are per form, not per file


def row_parsers(columns: tuple[Column, ...]) -> tuple:
    """((column key, parser), ...) for the typed columns, worked out once per columns tuple (per form)."""
    return per_columns(_PLANS, columns, _parsers)


def _parsers(columns: tuple[Column, ...]) -> tuple:
    last = {c.key: c for c in columns}  # a repeated key is typed by its last column, as Ctx.colmap sees it
    return tuple((k, CELL_PARSERS[c.type]) for k, c in last.items() if c.type in CELL_PARSERS)


def typed_row(row: DataRow, columns: tuple[Column, ...]) -> dict[str, tuple]:
    """The (value, note) of every numeric, date and BIN/IIN cell of a data row (:mod:`krm.values`,
    :func:`krm.ids.normalise`), parsed once and kept on the row (``row.typed``): the rules and
    :func:`krm.convert.to_submission` read them from there."""
    if row.typed is None:
        v = row.values
        t = {}
        for k, parse in row_parsers(columns):
            x = v.get(k)
            tx = type(x)
            # what the parser gives for the values calamine returns most, without calling it
            if tx is float and parse is _INT and -_EXACT < x < _EXACT:
                t[k] = (int(x), None) if x.is_integer() else _INVALID
            elif tx is float and parse is _MONEY and x - x == 0:
                t[k] = (Decimal(repr(x)), None)
            elif tx is dt.date and parse is _DATE and x >= _FIRST_DATE:
                t[k] = (x, None)
            elif x is None:
                t[k] = _BLANK
            else:
                t[k] = parse(x)
        row.typed = t
    return row.typed


_INT, _MONEY, _DATE = values.parse_int, values.parse_money, values.parse_date
_FIRST_DATE = values.FIRST_DATE  # earlier date cells are serials <= 60 or NaN: invalid (values.parse_date)
_EXACT = values.FLOAT_EXACT
_BLANK = (None, None)  # every parser's answer for a blank cell
_INVALID = (None, values.INVALID)


def typed_columns(pf: ParsedForm, raw: Callable[[str], list] | None = None) -> dict[str, list[tuple]]:
    """``pf.typed``: column key -> [(value, note) of that cell in each of ``pf.rows``], typed once
    (:func:`type_rows`) for the rules and :func:`krm.convert.to_submission`; ``raw``: :meth:`Ctx.raw`."""
    if pf.typed is None or pf.typed[0] is not pf.rows or pf.typed[1] != len(pf.rows):
        pf.typed = (pf.rows, len(pf.rows), type_rows(pf.rows, pf.columns, raw))
    return pf.typed[2]


def type_rows(rows: list[DataRow], columns: tuple[Column, ...],
              raw_of: Callable[[str], list] | None = None) -> dict[str, list[tuple]]:
    """What :func:`typed_row` gives, for many rows at once, column by column: a column of what calamine
    gives most (all floats, all dates, all digit strings) is typed by builtins over the whole column,
    the rest cell by cell.  Returns column key -> [(value, note) of each row].  ``raw_of(key)``: the column's
    values in ``rows`` as read, when the caller has them (:meth:`Ctx.raw`)."""
    plan = row_parsers(columns)
    cols: dict[str, list[tuple]] = {}
    for key, parse in plan:
        raw = raw_of(key) if raw_of is not None else [r.values.get(key) for r in rows]
        kinds = set(map(type, raw))
        if kinds == {float} and parse is _INT and -_EXACT < min(raw) and max(raw) < _EXACT \
                and all(map(float.is_integer, raw)):
            cols[key] = list(zip(map(int, raw), repeat(None)))
        elif kinds == {float} and parse is _MONEY and all(map(math.isfinite, raw)):
            cols[key] = list(zip(map(Decimal, map(repr, raw)), repeat(None)))
        elif kinds == {dt.date} and parse is _DATE and min(raw) >= _FIRST_DATE:
            cols[key] = list(zip(raw, repeat(None)))
        elif kinds == {str} and parse is ids.normalise and all(map(str.isdigit, raw)):
            cols[key] = list(zip(raw, repeat(None)))
        else:
            cols[key] = [_BLANK if x is None else parse(x) for x in raw]
    return cols
