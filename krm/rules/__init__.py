"""The validation rules: small modules, each a function over a :class:`Ctx` yielding Findings.

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
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Callable, Iterable, Iterator

from krm import values
from krm.catalogue import CATALOGUE
from krm.findings import Finding
from krm.spec import ColType, Column
from krm.workbook.reader import DataRow, ParsedForm
from krm.workbook.writer import a1


@dataclass
class Ctx:
    pf: ParsedForm
    today: dt.date
    file: str
    columns_ok: bool = True  # False once the column layout is found changed: data rules stop
    _typed: dict = field(default_factory=dict)

    # ---------------------------------------------------------------- derived, once
    @cached_property
    def spec(self):
        return self.pf.spec

    @cached_property
    def colmap(self) -> dict[str, Column]:
        return {c.key: c for c in self.pf.columns}

    @cached_property
    def period(self) -> str | None:
        p, _ = values.parse_period(self.pf.header.get("period"), self.spec.period_kind)
        return p

    @cached_property
    def on(self) -> dt.date | None:
        """The day reference data are looked up on: the period's first day."""
        if not self.period:
            return None
        from krm.reference import as_date

        return as_date(self.period)

    @cached_property
    def region(self):
        """The header's region valid in the period (None if absent/unknown)."""
        from krm.rules import lookup

        v = self.pf.header.get("region")
        if v is None or self.on is None:
            return None
        return lookup.region(v, self.on)

    # ---------------------------------------------------------------- typed cells
    def typed(self, row: DataRow, key: str):
        """(value, note) of a data cell, parsed by the column's type (cached)."""
        k = (row.row, key)
        if k not in self._typed:
            col = self.colmap[key]
            v = row.values.get(key)
            if col.type in (ColType.JOBS, ColType.COUNT):
                self._typed[k] = values.parse_int(v)
            elif col.type == ColType.MONEY:
                self._typed[k] = values.parse_money(v)
            elif col.type == ColType.DATE:
                self._typed[k] = values.parse_date(v)
            else:
                self._typed[k] = (v, None)
        return self._typed[k]

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
        return a1(row.row, row.cols[key])

    def finding(self, code: str, *, r: int | None = None, c: int | None = None, key: str | None = None,
                value=None, related: Iterable[str] = (), **params) -> Finding:
        col = self.colmap.get(key) if key else None
        lang = self.pf.lang if self.pf.lang in ("kk", "ru", "en") else "kk"
        return Finding(
            code=code, severity=CATALOGUE[code].severity, file=self.file, sheet=self.pf.sheet,
            cell=a1(r, c) if r is not None and c is not None else None,
            row=r + 1 if r is not None else None,
            column=col.number if col else None,
            column_title=col.title(lang) if col else None,
            value=value, related=list(related), params=params, form=self.spec.id)

    def at(self, code: str, row: DataRow, key: str, value=None, related: Iterable[str] = (), **params) -> Finding:
        return self.finding(code, r=row.row, c=row.cols[key], key=key,
                            value=row.values.get(key) if value is None else value, related=related, **params)


Rule = Callable[[Ctx], Iterator[Finding]]


def all_rules() -> list[Rule]:
    from krm.rules import cells, consistency, header, identifiers, reference, signature, structure

    return [structure.check, header.check, cells.check, identifiers.check, reference.check,
            consistency.check, signature.check]


def run(pf: ParsedForm, file: str, today: dt.date | None = None) -> list[Finding]:
    """Every rule over one parsed workbook, findings in sheet order (row, column) within each rule group."""
    ctx = Ctx(pf=pf, today=today or dt.date.today(), file=file)
    out: list[Finding] = []
    for rule in all_rules():
        out.extend(rule(ctx))
    return out
