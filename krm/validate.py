"""Validate KRM workbooks: the library behind ``krm validate``.

:func:`validate_file` reads one workbook once (calamine), runs every rule of
:mod:`krm.rules` over it and returns a :class:`FileReport`; it never raises on a
bad file (an unreadable one gives a single read-error finding, :data:`krm.catalogue.READ_ERRORS`).
:func:`validate_paths` does the same for many files in isolated worker processes
(:mod:`krm.pool`), so a hostile file fails only itself.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from krm.catalogue import CATALOGUE, READ_ERRORS
from krm.findings import Finding
from krm.codes import E002, E008, E009, E011, E012

from krm.intake.discover import SUFFIXES  # noqa: F401 - the one list, kept importable here


@dataclass
class FileReport:
    path: Path
    form: str | None
    findings: list[Finding] = field(default_factory=list)
    submission: object | None = None  # krm.model.Submission when the table could be read
    lang: str | None = None
    edition: str | None = None  # the edition of the form's spec the workbook was read against
    #: a result the register remembered, found without reading the file: its stored krm.rollup.Digest (when
    #: the register has one) and its reading's id; the submission's rows are then loaded only when used
    digest: object | None = None
    reading_id: int | None = None
    sha256: str | None = None  # of the bytes read, when read through the register

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def unreadable(self) -> bool:
        return any(f.code in READ_ERRORS for f in self.findings)


def _read_failure(path: Path, code, detail: str) -> FileReport:
    """``code``: a :mod:`krm.codes` symbol or its code."""
    chk = CATALOGUE[code] if type(code) is str else code
    return FileReport(path, None, [Finding(code=chk.code, severity=chk.severity, file=str(path),
                                           params={"detail": detail})])


def validate_file(path: str | Path, today: dt.date | None = None, *, convert: bool = True,
                  data: bytes | None = None) -> FileReport:
    """Every finding for one workbook.

    ``convert=False`` skips building the typed :class:`~krm.model.Submission` (``krm validate`` needs
    only the findings).  ``data``: the workbook's bytes, already read: parsed from there, the file is
    not opened again (see :func:`krm.workbook.reader.read`).
    """
    from krm import rules
    from krm.workbook.reader import ReadError, read

    path = Path(path)
    try:
        pf = read(path, data)
    except ReadError as e:
        return _read_failure(path, e.code, e.detail)
    except OSError as e:
        return _read_failure(path, E008, e.strerror or str(e))
    except MemoryError:
        return _read_failure(path, E009, "out of memory")
    except Exception as e:  # noqa: BLE001 - a reader bug must not end a run over many files
        return _read_failure(path, E002, f"{type(e).__name__}: {e}")
    findings = rules.run(pf, str(path), today)
    if pf.explanations:
        from krm.explanations import attach

        attach(findings, pf.explanations)
    sub = None
    if convert and pf.number_row is not None and not any(f.code in (E011.code, E012.code) for f in findings):
        from krm.convert import to_submission

        try:
            sub = to_submission(pf)
        except Exception:  # noqa: BLE001 - conversion is best effort after validation
            sub = None
    return FileReport(path, pf.spec.id, findings, sub, pf.lang, _edition(pf))


def _edition(pf) -> str:
    """The edition a workbook was read against (today: the one spec version; see krm.spec)."""
    from krm.spec import SPEC_VERSION

    return str(getattr(pf.spec, "edition", None) or SPEC_VERSION)


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and workbooks in folders given (:func:`krm.intake.discover.discover`)."""
    from krm.intake.discover import find_workbooks as found

    return found(paths)


_TODAY: dt.date | None = None
_SUBMISSIONS = True
_REDUCE: Callable[[FileReport], object] | None = None
_REGISTER = None  # krm.register.Register of this run, or None
_LAZY = False  # the workers send back each submission without the rows they recorded in the register
#: bigger files are validated without the register (the reader reads them from the file, not from memory)
MAX_REGISTERED_BYTES = 32 * 1024 * 1024


