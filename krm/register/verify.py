"""``krm register verify``: every stored figure re-derivable, every count consistent.

* each reading: its digest recomputed from its header and every stored cell; its control totals
  (plan, fact, allocated, disbursed) re-derived from its rows; its row count;
* each reading's stored digest (krm.register.memo: what aggregate and report use instead of its rows)
  re-derived from its rows, and its seal;
* each check: its digest recomputed from its findings; its error and warning counts;
* each submission: versions numbered 1…n without gaps, at most one not superseded and that one the
  latest; each version's state the last state of its audit trail, the trail unbroken
  (each change starts from the state the previous one ended in), its reading one of its workbook's;
  a confirmed version may stay beside a later one (it is locked);
* each confirmation: the SHA-256 of its version's workbook, and a "confirmed" step in the version's trail.

A figure changed directly in the database (an UPDATE of a row's ``fact``) fails the digest and the totals;
a deleted finding fails its check's counts.  Nothing is repaired: verify only reads.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from krm.register import codec
from krm.register import schema as S
from krm.register.store import STATES


@dataclass
class VerifyResult:
    counts: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"ok": self.ok, "counts": self.counts, "problems": self.problems}


def _sum(cells, key: str):
    total = Decimal(0)
    for c in cells:
        if c[2] == key and c[3] in ("i", "d") and c[4] is not None:
            try:
                total += Decimal(c[4])
            except InvalidOperation:
                pass
    return total


def _readings(c, res: VerifyResult) -> None:
    R, X = S.reading, S.row_value
    readings = {r.id: r for r in c.execute(select(R, S.workbook.c.sha256).join(S.workbook))}
    stream = c.execute(select(X.c.reading_id, X.c.row_no, X.c.kind, X.c.key, X.c.type, X.c.text, X.c.num)
                       .order_by(X.c.reading_id))
    digests = {r.reading_id: r for r in c.execute(select(S.reading_digest))}
    seen = set()
    for rid, group in itertools.chain(itertools.groupby(stream, key=lambda x: x[0]), _compact_rows(c)):
        if rid in seen:
            res.problems.append(f"reading {rid}: rows stored in both layouts (row_value and reading_rows)")
        seen.add(rid)
        cells = sorted((tuple(x[1:]) for x in group), key=lambda x: (x[0], x[2]))
        _reading(readings.get(rid), rid, cells, res)
        _digest(readings.get(rid), digests.get(rid), cells, res)
    for rid, r in readings.items():
        if rid not in seen:
            _reading(r, rid, [], res)
            _digest(r, digests.get(rid), [], res)


def _compact_rows(c):
    """(reading id, its cells with the id first) of the readings stored in one row (migration 6)."""
    for rid, text in c.execute(select(S.reading_rows.c.reading_id, S.reading_rows.c.cells)):
        try:
            cells = codec.cells_from_json(text)
        except ValueError:
            cells = [(None, "?", "?", "?", text, None)]  # not JSON: fails the digest
        yield rid, [(rid, *x) for x in cells]


def _digest(r, d, cells: list, res: VerifyResult) -> None:
    """A reading's stored digest (what aggregate and report use instead of its rows) re-derived from its rows."""
    if r is None or d is None:
        return
    from krm.register.memo import digest_json, seal
    from krm.rollup import digest

    what = f"reading {r.id} ({r.form or '?'}, bytes {r.sha256[:12]}…)"
    try:
        projects, regions = codec.rows_from_cells([x[:5] for x in cells])
        sub = codec.submission_from(codec.loads(r.header) or {}, projects, regions, None)
        same = digest_json(digest(sub)) == d.data
    except (ValueError, TypeError, KeyError):
        same = False
    if not same or seal(r.digest, d.data) != d.seal:
        res.problems.append(f"{what}: its stored digest does not match its rows (changed in the database)")


def _reading(r, rid: int, cells: list, res: VerifyResult) -> None:
    if r is None:
        res.problems.append(f"rows stored for reading {rid}, which does not exist")
        return
    what = f"reading {rid} ({r.form or '?'}, bytes {r.sha256[:12]}…)"
    if codec.reading_digest(r.form, r.edition, r.header, r.n_rows, r.totals, cells) != r.digest:
        res.problems.append(f"{what}: stored content does not match its digest (changed in the database)")
    rows = len({x[0] for x in cells})
    if rows != r.n_rows:
        res.problems.append(f"{what}: {rows} rows stored, {r.n_rows} counted")
    totals = json.loads(r.totals) if r.totals else {}
    for k, v in totals.items():
        derived = _sum(cells, k)
        if Decimal(v) != derived:
            res.problems.append(f"{what}: {k} total stored {v}, its rows give {derived}")


