"""The register read without SQLAlchemy, for a run that may need nothing else from it (``krm report``'s memo).

Starting Python and importing SQLAlchemy costs about 0.3 CPU-s a process; a run whose answer the register
already holds (an unchanged month) should not pay it.  :func:`open_lite` opens an SQLite register with the
standard library's ``sqlite3`` (read-only) and a PostgreSQL register through SQLAlchemy (its driver needs it
anyway); both run the same SQL text (``:name`` parameters).  It is only used for a register that is already
there, marked as krm's, at exactly the schema this krm knows (:data:`SCHEMA_VERSION`): anything else (no
register yet, an older schema to migrate, a newer one to refuse, a damaged file) gives None, and the command
runs as without it, opening the register the usual way — which says what is wrong.
"""

from __future__ import annotations

import os

#: the schema version this module reads (== krm.register.schema.SCHEMA_VERSION, kept here so that reading it
#: does not import SQLAlchemy; tests/test_report_memo.py checks that both agree)
SCHEMA_VERSION = 8


def host() -> str:
    """This machine's name: file identities and output memos are per host.  Where the OS has ``uname`` its node
    name (what ``gethostname()`` returns on Linux and macOS) is read without importing :mod:`socket` (≈ 2 ms of
    every register command's start-up); elsewhere through :func:`socket.gethostname`."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        try:
            name = uname().nodename
        except OSError:
            name = None
        if name:
            return name
    import socket

    try:
        return socket.gethostname() or "?"
    except OSError:
        return "?"


def identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    """(device, inode, size, mtime_ns, ctime_ns) of a stat result."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


#: the register's recorded identities of paths (``:host``, ``IN ({values})``: :meth:`Lite.rows_in`)
IDENTITIES_SQL = ("SELECT path, device, inode, size, mtime_ns, ctime_ns, sha256 FROM file_stat "
                  "WHERE host = :host AND path IN ({values})")


def identified(fetch, stats: dict, cache: dict | None = None) -> dict[str, str]:
    """{path: sha256} of the files of ``stats`` ({path: its stat now}) whose identity now is the one the register
    recorded with their bytes (table ``file_stat``) — the one look-up of file identities every command makes.

    Identities are recorded and looked up where the file is (:func:`krm.intake.located.located`: absolute, its
    folder's links resolved), so a file met through another name of its folder (a link, ``./m/``, a relative
    name) is known by the identity recorded under any other.  ``fetch(paths)`` gives the rows
    (path, device, inode, size, mtime_ns, ctime_ns, sha256) recorded for those located paths (this host's).
    ``cache``: {located path: (identity, sha256)} of rows read earlier in the run (filled here); a file whose
    identity a cached row has is not asked for again.  (Rows an older krm recorded under a name not located are
    not found: those files are hashed once more and recorded where they are; nothing is deleted.)"""
    from krm.intake.located import located

    where: dict[str, list] = {}
    for p, key in zip(stats, located(stats)):
        where.setdefault(key, []).append(p)
    out: dict[str, str] = {}
    ask = []
    for key, ps in where.items():
        got = cache.get(key) if cache is not None else None
        if got is not None and all(got[0] == identity(stats[p]) for p in ps):
            for p in ps:
                out[p] = got[1]
        else:
            ask.append(key)
    if ask:
        for r in fetch(sorted(ask)):
            ident = tuple(r[1:6])
            if cache is not None:
                cache[r[0]] = (ident, r[6])
            for p in where.get(r[0], ()):
                if ident == identity(stats[p]):
                    out[p] = r[6]
    return out


def identity_rows(files) -> list[tuple[str, tuple, str]]:
    """[(path where the register records it, identity, sha256)] of ``files`` [(path, identity, sha256)] to record
    (table ``file_stat``), in path order, one a located path (the last given): :func:`identified` finds them."""
    from krm.intake.located import located

    files = list(files)
    rows = {key: (ident, sha) for key, (_, ident, sha) in zip(located(p for p, _, _ in files), files)}
    return [(key, ident, sha) for key, (ident, sha) in sorted(rows.items())]


