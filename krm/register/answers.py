"""Stored answers of whole commands (``krm validate``, ``krm aggregate``) on an unchanged month (docs/register.md,
"Runs on an unchanged month"): a command run again with the same options, over the same workbooks (known by their
identity on disk), with the same engine, on the same day and with the register as it was, prints what it printed
and exits as it did, without reading a workbook and without SQLAlchemy (an SQLite register is read with
:mod:`sqlite3`, :mod:`krm.register.lite`).

* The *invocation* is the command, the working folder, its options as they change the output, and the environment
  that shapes it (``KRM_*``, the terminal settings rich reads, stdout's encoding): one stored answer each
  (``command_answer``), replaced by the next full run.
* The *recipe* is the invocation plus the engine, the day, every workbook found (path as shown, absolute path,
  SHA-256 from its identity: :func:`known_files`) and the register's *generation* (:func:`generation`: how many
  rows, and the last id, of every table a run reads besides the workbooks' own results — versions and their
  audit, paths, confirmations, explanations; rows are only ever added, and every change of a version's state adds
  an audit row).
* A full run is recorded only when nothing it read of the register changed while it ran: the generation right
  after it recorded its versions is the one at its end (the checks across months returned no version; no other
  process wrote), and the explanations it read at its start are still the same.  So a run in the recorded
  generation would record nothing new (its versions are there, its checks return nothing) and print the same
  bytes.  What such a run still records — each workbook's and path's *last seen* time — the answer records too
  (:func:`touch_seen`).
* Only output to a file or pipe is stored (a terminal's width and colours are not in the recipe), with exit 0 or 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
import sys

#: the tables whose generation a stored answer depends on (see the module's doc)
GENERATION = ("submission", "version", "state_change", "workbook_path", "confirmation", "explanation",
              "written_explanation")
#: of those, what validate never writes (read at its start, must not change while it runs)
NOT_WRITTEN = ("confirmation", "explanation", "written_explanation")
#: the environment that shapes what a command prints (besides KRM_*)
ENV = ("COLUMNS", "LINES", "TERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR",
       "CLICOLOR_FORCE", "PYTHONIOENCODING", "LANG", "LC_ALL", "LC_CTYPE", "JUPYTER_COLUMNS", "JUPYTER_LINES")
#: the largest stdout stored (compressed size); a larger one is not stored
MAX_STORED = 64 * 1024 * 1024


def today() -> dt.date:
    """The day a run is on (in the recipe: findings about deadlines depend on it)."""
    return dt.date.today()


def invocation(command: str, options: list) -> str:
    """The SHA-256 of what a run was asked to do (see the module's doc)."""
    from krm.register.lite import recipe

    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("KRM_") or k in ENV)
    out = sys.stdout
    return recipe(command, os.getcwd(), options, env, getattr(out, "encoding", None), getattr(out, "errors", None))


def generation(lite, tables=GENERATION) -> list:
    """[[table, rows, last id], …] of ``tables`` now (see the module's doc)."""
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*), max(id) FROM {t}" for t in tables)
    return sorted([list(r) for r in lite.rows(sql)])


class Found:
    """The workbooks under a run's ``paths`` (:func:`krm.intake.discover.discover`), each a readable regular file:
    ``entries`` [(path as found, path as shown, absolute path, stat)], and ``shas`` {absolute path: sha256} of those
    whose identity the register knows (:func:`identified`).  One discovery a run: found when its stored answer is
    looked up (:func:`lookup`, ``keep["entries"]``), read by the run (:func:`krm.aggregate.splice.prepare`), and
    its recipe recorded from it (:meth:`Recorder.finish`)."""

    __slots__ = ("entries", "shas")

    def __init__(self, entries: list, shas: dict):
        self.entries, self.shas = entries, shas

    @property
    def files(self) -> list[tuple[str, str]]:
        """[(path as shown, absolute path), …], as :func:`known_files` gives them."""
        return [(shown, a) for _, shown, a, _ in self.entries]

    @property
    def complete(self) -> bool:
        """Every workbook's identity is known (and no absolute path is found twice)."""
        return len(self.shas) == len(self.entries) == len({e[2] for e in self.entries})


