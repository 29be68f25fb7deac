"""Step 1-2: find, validate and classify every workbook under a folder (in the reading workers)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePath

from krm import forms, reference, rollup
from krm.aggregate.records import INPUT_FORMS, AggregateUsageError, InputFile
from krm.aggregate.spool import _Spool, _spool_rows
from krm.model import Submission


# ------------------------------------------------------------------ locations
def default_out(directory: Path) -> Path:
    """The default output folder: beside DIR, never inside it."""
    d = Path(directory).resolve()
    return d.parent / f"{d.name}-aggregated"


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def _rel(path: Path, base: Path) -> str:
    """The path below ``base`` as outputs show it (:func:`krm.textsafe.path`): as found, so a file in a
    linked folder keeps the link's name; else resolved; else as given."""
    from krm.textsafe import path as shown

    if os.sep == "/" and isinstance(path, PurePath) and isinstance(base, PurePath):  # found under base, as given:
        s, b = str(path), str(base)  # its parts after base's, as relative_to gives them (both strings normalised)
        b = b if b.endswith("/") else b + "/"
        if b != "./" and len(s) > len(b) and s.startswith(b):
            return shown(s[len(b):])
    try:
        return shown(Path(path).relative_to(base).as_posix())
    except ValueError:
        pass
    try:  # resolved only when needed: resolving costs a system call for each folder of the path
        return shown(Path(path).resolve().relative_to(base.resolve()).as_posix())
    except ValueError:
        return shown(Path(path).as_posix())



@dataclass(slots=True)
class _Read:
    """What comes back from a reading worker for one file: no rows (they went to the spool)."""

    form: str | None
    status: str
    note: str
    errors: int
    warnings: int
    findings: list  # an excluded file's (errors first); none for the others: they are never reported
    submission: rollup.Digest | None
    spool: tuple | None = None
    spool_error: str | None = None
    sha256: str | None = None  # of the bytes read (through the register)
    reading_id: int | None = None  # the register's reading, whose rows stand in for the spool's (not spooled)


def _classify(form: str | None, findings: list, sub, period: str | None, programme: str | None) -> _Read:
    """A file's status (accepted / excluded / skipped / filtered), the note that says why, and its counts."""
    findings = sorted(findings or [], key=lambda x: (x.severity != "error",))
    errors = sum(1 for x in findings if x.severity == "error")
    r = _Read(form=form, status="accepted", note="", errors=errors, warnings=len(findings) - errors, findings=[],
              submission=None)
    if sub is not None and not _in_scope(sub, period, programme):
        r.status, r.note = "filtered", "outside --period/--programme"
    elif form is not None and form not in INPUT_FORMS:
        r.status, r.note = "skipped", f"{form} is not an input of a roll-up (KRM-1, KRM-2, KRM-3 are)"
    elif errors or sub is None:
        r.status = "excluded"
        first = next((x for x in findings if x.severity == "error"), None)
        r.note = (_finding_line(first) if first is not None else "not read as a KRM form") + (
            f" (+{errors - 1} more errors)" if errors > 1 else "")
    elif forms.kind(form) in ("district", "region") and rollup.region_of(sub) is None:
        r.status, r.note = "excluded", "no region in the header"
    elif forms.kind(form) in ("district", "region") and rollup.region_of(sub) not in _katos(_on(sub.period)):
        r.status, r.note = "excluded", f"region {rollup.region_of(sub)} did not exist in {sub.period}"
    elif not sub.programme:
        r.status, r.note = "excluded", "no programme in the header"
    if r.status == "excluded":
        r.findings = findings  # only an excluded file's findings are reported (summary, control sheets)
    return r


@lru_cache(maxsize=256)
def _katos(on: str) -> frozenset:
    """The KATO codes of the regions that existed on a day (the same few periods for every file of a run)."""
    return frozenset(x.kato for x in reference.regions(on))


def _reducer(spool_dir: str | None, period: str | None, programme: str | None):
    """The ``reduce`` hook of validate_paths: classify and digest each file, spool the rows of counted ones."""

    def reduce(rep) -> _Read:
        sub = rep.submission
        r = _classify(rep.form, rep.findings, sub, period, programme)
        r.sha256 = getattr(rep, "sha256", None)
        if getattr(rep, "digest", None) is not None and _not_loaded(sub):
            # remembered by the register (krm.remembered): its stored digest; its rows stay in the register
            r.submission, r.reading_id = rep.digest, rep.reading_id
            return r
        r.submission = rollup.digest(sub) if sub is not None else None
        if spool_dir and r.status == "accepted" and sub.projects:
            try:
                r.spool = _spool_rows(spool_dir, sub.projects)
            except OSError as e:
                r.spool_error = e.strerror or str(e)
        return r
    return reduce


def _not_loaded(sub) -> bool:
    from krm.register.memo import LazyRows

    return sub is not None and isinstance(sub.projects, LazyRows) and not sub.projects.loaded


