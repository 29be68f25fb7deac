"""An SQLite register used through the standard library's :mod:`sqlite3`, for a run that reads a few workbooks:
``krm validate`` after a few of a month's files were edited (:mod:`krm.register.spliced`), a run of
:func:`krm.validate.validate_paths` that opens the register itself (``krm report``: after edits, a few workbooks),
and what ``krm report`` records besides (:mod:`krm.report.remembered`, :mod:`krm.report.memo`).

Importing SQLAlchemy and building the register on it costs about 0.15 CPU-s a process, more than validating
ten workbooks.  :func:`open_plain` gives a :class:`PlainRegister` for an SQLite register that is already there,
marked as krm's, at exactly the schema this krm knows (:func:`krm.register.lite.open_lite`'s check, so there is
nothing to migrate); anything else (no register yet, an older or newer schema, PostgreSQL, an ``sqlite://`` URL)
is opened by :func:`krm.register.open` as before.

What such a run asks of the register is done here, with the same statements and the same rows as the SQLAlchemy
path (``tests/test_register_plain.py`` and ``tests/test_report_plain.py`` compare two registers, one written each
way, and the answers of both): a stored reading looked up by its bytes, stored results without their rows and the
portal's explanations (:mod:`krm.remembered`), a reading recorded (:mod:`krm.register.sqlite_write`), file
identities, the run's paths and versions (:meth:`PlainRegister.record_seen`), the versions and submissions of a
period and the rows of a reading (the checks across months, the report's previous month), which periods hold a
form, what the report keeps of each workbook and its outputs' memo, and ``krm status``'s approval levels (the
versions' audit trails, which readings are explained: :mod:`krm.approval`).  Anything else (returning a version, the
outliers' series) is asked of the full :class:`krm.register.Register`, opened (with SQLAlchemy) the first time
it is needed: the same answers, only not faster.  A failure of SQLite is raised as SQLAlchemy's
``OperationalError``, as :mod:`krm.register.sqlite_write` does, which every caller handles.
"""

from __future__ import annotations

import datetime as dt
import json

from krm.intake.located import located
from krm.register.connect import _now
from krm.register.sqlite_write import SqliteWriter, ts

#: values of one ``IN (…)`` (as the SQLAlchemy path's chunks)
CHUNK = 500


def open_plain(target: str | None):
    """The register ``target`` (:func:`krm.register.connect.configured`) as a :class:`PlainRegister` when it can be
    used so (see the module's doc), else as :func:`krm.register.open` opens it (None: turned off)."""
    from krm.register.connect import is_url, sqlite_path

    if target is not None and not is_url(target):
        from krm.register.lite import open_lite

        lite = open_lite(target)  # None unless a marked SQLite register at this krm's schema
        if lite is not None:
            lite.close()
            return PlainRegister(str(sqlite_path(target).resolve()), target)
    from krm import register

    return register.open(target)