def find(lite, paths: list) -> Found | None:
    """The workbooks under ``paths`` (:class:`Found`), or None when one is not a readable regular file."""
    from krm.intake.discover import discover
    from krm.register.lite import regular_stat

    cwd = os.getcwd()  # (os.path.abspath asks for it again for every path)
    entries, stats = [], {}
    for e in discover(paths):
        st = regular_stat(e)  # (a file over 32 MB is read without the register: not known, below)
        if st is None:
            return None
        shown = str(e.path)
        a = os.path.normpath(os.path.join(cwd, shown))
        entries.append((e.path, shown, a, st))
        stats[a] = st
    return Found(entries, identified(lite, stats) if stats else {})


def known_files(lite, paths: list, partial: bool = False, keep: dict | None = None) -> tuple[list, dict] | None:
    """([(path as shown, absolute path), …], {absolute path: sha256}) of the workbooks under ``paths``
    (:func:`krm.intake.discover.discover`) when every one is a regular file whose identity the register knows;
    None otherwise.  ``partial``: also when some identities are not known (their files are not in the dict).
    ``keep``: given what was found (:class:`Found`, or None), under "entries"."""
    found = find(lite, paths)
    if keep is not None:
        keep["entries"] = found
    return _known(found, partial)


def _known(found: Found | None, partial: bool) -> tuple[list, dict] | None:
    if found is None or not found.entries:
        return None
    return (found.files, found.shas) if partial or len(found.shas) == len({e[2] for e in found.entries}) else None


def identified(lite, stats: dict) -> dict[str, str]:
    """{absolute path: sha256} of the files whose identity now (``stats``: absolute path -> stat) is the one the
    register recorded with their bytes (file_stat; :func:`krm.register.lite.identified`)."""
    from krm.register.lite import IDENTITIES_SQL, host, identified

    return identified(lambda paths: lite.rows_in(IDENTITIES_SQL, paths, {"host": host()}), stats)


def recipe_of(lite, command: str, invoked: str, paths: list, today: dt.date, tables=GENERATION,
              out=None, keep: dict | None = None, found: Found | None = None) -> tuple[str, tuple] | None:
    """(recipe, (files, shas) as :func:`known_files`) of a run now (see the module's doc), or None when a workbook
    (or a file of the output folder ``out``) is not known.  ``keep``: given the workbooks found (as
    ``known_files(…, partial=True)``, under "found"; and as :class:`Found`, under "entries").  ``found``: the
    workbooks the run found and read (:class:`Found`), instead of finding them again."""
    if found is not None:
        return recipe_from(lite, command, invoked, today, _known(found, False), tables, out)
    known = known_files(lite, paths, partial=keep is not None, keep=keep)
    if keep is not None:
        keep["found"] = known
        if known is not None and len(known[1]) != len({a for _, a in known[0]}):
            return None
    return recipe_from(lite, command, invoked, today, known, tables, out)


def recipe_from(lite, command: str, invoked: str, today: dt.date, found, tables=GENERATION,
                out=None) -> tuple[str, tuple] | None:
    """:func:`recipe_of` of the workbooks ``found`` (:func:`known_files`)."""
    from krm import __version__
    from krm.register.engine import fingerprint
    from krm.register.lite import recipe

    if found is None:
        return None
    entries, shas = found
    files = hashlib.sha256()
    for shown, a in entries:
        files.update(f"{shown}\0{a}\0{shas[a]}\n".encode("utf-8", "surrogateescape"))
    outputs = out_state(lite, out) if out is not None else None
    if out is not None and outputs is None:
        return None
    return recipe(command, invoked, fingerprint(), __version__, today.isoformat(), files.hexdigest(),
                  generation(lite, tables), outputs), found


