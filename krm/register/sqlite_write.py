"""The SQLite register's hot write path in plain :mod:`sqlite3` (PostgreSQL keeps SQLAlchemy Core).

Recording a workbook just read (:meth:`krm.register.Store.record_reading`) is done once per workbook by every
worker of a cold run: through SQLAlchemy Core it cost about 4 ms a workbook (a dozen statements built, compiled
and cached each time, three of them only to learn an id), more than reading the workbook.  Here the same rows
are written by a handful of prepared statements on one connection per process, in one ``BEGIN IMMEDIATE``
transaction per workbook (as before: a worker that dies loses at most the workbook it was on, and the pool
needs each result as soon as it is done), and the ids come from ``lastrowid``.

What is written is exactly what the SQLAlchemy path writes: the same tables, columns and values, dates and
times as SQLAlchemy's SQLite types store them (``YYYY-MM-DD`` and ``YYYY-MM-DD HH:MM:SS.ffffff``), so either
path reads what the other wrote (``tests/test_register_sqlite_write.py`` compares two registers, one written each way,
row for row).  The connection has the engine's settings (:func:`krm.register.connect.make_engine`): WAL, busy
timeout, foreign keys, ``synchronous=NORMAL``.  A failure of SQLite is raised as SQLAlchemy's
``OperationalError`` (what every caller already handles), after the transaction is rolled back.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import threading
from contextlib import contextmanager

from krm.register.connect import BUSY_TIMEOUT_MS


def ts(v: dt.datetime | None) -> str | None:
    """A naive UTC datetime as SQLAlchemy's SQLite ``DateTime`` stores it."""
    return None if v is None else v.isoformat(" ", "microseconds")


def day(v: dt.date) -> str:
    """A date as SQLAlchemy's SQLite ``Date`` stores it."""
    return v.isoformat()


#: connections inherited through a fork (see :meth:`SqliteWriter._connection`)
_INHERITED: list = []


class SqliteWriter:
    """One plain sqlite3 connection to an SQLite register, per process (a forked worker opens its own)."""

    def __init__(self, path: str):
        self.path = path
        self._con: sqlite3.Connection | None = None
        self._pid = None
        self._lock = threading.Lock()  # one transaction at a time on the connection (krm serve has threads)

    def _connection(self) -> sqlite3.Connection:
        if self._con is not None and self._pid != os.getpid():
            # a forked worker never uses, nor closes, its parent's connection (closing it here could release or
            # take locks under the parent): it is kept, unused, for the worker's life
            _INHERITED.append(self._con)
            self._con = None
        if self._con is None:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                  check_same_thread=False)
            for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "foreign_keys=ON", "journal_mode=WAL",
                           "synchronous=NORMAL"):
                con.execute(f"PRAGMA {pragma}")
            self._con, self._pid = con, os.getpid()
        return self._con

    def write(self):
        """A cursor in one ``BEGIN IMMEDIATE`` transaction, committed at the end (rolled back on any error)."""
        return self._transaction("BEGIN IMMEDIATE", "recording a reading")

    def snapshot(self):
        """A cursor in one read transaction: one snapshot of the register for several queries."""
        return self._transaction("BEGIN", "reading the register")

    @contextmanager
    def _transaction(self, begin: str, what: str):
        with self._lock:
            try:
                con = self._connection()
                cur = con.cursor()
                cur.execute(begin)
            except sqlite3.Error as e:
                raise _as_sqlalchemy(e, begin) from None
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException as e:
                try:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(e, sqlite3.Error):
                    raise _as_sqlalchemy(e, what) from None
                raise

    def read(self, sql: str, params: tuple):
        """The rows of one query (its own read transaction)."""
        with self._lock:
            try:
                return self._connection().execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise _as_sqlalchemy(e, sql) from None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                if self._pid == os.getpid():
                    self._con.close()
                else:
                    _INHERITED.append(self._con)
            self._con = None


def db_errors() -> tuple:
    """What a caller catches of the register's failures without importing SQLAlchemy for it: SQLAlchemy's error
    class once SQLAlchemy is loaded (none of its errors can be raised before: this module raises its own as one,
    :func:`_as_sqlalchemy`, importing it then), else nothing."""
    exc = sys.modules.get("sqlalchemy.exc")
    return (exc.SQLAlchemyError,) if exc is not None else ()


def _as_sqlalchemy(e: sqlite3.Error, statement: str):
    from sqlalchemy.exc import OperationalError

    return OperationalError(statement, None, e)


_STORED = ("SELECT 1 FROM workbook w JOIN reading r ON r.workbook_id = w.id "
           "JOIN check_result c ON c.reading_id = r.id AND c.as_of = ? WHERE w.sha256 = ? AND r.engine = ? LIMIT 1")


def stored(lite: SqliteWriter, sha: str, engine: str, as_of: dt.date) -> bool:
    """Whether a reading of these bytes by this engine was checked on this date (the usual answer of a cold
    run is no: one cheap query instead of building the look-up)."""
    return bool(lite.read(_STORED, (day(as_of), sha, engine)))


def record(lite: SqliteWriter, p) -> tuple[int, int, bool]:
    """Record a prepared reading (:class:`krm.register.store.Prepared`); (reading id, workbook id, whether the
    workbook is new).  The same statements, in the same order, as the SQLAlchemy path."""
    now = ts(p.now)
    with lite.write() as cur:
        cur.execute("INSERT INTO workbook (sha256, size, first_seen, last_seen, read_error) VALUES (?, ?, ?, ?, NULL) "
                    "ON CONFLICT (sha256) DO NOTHING", (p.sha, p.size, now, now))
        new_workbook = cur.rowcount == 1
        wid = cur.lastrowid if new_workbook else cur.execute(
            "SELECT id FROM workbook WHERE sha256 = ?", (p.sha,)).fetchone()[0]
        cur.execute("INSERT INTO reading (workbook_id, engine, form, edition, lang, created, header, n_rows, totals, "
                    "digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workbook_id, engine) DO NOTHING",
                    (wid, p.engine, p.form, p.edition, p.lang, now, p.header, p.n_rows, p.totals, p.digest))
        if cur.rowcount == 1:
            rid, rdig = cur.lastrowid, p.digest
            if p.cells is not None:
                cur.execute("INSERT INTO reading_rows (reading_id, cells) VALUES (?, ?)", (rid, p.cells))
        else:
            rid, rdig = cur.execute("SELECT id, digest FROM reading WHERE workbook_id = ? AND engine = ?",
                                    (wid, p.engine)).fetchone()
        if p.rollup is not None:
            cur.execute("INSERT INTO reading_digest (reading_id, data, seal) VALUES (?, ?, ?) "
                        "ON CONFLICT (reading_id) DO NOTHING", (rid, p.rollup, p.seal(rdig)))
        as_of = day(p.as_of)
        cur.execute("INSERT INTO check_result (reading_id, as_of, created, errors, warnings, digest) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (reading_id, as_of) DO NOTHING",
                    (rid, as_of, now, p.errors, p.warnings, p.check_digest))
        if cur.rowcount == 1 and p.findings:
            cid = cur.lastrowid
            cur.executemany("INSERT INTO finding (check_id, seq, code, severity, sheet, cell, data) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [(cid, r["seq"], r["code"], r["severity"], r["sheet"], r["cell"], r["data"])
                             for r in p.findings])
    return rid, wid, new_workbook
