"""The checks a form's columns imply by their types and flags (:func:`cell_checks`)."""

from __future__ import annotations

from krm.rules.relations import Relation
from krm.rules.relations.dates import Date
from krm.rules.relations.figures import Figures
from krm.rules.relations.identifiers import Identifier
from krm.rules.relations.numbers import Number
from krm.rules.relations.required import Required
from krm.rules.relations.texts import TEXT_TYPES, Text
from krm.spec import ColType


def cell_checks(columns: tuple) -> tuple[Relation, ...]:
    """In the order their findings come within a row: required cells, numbers, dates, text, a row
    without figures (each in column order), then the identifiers (a rule group of their own)."""
    numeric = [c for c in columns if c.type.numeric]
    return (*(Required(c) for c in columns if c.required),
            *(Number(c) for c in numeric),
            *(Date(c) for c in columns if c.type == ColType.DATE),
            *(Text(c) for c in columns if c.type in TEXT_TYPES),
            *((Figures(tuple(numeric)),) if numeric else ()),
            *(Identifier(c) for c in columns if c.type == ColType.ID))
