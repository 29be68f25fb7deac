"""Signature block: executor, telephone and head filled (a warning when not)."""

from __future__ import annotations

from typing import Iterator

from krm import values
from krm.findings import Finding
from krm.forms import SIGNATURE
from krm.rules.context import Ctx
from krm.codes import W020


def check(ctx: Ctx) -> Iterator[Finding]:
    pf = ctx.pf
    for s in SIGNATURE:
        if not s.required:
            continue
        if values.is_blank(pf.signature.get(s.key)):
            ref = pf.signature_cells.get(s.key)
            yield ctx.finding(W020, r=ref.row if ref else None, c=ref.col if ref else None,
                              field=s.label)