class PlainRegister:
    """An open SQLite register without SQLAlchemy (see the module's doc); :meth:`close` when done."""

    plain = True

    def __init__(self, path: str, target: str):
        from krm.register.engine import fingerprint

        self.target = target
        self.engine_version = fingerprint()
        self.writer_sqlite = SqliteWriter(path)
        self._full = None

    @property
    def location(self) -> str:
        return self.target

    def full(self):
        """The full register (SQLAlchemy), opened the first time a method not done here is asked for."""
        if self._full is None:
            from krm import register

            self._full = register.open(self.target)
        return self._full

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_full", "writer_sqlite", "target", "engine_version"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def before_fork(self) -> None:
        """The full register's connections closed (a forked worker opens its own)."""
        if self._full is not None:
            self._full.engine.dispose()

    def close(self) -> None:
        self.writer_sqlite.close()
        if self._full is not None:
            self._full.close()
            self._full = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ------------------------------------------------------------------ reads
    def lookup(self, sha: str, as_of: dt.date, rows: bool):
        """:meth:`krm.register.Store.lookup`: the same stored result (its findings as rows with the finding table's
        fields), or None."""
        from krm.register import codec
        from krm.register.store import stored_result

        with self.writer_sqlite.snapshot() as cur:
            hit = cur.execute("SELECT r.id, r.workbook_id, r.form, r.edition, r.lang, r.header, r.n_rows, r.totals, "
                              "r.digest, c.id, c.errors, c.warnings, c.digest FROM workbook w "
                              "JOIN reading r ON r.workbook_id = w.id "
                              "JOIN check_result c ON c.reading_id = r.id AND c.as_of = ? "
                              "WHERE w.sha256 = ? AND r.engine = ?",
                              (as_of.isoformat(), sha, self.engine_version)).fetchone()
            if hit is None:
                return None
            rid, wid, form, edition, lang, header_json, n_rows, totals, rdig, cid, errors, warnings, cdig = hit
            recs = [FindingRow(*r) for r in cur.execute("SELECT check_id, seq, code, severity, sheet, cell, data "
                                                        "FROM finding WHERE check_id = ? ORDER BY seq", (cid,))]
            if codec.check_digest(errors, warnings, recs) != cdig:
                return None  # changed in the database: read the workbook again (verify reports it)
            header = codec.loads(header_json)
            cells = _cells(cur, rid) if rows and header is not None else None
        return stored_result(wid, rid, form, lang, edition, header_json, n_rows, totals, rdig, errors, recs, header,
                             cells)

    def known_files(self, stats: dict) -> dict[str, str]:
        """:meth:`krm.register.memo.Memo.known_files`."""
        from krm.register.lite import host, identified

        with self.writer_sqlite.snapshot() as cur:
            return identified(lambda paths: _in(cur, "SELECT path, device, inode, size, mtime_ns, ctime_ns, sha256 "
                                                     "FROM file_stat WHERE host = ? AND path IN ({values})", paths,
                                                (host(),)), stats)

    def _reading_cells(self, reading_id: int):
        """(form, edition, header, n_rows, totals, digest) of a reading, or None, and its cells as
        :func:`krm.register.codec.stored_cells` gives them: in one read transaction."""
        with self.writer_sqlite.snapshot() as cur:
            r = cur.execute("SELECT form, edition, header, n_rows, totals, digest FROM reading WHERE id = ?",
                            (reading_id,)).fetchone()
            cells = _cells(cur, reading_id)
        return r, cells

    def rows_of(self, reading_id: int) -> tuple[list, list]:
        """:meth:`krm.register.memo.Memo.rows_of`."""
        from krm.register import codec

        r, cells = self._reading_cells(reading_id)
        if r is None or codec.reading_digest(r[0], r[1], r[2], r[3], r[4], cells) != r[5]:
            raise ValueError(f"reading {reading_id}: its stored rows are not intact")
        return codec.rows_from_cells([x[:5] for x in cells])

    def submission_of(self, reading_id: int, path):
        """:meth:`krm.register.queries.Queries.submission_of`."""
        from krm.register import codec

        r, cells = self._reading_cells(reading_id)
        if r is None or r[2] is None:
            return None
        if codec.reading_digest(r[0], r[1], r[2], r[3], r[4], cells) != r[5]:
            from krm.register.connect import RegisterError

            raise RegisterError(f"reading {reading_id} in the register does not match its digest "
                                "(changed in the database): run krm register verify")
        projects, regions = codec.rows_from_cells([x[:5] for x in cells])
        return codec.submission_from(codec.loads(r[2]), projects, regions, path)

    def versions(self, *, form=None, region=None, district=None, programme=None, period=None, state=None,
                 current: bool | None = None) -> list:
        """:meth:`krm.register.queries.Queries.versions` (the same versions, in the same order)."""
        where, params = [], []
        for col, v in (("t.form", form), ("t.region", region), ("t.district", district),
                       ("t.programme", programme), ("t.period", period)):
            if v is not None:
                where.append(f"{col} = ?")
                params.append(v)
        if state is not None:
            states = [state] if isinstance(state, str) else list(state)
            where.append(f"v.state IN ({', '.join('?' * len(states))})")
            params += states
        sql = ("SELECT v.id, v.submission_id, t.form, t.region, t.district, t.programme, t.period, v.number, "
               "w.sha256, v.state, v.received_at, v.reading_id, v.workbook_id, r.totals FROM version v "
               "JOIN submission t ON t.id = v.submission_id JOIN workbook w ON w.id = v.workbook_id "
               "JOIN reading r ON r.id = v.reading_id" + (" WHERE " + " AND ".join(where) if where else ""))
        with self.writer_sqlite.snapshot() as cur:
            rows = cur.execute(sql, params).fetchall()
            if not rows:
                return []
            paths: dict[int, list[str]] = {}
            for w, p in _in(cur, "SELECT workbook_id, path FROM workbook_path WHERE workbook_id IN ({values})",
                            {r[12] for r in rows}):
                paths.setdefault(w, []).append(p)
            if current:  # the newest version of each submission (a locked, confirmed one may stay beside it)
                latest = dict(cur.execute("SELECT submission_id, max(number) FROM version WHERE state != 'superseded' "
                                          "GROUP BY submission_id").fetchall())
                rows = [r for r in rows if latest.get(r[1]) == r[7]]
            ever: dict[int, dict[int, int]] = {}
            for sid, vid, number in _in(cur, "SELECT DISTINCT v.submission_id, v.id, v.number FROM version v "
                                        "JOIN state_change a ON a.version_id = v.id WHERE a.to_state = 'confirmed' "
                                        "AND v.submission_id IN ({values})", {r[1] for r in rows}):
                ever.setdefault(sid, {})[vid] = number
        from krm.register.queries import Version

        out = [Version(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], _datetime(r[10]), r[11],
                       tuple(sorted(paths.get(r[12], ()))), json.loads(r[13]) if r[13] else {},
                       r[0] not in ever.get(r[1], {}) and any(n < r[7] for n in ever.get(r[1], {}).values()))
               for r in rows]
        out.sort(key=lambda v: (v.period, v.form, v.region, v.district, v.programme, v.number))
        return out

    def remembered(self, shas: set[str], as_of: dt.date) -> dict:
        """:meth:`krm.register.memo.Memo.remembered` (the same stored results, their findings as rows with the
        finding table's fields)."""
        from krm.register import codec
        from krm.register.memo import Remembered, seal

        out: dict = {}
        if not shas:
            return out
        with self.writer_sqlite.snapshot() as cur:
            hits = _in(cur, "SELECT w.sha256, w.size, w.id, r.id, r.form, r.lang, r.edition, r.header, c.id, c.errors, "
                            "c.warnings, c.digest, d.data, d.seal, r.digest FROM workbook w "
                            "JOIN reading r ON r.workbook_id = w.id "
                            "JOIN check_result c ON c.reading_id = r.id AND c.as_of = ? "
                            "LEFT OUTER JOIN reading_digest d ON d.reading_id = r.id "
                            "WHERE r.engine = ? AND w.sha256 IN ({values})", shas,
                       (as_of.isoformat(), self.engine_version))
            recs: dict[int, list] = {h[8]: [] for h in hits}
            for r in _in(cur, "SELECT check_id, seq, code, severity, sheet, cell, data FROM finding "
                              "WHERE check_id IN ({values})", recs):
                recs[r[0]].append(FindingRow(*r))
        for (sha, size, wid, rid, form, lang, edition, header, cid, errors, warnings, cdig, data, sl, rdig) in hits:
            found = sorted(recs[cid], key=lambda r: r.seq)
            if codec.check_digest(errors, warnings, found) != cdig:
                continue  # changed in the database: the file is read again (verify reports it)
            digest = data if data is not None and sl == seal(rdig, data) else None
            out[sha] = Remembered(sha, size, wid, rid, form, lang, edition, found, codec.loads(header), errors,
                                  digest)
        return out

    def written_for(self, workbook_ids) -> dict[int, dict]:
        """:meth:`krm.register.memo.Memo.written_for`."""
        out: dict[int, dict] = {}
        ids = set(workbook_ids)
        if not ids:
            return out
        with self.writer_sqlite.snapshot() as cur:
            rows = _in(cur, "SELECT id, workbook_id, code, cell, text, author, at FROM written_explanation "
                            "WHERE workbook_id IN ({values})", ids)
        for _, wid, code, cell, text, author, at in sorted(rows):
            out.setdefault(wid, {})[(code, cell)] = {"text": text, "who": author,
                                                     "date": _datetime(at).date().isoformat(), "sheet": "krm serve",
                                                     "row": None}
        return out

    def with_written(self, findings: list, workbook_id: int | None) -> list:
        """:meth:`krm.register.approval.Approval.with_written`."""
        written = self.written_for([workbook_id]).get(workbook_id, {}) if findings and workbook_id is not None else {}
        for f in findings:
            e = written.get((f.code, f.cell or ""))
            if e is not None and f.explanation is None and f.severity != "error":
                f.explanation = dict(e)
        return findings

    def audits(self, version_ids) -> dict[int, list]:
        """:meth:`krm.register.queries.Queries.audits`: the same trails, in the same order."""
        from krm.register.queries import Change

        out: dict[int, list] = {}
        with self.writer_sqlite.snapshot() as cur:
            rows = _in(cur, 'SELECT version_id, at, "by", from_state, to_state, reason FROM state_change '
                            "WHERE version_id IN ({values}) ORDER BY id", set(version_ids))
        for vid, at, by, a, b, why in rows:  # (a version's rows are all in one chunk: in id order)
            out.setdefault(vid, []).append(Change(_datetime(at), by, a, b, why))
        return out

    def explained_readings(self, reading_ids) -> set[int]:
        """:meth:`krm.register.approval.Approval.explained_readings`: the readings whose latest check has a finding
        the workbook explains, or a warning explained in the portal."""
        from krm.register import codec

        latest: dict[int, tuple] = {}
        out: set[int] = set()
        with self.writer_sqlite.snapshot() as cur:
            for cid, rid, as_of in _in(cur, "SELECT id, reading_id, as_of FROM check_result "
                                            "WHERE reading_id IN ({values})", set(reading_ids)):
                if rid not in latest or as_of > latest[rid][1]:  # (ISO dates: their text's order)
                    latest[rid] = (cid, as_of)
            by_check = {cid: rid for rid, (cid, _) in latest.items()}
            for cid, data in _in(cur, "SELECT check_id, data FROM finding WHERE check_id IN ({values})", by_check):
                if by_check[cid] not in out and (codec.loads(data) or {}).get("explanation"):
                    out.add(by_check[cid])
            rids = sorted(set(by_check.values()))
            for k in range(0, len(rids), CHUNK):
                keys = set(_in(cur, "SELECT r.id, w.code, w.cell FROM reading r JOIN written_explanation w "
                                    "ON w.workbook_id = r.workbook_id WHERE r.id IN ({values})", rids[k:k + CHUNK]))
                if not keys:
                    continue
                with_keys = {x[0] for x in keys}
                checks = [cid for cid, rid in by_check.items() if rid in with_keys]
                for cid, code, cell, sev in cur.execute(
                        "SELECT check_id, code, cell, severity FROM finding WHERE check_id IN "
                        f"({', '.join('?' * len(checks))})", checks):
                    if sev != "error" and (by_check[cid], code, cell or "") in keys:
                        out.add(by_check[cid])
        return out

    def periods_of(self, form: str, periods) -> set[str]:
        """Which of ``periods`` the register holds a submission of ``form`` of."""
        with self.writer_sqlite.snapshot() as cur:
            return {r[0] for r in _in(cur, "SELECT DISTINCT period FROM submission WHERE form = ? AND period IN "
                                           "({values})", set(periods), (form,))}

    def submissions(self, periods, path_of=None) -> list:
        """:meth:`krm.register.queries.Queries.submissions` (through :meth:`versions` and :meth:`submission_of`)."""
        from krm.register.queries import Queries

        return Queries.submissions(self, periods, path_of)

    # ------------------------------------------------------------------ writes
    def record_reading(self, sha: str, size: int, as_of: dt.date, report, edition: str | None) -> int | None:
        return self.record_reading_ids(sha, size, as_of, report, edition)[0]

    def record_reading_ids(self, sha: str, size: int, as_of: dt.date, report, edition: str | None):
        """:meth:`krm.register.Store.record_reading_ids` (its SQLite path)."""
        from krm.register import sqlite_write
        from krm.register.store import Prepared

        return sqlite_write.record(self.writer_sqlite, Prepared.of(self.engine_version, sha, size, as_of, report,
                                                                   edition))

    def record_files(self, files: list) -> None:
        """:meth:`krm.register.memo.Memo.record_files`."""
        from krm.register.lite import host, identity_rows

        if not files:
            return
        me, now = host(), ts(_now())
        with self.writer_sqlite.write() as cur:
            cur.executemany("INSERT INTO file_stat (host, path, device, inode, size, mtime_ns, ctime_ns, sha256, seen) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host, path) DO UPDATE SET "
                            "device = excluded.device, inode = excluded.inode, size = excluded.size, "
                            "mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, sha256 = excluded.sha256, "
                            "seen = excluded.seen",
                            [(me, p, *i, sha, now) for p, i, sha in identity_rows(files)])

    def record_seen(self, seen: list, by: str | None = None, received: str = "now") -> list[int | None]:
        """:meth:`krm.register.Store.record_seen`: the same rows, written by the same statements in the same order
        (one transaction, :data:`krm.register.store.RECORD_BATCH` files a batch)."""
        from krm.register.store import RECORD_BATCH, os_user

        now = _now()
        by = by or os_user()
        order = sorted(range(len(seen)), key=lambda i: (seen[i].modified is None, seen[i].modified or now,
                                                        seen[i].path))
        out: list[int | None] = [None] * len(seen)
        if not seen:
            return out
        where = located([s.path for s in seen])
        with self.writer_sqlite.write() as cur:
            for k in range(0, len(order), RECORD_BATCH):
                self._record_batch(cur, seen, order[k:k + RECORD_BATCH], by, received, now, out, where)
        return out

    def record_outputs(self, command: str, outputs: list[tuple]) -> None:
        """:meth:`krm.register.memo.Memo.record_outputs`: the same rows."""
        from operator import itemgetter

        from krm.register import codec
        from krm.register.lite import host

        if not outputs:
            return
        me, now = host(), ts(_now())
        rows = [(me, p, command, self.engine_version, recipe, sha, size, _inputs_json(inputs, done),
                 codec.dumps(data) if data is not None else None, now)
                for done in [{}] for p, recipe, sha, size, inputs, data in sorted(outputs, key=itemgetter(0))]
        with self.writer_sqlite.write() as cur:
            cur.executemany("INSERT INTO output_memo (host, path, command, engine, recipe, sha256, size, inputs, data, "
                            "written) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (host, path) DO UPDATE SET "
                            "command = excluded.command, engine = excluded.engine, recipe = excluded.recipe, "
                            "sha256 = excluded.sha256, size = excluded.size, inputs = excluded.inputs, "
                            "data = excluded.data, written = excluded.written", rows)

    def record_report_inputs(self, recipe: str, as_of: dt.date, rows: list[tuple[str, str, str]]) -> None:
        """:meth:`krm.register.memo.Memo.record_report_inputs`: the same rows."""
        if not rows:
            return
        now = ts(_now())
        one = {sha: (data, sl) for sha, data, sl in rows}
        with self.writer_sqlite.write() as cur:
            cur.executemany("INSERT INTO report_input (sha256, recipe, as_of, data, seal, written) "
                            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, recipe) DO UPDATE SET "
                            "as_of = excluded.as_of, data = excluded.data, seal = excluded.seal, "
                            "written = excluded.written",
                            [(sha, recipe, as_of.isoformat(), data, sl, now) for sha, (data, sl) in sorted(one.items())])

    def _record_batch(self, cur, seen: list, order: list[int], by: str, received: str, now: dt.datetime,
                      out: list, where: list[str]) -> None:
        """:meth:`krm.register.Store._record_batch`."""
        from krm.register.store import _received

        at = ts(now)
        cur.executemany("INSERT INTO workbook (sha256, size, first_seen, last_seen, read_error) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (sha256) DO NOTHING",
                        [(seen[i].sha256, seen[i].size, at, at, seen[i].read_error) for i in order])
        wid = dict(_in(cur, "SELECT sha256, id FROM workbook WHERE sha256 IN ({values})",
                       {seen[i].sha256 for i in order}))
        last = {}  # the last file of each workbook, in order, sets its read_error (as one at a time did)
        for i in order:
            last[wid[seen[i].sha256]] = seen[i].read_error
        cur.executemany("UPDATE workbook SET last_seen = ?, read_error = ? WHERE workbook.id = ?",
                        [(at, e, w) for w, e in last.items()])
        paths = list(dict.fromkeys((wid[seen[i].sha256], where[i]) for i in order))
        cur.executemany("INSERT INTO workbook_path (workbook_id, path, first_seen, last_seen) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (workbook_id, path) DO NOTHING", [(w, p, at, at) for w, p in paths])
        cur.executemany("UPDATE workbook_path SET last_seen = ? WHERE workbook_path.workbook_id = ? AND "
                        "workbook_path.path = ?", [(at, w, p) for w, p in paths])
        placed = [i for i in order if seen[i].key is not None and seen[i].reading_id is not None]
        if placed:
            ids = self._versions(cur, [(seen[i].key, wid[seen[i].sha256], seen[i].reading_id, seen[i].errors,
                                        _received(seen[i], received, now)) for i in placed], by, now)
            for i, vid in zip(placed, ids):
                out[i] = vid

    def _versions(self, cur, files: list[tuple], by: str, now: dt.datetime) -> list[int]:
        """:meth:`krm.register.Store._versions`."""
        from krm.register.store import decide_versions, numbered

        keys = list(dict.fromkeys(k for k, *_ in files))
        cur.executemany("INSERT INTO submission (form, region, district, programme, period) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (form, region, district, programme, period) DO NOTHING", keys)
        sid = {tuple(r[1:]): r[0] for r in _in(cur, "SELECT id, form, region, district, programme, period FROM "
                                                    "submission WHERE period IN ({values})", {k[4] for k in keys})}
        have: dict[int, list[list]] = {}  # submission id -> [[version id, number, workbook id, state], …]
        for r in _in(cur, "SELECT submission_id, id, number, workbook_id, state FROM version "
                          "WHERE submission_id IN ({values})", {sid[k] for k in keys}):
            have.setdefault(r[0], []).append([r[1], r[2], r[3], r[4]])
        new, changes, superseded, result = decide_versions(files, sid, have)
        if new:
            cur.executemany("INSERT INTO version (submission_id, number, workbook_id, reading_id, received_at, state) "
                            "VALUES (?, ?, ?, ?, ?, ?)", [(x["submission_id"], x["number"], x["workbook_id"],
                                                           x["reading_id"], ts(x["received_at"]), x["state"])
                                                          for x in new])
            got = {(r[0], r[1]): r[2] for r in _in(cur, "SELECT submission_id, number, id FROM version WHERE "
                                                        "submission_id IN ({values})",
                                                   {x["submission_id"] for x in new})}
            numbered(result, new, got)
            at = ts(now)
            cur.executemany('INSERT INTO state_change (version_id, at, "by", from_state, to_state, reason) '
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [(v[0], at, by, a, b, why) for v, steps in changes for a, b, why in steps])
        if superseded:
            cur.executemany("UPDATE version SET state = 'superseded' WHERE version.id = ?",
                            [(o[0],) for o in superseded.values()])
        return [v[0] for v in result]