def out_state(lite, out) -> list | None:
    """[[name, size, sha256], …] of every file under the output folder ``out`` but hidden ones (krm's lock and
    temporaries), in name order; a file whose identity the register knows is not hashed again, and the identity
    of a settled file hashed here is recorded (as a full run does for the workbooks it reads).  None: unreadable."""
    from krm.register.lite import identity, sha256_file

    found: dict[str, tuple] = {}
    try:
        for d, dirs, names in os.walk(out):
            dirs[:] = sorted(x for x in dirs if not x.startswith("."))
            for n in names:
                if not n.startswith("."):
                    p = os.path.join(d, n)
                    found[os.path.abspath(p)] = (os.path.relpath(p, out), os.stat(p))
        shas = identified(lite, {a: st for a, (_, st) in found.items()})
        new = []
        now_ns = _time_ns()
        for a, (_, st) in found.items():
            if a not in shas:
                shas[a] = sha256_file(a)
                if stat.S_ISREG(st.st_mode) and os.stat(a) == st and max(st.st_mtime_ns, st.st_ctime_ns) <= now_ns - SETTLED_NS:
                    new.append((a, identity(st), shas[a]))
    except OSError:
        return None
    _remember(lite, new)
    return sorted([rel, st.st_size, shas[a]] for a, (rel, st) in found.items())


#: a file's times must be this old (2 s) for its identity to stand for its bytes (krm.register.memo.SETTLED_NS)
SETTLED_NS = 2_000_000_000


def _time_ns() -> int:
    import time

    return time.time_ns()


def _remember(lite, files: list) -> bool:
    """Record (path, identity, sha256) of settled files just hashed (file_stat, as Memo.record_files); False when
    the register could not be written to.  Each is recorded where the file is (:func:`krm.register.lite.identity_rows`)."""
    from krm.register.connect import _now
    from krm.register.lite import LiteError, host, identity_rows
    from krm.register.sqlite_write import ts

    now = ts(_now()) if lite.kind == "sqlite" else _now()
    try:
        lite.write(["INSERT INTO file_stat (host, path, device, inode, size, mtime_ns, ctime_ns, sha256, seen) "
                    "VALUES (:host, :path, :d, :i, :s, :m, :c, :sha, :now) ON CONFLICT (host, path) DO UPDATE SET "
                    "device = excluded.device, inode = excluded.inode, size = excluded.size, "
                    "mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, sha256 = excluded.sha256, "
                    "seen = excluded.seen"],
                   [{"host": host(), "path": p, "d": i[0], "i": i[1], "s": i[2], "m": i[3], "c": i[4], "sha": sha,
                     "now": now} for p, i, sha in identity_rows(files)])
    except LiteError:
        return False  # hashed again next time
    return True


class Capture:
    """What a command writes to ``sys.stdout`` (or ``sys.stderr``), kept as well as written (:meth:`stop`): a tee in
    its place until then."""

    def __init__(self, name: str = "stdout"):
        self.name, self.out, self.parts, self.size = name, getattr(sys, name), [], 0
        setattr(sys, name, self)

    def write(self, s):
        n = self.out.write(s)
        if self.parts is not None:
            self.parts.append(s)
            self.size += len(s)
            if self.size > MAX_STORED:
                self.parts = None
        return n

    def __getattr__(self, name):  # flush, isatty, fileno, encoding, buffer …: the real stream's
        return getattr(self.out, name)

    def stop(self) -> str | None:
        """The text written (None: too much to keep)."""
        if getattr(sys, self.name) is self:
            setattr(sys, self.name, self.out)
        if self.parts is None:
            return None
        return "".join(self.parts)


def eligible(streams=("stdout",)) -> bool:
    """Only output to a file or a pipe is stored and replayed."""
    try:
        return not any(getattr(sys, s).isatty() for s in streams)
    except (AttributeError, ValueError):
        return False


