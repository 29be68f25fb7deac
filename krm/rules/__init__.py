"""The validation rules: small modules, each a function over a :class:`Ctx` yielding Findings.

The rule groups run in this order: structure, layout (workbooks in the annex's layout), header, cells, identifiers, reference, consistency,
signature.  Checks of the data cells and relations between columns are objects
(:mod:`krm.rules.relations`): a form's spec declares its relations, each kind written once with its
catalogue codes, evaluating itself row by row and column-wise.

This package's ``__init__`` imports nothing heavy, so that :mod:`krm.forms` can import the relation
kinds: :class:`Ctx` and the cell typing live in :mod:`krm.rules.context` and are reached from here
too (``from krm.rules import Ctx``).
"""

from __future__ import annotations

import datetime as dt

_CONTEXT = frozenset({"Ctx", "Rule", "row_parsers", "typed_row", "typed_columns", "type_rows"})


def __getattr__(name: str):
    if name in _CONTEXT:
        from krm.rules import context

        return getattr(context, name)
    raise AttributeError(f"module 'krm.rules' has no attribute {name!r}")


def all_rules() -> list:
    from krm.rules import (cells, consistency, header, identifiers, layout, reference, signature, structure,
                           unusual)

    return [structure.check, layout.check, header.check, cells.check, unusual.check, identifiers.check,
            reference.check,
            consistency.check, signature.check]


def run(pf, file: str, today: dt.date | None = None) -> list:
    """Every rule over one parsed workbook, findings in sheet order (row, column) within each rule group."""
    from krm.rules.context import Ctx

    ctx = Ctx(pf=pf, today=today or dt.date.today(), file=file)
    out: list = []
    for rule in all_rules():
        out.extend(rule(ctx))
    return out
