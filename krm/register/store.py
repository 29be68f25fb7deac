"""The register's store: stored readings looked up and recorded by bytes, versions of submissions, states.

Two kinds of writes, from two places (see :func:`krm.validate.validate_paths`):

* a worker that read a workbook records what it found (:meth:`Store.record_reading`): the workbook, its
  reading (header, typed rows, totals) for this engine, and its check (findings) for this validation
  date.  These are content-addressed (the same bytes, engine and date give the same rows), so two
  processes recording the same workbook at once store it once;
* the parent, after the run, records in one transaction what was *seen* (:meth:`Store.record_seen`):
  each path, first/last seen, and each placed reading as a version of its submission, in a fixed
  order (the document's modified time, then the path), so the versions of one run do not depend on
  which worker finished first.

A version is added only for bytes the submission has not had; the versions before it are superseded
(never deleted) — except a confirmed one, which is locked: it stays confirmed and visible, and the new
version is "changed after confirmation" (:mod:`krm.register.approval`).  A new version goes received → checked → accepted (no errors) or returned (errors),
each step an audit row.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass

from sqlalchemy import and_, func, select, update

from krm.register import codec
from krm.register import schema as S
from krm.register.connect import _now

STATES = ("received", "checked", "accepted", "returned", "confirmed", "superseded")
#: the moves :meth:`Store.set_state` allows (superseding is done by the register itself)
TRANSITIONS = {
    "received": ("checked",),
    "checked": ("accepted", "returned"),
    "accepted": ("confirmed", "returned"),
    "returned": ("accepted",),
    "confirmed": ("returned",),
    "superseded": (),
}


class StateError(ValueError):
    """A change of state that is not allowed (one line)."""


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container): the uid
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass
class Seen:
    """What the parent records of one file after a run (see the module's doc)."""

    path: str
    sha256: str
    size: int
    read_error: str | None = None
    reading_id: int | None = None
    key: tuple | None = None  # (form, region, district, programme, period) when placed
    errors: int = 0
    modified: dt.datetime | None = None


@dataclass
class Stored:
    """A stored result found for a workbook's bytes (a *hit*)."""

    workbook_id: int
    reading_id: int
    form: str | None
    lang: str | None
    edition: str | None
    findings: list  # finding rows
    submission: object | None  # krm.model.Submission (path to be set by the caller), or None
    key: tuple | None
    errors: int
    modified: dt.datetime | None = None


def _insert_ignore(conn, table, values: dict, keys: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both back-ends; True if the row was inserted."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)
    # RETURNING tells whether a row was inserted (rowcount is not reliable across drivers)
    return conn.execute(stmt.returning(table.c[keys[0]])).first() is not None


def submission_key(sub) -> tuple | None:
    """(form, region, district, programme, period) of a typed submission; None if it cannot be placed."""
    if sub is None or not sub.form or not sub.period:
        return None
    region = sub.region or (sub.district[:2] if sub.district else None)
    return (sub.form, region or "", sub.district or "", sub.programme or "", sub.period)


class Store:
    def __init__(self, engine, engine_version: str):
        self.engine = engine
        self.engine_version = engine_version
        self._pid = os.getpid()

    # ------------------------------------------------------------------ connections (fork-safe)
    def _fresh(self):
        if os.getpid() != self._pid:  # a forked worker: its own connections, never the parent's
            self.engine.dispose(close=False)
            self._pid = os.getpid()
        return self.engine

    def reader(self):
        return self._fresh().connect()

    def writer(self):
        return self._fresh().connect().execution_options(krm_write=True)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ the worker's side
    def lookup(self, sha: str, as_of: dt.date, rows: bool) -> Stored | None:
        """The stored result for these bytes, this engine and date; None when absent or not intact."""
        R, C = S.reading, S.check
        with self.reader() as c, c.begin():
            hit = c.execute(
                select(R, C.c.id.label("check_id"), C.c.errors, C.c.warnings, C.c.digest.label("check_digest"))
                .select_from(S.workbook.join(R, R.c.workbook_id == S.workbook.c.id)
                             .join(C, and_(C.c.reading_id == R.c.id, C.c.as_of == as_of)))
                .where(S.workbook.c.sha256 == sha, R.c.engine == self.engine_version)).first()
            if hit is None:
                return None
            recs = c.execute(select(S.finding).where(S.finding.c.check_id == hit.check_id)
                             .order_by(S.finding.c.seq)).all()
            if codec.check_digest(hit.errors, hit.warnings, recs) != hit.check_digest:
                return None  # changed in the database: read the workbook again (verify reports it)
            header = codec.loads(hit.header)
            sub = None
            if rows and header is not None:
                cells = c.execute(select(S.row_value.c.row_no, S.row_value.c.kind, S.row_value.c.key,
                                         S.row_value.c.type, S.row_value.c.text, S.row_value.c.num)
                                  .where(S.row_value.c.reading_id == hit.id)).all()
                cells = sorted((tuple(x) for x in cells), key=lambda x: (x[0], x[2]))  # not the server's collation
                if codec.reading_digest(hit.form, hit.edition, hit.header, hit.n_rows, hit.totals,
                                        cells) != hit.digest:
                    return None
                try:
                    projects, regions = codec.rows_from_cells([x[:5] for x in cells])
                except (ValueError, TypeError):
                    return None
                sub = codec.submission_from(header, projects, regions, None)
        key = submission_key(sub) if sub is not None else (
            submission_key(codec.submission_from(header, [], [], None)) if header else None)
        return Stored(hit.workbook_id, hit.id, hit.form, hit.lang, hit.edition, recs, sub, key, hit.errors,
                      (header or {}).get("modified"))

    def record_reading(self, sha: str, size: int, as_of: dt.date, report, edition: str | None) -> int | None:
        """Store a workbook's reading and check (a miss just validated); returns the reading's id."""
        now = _now()
        sub = report.submission
        header_json = codec.dumps(codec.header_of(sub)) if sub is not None else None
        rows = list(sub.projects) + list(sub.regions) if sub is not None else []
        cells = sorted(codec.row_cells(rows), key=lambda x: (x[0], x[2]))
        n_rows = len(rows)
        totals = json.dumps(codec.totals_of(sub), sort_keys=True) if sub is not None else None
        recs = [codec.finding_record(i, f) for i, f in enumerate(report.findings)]
        with self.writer() as c, c.begin():
            wid = self._workbook(c, sha, size, now, None)
            new_reading = _insert_ignore(c, S.reading, {
                "workbook_id": wid, "engine": self.engine_version, "form": report.form, "edition": edition,
                "lang": report.lang, "created": now, "header": header_json, "n_rows": n_rows, "totals": totals,
                "digest": codec.reading_digest(report.form, edition, header_json, n_rows, totals, cells),
            }, ["workbook_id", "engine"])
            rid = c.execute(select(S.reading.c.id).where(
                S.reading.c.workbook_id == wid, S.reading.c.engine == self.engine_version)).scalar_one()
            if new_reading and cells:  # the same transaction as the reading: all its rows or none
                c.execute(S.row_value.insert(), [
                        {"reading_id": rid, "row_no": n, "kind": k, "key": key, "type": t, "text": x, "num": num}
                    for n, k, key, t, x, num in cells])
            errors, warnings = report.errors, report.warnings
            new_check = _insert_ignore(c, S.check, {"reading_id": rid, "as_of": as_of, "created": now, "errors": errors,
                                        "warnings": warnings,
                                        "digest": codec.check_digest(errors, warnings, recs)},
                           ["reading_id", "as_of"])
            cid = c.execute(select(S.check.c.id).where(
                S.check.c.reading_id == rid, S.check.c.as_of == as_of)).scalar_one()
            if new_check and recs:
                c.execute(S.finding.insert(), [{**r, "check_id": cid} for r in recs])
        return rid

    # ------------------------------------------------------------------ the parent's side
    def _workbook(self, c, sha: str, size: int, now: dt.datetime, read_error: str | None) -> int:
        _insert_ignore(c, S.workbook, {"sha256": sha, "size": size, "first_seen": now, "last_seen": now,
                                       "read_error": read_error}, ["sha256"])
        return c.execute(select(S.workbook.c.id).where(S.workbook.c.sha256 == sha)).scalar_one()

    def record_seen(self, seen: list[Seen], by: str | None = None) -> list[int | None]:
        """Paths, last seen, and versions of what a run saw (one transaction); returns each version's id."""
        now = _now()
        by = by or os_user()
        order = sorted(range(len(seen)), key=lambda i: (seen[i].modified is None, seen[i].modified or now,
                                                        seen[i].path))
        out: list[int | None] = [None] * len(seen)
        with self.writer() as c, c.begin():
            for i in order:
                s = seen[i]
                wid = self._workbook(c, s.sha256, s.size, now, s.read_error)
                c.execute(update(S.workbook).where(S.workbook.c.id == wid)
                          .values(last_seen=now, read_error=s.read_error))
                _insert_ignore(c, S.workbook_path, {"workbook_id": wid, "path": s.path, "first_seen": now,
                                                    "last_seen": now}, ["workbook_id", "path"])
                c.execute(update(S.workbook_path).where(S.workbook_path.c.workbook_id == wid,
                                                        S.workbook_path.c.path == s.path).values(last_seen=now))
                if s.key is not None and s.reading_id is not None:
                    out[i] = self._version(c, s.key, wid, s.reading_id, s.errors, by, now)
        return out

    def _version(self, c, key: tuple, wid: int, rid: int, errors: int, by: str, now: dt.datetime) -> int:
        form, region, district, programme, period = key
        T = S.submission
        _insert_ignore(c, T, {"form": form, "region": region, "district": district, "programme": programme,
                              "period": period}, ["form", "region", "district", "programme", "period"])
        sid = c.execute(select(T.c.id).where(T.c.form == form, T.c.region == region, T.c.district == district,
                                             T.c.programme == programme, T.c.period == period)
                        .with_for_update()).scalar_one()
        V = S.version
        have = c.execute(select(V.c.id).where(V.c.submission_id == sid, V.c.workbook_id == wid)).scalar()
        if have is not None:
            return have
        number = (c.execute(select(func.max(V.c.number)).where(V.c.submission_id == sid)).scalar() or 0) + 1
        final = "returned" if errors else "accepted"
        vid = c.execute(V.insert().values(submission_id=sid, number=number, workbook_id=wid, reading_id=rid,
                                          received_at=now, state=final).returning(V.c.id)).scalar_one()
        steps = [(None, "received"), ("received", "checked"), ("checked", final)]
        # a confirmed version is locked: it stays as it is, and the new one is "changed after confirmation"
        older = c.execute(select(V.c.id, V.c.state).where(V.c.submission_id == sid, V.c.id != vid,
                                                          V.c.state.not_in(("superseded", "confirmed")))).all()
        c.execute(S.state_change.insert(), [
            {"version_id": vid, "at": now, "by": by, "from_state": a, "to_state": b,
             "reason": f"{errors} errors" if b == "returned" else None} for a, b in steps]
            + [{"version_id": o.id, "at": now, "by": by, "from_state": o.state, "to_state": "superseded",
                "reason": f"version {number} received"} for o in older])
        if older:
            c.execute(update(V).where(V.c.id.in_([o.id for o in older])).values(state="superseded"))
        return vid

    def set_state(self, version_id: int, state: str, by: str | None = None, reason: str | None = None) -> str:
        """Move a version to ``state`` (see :data:`TRANSITIONS`), with its audit row; returns the old state."""
        if state not in STATES:
            raise StateError(f"unknown state {state!r}; states: {', '.join(STATES)}")
        V = S.version
        with self.writer() as c, c.begin():
            old = c.execute(select(V.c.state).where(V.c.id == version_id).with_for_update()).scalar()
            if old is None:
                raise StateError(f"no version {version_id} in the register")
            if state not in TRANSITIONS[old]:
                allowed = ", ".join(TRANSITIONS[old]) or "none"
                raise StateError(f"version {version_id} is {old}: it cannot become {state} (allowed: {allowed})")
            c.execute(update(V).where(V.c.id == version_id).values(state=state))
            c.execute(S.state_change.insert().values(version_id=version_id, at=_now(), by=by or os_user(),
                                                     from_state=old, to_state=state, reason=reason))
        return old
