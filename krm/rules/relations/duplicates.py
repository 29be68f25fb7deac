"""A project appears once in a form: the same BIN/IIN and project name (and district, in KRM-3) twice is
KRM-E036."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Iterator

from krm import ids
from krm.findings import Check, Finding
from krm.model import project_key
from krm.rules import relations
from krm.rules.relations import Relation
from krm.spec import ColType, Rows


@dataclass(frozen=True)
class Duplicates(Relation):
    code: Check
    label: str = "one row per project"

    def applies(self, ctx) -> bool:
        return ctx.spec.rows == Rows.FREE and "project" in ctx.colmap

    def whole(self, ctx) -> Iterator[Finding]:
        rows = ctx.pf.rows
        seen: dict[tuple, object] = {}
        has_district = "district" in ctx.colmap
        if "bin" not in ctx.colmap:
            bins = [None] * len(rows)
        elif ctx.colmap["bin"].type == ColType.ID and "bin" in ctx.columns:
            bins = list(map(itemgetter(0), ctx.columns["bin"]))  # ids.normalise of each, done once (type_rows)
        else:
            bins = [ids.normalise(r.values.get("bin"))[0] for r in rows]
        if relations.COLUMN_WISE and not _may_repeat(bins):
            return
        for row, b in zip(rows, bins):
            name = row.values.get("project")
            if name is None or (isinstance(name, str) and name.strip() == ""):  # values.is_blank
                continue
            key = project_key(b, name)
            if has_district:
                key = key + (str(row.values.get("district") or "").strip().casefold(),)
            if key in seen:
                first = seen[key]
                yield ctx.at(self.code, row, "project", related=[ctx.cell(first, "project")], first=first.row + 1)
            else:
                seen[key] = row


def _may_repeat(bins: list) -> bool:
    """False when the rows' BIN/IIN texts all differ: no two rows then have the same key
    (:func:`krm.model.project_key` holds the stripped BIN/IIN text)."""
    if set(map(type, bins)) != {str}:
        return True
    return len(set(map(str.strip, bins))) != len(bins)
