"""Checks and relations: each kind written once, with its catalogue codes, evaluating itself two ways.

A form's spec declares its relations between columns (:attr:`krm.spec.FormSpec.relations`: sum of
parts, not greater than, date order, the total row, duplicate projects); the checks of single cells
(required, numbers, dates, text, a row without figures, identifiers) follow from the columns' types
(:func:`derived`).  Every kind is a :class:`Relation`:

* :meth:`Relation.row` is the definition: the findings of one row;
* :meth:`Relation.candidates` is the column-wise evaluation: the indices of the data rows that *may*
  have a finding, worked out a column at a time with builtins (``None``: every row may);
* :meth:`Relation.whole` holds what is not a row's (the total row, duplicates across rows).

:func:`evaluate` runs :meth:`~Relation.row` on the candidate rows only, so a clean form is checked a
column at a time; since a row is only ever judged by :meth:`~Relation.row`, the shortcut cannot
report anything the definition does not.  ``tests/test_relations.py`` checks, for every relation of
every form, that no row outside the candidates has a finding, and that a form validated with
:data:`COLUMN_WISE` off gives the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import is_, itemgetter
from typing import ClassVar, Iterable, Iterator

from krm.findings import Check, Finding

#: False: every row goes through :meth:`Relation.row` (the plain path the tests compare with)
COLUMN_WISE = True


@dataclass(frozen=True)
class Relation:
    """One kind of check; subclasses set ``codes`` and override what they need."""

    #: the rule group it reports in (krm.rules.cells / identifiers / consistency), which fixes its findings' order
    stage: ClassVar[str] = "consistency"
    #: also judged on the total row of a form with one (after the data rows)
    on_total: ClassVar[bool] = False
    #: the catalogue records a kind can report (the symbols of :mod:`krm.codes`); a relation with a
    #: ``code`` field reports that one
    CODES: ClassVar[tuple[Check, ...]] = ()

    @property
    def codes(self) -> tuple[Check, ...]:
        code = getattr(self, "code", None)
        return (code,) if code is not None else self.CODES

    @property
    def name(self) -> str:
        """How a reader names it: its ``label`` if it has one, else :meth:`describe`."""
        return getattr(self, "label", "") or self.describe()

    def describe(self) -> str:
        return type(self).__name__

    def applies(self, ctx) -> bool:
        return True

    def row(self, ctx, row) -> Iterator[Finding]:
        return iter(())

    def candidates(self, ctx) -> Iterable[int] | None:
        """Indices into ``ctx.pf.rows`` of the rows :meth:`row` may report on (None: all of them)."""
        return None

    def whole(self, ctx) -> Iterator[Finding]:
        return iter(())

    @property
    def has_rows(self) -> bool:
        return type(self).row is not Relation.row


def evaluate(ctx, relations: Iterable[Relation]) -> Iterator[Finding]:
    """The findings of ``relations`` on a form: row by row (in sheet order, each row's relations in
    the order given) over the candidate rows, then the total row, then each relation's :meth:`whole`."""
    rels = [r for r in relations if r.applies(ctx)]
    by_row = [r for r in rels if r.has_rows]
    if by_row:
        for row in candidate_rows(ctx, by_row):
            for r in by_row:
                yield from r.row(ctx, row)
        total = ctx.pf.total
        if total is not None:
            for r in by_row:
                if r.on_total:
                    yield from r.row(ctx, total)
    for r in rels:
        yield from r.whole(ctx)


def candidate_rows(ctx, relations: list[Relation]) -> list:
    """The data rows (in order) any of ``relations`` may report on: the union of their candidates."""
    rows = ctx.pf.rows
    if not COLUMN_WISE:
        return rows
    hit: set[int] = set()
    for r in relations:
        c = r.candidates(ctx)
        if c is None:
            return rows
        hit.update(c)
    return [rows[i] for i in sorted(hit)]


def of_stage(ctx, stage: str) -> list[Relation]:
    """The checks of a form that report in ``stage``: those its columns imply, then those its spec declares."""
    return [r for r in (*derived(ctx.pf.columns), *ctx.spec.relations) if r.stage == stage]


_DERIVED: dict[int, tuple] = {}  # id(columns) -> (columns, checks): columns are per form, not per file


def derived(columns: tuple) -> tuple[Relation, ...]:
    """The cell checks a form's columns imply by their types and flags (worked out once per columns tuple)."""
    from krm.rules.relations.cells import cell_checks
    from krm.spec import per_columns

    return per_columns(_DERIVED, columns, cell_checks)


def fmt(d: Decimal) -> str:
    """A figure as a finding's ``expected`` shows it (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def blank_as_zero(vals: list) -> list:
    """Typed values with None (blank) as 0, as the rules count a blank figure."""
    if any(map(is_, vals, repeat(None))):  # not `None in`: Decimal == None is slow
        return [0 if v is None else v for v in vals]
    return vals


def values_of(ctx, key: str) -> list:
    """The typed values of a column in every data row (``ctx.columns``), notes dropped."""
    return list(map(itemgetter(0), ctx.columns[key]))