def lookup(command: str, invoked: str, paths: list, tables=GENERATION, out=None, keep: dict | None = None):
    """The stored answer (exit code, stdout text, stderr text) of this run, or None: run it.  ``out``: the output
    folder, whose files must be the ones the stored run left (checked while it is claimed, as a run would).
    ``keep``: given the workbooks found, when they were looked up (:func:`recipe_of`)."""
    from krm.register.lite import LiteError, host, open_configured

    if not eligible():
        return None
    lite = open_configured(paths)
    if lite is None:
        return None
    with lite:
        try:
            row = lite.rows("SELECT recipe, exit_code, stdout, stderr, seal FROM command_answer WHERE host = :host "
                            "AND command = :command AND invocation = :inv", {"host": host(), "command": command,
                                                                             "inv": invoked})
            if not row:
                return None
            now = _recipe_claimed(lite, command, invoked, [str(p) for p in paths], tables, out, keep)
        except LiteError:
            return None
        if now is None or now[0] != row[0][0]:
            return None
        text = _text(row[0])
        if text is None:
            return None
        touch_seen(lite, now[1])
    return row[0][1], text, row[0][3]


def _recipe_claimed(lite, command, invoked, paths, tables, out, keep=None, found=None):
    if out is None:
        return recipe_of(lite, command, invoked, paths, today(), tables, keep=keep, found=found)
    from krm.outfolder import FolderInUse, claimed

    try:
        with claimed(out):
            return recipe_of(lite, command, invoked, paths, today(), tables, out, keep=keep, found=found)
    except (FolderInUse, OSError):
        return None


def _text(row) -> str | None:
    import zlib

    recipe, code, blob, err, seal = row
    try:
        data = zlib.decompress(bytes(blob))
    except (zlib.error, TypeError):
        return None
    if _seal(data, recipe, code, err) != seal:
        return None  # changed in the database: run the command
    return data.decode("utf-8", "surrogateescape")


def touch_seen(lite, found) -> None:
    """Each workbook's and path's *last seen* time, as a full run over them records it (Store.record_seen);
    ``found``: :func:`known_files`."""
    from krm.intake.located import located
    from krm.register.connect import _now
    from krm.register.lite import LiteError
    from krm.register.sqlite_write import ts

    files, shas = found
    try:
        wid = dict(lite.rows_in("SELECT sha256, id FROM workbook WHERE sha256 IN ({values})", sorted(set(shas.values()))))
        now = ts(_now()) if lite.kind == "sqlite" else _now()
        files = sorted(files)
        lite.write(["UPDATE workbook SET last_seen = :now WHERE id = :w",
                    "UPDATE workbook_path SET last_seen = :now WHERE workbook_id = :w AND path = :p"],
                   [{"now": now, "w": wid[shas[a]], "p": where} for (_, a), where in
                    zip(files, located([shown for shown, _ in files])) if shas[a] in wid])
    except LiteError:
        pass  # only the last-seen times are not updated