# ------------------------------------------------------------------ the pipeline
def collect(directory: Path, *, period: str | None = None, programme: str | None = None, jobs: int | None = None,
            progress=None, today: dt.date | None = None, spool: _Spool | None = None,
            cache: bool | None = None, register=None, memo=None) -> list[InputFile]:
    """Find, validate and classify every workbook under ``directory`` (statuses accepted/excluded/skipped/filtered).

    ``register`` (an open :class:`krm.register.Register`, with a ``period``): instead of a folder, the
    current accepted (or confirmed) version of every submission the register holds for the period (and
    the KRM-1 plans of its year), rebuilt from the stored rows; each is named by the path it was seen at.

    ``memo``: an open register to read the folder through (default: as configured; see ``cache``).

    ``progress(done, total)`` is called after each file is validated.  Each file is classified and
    digested in the worker that read it: its ``submission`` is a :class:`krm.rollup.Digest`, its
    ``findings`` are kept only if it is excluded, and the rows of accepted files go to ``spool``
    (without one, they are not kept and no KRM-3 can be built).
    """
    from krm.intake import find_workbooks
    from krm.validate import FileReport, validate_paths

    directory = Path(directory)
    if register is not None:
        subs = [sub for _, sub in register.submissions([period, period[:4]])]
        paths = [sub.path for sub in subs]
    else:
        paths = find_workbooks([directory])
        if not paths:  # as krm validate: nothing to read is a usage error, not an empty roll-up
            raise AggregateUsageError(f"no workbooks (.xlsx, .xlsm, .xls, .ods) found in {directory}")
    done = [0]

    def tick(_path, _report):
        done[0] += 1
        if progress is not None:
            progress(done[0], len(paths))

    reduce = _reducer(str(spool.dir) if spool is not None else None, period, programme)
    out = _Inputs(paths, directory, period, programme, spool)
    if register is not None:
        for sub in subs:
            out.add(reduce(FileReport(sub.path, sub.form, [], sub, sub.lang)))
    elif paths:  # each report made the input's record as it comes (what came back is let go at once)
        validate_paths(paths, jobs=jobs, progress=tick, today=today, reduce=reduce, cache=cache, register=memo,
                       into=out)
    if len(out.files) != len(paths):
        raise RuntimeError(f"validation returned {len(out.files)} reports for {len(paths)} files")
    if out.spool_error:
        raise AggregateUsageError(f"cannot write temporary files into {spool.dir}: {out.spool_error}")
    return out.files


class _Inputs:
    """Where :func:`collect`'s reports go, in the files' order (``validate_paths(into=…)``): each one is made its
    input's record as it arrives, so what a worker sent back (its own copies of the form, status and note) is
    not held until the last file is read (a year: 36,000 of them beside the records)."""

    def __init__(self, paths: list, directory: Path, period, programme, spool):
        self.paths, self.directory, self.period, self.programme, self.spool = paths, directory, period, programme, spool
        self.files: list[InputFile] = []
        self.spool_error: str | None = None

    def add(self, rep) -> None:
        from krm.validate import FileReport

        if len(self.files) >= len(self.paths):
            raise RuntimeError(f"validation returned more reports than the {len(self.paths)} files")
        p = self.paths[len(self.files)]
        if isinstance(rep, FileReport):  # its worker crashed: a one-finding report, not reduced
            rep = _classify(rep.form, rep.findings, None, self.period, self.programme)
        if rep.spool_error and self.spool_error is None:  # raised once every file is read (as ever)
            self.spool_error = rep.spool_error
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        self.files.append(_input_file(p, self.directory, rep, mtime))


def _input_file(p: Path, directory: Path, rep: _Read, mtime: float) -> InputFile:
    """The run's record of one input (``rep``: what was read of it, in a worker or from the register)."""
    spool_at = rep.spool if rep.spool is None else (_shared(rep.spool[0]), *rep.spool[1:])
    return InputFile(path=p, rel=_rel(p, directory), form=_shared(rep.form), status=_shared(rep.status),
                     errors=rep.errors, warnings=rep.warnings, findings=rep.findings,
                     submission=_compact(rep.submission, p), note=_shared(rep.note), spool=spool_at,
                     sha256=rep.sha256, reading_id=rep.reading_id, mtime=mtime)


_SHARED: dict = {}


def _compact(d: rollup.Digest | None, path: Path) -> rollup.Digest | None:
    """The same digest, lighter to hold for a year of files: its path is the input's, repeated strings shared."""
    if d is None:
        return None
    d.path = path
    for k in ("form", "period", "programme", "region", "district", "basis", "lang", "edition", "body"):
        v = getattr(d, k)
        if isinstance(v, str):
            setattr(d, k, _SHARED.setdefault(v, v))
    if all(type(x) is str for x in d.districts):
        d.districts = _SHARED.setdefault(("districts", d.districts), d.districts)
    d.by_activity, d.plan_by_activity = _pairs(d.by_activity), _pairs(d.plan_by_activity)
    return d


_PAIRS: dict = {}


def _pairs(pairs: tuple) -> tuple:
    """(activity code, jobs) pairs, each shared with every equal pair of other files (a year repeats them);
    only a ``str`` code with an ``int`` count (an equal Decimal may print differently: it is kept as it is)."""
    if type(pairs) is not tuple:
        return pairs
    return tuple(_PAIRS.setdefault(p, p) if type(p) is tuple and len(p) == 2 and type(p[0]) is str
                 and type(p[1]) is int else p for p in pairs)


def _shared(v):
    """A string shared with every equal one this run holds (statuses, forms, notes, spool file names)."""
    return _SHARED.setdefault(v, v) if type(v) is str else v


def _on(period: str) -> str:
    return f"{period}-01" if len(str(period)) == 4 else str(period)


def _finding_line(x) -> str:
    where = "!".join(p for p in (x.sheet, x.cell) if p)
    try:
        msg = x.message("en")
    except Exception:  # noqa: BLE001
        msg = x.code
    return f"{x.code}{' ' + where if where else ''}: {msg}"


def _in_scope(sub: Submission, period: str | None, programme: str | None) -> bool:
    if programme and (sub.programme or "") != programme:
        return False
    if period:
        p = str(sub.period or "")
        if len(period) == 4:
            return p[:4] == period
        return p == period or (forms.yearly(sub.form) and p == period[:4])
    return True