def _checks(c, res: VerifyResult) -> None:
    C, F = S.check, S.finding
    found: dict[int, list] = {}
    for f in c.execute(select(F).order_by(F.c.check_id)):
        found.setdefault(f.check_id, []).append(f)
    for k in c.execute(select(C)):
        recs = sorted(found.get(k.id, []), key=lambda f: f.seq)
        what = f"check {k.id} (reading {k.reading_id}, as of {k.as_of})"
        errors = sum(1 for f in recs if f.severity == "error")
        if errors != k.errors or len(recs) - errors != k.warnings:
            res.problems.append(f"{what}: {k.errors} errors and {k.warnings} warnings counted, "
                                f"{errors} and {len(recs) - errors} stored")
        if codec.check_digest(k.errors, k.warnings, recs) != k.digest:
            res.problems.append(f"{what}: its findings do not match their digest (changed in the database)")


def _versions(c, res: VerifyResult) -> None:
    V, A = S.version, S.state_change
    trail: dict[int, list] = {}
    for a in c.execute(select(A).order_by(A.c.version_id, A.c.id)):
        trail.setdefault(a.version_id, []).append(a)
    reading_wb = dict(c.execute(select(S.reading.c.id, S.reading.c.workbook_id)).all())
    by_sub: dict[int, list] = {}
    for v in c.execute(select(V).order_by(V.c.submission_id, V.c.number)):
        by_sub.setdefault(v.submission_id, []).append(v)
        what = f"version {v.id} (submission {v.submission_id}, number {v.number})"
        if v.state not in STATES:
            res.problems.append(f"{what}: unknown state {v.state!r}")
        t = trail.get(v.id, [])
        if not t or t[-1].to_state != v.state:
            res.problems.append(f"{what}: state {v.state} is not the last state of its audit trail "
                                f"({t[-1].to_state if t else 'none'})")
        for a, b in zip([None] + t, t):
            if (a.to_state if a else None) != b.from_state:
                res.problems.append(f"{what}: audit trail broken at {b.at} ({b.from_state} → {b.to_state})")
        if reading_wb.get(v.reading_id) != v.workbook_id:
            res.problems.append(f"{what}: its reading is not one of its workbook's")
    for sid, vs in by_sub.items():
        if [v.number for v in vs] != list(range(1, len(vs) + 1)):
            res.problems.append(f"submission {sid}: versions numbered {[v.number for v in vs]}, not 1…{len(vs)}")
        live = [v for v in vs if v.state not in ("superseded", "confirmed")]  # a confirmed one is locked
        if len(live) > 1 or (live and live[0].number != vs[-1].number):
            res.problems.append(f"submission {sid}: versions {[v.number for v in live]} are not superseded; "
                                f"only the latest ({vs[-1].number}) may be current")
    sha = dict(c.execute(select(V.c.id, S.workbook.c.sha256).select_from(
        V.join(S.workbook, S.workbook.c.id == V.c.workbook_id))).all())
    for k in c.execute(select(S.confirmation).order_by(S.confirmation.c.id)):
        if sha.get(k.version_id) != k.workbook_sha256:
            res.problems.append(f"confirmation {k.id}: its workbook's SHA-256 is not that of version {k.version_id}")
        if not any(a.to_state == "confirmed" for a in trail.get(k.version_id, [])):
            res.problems.append(f"confirmation {k.id}: version {k.version_id} was never confirmed in its audit trail")


def _counts(c) -> dict:
    return {t.name: c.execute(select(func.count()).select_from(t)).scalar()
            for t in (S.workbook, S.workbook_path, S.reading, S.row_value, S.reading_rows, S.check, S.finding, S.submission,
                      S.version, S.state_change, S.confirmation, S.explanation)}


def counts(store) -> dict:
    """How many rows each table holds."""
    with store.reader() as c, c.begin():
        return _counts(c)


def verify(store) -> VerifyResult:
    res = VerifyResult()
    with store.reader() as c, c.begin():
        res.counts = _counts(c)
        _readings(c, res)
        _checks(c, res)
        _versions(c, res)
    return res
