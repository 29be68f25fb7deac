"""The fixed rows of a form (KRM-4/5/6: the regions valid in the period, in order; KRM-7: the nine
activity groups) are there, in order, with their official names (KRM-E014; a region that did not exist
then is KRM-E053, an unknown one KRM-E052)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from krm import reference
from krm.codes import E014, E052, E053
from krm.findings import Finding
from krm.rules import lookup
from krm.rules.relations import Relation
from krm.spec import Rows


@dataclass(frozen=True)
class FixedRows(Relation):
    label: str = "the form's fixed rows, in order"
    stage = "structure"
    CODES = (E014, E052, E053)

    def applies(self, ctx) -> bool:
        return ctx.spec.rows != Rows.FREE and ctx.on is not None

    def whole(self, ctx) -> Iterator[Finding]:
        from krm.workbook.writer import fixed_rows

        pf, spec = ctx.pf, ctx.spec
        keyname = "region" if spec.rows == Rows.REGIONS else "activity"
        expected = fixed_rows(spec, ctx.on)
        lang = pf.lang if pf.lang in ("kk", "ru", "en") else "kk"
        li = {"kk": 1, "ru": 2, "en": 3}[lang]
        for i, row in enumerate(pf.rows):
            label = row.values.get(keyname)
            want = expected[i] if i < len(expected) else None
            if keyname == "region":
                hit = lookup.region(label, ctx.on) if label is not None else None
                if hit is None and label is not None:
                    old = lookup.region_any(label)
                    if old is not None:
                        yield ctx.at(E053, row, keyname, period=ctx.period)
                        continue
                    if want is None or reference.norm(label) != reference.norm(want[li]):
                        yield ctx.at(E052, row, keyname)
                        continue
                got = hit.kato if hit else None
            else:
                hit = lookup.activity(label) if label is not None else None
                got = hit.code if hit else None
            if want is None or got != want[0]:
                yield ctx.at(E014, row, keyname, value=label if label is not None else "",
                             expected=want[li] if want else "—")
        if len(pf.rows) < len(expected):
            r = pf.rows[-1].row + 1 if pf.rows else pf.data_range[0]
            yield ctx.finding(E014, r=r, c=pf.colmap[keyname], key=keyname, value="",
                              expected=expected[len(pf.rows)][li])
