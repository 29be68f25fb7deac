"""The register's store: stored readings looked up and recorded by bytes, versions of submissions, states.

Two kinds of writes, from two places (see :func:`krm.validate.validate_paths`):

* a worker that read a workbook records what it found (:meth:`Store.record_reading`): the workbook, its
  reading (header, typed rows, totals) for this engine, and its check (findings) for this validation
  date.  These are content-addressed (the same bytes, engine and date give the same rows), so two
  processes recording the same workbook at once store it once;
* the parent, after the run, records in one transaction what was *seen* (:meth:`Store.record_seen`):
  each path (where the file is, however the command line named its folder: :mod:`krm.intake.located`),
  first/last seen, and each placed reading as a version of its submission, in a fixed
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

from krm.intake.located import located
from krm.register import codec
from krm.register.connect import _now

# SQLAlchemy, and the schema made of it, are imported by the methods that use them: a worker that looks up and
# records a reading in an SQLite register (krm.register.sqlite_write, krm.register.plain) never loads them

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


@dataclass(slots=True)
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
    #: (device, inode, size, mtime_ns, ctime_ns) when read, if settled (krm.register.memo): recorded as the
    #: file's identity, so the next run need not read it to know its bytes
    identity: tuple | None = None


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


def stored_result(workbook_id, reading_id, form, lang, edition, header_json, n_rows, totals, digest, errors, recs,
                  header, cells) -> Stored | None:
    """:meth:`Store.lookup`'s answer from what it read (``cells``: the reading's, sorted, when its rows are asked
    for, else None); None when the rows are not intact."""
    sub = None
    if cells is not None:
        if codec.reading_digest(form, edition, header_json, n_rows, totals, cells) != digest:
            return None
        try:
            projects, regions = codec.rows_from_cells([x[:5] for x in cells])
        except (ValueError, TypeError):
            return None
        sub = codec.submission_from(header, projects, regions, None)
    key = submission_key(sub) if sub is not None else (
        submission_key(codec.submission_from(header, [], [], None)) if header else None)
    return Stored(workbook_id, reading_id, form, lang, edition, recs, sub, key, errors,
                  (header or {}).get("modified"))


@dataclass
class Prepared:
    """Everything a reading's record holds, computed before its transaction (:meth:`Store.record_reading_ids`)."""

    engine: str
    sha: str
    size: int
    as_of: dt.date
    now: dt.datetime
    form: str | None
    edition: str | None
    lang: str | None
    header: str | None
    n_rows: int
    totals: str | None
    digest: str
    cells: str | None  # the rows as one compact JSON text; None when there are none
    rollup: str | None  # the roll-up digest as tagged JSON, for a submission that can be placed
    errors: int
    warnings: int
    check_digest: str
    findings: list  # finding records (codec.finding_record)

    @classmethod
    def of(cls, engine: str, sha: str, size: int, as_of: dt.date, report, edition: str | None) -> "Prepared":
        sub = report.submission
        header = codec.dumps(codec.header_of(sub)) if sub is not None else None
        rows = list(sub.projects) + list(sub.regions) if sub is not None else []
        cells = codec.sorted_row_cells(rows)
        totals = json.dumps(codec.totals_of(sub), sort_keys=True) if sub is not None else None
        recs = [codec.finding_record(i, f) for i, f in enumerate(report.findings)]
        errors, warnings = report.errors, report.warnings
        # a submission without a period (KRM-E013) is never rolled up, and its digest cannot be computed
        rollup = _digest_json(sub) if submission_key(sub) is not None else None
        return cls(engine, sha, size, as_of, _now(), report.form, edition, report.lang, header, len(rows), totals,
                   codec.reading_digest(report.form, edition, header, len(rows), totals, cells),
                   codec.cells_json(cells) if cells else None, rollup, errors, warnings,
                   codec.check_digest(errors, warnings, recs), recs)

    def seal(self, reading_digest: str) -> str:
        from krm.register.memo import seal

        return seal(reading_digest, self.rollup)