class FindingRow(tuple):
    """A row of the finding table, its fields by name (as SQLAlchemy's row gives them)."""

    __slots__ = ()
    _fields = ("check_id", "seq", "code", "severity", "sheet", "cell", "data")

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    check_id = property(lambda r: r[0])
    seq = property(lambda r: r[1])
    code = property(lambda r: r[2])
    severity = property(lambda r: r[3])
    sheet = property(lambda r: r[4])
    cell = property(lambda r: r[5])
    data = property(lambda r: r[6])


def _cells(cur, reading_id: int) -> list[tuple]:
    """:func:`krm.register.codec.stored_cells` through a sqlite3 cursor."""
    from krm.register.codec import cells_from_json

    text = cur.execute("SELECT cells FROM reading_rows WHERE reading_id = ?", (reading_id,)).fetchone()
    if text is not None and text[0] is not None:
        cells = cells_from_json(text[0])
    else:
        cells = [tuple(x) for x in cur.execute("SELECT row_no, kind, key, type, text, num FROM row_value "
                                               "WHERE reading_id = ?", (reading_id,))]
    return sorted(cells, key=lambda x: (x[0], x[2]))


def _inputs_json(inputs, done: dict) -> str:
    """An output's ``inputs`` as stored (:meth:`krm.register.memo.Memo.record_outputs`'s JSON), encoded once for the
    outputs of a run that share the one list (``done``: {id: (the list, its JSON)}; a report's 3,000 inputs are
    the same for its KRM-6, KRM-7 and note)."""
    got = done.get(id(inputs))
    if got is None or got[0] is not inputs:
        got = done[id(inputs)] = (inputs, json.dumps(inputs, ensure_ascii=False, separators=(",", ":")))
    return got[1]


def _in(cur, sql: str, values, params: tuple = ()) -> list:
    """The rows of ``sql`` (``params``, then ``IN ({values})``) over ``values`` sorted, :data:`CHUNK` at a time, as
    the SQLAlchemy path's chunks."""
    values = sorted(values)
    out: list = []
    for k in range(0, len(values), CHUNK):
        part = values[k:k + CHUNK]
        out += cur.execute(sql.replace("{values}", ", ".join("?" * len(part))), (*params, *part)).fetchall()
    return out


def _datetime(v) -> dt.datetime:
    """A DateTime column's stored text as SQLAlchemy's SQLite type reads it."""
    return v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)

