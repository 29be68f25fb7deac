"""``krm report``'s memo (docs/register.md, "Runs on an unchanged month"): a report whose inputs and recipe
are the ones the register recorded when it was last written, and whose files on disk still have the recorded
bytes, is not made again — its files are left as they are, and what the command prints and its exit code are
the recorded ones (which are those of a run without the register, ``tests/test_report_memo.py``).

The *recipe* of a report is a SHA-256 over everything its outputs and messages depend on:

* krm's engine (its code and data, user reference data, the readers: :mod:`krm.register.engine`), its version,
  and the versions of what writes the bytes (xlsxwriter, jinja2, markupsafe, zlib);
* the options: the folder (as given, made absolute, and resolved), ``--out``, the month, ``--quarter``, the
  languages, ``--prefer``, ``--strict``; and the validation date (today: findings about deadlines depend on it);
* every workbook under the folder, in discovery order: its absolute path, the SHA-256 of its bytes and its
  modified time (``--prefer newest`` orders by it).  The SHA-256 is taken from the file's identity on disk
  (:meth:`krm.register.memo.Memo.known_files`): a file whose identity the register does not know (new,
  edited, not yet settled) means no memo — the report is made as without it;
* what the report reads of the register besides the folder (the previous month when the folder has none,
  the month's outliers over the year): every version of the submissions of the year's months up to the
  report's and of the previous month (its number, state, workbook, reading) and every path their
  workbooks were seen at.

Only a run that succeeded (exit 0) with ``--force`` is recorded or answered: without ``--force`` a run never
replaces an existing file, so there is nothing to leave as it is.  Checking the memo needs no SQLAlchemy for
an SQLite register (:mod:`krm.register.lite`), nor does recording it at this krm's schema (:mod:`krm.register.plain`);
the key a run records is made from the files its look-up found (:func:`_files`).  Everything else — another schema, a register that cannot be
read, a file that cannot be stat'ed — runs the report as without the memo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

COMMAND = "report"


@dataclass
class Key:
    """What a report was (or would be) made of: its recipe, and the SHA-256 of each input (by absolute path)."""

    recipe: str
    root: Path
    shas: dict

    def inputs(self) -> list:
        """[[name under the folder, sha256], …] (output_memo's ``inputs``)."""
        base = os.path.join(os.path.abspath(self.root), "")
        return [[a[len(base):] if a.startswith(base) else a, sha] for a, sha in self.shas.items()]


def writers() -> list[str]:
    """What makes the outputs' bytes beyond krm's own code (which the engine covers)."""
    import zlib

    from krm.distversion import version

    out = [f"{dist}={version(dist) or '?'}" for dist in ("xlsxwriter", "jinja2", "markupsafe")]
    return out + [f"zlib={zlib.ZLIB_RUNTIME_VERSION}"]


def _periods(month: str) -> list[str]:
    """The periods whose versions the report may read from the register: the previous month, and the year's
    months up to ``month`` (:func:`krm.history.outliers.series`)."""
    from krm.report.periods import previous_month

    y, m = month[:4], int(month[5:7])
    return sorted({previous_month(month)} | {f"{y}-{i:02d}" for i in range(1, m + 1)})


def register_state(lite, month: str) -> str:
    """A SHA-256 of what the report reads of the register for ``month`` besides the folder (module's doc)."""
    h = hashlib.sha256()
    periods = _periods(month)
    # each list of rows hashed as its one repr (the rows as tuples, sorted: the same on SQLite and PostgreSQL)
    h.update(repr(sorted(map(tuple, lite.rows_in(
        "SELECT v.id, v.submission_id, v.number, v.workbook_id, v.reading_id, v.state, s.form, s.region, "
        "s.district, s.programme, s.period FROM version v JOIN submission s ON s.id = v.submission_id "
        "WHERE s.period IN ({values})", periods)))).encode("utf-8", "surrogateescape"))
    h.update(b"|paths|")
    h.update(repr(sorted(map(tuple, lite.rows_in(
        "SELECT DISTINCT p.workbook_id, p.path FROM workbook_path p WHERE p.workbook_id IN (SELECT v.workbook_id "
        "FROM version v JOIN submission s ON s.id = v.submission_id WHERE s.period IN ({values}))",
        periods)))).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _absolute(entries: list, root: Path) -> list[str]:
    """:func:`absolute` of each discovered entry's path."""
    return absolute([e.path for e in entries], root)


def absolute(paths: list, root: Path) -> list[str]:
    """``os.path.abspath`` of each path: of the root once, then joined with each path's part under it (what
    discovery found under a folder given: names of entries, never "." or ".."), else in full."""
    base = str(root)
    if base in ("", "."):
        base = ""
    head = os.path.abspath(base or ".")
    n = len(base) + 1 if base and not base.endswith(os.sep) else len(base)
    out = []
    for path in paths:
        p = str(path)
        if base and p.startswith(base) and p[n - 1:n] == os.sep and "/." not in p[n - 1:] and "//" not in p[n - 1:]:
            out.append(os.path.join(head, p[n:]))
        else:
            out.append(os.path.abspath(p))
    return out


class Identities:
    """The register's file identities one run has read (table ``file_stat``: {absolute path: (device, inode, size,
    mtime_ns, ctime_ns), SHA-256}), asked for once: the memo's look-up (:func:`replay`), the report's inputs
    (:meth:`krm.report.remembered.Inputs.lookup`) and the key the run records (:meth:`Recorder.loaded`) each ask
    the register only for the files whose identity they have not been given yet.  What an identity stood for when
    its bytes were hashed stays true (the register records only settled identities: :func:`_files`), so a row read
    earlier in the run answers a file that still has that identity as the register would now; a file with another
    identity is asked for again.  (Rows are kept by the path where the file is: :func:`krm.register.lite.identified`.)"""

    def __init__(self):
        self.rows: dict[str, tuple] = {}

    def shas(self, lite, stats: dict) -> dict[str, str]:
        """{absolute path: SHA-256} of the files of ``stats`` ({absolute path: stat}) whose identity the register
        knows.  Raises :class:`krm.register.lite.LiteError`."""
        from krm.register.lite import IDENTITIES_SQL, host, identified

        return identified(lambda paths: lite.rows_in(IDENTITIES_SQL, paths, {"host": host()}), stats, self.rows)


def key(lite, root: Path, month: str, quarter: str | None, langs: list[str], prefer: str | None, strict: bool,
        out: Path, today: dt.date, entries: list | None = None, identities: Identities | None = None) -> Key | None:
    """The report's :class:`Key` now, or None when a workbook under ``root`` is not known by its identity.
    ``entries``: :func:`krm.intake.discover.discover` of ``root`` when the caller has it (the run's one discovery);
    ``identities``: the run's (:class:`Identities`)."""
    from krm import __version__
    from krm.register.engine import fingerprint
    from krm.register.lite import recipe

    if entries is None:
        from krm.intake.discover import discover

        entries = discover([root])
    files = _KNOWN.get((id(entries), str(root)))
    if files is None or files[0] is not entries:
        files = _files(lite, root, entries, identities)
        if files is None:
            return None
        if all(e.stat is not None for e in entries):  # each stat is the discovery's: the same next time
            _KNOWN.clear()
            _KNOWN[(id(entries), str(root))] = files
    _, digest, shas = files
    r = recipe(COMMAND, fingerprint(), __version__, writers(), str(Path(root).resolve()), os.path.abspath(root),
               os.path.abspath(out), month, quarter, list(langs), prefer, bool(strict), today.isoformat(),
               digest, register_state(lite, month))
    return Key(r, Path(root), shas)


#: {(id of the entries, root): (the entries, the digest of their paths, SHA-256 and times, {path: SHA-256})} of the last key
#: made (the memo's look-up, :func:`replay`), for the same run's :class:`Recorder` (:meth:`Recorder.loaded`)
_KNOWN: dict = {}


def _files(lite, root: Path, entries: list, identities: Identities | None = None) -> tuple | None:
    """(``entries``, the SHA-256 of each workbook's absolute path, SHA-256 of its bytes and modified time in
    discovery order, {absolute path: SHA-256 of its bytes}), or None when one is not known by its identity.

    What a file's identity stood for when its bytes were hashed stays true (the register records only settled
    identities): the answer for the same entries (the same stats) holds later in the run too, or a workbook's
    identity was recorded anew meanwhile by another process (a file replaced with other bytes since discovery: its
    bytes as discovered are still the ones known)."""
    from krm.register.lite import regular_stat

    stats: dict[str, os.stat_result] = {}
    for e, a in zip(entries, _absolute(entries, Path(root))):
        st = regular_stat(e)
        if st is None:
            return None
        stats[a] = st
    shas = (identities if identities is not None else Identities()).shas(lite, stats)
    if len(shas) != len(stats):
        return None
    # each workbook's absolute path, SHA-256 and modified time, in discovery order
    digest = hashlib.sha256("".join([f"{a}\0{shas[a]}\0{st.st_mtime_ns}\n" for a, st in stats.items()])
                            .encode("utf-8", "surrogateescape")).hexdigest()
    return entries, digest, shas


def _month(month: str | None, quarter: str | None) -> str | None:
    """The report's month as :func:`krm.report.assemble.make_report` settles it; None when it would refuse."""
    from krm.report.periods import ReportError, parse_month, parse_quarter

    try:
        if quarter and not month:
            month = parse_quarter(quarter)[1][-1]
        if not month:
            return None
        month = parse_month(month)
        if quarter and month != parse_quarter(quarter)[1][-1]:
            return None
    except ReportError:
        return None
    return month


def replay(root: Path, month: str | None, quarter: str | None, out: Path, langs: list[str], prefer: str | None,
           strict: bool, force: bool, entries: list | None = None, identities: Identities | None = None) -> list | None:
    """The recorded messages (lines on stderr, as shown) of this report when the memo answers it (its outputs on
    disk are the recorded bytes and left as they are); None: make the report.  ``entries``, ``identities``: as for
    :func:`key`."""
    from krm.register.lite import LiteError, open_configured
    from krm.report.outputs import output_names

    month = _month(month, quarter)
    if not force or month is None or not Path(root).is_dir():
        return None
    paths = [os.path.abspath(Path(out) / n) for n in output_names(month, quarter, langs)]
    if not all(os.path.isfile(p) for p in paths):
        return None
    lite = open_configured([root])
    if lite is None:
        return None
    with lite:
        try:
            k = key(lite, Path(root), month, quarter, langs, prefer, strict, Path(out), dt.date.today(), entries,
                    identities)
            known = {r[0]: r[1:] for r in lite.rows_in(
                "SELECT path, recipe, sha256, size, data FROM output_memo WHERE host = :host AND command = :command "
                "AND path IN ({values})", paths, {"host": _host(), "command": COMMAND})} if k is not None else {}
        except LiteError:
            return None
    if k is None or len(known) != len(paths) or any(known[p][0] != k.recipe for p in paths) \
            or len({known[p][3] for p in paths}) != 1:
        return None
    return _same_on_disk(Path(out), paths, known)


def _host() -> str:
    from krm.register.lite import host

    return host()


def _same_on_disk(out: Path, paths: list[str], known: dict) -> list | None:
    """The recorded messages if every output file has its recorded size and SHA-256 (checked while the
    output folder is claimed, as a run that writes it would); else None."""
    from krm.outfolder import FolderInUse, claimed
    from krm.register import codec
    from krm.register.lite import sha256_file

    try:
        with claimed(out):
            for p in paths:
                if os.path.getsize(p) != known[p][2] or sha256_file(p) != known[p][1]:
                    return None
    except (FolderInUse, OSError):
        return None
    try:
        lines = codec.loads(known[paths[0]][3])["stderr"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        return None
    return lines


class Recorder:
    """Records a report the command has just written (``krm report`` with the register on and ``--force``):
    :meth:`loaded` (called by :func:`krm.report.assemble.make_report` once the workbooks were read and the
    register holds them) takes the :class:`Key`, :meth:`record` stores it with the outputs and the messages.
    ``entries``: the run's discovery of ``root`` (:func:`key`), the files the report reads; ``identities``: the
    run's (:class:`Identities`)."""

    def __init__(self, root: Path, month: str | None, quarter: str | None, out: Path, langs: list[str],
                 prefer: str | None, strict: bool, entries: list | None = None,
                 identities: Identities | None = None):
        self.args = (Path(root), month, quarter, list(langs), prefer, strict, Path(out))
        self.entries = entries
        self.identities = identities
        self.today = dt.date.today()
        self.key: Key | None = None

    def loaded(self) -> None:
        from krm.register.connect import configured
        from krm.register.lite import LiteError, open_lite

        root, month, quarter, langs, prefer, strict, out = self.args
        month = _month(month, quarter)
        lite = open_lite(configured()) if month is not None else None
        if lite is None:
            return
        with lite:
            try:
                k = key(lite, root, month, quarter, langs, prefer, strict, out, self.today, self.entries,
                        self.identities)
            except LiteError:
                return
            finally:
                _KNOWN.clear()
        self.key = k if dt.date.today() == self.today else None  # not across midnight: today is in the recipe

    def record(self, written: list[Path], lines: list) -> None:
        """Remember the outputs just written; a register that cannot be written to costs only the memo."""
        if self.key is None or not written:
            return
        from krm.register.lite import sha256_file

        inputs = self.key.inputs()
        try:
            rows = [(os.path.abspath(p), self.key.recipe, sha256_file(p), os.path.getsize(p), inputs,
                     {"stderr": [str(t) for t in lines]}) for p in written]
        except OSError:
            return
        from krm.register.connect import RegisterError, configured
        from krm.register.plain import open_plain
        from krm.register.sqlite_write import db_errors

        try:
            reg = open_plain(configured())  # an SQLite register at this schema: without SQLAlchemy
            if reg is not None:
                with reg:
                    reg.record_outputs(COMMAND, rows)
        except (RegisterError, *db_errors()) as e:
            import sys

            msg = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            print(f"krm: warning: the register could not record this run's outputs ({msg})", file=sys.stderr)