RECEIVED = ("now", "saved")
#: files a statement batch of :meth:`Store.record_seen` (all in one transaction): bounds the memory a run's
#: recording takes, whatever the number of files
RECORD_BATCH = 2000


def _received(seen: Seen, received: str, now: dt.datetime) -> dt.datetime:
    """A new version's received time (see :meth:`Store.record_seen`)."""
    if received not in RECEIVED:
        raise ValueError(f"received {received!r}: use one of {', '.join(RECEIVED)}")
    if received == "saved" and seen.modified is not None:
        from krm.workbook.writer.layout import FIXED_TIME

        if seen.modified != FIXED_TIME and seen.modified <= now:
            return seen.modified.replace(tzinfo=None, microsecond=0)
    return now


def _insert_nothing(conn, table, values: dict, keys: list[str]):
    """INSERT … ON CONFLICT DO NOTHING (a statement) on both back-ends."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


def _insert_ignore(conn, table, values: dict, keys: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both back-ends; True if the row was inserted."""
    # RETURNING tells whether a row was inserted (rowcount is not reliable across drivers)
    stmt = _insert_nothing(conn, table, values, keys)
    return conn.execute(stmt.returning(table.c[keys[0]])).first() is not None


def _inserted_id(conn, table, values: dict, keys: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when the row was there."""
    return conn.execute(_insert_nothing(conn, table, values, keys).returning(table.c.id)).scalar()


def _insert_ignore_many(conn, table, rows: list[dict], keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING of many rows at once (both back-ends)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(index_elements=keys), rows)


def _select_in(conn, query, column, values, chunk: int = 500) -> list:
    """The rows of ``query`` whose ``column`` is one of ``values``, a chunk of values at a time."""
    values = sorted(values)
    out = []
    for k in range(0, len(values), chunk):
        out.extend(conn.execute(query.where(column.in_(values[k:k + chunk]))).all())
    return out


def _digest_json(sub) -> str:
    from krm.register.memo import digest_json
    from krm.rollup import digest

    return digest_json(digest(sub))


def submission_key(sub) -> tuple | None:
    """(form, region, district, programme, period) of a typed submission; None if it cannot be placed."""
    if sub is None or not sub.form or not sub.period:
        return None
    region = sub.region or (sub.district[:2] if sub.district else None)
    return (sub.form, region or "", sub.district or "", sub.programme or "", sub.period)


def decide_versions(files: list[tuple], sid: dict, have: dict) -> tuple[list, list, dict, list]:
    """What :meth:`Store._versions` records for ``files`` ((key, workbook id, reading id, errors, received at), in
    order), given each key's submission id (``sid``) and the versions each submission has (``have``: submission id
    -> [[version id, number, workbook id, state], …], updated): (the new versions' rows, the audit steps [(version,
    [(from, to, reason), …]), …], the versions superseded {id(version): version}, each file's version).  A new
    version's id is None until :func:`numbered`."""
    new, changes, superseded, result = [], [], {}, []
    for key, wid, rid, errors, received_at in files:
        s = sid[key]
        vs = have.setdefault(s, [])
        old = next((v for v in vs if v[2] == wid), None)
        if old is not None:
            result.append(old)
            continue
        number = max((v[1] for v in vs), default=0) + 1
        final = "returned" if errors else "accepted"
        v = [None, number, wid, final]
        # a confirmed version is locked: it stays as it is, and the new one is "changed after confirmation"
        older = [o for o in vs if o[3] not in ("superseded", "confirmed")]
        new.append({"submission_id": s, "number": number, "workbook_id": wid, "reading_id": rid,
                    "received_at": received_at, "state": final})
        changes.append((v, [(None, "received", None), ("received", "checked", None),
                            ("checked", final, f"{errors} errors" if final == "returned" else None)]))
        for o in older:
            changes.append((o, [(o[3], "superseded", f"version {number} received")]))
            o[3] = "superseded"
            superseded[id(o)] = o
        vs.append(v)
        result.append(v)
    return new, changes, superseded, result