def _from_register(path: Path, hit) -> FileReport:
    from krm.register.codec import finding_from

    sub = hit.submission
    if sub is not None:
        sub.path = path
    return FileReport(path, hit.form, [finding_from(f, str(path)) for f in hit.findings], sub, hit.lang,
                      hit.edition)


def _registered_validate(path: Path, reg) -> tuple[FileReport, object]:
    """validate_file through the register: the bytes read once, hashed, and either found in the register
    (same bytes, engine and date) or parsed from that same buffer and recorded.  Returns the report and
    what the parent records of the file (:class:`krm.register.Seen`), or None."""
    import hashlib

    from krm.register.memo import identity, settled, time_ns
    from krm.register.sqlite_write import db_errors
    from krm.register.store import Seen, submission_key
    from krm.workbook.reader import ReadError, _open_regular

    try:
        now_ns = time_ns()
        with _open_regular(path) as fh:  # never blocks on a FIFO; refuses what is not a regular file
            st = os.fstat(fh.fileno())
            data = fh.read(MAX_REGISTERED_BYTES + 1)
    except (OSError, ReadError):  # validate_file says why, as without the register
        return validate_file(path, _TODAY, convert=_SUBMISSIONS), None
    if len(data) > MAX_REGISTERED_BYTES:
        return validate_file(path, _TODAY, convert=_SUBMISSIONS), None
    sha, size = hashlib.sha256(data).hexdigest(), len(data)
    # its identity stands for these bytes next time only if its times were settled before it was read
    ident = identity(st) if st.st_size == size and settled(st, now_ns) else None
    as_of = _TODAY or dt.date.today()
    try:
        hit = reg.lookup(sha, as_of, rows=_SUBMISSIONS)
    except db_errors():  # the register is unreachable or damaged: read the file, as without it
        hit = None
    if hit is not None:
        r = _from_register(path, hit)
        r.sha256, r.reading_id = sha, hit.reading_id
        return _explained(reg, r, hit.workbook_id), Seen(
            str(path), sha, size, None, hit.reading_id, hit.key, hit.errors, hit.modified, ident)
    r = validate_file(path, _TODAY, convert=True, data=data)  # a reading always holds the rows
    del data
    if r.unreadable:
        return r, Seen(str(path), sha, size, next(f.code for f in r.findings))
    try:
        rid, wid, new_workbook = reg.record_reading_ids(sha, size, as_of, r, r.edition)
    except db_errors():
        rid = None
    if rid is not None and not new_workbook:  # bytes new to the register have no explanation written for them
        _explained(reg, r, wid)
    r.sha256, r.reading_id = sha, rid
    sub = r.submission
    return r, Seen(str(path), sha, size, None, rid, submission_key(sub), r.errors,
                   sub.modified if sub is not None else None, ident if rid is not None else None)


def _explained(reg, report, workbook_id):
    """The report with the explanations a district wrote in the portal for these bytes (krm serve)."""
    from krm.register.sqlite_write import db_errors

    try:
        reg.with_written(report.findings, workbook_id)
    except db_errors():  # unreachable now: the findings as read, without them
        pass
    return report


def _job(path: Path):
    if _REGISTER is not None:
        r, seen = _registered_validate(path, _REGISTER)
        if not _SUBMISSIONS:  # findings only: less to send back
            r.submission = None
        lazy = _LAZY and r.submission is not None and r.reading_id is not None
        if lazy:  # its rows are in the register: the header goes back, the parent loads the rows when used
            r.submission.projects, r.submission.regions = [], []
        return _Done(_REDUCE(r) if _REDUCE is not None else r, seen, lazy)
    r = validate_file(path, _TODAY, convert=_SUBMISSIONS)
    return _REDUCE(r) if _REDUCE is not None else r


@dataclass(slots=True)
class _Done:
    """A worker's result through the register: the (reduced) report and what the parent records; ``lazy``:
    the report's submission came back without its rows (:func:`lazy_rows` puts them back)."""

    result: object
    seen: object
    lazy: bool = False


