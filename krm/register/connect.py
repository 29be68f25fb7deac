"""Where the register is, opening it safely, and its migrations.

Where: ``--register PATH`` (or a URL), else ``KRM_REGISTER``, else ``$XDG_DATA_HOME/krm/register.sqlite``
(``~/.local/share/krm/register.sqlite``).  ``KRM_REGISTER=off`` (or ``--no-register``) runs without it.
``postgresql://user@host/db`` (or ``postgresql:///db?host=/run/postgresql``) is a PostgreSQL server
(through psycopg 3); ``sqlite:///path`` and a plain path are an SQLite file.

What is never done: a path that is a folder, or a file that is not a krm register (not SQLite, or an
SQLite database without the ``krm_register`` mark), or a PostgreSQL database that holds other tables and
no mark, is refused with one line (:class:`RegisterError`) — never emptied, pruned or written to.  The
file is created (with its folder, private) only where nothing exists yet.

SQLite is opened in WAL mode with a busy timeout, and every write transaction starts with
``BEGIN IMMEDIATE``, so processes that write at once wait for each other instead of failing; a
process killed mid-transaction leaves the last committed state.  PostgreSQL takes a transaction-scoped
advisory lock while it migrates, so two first uses cannot both create the schema.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

OFF = ("off", "0", "no", "false", "none")
SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 120_000
MARK = "krm-register"


class RegisterError(Exception):
    """The register cannot be used as given (one line, for the user)."""


def default_path() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "krm" / "register.sqlite"


def configured(value: str | os.PathLike | None = None) -> str | None:
    """The register to use: ``value``, else ``KRM_REGISTER``, else the default file; None when turned off."""
    v = value if value is not None else os.environ.get("KRM_REGISTER")
    if v is None or str(v).strip() == "":
        return str(default_path())
    v = str(v).strip()
    return None if v.lower() in OFF else v


def turned_on() -> bool:
    """A register is configured (not turned off by KRM_REGISTER=off, as --no-register makes it): a run has somewhere
    to store what it keeps for the next one."""
    return configured() is not None


def is_url(target: str) -> bool:
    return "://" in target


def sqlite_path(target: str) -> Path | None:
    """The file of an SQLite register (None for a server)."""
    if not is_url(target):
        return Path(target).expanduser()
    if target.startswith("sqlite:///"):
        return Path(target[len("sqlite:///"):]).expanduser()
    return None


def sqlalchemy_url(target: str) -> str:
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    if target.startswith(("postgresql+psycopg://", "sqlite://")):
        return target
    p = sqlite_path(target)
    if p is None:
        scheme = target.split("://", 1)[0]
        raise RegisterError(f"register {target!r}: unknown kind {scheme!r}; use a file path or postgresql://…")
    return "sqlite:///" + str(p.resolve())


def check_sqlite_path(p: Path) -> None:
    """Refuse a path that holds something that is not a krm register (see the module's doc)."""
    if p.is_dir():
        raise RegisterError(f"register {p} is a folder, not a krm register file; give a file path "
                            f"(e.g. {p / 'register.sqlite'}) — nothing in the folder was touched")
    if p.exists() or p.is_symlink():
        # Only SQLite itself opens the file: closing any other descriptor of it (a plain open() to read the
        # magic bytes, say) would drop every POSIX lock this process holds on it — the locks of a register
        # connection already open here (krm serve) — and let another process write under it.
        try:
            size = p.stat().st_size
        except OSError as e:
            raise RegisterError(f"register {p}: cannot be read ({e.strerror or e})") from None
        if size < len(SQLITE_MAGIC):
            raise RegisterError(f"register {p} exists and is not a krm register (not an SQLite database); "
                                "it was left as it is: choose another path")
        import sqlite3
        from urllib.parse import quote

        try:
            con = sqlite3.connect(f"file:{quote(str(p.resolve()))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                mark = (con.execute("SELECT value FROM krm_register WHERE key='kind'").fetchone()
                        if "krm_register" in tables else None)
            finally:
                con.close()
        except sqlite3.DatabaseError as e:
            if "not a database" in str(e):
                raise RegisterError(f"register {p} exists and is not a krm register (not an SQLite database); "
                                    "it was left as it is: choose another path") from None
            raise RegisterError(f"register {p}: not a usable SQLite database ({e})") from None
        except sqlite3.Error as e:
            raise RegisterError(f"register {p}: not a usable SQLite database ({e})") from None
        if tables and (mark is None or mark[0] != MARK):
            raise RegisterError(f"register {p} is an SQLite database but not a krm register; "
                                "it was left as it is: choose another path")
        return
    try:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _create(p)
    except OSError as e:
        raise RegisterError(f"register {p}: cannot be created ({e.strerror or e})") from None


def _create(p: Path) -> None:
    """Create an empty, marked register at ``p`` atomically: made under a temporary name, then linked into
    place only if nothing is there (so another process never sees a half-made file, and an existing file
    is never replaced)."""
    import sqlite3

    tmp = p.with_name(f".{p.name}.{os.getpid()}.new")
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("CREATE TABLE krm_register (key VARCHAR(40) NOT NULL PRIMARY KEY, value TEXT NOT NULL)")
            con.executemany("INSERT INTO krm_register VALUES (?, ?)", [("kind", MARK), ("created", _now().isoformat())])
            con.commit()
        finally:
            con.close()
        try:
            os.link(tmp, p)
        except FileExistsError:
            pass  # made by another process meanwhile: that one is used
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass


def make_engine(target: str):
    from sqlalchemy import create_engine, event

    url = sqlalchemy_url(target)
    if url.startswith("sqlite"):
        path = sqlite_path(target)
        if path is not None:  # a file: given to SQLite as its path, never parsed as a URL ('?', '#', '%' in a name)
            check_sqlite_path(path)
            from sqlalchemy.engine import URL

            url = URL.create("sqlite", database=str(path.resolve()))
        eng = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(eng, "connect")
        def _pragmas(dbapi, _rec):
            dbapi.isolation_level = None  # transactions are begun below, IMMEDIATE for writes
            cur = dbapi.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(eng, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("krm_write") else "BEGIN")

        return eng
    try:
        return create_engine(url, pool_pre_ping=True)
    except ImportError as e:
        raise RegisterError(f"register {target}: PostgreSQL needs psycopg 3 (pip install 'krm[postgres]'): {e}") \
            from None


def migrate(engine) -> int:
    """Bring the schema up to :data:`~krm.register.schema.SCHEMA_VERSION` (creating it on first use)."""
    from sqlalchemy import inspect, select

    from krm.register import schema

    with engine.connect().execution_options(krm_write=True) as c, c.begin():
        if engine.dialect.name == "postgresql":
            c.exec_driver_sql("SELECT pg_advisory_xact_lock(7261120)")  # one migrator at a time
        tables = set(inspect(c).get_table_names())
        if "krm_register" not in tables:
            if tables - {"krm_migration"}:
                raise RegisterError(f"register {engine.url.render_as_string(hide_password=True)}: the database "
                                    "holds other tables and is not a krm register; it was left as it is")
            schema.metadata.create_all(c, tables=[schema.krm_register])
            c.execute(schema.krm_register.insert(), [{"key": "kind", "value": MARK},
                                                     {"key": "created", "value": _now().isoformat()}])
        else:
            kind = c.execute(select(schema.krm_register.c.value).where(schema.krm_register.c.key == "kind")).scalar()
            if kind != MARK:
                raise RegisterError("the database is not a krm register; it was left as it is")
        schema.metadata.create_all(c, tables=[schema.krm_migration])  # if missing
        done = {r[0] for r in c.execute(select(schema.krm_migration.c.number))}
        newest = max(done, default=0)
        if newest > schema.SCHEMA_VERSION:
            raise RegisterError(f"the register's schema is version {newest}, newer than this krm knows "
                                f"({schema.SCHEMA_VERSION}): use a newer krm")
        for number, name, step in schema.MIGRATIONS:
            if number not in done:
                step(c)
                c.execute(schema.krm_migration.insert().values(number=number, name=name, applied_at=_now()))
        return schema.SCHEMA_VERSION


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def outside_inputs(target: str, inputs) -> None:
    """Refuse a register file inside one of the input folders (inputs are never written to)."""
    p = sqlite_path(target)
    if p is None:
        return
    p = p.resolve()
    for i in inputs:
        try:
            if not os.path.isdir(i):  # a file given (krm validate passes each one) holds no register
                continue
            d = Path(i).resolve()
        except (OSError, ValueError):
            continue
        if d == p or d in p.parents:
            raise RegisterError(f"register {p} is inside the input folder {d}; keep it elsewhere "
                                "(--register PATH or KRM_REGISTER), or run with --no-register")
