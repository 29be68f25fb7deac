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


def validate_file(path: str | Path, today: dt.date | None = None, *, convert: bool = True) -> FileReport:
    """Every finding for one workbook.

    ``convert=False`` skips building the typed :class:`~krm.model.Submission` (``krm validate`` needs
    only the findings).
    """
    from krm import rules
    from krm.workbook.reader import ReadError, read

    path = Path(path)
    try:
        pf = read(path)
    except ReadError as e:
        return _read_failure(path, e.code, e.detail)
    except OSError as e:
        return _read_failure(path, E008, e.strerror or str(e))
    except MemoryError:
        return _read_failure(path, E009, "out of memory")
    except Exception as e:  # noqa: BLE001 - a reader bug must not end a run over many files
        return _read_failure(path, E002, f"{type(e).__name__}: {e}")
    findings = rules.run(pf, str(path), today)
    sub = None
    if convert and pf.number_row is not None and not any(f.code in (E011.code, E012.code) for f in findings):
        from krm.convert import to_submission

        try:
            sub = to_submission(pf)
        except Exception:  # noqa: BLE001 - conversion is best effort after validation
            sub = None
    return FileReport(path, pf.spec.id, findings, sub, pf.lang)


def _cache_enabled() -> bool:
    from krm.cache import enabled

    return enabled()


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """Files given, and workbooks in folders given (:func:`krm.intake.discover.discover`)."""
    from krm.intake.discover import find_workbooks as found

    return found(paths)


_TODAY: dt.date | None = None
_SUBMISSIONS = True
_REDUCE: Callable[[FileReport], object] | None = None
_CACHE = None  # krm.cache.Cache of this run, or None
MAX_CACHED_BYTES = 16 * 1024 * 1024  # bigger files are validated without the cache


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _cached_validate(path: Path, cache) -> FileReport:
    """validate_file through the per-file cache (see :mod:`krm.cache`): same bytes, same code, same day."""
    before = _stamp(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CACHED_BYTES + 1)
    except OSError:
        return validate_file(path, _TODAY, convert=_SUBMISSIONS)
    if len(data) > MAX_CACHED_BYTES:  # a huge file: not worth keeping (and not worth hashing twice)
        return validate_file(path, _TODAY, convert=_SUBMISSIONS)
    key = cache.key(data)
    del data
    hit = cache.get(key)
    if isinstance(hit, FileReport):
        hit.path = path
        for f in hit.findings:
            f.file = str(path)
        if hit.submission is not None:
            hit.submission.path = path
        return hit
    r = validate_file(path, _TODAY, convert=True)  # an entry always holds the submission: aggregate needs it
    # read failures are cheap to find again (and their details may name the path); a file saved while it
    # was being read may not be the bytes that were hashed
    if not r.unreadable and before is not None and _stamp(path) == before:
        cache.put(key, r)
    return r


def _job(path: Path):
    if _CACHE is not None:
        r = _cached_validate(path, _CACHE)
        if not _SUBMISSIONS:  # findings only: ~1 KB to pickle back, not ~14 KB
            r.submission = None
    else:
        r = validate_file(path, _TODAY, convert=_SUBMISSIONS)
    return _REDUCE(r) if _REDUCE is not None else r


def validate_paths(paths: Iterable[str | Path], jobs: int | None = None,
                   progress: Callable[[Path, FileReport], None] | None = None,
                   today: dt.date | None = None, timeout_s: float = 60, mem_limit_mb: int = 1024,
                   submissions: bool = True,
                   reduce: Callable[[FileReport], object] | None = None, cache: bool | None = None) -> list:
    """Validate many files (see :func:`find_workbooks`), in input order, each in an isolated worker.

    ``submissions=False`` does not build each report's typed :class:`~krm.model.Submission`
    (``krm validate`` needs only the findings): less work, less to send back and to hold.
    ``reduce(report)`` runs *in the worker* on each :class:`FileReport`, and what it returns is
    what comes back (and what ``progress`` gets) instead of the report: this is how aggregate and
    report keep only what they need of each file, so memory does not grow with the rows read.
    A file whose worker crashed still comes back as a KRM-E009 :class:`FileReport`, not reduced.
    ``cache``: use the per-file result cache (:mod:`krm.cache`); default: unless ``KRM_CACHE=off``.
    """
    global _TODAY, _SUBMISSIONS, _REDUCE, _CACHE
    import krm.convert  # noqa: F401 - imported once here, before the fork, not once in every worker
    import krm.rules
    krm.rules.all_rules()  # imports every rule module
    import krm.workbook.reader  # noqa: F401
    from krm.pool import run_isolated

    from krm.intake.discover import discover

    entries = discover(paths)
    files = [e.path for e in entries if e.ok]
    _TODAY = today
    _SUBMISSIONS = submissions
    _REDUCE = reduce
    _CACHE = None
    if cache if cache is not None else _cache_enabled():
        from krm.cache import Cache

        c = Cache(today)
        _CACHE = c if c.usable else None
    jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 8)

    def on_result(item, ok, res):
        if progress is not None:
            progress(item, res if ok else _read_failure(item, E009, str(res)))

    results = iter(run_isolated(_job, files, jobs=jobs, mem_limit_mb=mem_limit_mb, timeout_s=timeout_s,
                                chunksize=16, on_result=on_result, isolate=True))  # a native crash fails one file
    out = []
    for e in entries:  # in discovery order; an entry that cannot be read is reported, never opened
        if not e.ok:
            rep = _read_failure(e.path, e.code, e.detail)
            if progress is not None:
                progress(e.path, rep)
            out.append(rep)
            continue
        item, ok, res = next(results)
        out.append(res if ok else _read_failure(item, E009, str(res)))
    return out