def lazy_rows(reg, report: FileReport) -> tuple[list, list]:
    """(projects, regions) of a report read through the register, loaded from its reading the first time either
    is used (one query for both; :class:`krm.register.memo.LazyRows`) and held until :func:`release_rows`."""
    from krm import remembered
    from krm.register.memo import LazyRows

    got: list = []
    rid, sha, path = report.reading_id, report.sha256, report.path

    def load():
        if not got:
            got.append(remembered.rows_of(reg, rid, sha, path))
        return got[0]
    return LazyRows(load, 0), LazyRows(load, 1)


def release_rows(reg, report: FileReport) -> None:
    """Let go of the rows of a report's submission that were loaded from the register (:func:`lazy_rows`, and
    :mod:`krm.remembered`'s): they are loaded again if used again.  Rows that are not in the register stay."""
    from krm.register.memo import LazyRows

    sub = report.submission
    if sub is None or report.reading_id is None or report.sha256 is None or not isinstance(sub.projects, LazyRows):
        return
    if sub.projects.loaded or (isinstance(sub.regions, LazyRows) and sub.regions.loaded):
        sub.projects, sub.regions = lazy_rows(reg, report)


def _attach(reg, res):
    """A worker's result with the rows it left in the register put back as lazily loaded (once)."""
    if isinstance(res, _Done) and res.lazy:
        res.lazy = False
        res.result.submission.projects, res.result.submission.regions = lazy_rows(reg, res.result)
    return res


def _open_register(register, cache, paths, plain: bool = False):
    """The register this run uses (and whether this call opened it), or (None, False).  ``plain``: an SQLite register
    at this krm's schema opened without SQLAlchemy (:mod:`krm.register.plain`: what :func:`validate_paths` asks of
    the register it opens is all done there)."""
    if register is False or cache is False:
        return None, False
    if register is not None and register is not True:
        return register, False
    from krm import register as reg_mod
    from krm.register.connect import outside_inputs

    target = reg_mod.configured()
    if target is None:
        return None, False
    outside_inputs(target, paths)
    if plain:
        from krm.register.plain import open_plain

        return open_plain(target), True
    return reg_mod.open(target), True


def validate_paths(paths: Iterable[str | Path], jobs: int | None = None,
                   progress: Callable[[Path, FileReport], None] | None = None,
                   today: dt.date | None = None, timeout_s: float = 60, mem_limit_mb: int = 1024,
                   submissions: bool = True,
                   reduce: Callable[[FileReport], object] | None = None, cache: bool | None = None,
                   register=None, by: str | None = None, received: str = "now", into=None) -> list:
    """Validate many files (see :func:`find_workbooks`), in input order, each in an isolated worker.

    ``submissions=False`` does not build each report's typed :class:`~krm.model.Submission`
    (``krm validate`` needs only the findings): less work, less to send back and to hold.
    ``reduce(report)`` runs *in the worker* on each :class:`FileReport`, and what it returns is
    what comes back (and what ``progress`` gets) instead of the report: this is how aggregate and
    report keep only what they need of each file, so memory does not grow with the rows read.
    A file whose worker crashed still comes back as a KRM-E009 :class:`FileReport`, not reduced.

    ``register``: the register of submissions (:mod:`krm.register`) this run reads through and records
    into: None = as configured (``KRM_REGISTER``, default on), False = none, or an open
    :class:`krm.register.Register`.  ``cache=False`` (the old name) is ``register=False``.  Results are
    the same with or without it.  ``by``: who is recorded as receiving new versions (default: the OS user).
    ``received``: a new version's received time, "now" or "saved" (:meth:`krm.register.Store.record_seen`).
    ``into``: where each report goes, in order, instead of a list (:class:`krm.spooled.Spool`: ``krm validate``
    keeps no report in memory); it is what is returned.
    Raises :class:`krm.register.RegisterError` when the configured register cannot be used.
    """
    global _TODAY, _SUBMISSIONS, _REDUCE, _REGISTER, _LAZY
    from krm.pool import iter_isolated

    from krm.intake.discover import iter_discover

    paths = list(paths)
    # a file to read is kept as its path, only a problem as its Entry (not each file's stat: a year is 36,000)
    entries = [e.path if e.ok else e for e in iter_discover(paths)]
    files = [e for e in entries if isinstance(e, Path)]
    reg, opened = _open_register(register, cache, paths, plain=True)
    known: dict = {}
    if reg is not None:  # what the register remembers is taken from it here, without a worker (krm.remembered)
        from krm.remembered import remembered

        known = remembered(reg, files, today or dt.date.today(), submissions, reduce)
        files = [p for p in files if p not in known]
    _TODAY = today
    _SUBMISSIONS = submissions
    _REDUCE = reduce
    _REGISTER = reg
    # a register the caller holds open: the rows stay there (memory does not grow with the files read), and the
    # parent loads one file's rows when they are used (lazy_rows), as for what the register remembers
    _LAZY = reg is not None and not opened and submissions and reduce is None
    jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    seen = []

    def unwrap(res):
        if isinstance(res, _Done):
            _attach(reg, res)
            if res.seen is not None:
                seen.append(_shared(res.seen))
            return res.result
        return res

    def on_result(item, ok, res):
        if progress is not None:
            progress(item, _attach(reg, res).result if ok and isinstance(res, _Done) else
                     res if ok else _read_failure(item, E009, str(res)))

    try:
        _before_fork(files, reg)
        # a native crash fails one file; each result taken in order as it comes (never all of them held)
        results = iter_isolated(_job, files, jobs=jobs, mem_limit_mb=mem_limit_mb, timeout_s=timeout_s,
                                chunksize=16, on_result=on_result, isolate=True)
        try:
            out = _in_order(entries, known, results, unwrap, seen, progress, into)
        finally:
            results.close()  # the workers stopped
        if reg is not None and seen:
            _record_seen(reg, seen, by, received)
        return out
    finally:
        _REGISTER, _LAZY = None, False
        if opened:
            reg.close()