def numbered(result: list, new: list, got: dict) -> None:
    """The new versions of :func:`decide_versions` given their ids (``got``: (submission id, number) -> id)."""
    it = iter(new)
    for v in (x for x in result if x[0] is None):
        if v[0] is None:
            v[0] = got[(next(it)["submission_id"], v[1])]


class Store:
    def __init__(self, engine, engine_version: str):
        self.engine = engine
        self.engine_version = engine_version
        self._pid = os.getpid()
        #: the SQLite register's plain sqlite3 writer (krm.register.sqlite_write); None for PostgreSQL
        self.writer_sqlite = None
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            from krm.register.sqlite_write import SqliteWriter

            self.writer_sqlite = SqliteWriter(engine.url.database)

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
        if self.writer_sqlite is not None:
            self.writer_sqlite.close()
        self.engine.dispose()

    # ------------------------------------------------------------------ the worker's side
    def lookup(self, sha: str, as_of: dt.date, rows: bool) -> Stored | None:
        """The stored result for these bytes, this engine and date; None when absent or not intact."""
        from sqlalchemy import and_, select

        from krm.register import schema as S

        if self.writer_sqlite is not None:  # a cold run's usual answer (none) in one plain query
            from krm.register import sqlite_write as lite

            if not lite.stored(self.writer_sqlite, sha, self.engine_version, as_of):
                return None
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
            cells = codec.stored_cells(c, hit.id) if rows and header is not None else None  # sorted here
        return stored_result(hit.workbook_id, hit.id, hit.form, hit.lang, hit.edition, hit.header, hit.n_rows,
                             hit.totals, hit.digest, hit.errors, recs, header, cells)

    def record_reading(self, sha: str, size: int, as_of: dt.date, report, edition: str | None) -> int | None:
        """Store a workbook's reading and check (a miss just validated); returns the reading's id."""
        return self.record_reading_ids(sha, size, as_of, report, edition)[0]

    def record_reading_ids(self, sha: str, size: int, as_of: dt.date, report,
                           edition: str | None) -> tuple[int, int, bool]:
        """:meth:`record_reading`, returning (reading id, workbook id, whether the workbook is new to the register).

        Everything is computed before the transaction, which then only writes: a plain sqlite3 one for an
        SQLite register (:mod:`krm.register.sqlite_write`), SQLAlchemy Core for PostgreSQL; the same rows either way."""
        p = Prepared.of(self.engine_version, sha, size, as_of, report, edition)
        if self.writer_sqlite is not None:
            from krm.register import sqlite_write as lite

            return lite.record(self.writer_sqlite, p)
        return self._record_core(p)

    def _record_core(self, p: "Prepared") -> tuple[int, int, bool]:
        """:meth:`record_reading_ids` through SQLAlchemy Core (PostgreSQL): each new row's id comes back from its
        INSERT (RETURNING); an existing row (the same bytes recorded by another process) is looked up."""
        from sqlalchemy import select

        from krm.register import schema as S

        W, R, C = S.workbook, S.reading, S.check
        with self.writer() as c, c.begin():
            wid = _inserted_id(c, W, {"sha256": p.sha, "size": p.size, "first_seen": p.now, "last_seen": p.now,
                                      "read_error": None}, ["sha256"])
            new_workbook = wid is not None
            if wid is None:
                wid = c.execute(select(W.c.id).where(W.c.sha256 == p.sha)).scalar_one()
            rid = _inserted_id(c, R, {
                "workbook_id": wid, "engine": p.engine, "form": p.form, "edition": p.edition, "lang": p.lang,
                "created": p.now, "header": p.header, "n_rows": p.n_rows, "totals": p.totals, "digest": p.digest,
            }, ["workbook_id", "engine"])
            if rid is not None:
                rdig = p.digest
                if p.cells is not None:  # the same transaction as the reading: all its rows or none, in one row
                    c.execute(S.reading_rows.insert().values(reading_id=rid, cells=p.cells))
            else:
                rid, rdig = c.execute(select(R.c.id, R.c.digest).where(R.c.workbook_id == wid,
                                                                       R.c.engine == p.engine)).one()
            if p.rollup is not None:
                _insert_ignore(c, S.reading_digest, {"reading_id": rid, "data": p.rollup, "seal": p.seal(rdig)},
                               ["reading_id"])
            cid = _inserted_id(c, C, {"reading_id": rid, "as_of": p.as_of, "created": p.now, "errors": p.errors,
                                      "warnings": p.warnings, "digest": p.check_digest}, ["reading_id", "as_of"])
            if cid is not None and p.findings:  # a check already recorded keeps its findings
                c.execute(S.finding.insert(), [{**r, "check_id": cid} for r in p.findings])
        return rid, wid, new_workbook

    # ------------------------------------------------------------------ the parent's side
    def record_seen(self, seen: list[Seen], by: str | None = None, received: str = "now") -> list[int | None]:
        """Paths, last seen, and versions of what a run saw (one transaction); returns each version's id.

        ``received``: what a new version's ``received_at`` is — "now" (the time of this run), or "saved" (the
        workbook's own saved time, docProps ``modified``; this run's time when the workbook has none or
        carries krm's fixed time) for workbooks received earlier by other means (``krm register ingest
        --received-at saved``).  The audit rows keep this run's time either way.

        Batched: a few statements for the whole run, not a dozen per file (a 3,000-file month spent ~6 s
        here, in the parent, after its workers had finished).  The versions are decided in the fixed order
        (see the module's doc) exactly as one file at a time would."""
        now = _now()
        by = by or os_user()
        order = sorted(range(len(seen)), key=lambda i: (seen[i].modified is None, seen[i].modified or now,
                                                        seen[i].path))
        out: list[int | None] = [None] * len(seen)
        if not seen:
            return out
        where = located([s.path for s in seen])
        with self.writer() as c, c.begin():  # one transaction; a few thousand files a statement batch, so
            # the parent's memory does not grow with a year's run (a 36,000-file run peaked at 426 MB here)
            for k in range(0, len(order), RECORD_BATCH):
                self._record_batch(c, seen, order[k:k + RECORD_BATCH], by, received, now, out, where)
        return out

    def _record_batch(self, c, seen: list, order: list[int], by: str, received: str, now: dt.datetime,
                      out: list, where: list[str]) -> None:
        """:meth:`record_seen` for the files ``order`` (indices into ``seen``, in the fixed order), in the run's
        transaction ``c``: a later batch sees what an earlier one recorded, as one batch would.  ``where``: each
        file's path as recorded (:func:`krm.intake.located.located`)."""
        from sqlalchemy import bindparam, select, update

        from krm.register import schema as S

        W, P = S.workbook, S.workbook_path
        _insert_ignore_many(c, W, [{"sha256": seen[i].sha256, "size": seen[i].size, "first_seen": now,
                                    "last_seen": now, "read_error": seen[i].read_error} for i in order],
                            ["sha256"])
        wid = dict(_select_in(c, select(W.c.sha256, W.c.id), W.c.sha256, {seen[i].sha256 for i in order}))
        last = {}  # the last file of each workbook, in order, sets its read_error (as one at a time did)
        for i in order:
            last[wid[seen[i].sha256]] = seen[i].read_error
        c.execute(update(W).where(W.c.id == bindparam("w_id")).values(last_seen=now, read_error=bindparam("err")),
                  [{"w_id": w, "err": e} for w, e in last.items()])
        paths = list(dict.fromkeys((wid[seen[i].sha256], where[i]) for i in order))
        _insert_ignore_many(c, P, [{"workbook_id": w, "path": p, "first_seen": now, "last_seen": now}
                                   for w, p in paths], ["workbook_id", "path"])
        c.execute(update(P).where(P.c.workbook_id == bindparam("w_id"), P.c.path == bindparam("p"))
                  .values(last_seen=now), [{"w_id": w, "p": p} for w, p in paths])
        placed = [i for i in order if seen[i].key is not None and seen[i].reading_id is not None]
        if placed:
            ids = self._versions(c, [(seen[i].key, wid[seen[i].sha256], seen[i].reading_id, seen[i].errors,
                                      _received(seen[i], received, now)) for i in placed], by, now)
            for i, vid in zip(placed, ids):
                out[i] = vid

    def _versions(self, c, files: list[tuple], by: str, now: dt.datetime) -> list[int]:
        """The version of each (key, workbook id, reading id, errors), in this order: an existing one for bytes
        the submission already has, else a new one (received → checked → accepted/returned) superseding
        the versions before it."""
        from sqlalchemy import bindparam, select, update

        from krm.register import schema as S

        T, V = S.submission, S.version
        cols = ("form", "region", "district", "programme", "period")
        keys = list(dict.fromkeys(k for k, *_ in files))
        _insert_ignore_many(c, T, [dict(zip(cols, k)) for k in keys], list(cols))
        q = select(T.c.id, *[T.c[x] for x in cols])
        if c.dialect.name == "postgresql":
            q = q.with_for_update()  # two runs recording the same submissions take turns
        sid = {tuple(r[1:]): r[0] for r in _select_in(c, q, T.c.period, {k[4] for k in keys})}
        have: dict[int, list[list]] = {}  # submission id -> [[version id, number, workbook id, state], …]
        for r in _select_in(c, select(V.c.submission_id, V.c.id, V.c.number, V.c.workbook_id, V.c.state),
                            V.c.submission_id, {sid[k] for k in keys}):  # the files' submissions, not the periods'
            have.setdefault(r[0], []).append([r[1], r[2], r[3], r[4]])
        new, changes, superseded, result = decide_versions(files, sid, have)
        if new:
            c.execute(V.insert(), new)
            got = {(r[0], r[1]): r[2] for r in _select_in(
                c, select(V.c.submission_id, V.c.number, V.c.id), V.c.submission_id, {x["submission_id"] for x in new})}
            numbered(result, new, got)
            c.execute(S.state_change.insert(), [
                {"version_id": v[0], "at": now, "by": by, "from_state": a, "to_state": b, "reason": why}
                for v, steps in changes for a, b, why in steps])
        if superseded:
            c.execute(update(V).where(V.c.id == bindparam("v_id")).values(state="superseded"),
                      [{"v_id": o[0]} for o in superseded.values()])
        return [v[0] for v in result]

    def return_versions(self, items: list[tuple[int, str]], by: str | None = None) -> list[int]:
        """Move each accepted version of ``items`` ((version id, reason), in order) to returned, with its audit
        row, in one transaction; a version that is not accepted (any more) stays as it is.  Returns the ids moved,
        in order.  (The checks across months of a year's run return thousands: :meth:`set_state` one at a time
        took a transaction each.)"""
        from sqlalchemy import bindparam, select, update

        from krm.register import schema as S

        V = S.version
        by, now = by or os_user(), _now()
        moved: list[tuple[int, str]] = []
        with self.writer() as c, c.begin():
            q = select(V.c.id, V.c.state)
            if c.dialect.name == "postgresql":
                q = q.with_for_update()
            state = dict(_select_in(c, q, V.c.id, {i for i, _ in items}))
            for vid, why in items:
                if state.get(vid) == "accepted":
                    state[vid] = "returned"
                    moved.append((vid, why))
            if moved:
                c.execute(update(V).where(V.c.id == bindparam("v_id")).values(state="returned"),
                          [{"v_id": vid} for vid, _ in moved])
                c.execute(S.state_change.insert(), [
                    {"version_id": vid, "at": now, "by": by, "from_state": "accepted", "to_state": "returned",
                     "reason": why} for vid, why in moved])
        return [vid for vid, _ in moved]

    def set_state(self, version_id: int, state: str, by: str | None = None, reason: str | None = None) -> str:
        """Move a version to ``state`` (see :data:`TRANSITIONS`), with its audit row; returns the old state."""
        from sqlalchemy import select, update

        from krm.register import schema as S

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