class Recorder:
    """Records a full run's answer (the command with the register on): :meth:`read` before the run reads the
    register, :meth:`recorded` right after it recorded its versions (validate), :meth:`stop` once it printed
    everything, then :meth:`finish` with its exit code.  ``tables``: the register's tables the output depends on;
    ``out``: the output folder it writes (aggregate)."""

    def __init__(self, command: str, invoked: str, paths: list, tables=GENERATION, out=None):
        from krm.register.connect import turned_on

        self.command, self.invoked, self.paths = command, invoked, [str(p) for p in paths]
        self.tables, self.out = tables, out
        self.today = today()
        # recorded only when nothing else goes to stderr (a warning, a progress bar): what is stored is all it printed;
        # nothing is kept when no register is configured (KRM_REGISTER=off, --no-register): there is nowhere to store
        self.capture = Capture() if eligible(("stdout", "stderr")) and turned_on() else None
        self.errors = Capture("stderr") if self.capture is not None else None
        self.before = self.after = None

    def _generation(self, tables=GENERATION):
        from krm.register.connect import configured
        from krm.register.lite import LiteError, open_lite

        lite = open_lite(configured())
        if lite is None:
            return None
        with lite:
            try:
                return generation(lite, tables)
            except LiteError:
                return None

    def read(self) -> None:
        if self.capture is not None:
            self.before = self._generation(NOT_WRITTEN)
            if self.before is None and _absent():  # made by this run: nothing in it yet
                self.before = sorted([t, 0, None] for t in NOT_WRITTEN)

    def recorded(self) -> None:
        if self.capture is not None:
            self.after = self._generation(self.tables)

    def stop(self, allowed: tuple = ()) -> str | None:
        """What the run printed on stdout (None: nothing to store); ``allowed``: the beginnings of the lines it
        may have printed on stderr (whose replay :meth:`finish` is given)."""
        if self.capture is None:
            return None
        text, errors = self.capture.stop(), self.errors.stop()
        if errors is None or any(not x.startswith(allowed) for x in errors.splitlines()) or not allowed and errors:
            return None
        return text

    def finish(self, code: int, text: str | None, err: str = "", pieces=None, found: Found | None = None) -> None:
        """Store the answer: ``text`` what the run printed (:meth:`stop`), ``err`` what a run now would print on
        stderr; exit 0 or 1 only.  A register that cannot be written to costs only the answer.  ``pieces``: each
        file's piece of the output (validate's JSON, :mod:`krm.register.spliced`), stored with it.  ``found``: the
        workbooks the run read, by the bytes it read them as (:class:`Found`; its ``shas`` only those whose
        identity the register now knows), whose recipe is stored (else they are found again)."""
        if text is None or code not in (0, 1) or self.before is None:
            return
        if self.tables is GENERATION and self.after is None:
            return
        if self.today != today():  # not across midnight: the day is in the recipe
            return
        from krm.register.connect import configured
        from krm.register.lite import LiteError, open_lite

        lite = open_lite(configured())
        if lite is None:
            return
        with lite:
            try:
                now = _recipe_claimed(lite, self.command, self.invoked, self.paths, self.tables, self.out,
                                      found=found)
                if generation(lite, NOT_WRITTEN) != self.before or \
                        self.after is not None and generation(lite, self.tables) != self.after:
                    return
                if now is not None:
                    _store(lite, self.command, self.invoked, now[0], code, text, err)
                if pieces is not None:  # (a workbook not known by its identity yet is validated again then)
                    from krm.register.spliced import store

                    store(lite, self.invoked, self.today, pieces)
            except LiteError:
                return


def _absent() -> bool:
    """The configured register is an SQLite file that is not there yet."""
    from krm.register.connect import configured, sqlite_path

    target = configured()
    p = sqlite_path(target) if target is not None else None
    return p is not None and not os.path.lexists(p)


def _seal(data: bytes, recipe: str, code: int, err: str) -> str:
    return hashlib.sha256(b"\0".join([data, recipe.encode(), str(code).encode(), err.encode("utf-8", "surrogateescape")])).hexdigest()


def _store(lite, command: str, invoked: str, recipe: str, code: int, text: str, err: str) -> None:
    import zlib

    from krm.register.connect import _now
    from krm.register.lite import host
    from krm.register.sqlite_write import ts

    data = text.encode("utf-8", "surrogateescape")
    blob = zlib.compress(data, 6)
    if len(blob) > MAX_STORED:
        return
    seal = _seal(data, recipe, code, err)
    row = {"host": host(), "command": command, "inv": invoked, "recipe": recipe, "code": code, "blob": blob,
           "err": err, "seal": seal, "now": ts(_now()) if lite.kind == "sqlite" else _now()}
    lite.write(["INSERT INTO command_answer (host, command, invocation, recipe, exit_code, stdout, stderr, seal, "
                "written) VALUES (:host, :command, :inv, :recipe, :code, :blob, :err, :seal, :now) "
                "ON CONFLICT (host, command, invocation) DO UPDATE SET recipe = excluded.recipe, "
                "exit_code = excluded.exit_code, stdout = excluded.stdout, stderr = excluded.stderr, "
                "seal = excluded.seal, "
                "written = excluded.written"], [row])
