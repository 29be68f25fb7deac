"""KRM-2 (district) -> KRM-3 (region): the region's rows, mapped column by column by the editions' roles."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from krm import forms
from krm.model import _PROJECT_FIELDS, ProjectRow, Submission
from krm.rollup.chain import RollupError, _basis, _need_rows, region_of, row_district
from krm.rollup.programme import _activity_rank


# ------------------------------------------------------------------ KRM-2 -> KRM-3
def krm3_from_krm2(subs: list[Submission]) -> list[Submission]:
    """Roll districts' KRM-2 up into one KRM-3 per (region, programme, period).

    Every KRM-2 row becomes one KRM-3 row, unchanged in value, carrying its district
    (column к1), BIN and implementation period, so nothing is lost and the KRM-3 can
    itself be rolled up to KRM-4/5 with the same result as the KRM-2s
    (``programme_level(krm3_from_krm2(x)) == programme_level(x)``).  Rows are ordered
    as the form groups them: activity group 1-9, then district (KATO), then project
    name (folded), then BIN, then input order.  Output order: period, programme, region.

    Raises :class:`RollupError` on a non-KRM-2 input, on two submissions of one
    district for the same programme and period, or on mixed bases within a group.
    """
    _need_rows(subs, "krm3_from_krm2")
    groups: dict[tuple, list[Submission]] = defaultdict(list)
    for s in subs:
        if forms.kind(s.form) != "district":
            raise RollupError(f"{s.path}: krm3_from_krm2 takes KRM-2 submissions, not {s.form}")
        groups[(s.period, s.programme or "", region_of(s) or "")].append(s)
    out = []
    for (period, programme, region) in sorted(groups):
        members = groups[(period, programme, region)]
        seen: dict[str | None, Path] = {}
        for s in members:
            if s.district in seen:
                raise RollupError(f"district {s.district}: two KRM-2 for {programme} {period} "
                                  f"({seen[s.district]} and {s.path})")
            seen[s.district] = s.path
        basis = _basis(members, f"KRM-3 {region} {programme} {period}")
        rows = []
        for order, (s, r) in enumerate((s, r) for s in sorted(members, key=lambda m: (m.district or "", str(m.path)))
                                       for r in s.projects):
            rows.append((order, s, r))
        ranks: dict = {}  # (_activity_rank of each activity: the same few codes on every row)

        def key(t, ranks=ranks):
            _, s, r = t
            a = r.activity
            rank = ranks.get(a) if a.__class__ is str else None
            if rank is None:
                rank = _activity_rank(a)
                if a.__class__ is str:
                    ranks[a] = rank
            # (row_district, _sort_text: the project's name folded as project_key folds it)
            return (rank, r.district or s.district or "", " ".join(str(r.project or "").split()).casefold(),
                    r.bin or "", t[0])
        rows.sort(key=key)
        carried = {}  # per edition of KRM-2: (column key, key in KRM-3)
        projects = [_krm3_row(s, r, carried) for _, s, r in rows]
        out.append(Submission(path=Path(f"KRM-3.{period}.{programme}.{region}"), form="KRM-3", period=period,
                              programme=programme or None, region=region or None, basis=basis,
                              projects=projects))
    return out


def _krm3_row(s: Submission, r: ProjectRow, carried: dict) -> ProjectRow:
    """A KRM-2 row as a KRM-3 row: every column with a role in the chain (its spec's, in the edition
    ``s`` was read against) under the key it feeds, and the district the row belongs to."""
    pairs = carried.get(s.edition)
    if pairs is None:
        from krm import editions

        spec = editions.spec("KRM-2", s.edition)
        pairs = [(c.key, c.carried_as) for c in spec.columns if c.carried_as]
        if all(k in _PROJECT_FIELDS and to in _PROJECT_FIELDS for k, to in pairs):
            pairs = tuple(pairs)  # (ProjectRow.build would put nothing into .extra)
        carried[s.edition] = pairs
    if pairs.__class__ is tuple:  # every column a field of the row, under a field's name
        values = {to: getattr(r, key) for key, to in pairs}
        values["district"] = r.district or s.district  # (row_district)
        return ProjectRow(**values)
    values = {to: r.get(key) for key, to in pairs}
    values["district"] = row_district(s, r)
    return ProjectRow.build(values)