def sha256_file(path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def recipe(*parts) -> str:
    """The SHA-256 of the parts (tagged JSON, keys sorted): what determines an output."""
    import hashlib

    from krm.register import codec

    return hashlib.sha256(codec.dumps(list(parts)).encode("utf-8")).hexdigest()


class LiteError(Exception):
    """The register could not be read this way (the command then runs without the memo)."""


class Lite:
    """An open register for a few reads (:meth:`rows`); :meth:`close` when done."""

    def __init__(self, con, kind: str):
        self._con, self.kind = con, kind

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        try:
            if self.kind == "sqlite":
                return self._con.execute(sql, params or {}).fetchall()
            from sqlalchemy import text

            return [tuple(r) for r in self._con.execute(text(sql), params or {})]
        except Exception as e:  # noqa: BLE001 - any driver error: the caller runs without the memo
            raise LiteError(str(e)) from None

    def rows_in(self, sql: str, values, params: dict | None = None, n: int = 500) -> list[tuple]:
        """``sql`` with ``IN ({values})`` run over ``values`` in chunks of ``n``."""
        values = list(values)
        out: list[tuple] = []
        for k in range(0, len(values), n):
            part = values[k:k + n]
            names = {f"v{i}": v for i, v in enumerate(part)}
            out += self.rows(sql.replace("{values}", ", ".join(f":{x}" for x in names)), {**(params or {}), **names})
        return out

    def write(self, statements: list[str], rows: list[dict]) -> None:
        """Run each statement over every row, in one write transaction (the reads' snapshot ends first)."""
        if not rows:
            return
        try:
            if self.kind == "sqlite":
                self._write_sqlite(statements, rows)
                return
            from sqlalchemy import text

            self._con.commit()
            for sql in statements:
                self._con.execute(text(sql), rows)
            self._con.commit()
        except Exception as e:  # noqa: BLE001 - any driver error: only what this write records is lost
            raise LiteError(str(e)) from None

    def _write_sqlite(self, statements: list[str], rows: list[dict]) -> None:
        import sqlite3
        from urllib.parse import quote

        from krm.register.connect import BUSY_TIMEOUT_MS

        if self._con.in_transaction:  # (a second write: the reads' snapshot ended with the first)
            self._con.execute("COMMIT")
        path = self._con.execute("PRAGMA database_list").fetchone()[2]
        con = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                              isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            for sql in statements:
                con.executemany(sql, rows)
            con.execute("COMMIT")
        finally:
            if con.in_transaction:
                con.execute("ROLLBACK")
            con.close()

    def close(self) -> None:
        try:
            self._con.close()
        except Exception:  # noqa: BLE001 - closing a read-only connection cannot lose anything
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def regular_stat(entry) -> os.stat_result | None:
    """A discovered entry's stat when it is a readable regular file (what a stored answer can stand for), else None."""
    import stat

    if not entry.ok:
        return None
    try:
        st = entry.stat if entry.stat is not None else os.stat(entry.path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def open_configured(inputs) -> Lite | None:
    """The configured register (:func:`krm.register.connect.configured`) opened for reading, for a stored answer;
    None when there is none, when it lies inside one of ``inputs`` (the run itself refuses that, with its message,
    so it is not answered here) or when it cannot be opened this way."""
    from krm.register.connect import RegisterError, configured, outside_inputs

    target = configured()
    if target is None:
        return None
    try:
        outside_inputs(target, inputs)
    except RegisterError:
        return None
    return open_lite(target)


def open_lite(target: str | None) -> Lite | None:
    """The register ``target`` (:func:`krm.register.connect.configured`) opened for reading, or None (see the
    module's doc)."""
    from krm.register.connect import MARK, is_url, sqlite_path

    if target is None:
        return None
    p = sqlite_path(target)
    if p is not None:
        lite = _sqlite(p)
    elif is_url(target) and target.split("://", 1)[0] in ("postgresql", "postgres", "postgresql+psycopg"):
        lite = _postgres(target)
    else:
        return None
    if lite is None:
        return None
    try:
        mark = lite.rows("SELECT value FROM krm_register WHERE key = 'kind'")
        done = lite.rows("SELECT max(number) FROM krm_migration")
    except LiteError:
        lite.close()
        return None
    if not mark or mark[0][0] != MARK or not done or done[0][0] != SCHEMA_VERSION:
        lite.close()
        return None
    return lite


def _sqlite(p) -> Lite | None:
    import sqlite3

    from krm.register.connect import BUSY_TIMEOUT_MS, SQLITE_MAGIC

    try:
        if not os.path.isfile(p) or os.path.getsize(p) < len(SQLITE_MAGIC):
            return None
        from urllib.parse import quote

        # quoted: a "?" or "#" in the path must not end it (and never open, or create, another file)
        con = sqlite3.connect(f"file:{quote(os.path.abspath(p))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except (OSError, sqlite3.Error):
        return None
    con.isolation_level = None
    try:
        con.execute("BEGIN")  # every read in one transaction: one snapshot of the register
    except sqlite3.Error:
        con.close()
        return None
    return Lite(con, "sqlite")


def _postgres(target: str) -> Lite | None:
    try:
        from sqlalchemy import create_engine
        from sqlalchemy.exc import SQLAlchemyError
        from sqlalchemy.pool import NullPool

        from krm.register.connect import sqlalchemy_url

        eng = create_engine(sqlalchemy_url(target), poolclass=NullPool)
        con = eng.connect()  # one transaction for every read: one snapshot
    except (ImportError, SQLAlchemyError, ValueError):
        return None
    return _PgLite(con, eng)


class _PgLite(Lite):
    def __init__(self, con, eng):
        super().__init__(con, "postgresql")
        self._eng = eng

    def close(self) -> None:
        super().close()
        self._eng.dispose()