def _in_order(entries, known: dict, results, unwrap, seen: list, progress, into=None) -> list:
    """Every discovered entry's report, in discovery order (``entries``: the path of a file to read, the
    :class:`krm.intake.discover.Entry` of one that cannot be): an entry that cannot be read is reported (never
    opened), a file the register remembers is its stored report, any other the next worker result.  Added to
    ``into`` (returned) when given, else to a list."""
    out = [] if into is None else into
    add = out.append if into is None else into.add
    for e in entries:  # a Path to read, or the Entry of one that cannot be
        if not isinstance(e, Path):
            path, rep = e.path, _read_failure(e.path, e.code, e.detail)
        elif e in known:
            path, (rep, found) = e, known.pop(e)
            seen.append(found)
        else:
            item, ok, res = next(results)
            add(unwrap(res) if ok else _read_failure(item, E009, str(res)))
            continue  # its progress was told by the pool as the worker finished
        if progress is not None:
            progress(path, rep)
        add(rep)
    return out


def _shared(seen):
    """A worker's Seen with its submission key's words shared with the other files' (kept until the run is
    recorded: a year's 36,000 keys repeat a few hundred words)."""
    key = seen.key
    if key is not None and all(type(x) is str for x in key):
        seen.key = tuple(map(sys.intern, key))
    return seen


def _before_fork(files: list, reg) -> None:
    """What every worker needs, imported once here before the fork (not once in each worker); the register's
    connections closed, since the workers open their own."""
    if files:
        import krm.convert  # noqa: F401
        import krm.rules
        krm.rules.all_rules()  # imports every rule module
        import krm.workbook.reader  # noqa: F401
    if reg is not None:
        import krm.register.codec  # noqa: F401
        import krm.register.store  # noqa: F401

        if getattr(reg, "plain", False):  # krm.register.plain: SQLite through sqlite3, SQLAlchemy not loaded
            reg.before_fork()
        else:
            import sqlalchemy  # noqa: F401

            reg.engine.dispose()


def _record_seen(reg, seen: list, by: str | None, received: str = "now") -> None:
    from krm.register.sqlite_write import db_errors

    try:
        reg.record_seen(seen, by, received=received)
        reg.record_files([(x.path, x.identity, x.sha256) for x in seen if x.identity is not None])
    except db_errors() as e:  # the results stand; only the register's memory of this run is lost
        import sys

        msg = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        print(f"krm: warning: the register {reg.location} could not record this run ({msg})", file=sys.stderr)
