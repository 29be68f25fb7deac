"""`krm aggregate` as a library: read a folder of KRM workbooks, roll them up, write the next level.

The pipeline (``docs/aggregate.md`` has the full story):

1. find every workbook under DIR (:func:`krm.validate.find_workbooks`) and validate
   each (:func:`krm.validate.validate_paths`, isolated worker processes);
2. classify each file: *accepted* (no errors; warnings do not exclude), *excluded*
   (errors, or unreadable), *skipped* (a form that is not an input of a roll-up:
   KRM-4 … KRM-7), *filtered* (outside ``--period`` / ``--programme``);
3. find conflicts: two accepted submissions for the same (district, programme,
   period) — or (region, programme, period) for KRM-3, (district, programme, year)
   for KRM-1 — are both left out, unless ``prefer="newest"`` keeps the one with the
   latest document modified time (then file mtime, then path) and says which;
4. compute, with the exact math of :mod:`krm.rollup`:
   KRM-2 -> one KRM-3 per (region, programme, period, basis);
   KRM-3 (where a region sent one) else the region's KRM-2 -> one KRM-4 and one
   KRM-5 per (programme, period, basis); KRM-1 -> the annual plan summary per
   (programme, year) in the KRM-5 layout;
5. prove every output's control totals against its inputs (an unbalanced output is
   not written and the run fails), then write every output atomically, never over
   an existing file unless ``force``.

Everything is grouped by the workbook headers, never by folder or file names.

Memory stays flat in the number of rows: each file is classified and digested in the
worker that read it (:func:`krm.rollup.digest`: header, control totals, per-file project
counts and activity sums; findings only if it is excluded), and its project rows go to a
temporary spool folder (appended to one file per worker process; removed when the run
ends, also on an error or Ctrl-C).  KRM-4/KRM-5 and the annual plan are summed from the
digests; each KRM-3 is built from its districts' spooled rows in a worker process, checked,
and written there in one go.  Outputs are written in parallel
(:func:`krm.pool.run_isolated`), each on its own, so the bytes do not depend on the number
of workers.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
import os
import pickle
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from krm import forms, reference, rollup
from krm.model import ProjectRow, Submission
from krm.spec import T

INPUT_FORMS = ("KRM-1", "KRM-2", "KRM-3")
PLAN_FORMS = ("KRM-4-plan", "KRM-5-plan")  # the annual plan summary (Rule 12.1) in the KRM-4 / KRM-5 layouts
SUMMARY_NAME = "aggregate-summary.json"
#: zip deflate level of the output workbooks: 1 writes a region's KRM-3 ~12 % faster than zlib's default (6),
#: for files ~25 % larger; the cell values are the same either way (None: xlsxwriter's default)
COMPRESS_LEVEL = 1


class AggregateUsageError(Exception):
    """Bad arguments or an unusable input/output location (exit code 2)."""


# ------------------------------------------------------------------ records
@dataclass(slots=True)
class InputFile:
    path: Path
    rel: str  # path relative to DIR, with "/" separators
    form: str | None = None
    status: str = "accepted"  # accepted | excluded | conflict | superseded | skipped | filtered
    errors: int = 0
    warnings: int = 0
    findings: list = field(default_factory=list)  # krm.findings.Finding, errors first (excluded files only)
    submission: Submission | None = None  # a rollup.Digest: the header and figures, without the rows
    note: str = ""
    mtime: float = 0.0
    spool: tuple | None = None  # where its project rows are in the run's spool folder (accepted inputs only)

    @property
    def counted(self) -> bool:
        return self.status == "accepted"

    def header(self) -> dict:
        s = self.submission
        return {} if s is None else {"period": s.period, "programme": s.programme, "region": rollup.region_of(s),
                                     "district": s.district, "basis": s.basis}


@dataclass
class Conflict:
    key: dict  # form, unit (district or region KATO), programme, period
    files: list[str]
    kept: str | None = None  # with prefer="newest"
    reason: str = ""


@dataclass
class Completeness:
    form: str  # the level received: "KRM-2" (districts of a region), "KRM-3" (regions), "KRM-1"
    period: str
    programme: str
    region: str | None  # None: the regions of the programme level
    expected: int
    received: int
    missing: list[str]  # names (with KATO) of units that sent nothing
    not_counted: list[str] = field(default_factory=list)  # units whose files were excluded or in conflict

    @property
    def percent(self) -> float:
        return round(100.0 * self.received / self.expected, 1) if self.expected else 100.0


@dataclass
class Output:
    form: str  # KRM-3, KRM-4, KRM-5, KRM-5-plan
    period: str
    programme: str
    basis: str
    region: str | None
    rel: str  # path relative to the output folder
    submission: Submission | None  # the rolled-up figures; None for KRM-3 (its rows are not kept: see totals())
    inputs: list[InputFile]
    control: rollup.Control | None  # None only until a KRM-3 is built (by write_outputs or check_krm3)
    written: bool = False

    def totals(self) -> dict:
        """The output's control totals (jobs plan, fact, allocated, disbursed), as the workbook holds them."""
        return self.control.output_total.values()


@dataclass
class AggregateResult:
    dir: Path
    out: Path
    lang: str
    inputs: list[InputFile]
    outputs: list[Output] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    completeness: list[Completeness] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # mixed bases, level mismatches …
    period: str | None = None
    programme: str | None = None
    strict: bool = False
    jobs: int | None = None  # worker processes for building and writing outputs (None: as for reading)
    spool: "_Spool | None" = field(default=None, repr=False)  # the inputs' rows, while the run lasts

    def count(self, status: str) -> int:
        return sum(1 for f in self.inputs if f.status == status)

    @property
    def unbalanced(self) -> list[Output]:
        return [o for o in self.outputs if not o.control.balanced]

    def exit_code(self, strict: bool | None = None) -> int:
        strict = self.strict if strict is None else strict
        if self.unbalanced:
            return 1
        if strict and any(f.status in ("excluded", "conflict") for f in self.inputs):
            return 1
        relevant = [f for f in self.inputs if f.status not in ("skipped", "filtered")]
        if relevant and not self.outputs:
            return 1  # inputs, but nothing could be rolled up
        return 0

    def summary(self, strict: bool | None = None) -> dict:
        """The run as data (``--format json`` and ``aggregate-summary.json``); stable key order."""
        totals = []
        for o in self.outputs:
            if o.form == "KRM-4":
                t = o.submission.totals()
                totals.append({"period": o.period, "programme": o.programme, "basis": o.basis,
                               "regions": len(o.submission.regions),
                               "projects_planned": sum(r.projects_planned for r in o.submission.regions),
                               "projects_done": sum(r.projects_done for r in o.submission.regions),
                               **_jsonable(t)})
        plans = [{"year": o.period, "programme": o.programme, "regions": len(o.submission.regions),
                  "projects_planned": sum(r.projects_planned for r in o.submission.regions),
                  "plan": o.submission.totals()["plan"], "allocated": str(o.submission.totals()["allocated"])}
                 for o in self.outputs if o.form == "KRM-5-plan"]
        return {
            "dir": self.dir.name,
            "period": self.period,
            "programme": self.programme,
            "files": {"read": len(self.inputs), "accepted": self.count("accepted"),
                      "excluded": self.count("excluded"), "conflict": self.count("conflict"),
                      "superseded": self.count("superseded"), "skipped": self.count("skipped"),
                      "filtered": self.count("filtered")},
            "conflicts": [{"key": c.key, "files": c.files, "kept": c.kept, "reason": c.reason}
                          for c in self.conflicts],
            "missing_districts": sum(len(c.missing) for c in self.completeness if c.form == "KRM-2"),
            "missing_districts_plans": sum(len(c.missing) for c in self.completeness if c.form == "KRM-1"),
            "missing_regions": sum(len(c.missing) for c in self.completeness
                                   if c.form == "KRM-3" and c.programme == (self.programme or "")),
            "completeness": [{"form": c.form, "period": c.period, "programme": c.programme, "region": c.region,
                              "expected": c.expected, "received": c.received, "percent": c.percent,
                              "missing": c.missing, "not_counted": c.not_counted} for c in self.completeness],
            "totals": totals,
            "plan_totals": plans,
            "outputs": [{"file": o.rel, "form": o.form, "period": o.period, "programme": o.programme,
                         "region": o.region, "basis": o.basis, "inputs": len(o.inputs),
                         "rows": o.control.output_total.rows, "totals": _jsonable(o.control.output_total.values()),
                         "balanced": o.control.balanced, "problems": o.control.problems}
                        for o in self.outputs],
            "inputs": [{"file": f.rel, "form": f.form, "status": f.status, "note": f.note, **f.header(),
                        "errors": f.errors, "warnings": f.warnings,
                        **({"totals": _jsonable(f.submission.totals())} if f.submission is not None else {}),
                        "findings": [_finding_dict(x) for x in f.findings[:50]] if f.status == "excluded" else []}
                       for f in self.inputs],
            "notes": self.notes,
            "exit_code": self.exit_code(strict),
        }


def _jsonable(d: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in d.items()}


def _finding_dict(f) -> dict:
    try:
        d = f.to_dict()
    except Exception:  # noqa: BLE001 - a finding code missing from the catalogue must not break the summary
        d = {"code": getattr(f, "code", "?"), "severity": getattr(f, "severity", "?"), "cell": getattr(f, "cell", None),
             "message": str(getattr(f, "code", ""))}
    d.pop("file", None)
    return d


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
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# ------------------------------------------------------------------ the spool: input rows on disk
_ROW_FIELDS = tuple(f.name for f in fields(ProjectRow))
_ROW_VALUES = operator.attrgetter(*_ROW_FIELDS)


class _Spool:
    """A temporary folder holding the counted inputs' project rows while the run lasts.

    Each reading worker appends to a file of its own (``rows-*.bin``: one file per process,
    not per input, so a month costs two files, not 3,000); an input's ``spool`` is
    (file name, offset, length) of its pickled rows there.
    """

    def __init__(self, directory: Path | None = None):
        self.dir = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="krm-aggregate-"))

    def remove(self) -> None:
        for key in [k for k in _SPOOL_FILES if k[1] == str(self.dir)]:  # files this process wrote, if any
            try:
                os.close(_SPOOL_FILES.pop(key)[0])
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self, f: InputFile) -> list[ProjectRow]:
        """The project rows of ``f``, as its Submission had them."""
        if not f.spool:
            return []
        name, offset, length = f.spool
        with open(self.dir / name, "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
        if len(data) != length:
            raise OSError(f"{name}: the temporary rows of {f.rel} are incomplete")
        return [ProjectRow(*t) for t in pickle.loads(data)]


_SPOOL_FILES: dict = {}  # (pid, folder) -> [fd, name, size]: this process's spool file


def _spool_rows(directory: str, rows: list[ProjectRow]) -> tuple[str, int, int]:
    """Append ``rows`` to this process's spool file (in a reading worker); returns (name, offset, length)."""
    data = pickle.dumps([_ROW_VALUES(r) for r in rows], protocol=pickle.HIGHEST_PROTOCOL)
    key = (os.getpid(), directory)
    f = _SPOOL_FILES.get(key)
    if f is None:  # a new file of this process's own (mkstemp: never one another process had)
        fd, path = tempfile.mkstemp(prefix="rows-", suffix=".bin", dir=directory)
        f = _SPOOL_FILES[key] = [fd, os.path.basename(path), 0]
    fd, name, offset = f
    view = memoryview(data)
    while view:  # a regular file takes it all at once; a short write (a signal) is continued
        view = view[os.write(fd, view):]
    f[2] = offset + len(data)
    return name, offset, len(data)


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
    elif form in ("KRM-2", "KRM-3") and rollup.region_of(sub) is None:
        r.status, r.note = "excluded", "no region in the header"
    elif form in ("KRM-2", "KRM-3") and rollup.region_of(sub) not in {
            x.kato for x in reference.regions(_on(sub.period))}:
        r.status, r.note = "excluded", f"region {rollup.region_of(sub)} did not exist in {sub.period}"
    elif not sub.programme:
        r.status, r.note = "excluded", "no programme in the header"
    if r.status == "excluded":
        r.findings = findings  # only an excluded file's findings are reported (summary, control sheets)
    return r


def _reducer(spool_dir: str | None, period: str | None, programme: str | None):
    """The ``reduce`` hook of validate_paths: classify and digest each file, spool the rows of counted ones."""

    def reduce(rep) -> _Read:
        sub = rep.submission
        r = _classify(rep.form, rep.findings, sub, period, programme)
        r.submission = rollup.digest(sub) if sub is not None else None
        if spool_dir and r.status == "accepted" and sub.projects:
            try:
                r.spool = _spool_rows(spool_dir, sub.projects)
            except OSError as e:
                r.spool_error = e.strerror or str(e)
        return r
    return reduce


# ------------------------------------------------------------------ the pipeline
def collect(directory: Path, *, period: str | None = None, programme: str | None = None, jobs: int | None = None,
            progress=None, today: dt.date | None = None, spool: _Spool | None = None,
            cache: bool | None = None, register=None) -> list[InputFile]:
    """Find, validate and classify every workbook under ``directory`` (statuses accepted/excluded/skipped/filtered).

    ``register`` (an open :class:`krm.register.Register`, with a ``period``): instead of a folder, the
    current accepted (or confirmed) version of every submission the register holds for the period (and
    the KRM-1 plans of its year), rebuilt from the stored rows; each is named by the path it was seen at.

    ``progress(done, total)`` is called after each file is validated.  Each file is classified and
    digested in the worker that read it: its ``submission`` is a :class:`krm.rollup.Digest`, its
    ``findings`` are kept only if it is excluded, and the rows of accepted files go to ``spool``
    (without one, they are not kept and no KRM-3 can be built).
    """
    from krm.validate import FileReport, find_workbooks, validate_paths

    directory = Path(directory)
    if register is not None:
        subs = [sub for _, sub in register.submissions([period, period[:4]])]
        paths = [sub.path for sub in subs]
    else:
        paths = find_workbooks([directory])
    done = [0]

    def tick(_path, _report):
        done[0] += 1
        if progress is not None:
            progress(done[0], len(paths))

    reduce = _reducer(str(spool.dir) if spool is not None else None, period, programme)
    if register is not None:
        reports = [reduce(FileReport(sub.path, sub.form, [], sub, sub.lang)) for sub in subs]
    else:
        reports = validate_paths(paths, jobs=jobs, progress=tick, today=today, reduce=reduce,
                                 cache=cache) if paths else []
    if len(reports) != len(paths):
        raise RuntimeError(f"validation returned {len(reports)} reports for {len(paths)} files")
    out = []
    for p, rep in zip(paths, reports):
        if isinstance(rep, FileReport):  # its worker crashed: a one-finding report, not reduced
            rep = _classify(rep.form, rep.findings, None, period, programme)
        if rep.spool_error:
            raise AggregateUsageError(f"cannot write temporary files into {spool.dir}: {rep.spool_error}")
        f = InputFile(path=p, rel=_rel(p, directory), form=rep.form, status=rep.status, errors=rep.errors,
                      warnings=rep.warnings, findings=rep.findings, submission=_compact(rep.submission, p),
                      note=rep.note, spool=rep.spool)
        try:
            f.mtime = p.stat().st_mtime
        except OSError:
            f.mtime = 0.0
        out.append(f)
    return out


_SHARED: dict = {}


def _compact(d: rollup.Digest | None, path: Path) -> rollup.Digest | None:
    """The same digest, lighter to hold for a year of files: its path is the input's, repeated strings shared."""
    if d is None:
        return None
    d.path = path
    for k in ("form", "period", "programme", "region", "district", "basis", "lang"):
        v = getattr(d, k)
        if isinstance(v, str):
            setattr(d, k, _SHARED.setdefault(v, v))
    return d


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
        return p == period or (sub.form == "KRM-1" and p == period[:4])
    return True


def _unit_of(sub: Submission) -> str:
    return (sub.region or rollup.region_of(sub) or "") if sub.form == "KRM-3" else (sub.district or "")


def resolve_conflicts(files: list[InputFile], prefer: str | None = None) -> list[Conflict]:
    """Mark duplicate submissions: both 'conflict', or keep the newest with ``prefer='newest'``."""
    groups: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in files:
        if f.status == "accepted":
            s = f.submission
            groups[(s.form, _unit_of(s), s.programme or "", s.period)].append(f)
    conflicts = []
    for key in sorted(groups):
        fs = groups[key]
        if len(fs) < 2:
            continue
        kd = {"form": key[0], ("region" if key[0] == "KRM-3" else "district"): key[1], "programme": key[2],
              "period": key[3]}
        c = Conflict(key=kd, files=[f.rel for f in fs])
        if prefer == "newest":
            def age(f):
                m = f.submission.modified
                return (m or dt.datetime.min, f.mtime, f.rel)
            ranked = sorted(fs, key=age)
            kept = ranked[-1]
            c.kept = kept.rel
            how = ("document modified time" if kept.submission.modified and
                   age(kept)[0] != age(ranked[-2])[0] else
                   "file modified time" if kept.mtime != ranked[-2].mtime else "file path (all times equal)")
            c.reason = f"newest by {how}: kept {kept.rel}"
            for f in fs:
                if f is not kept:
                    f.status, f.note = "superseded", f"older duplicate of {kept.rel} (--prefer newest)"
            kept.note = f"newest of {len(fs)} duplicates (--prefer newest, by {how})"
        else:
            c.reason = "same unit, programme and period: neither counted (use --prefer newest to keep the newest)"
            for f in fs:
                f.status = "conflict"
                f.note = "duplicate of " + ", ".join(x.rel for x in fs if x is not f)
        conflicts.append(c)
    return conflicts


@lru_cache(maxsize=1024)
def _name_region(kato: str | None, lang: str, on) -> str:
    r = next((x for x in reference.all_regions() if x.kato == kato), None)
    return f"{r.name(lang)} ({kato})" if r else str(kato)


def _completeness(files: list[InputFile], lang: str, programme: str | None = None) -> list[Completeness]:
    """Reporting rates, as DHIS2's reporting-rate report: expected, received, %, who sent nothing.

    * Districts, per (period, region) over all programmes (``programme=""``; or the one of
      ``--programme``): the reference districts valid for the period are expected; a district is
      received when at least one of its KRM-2 (KRM-1 for plans) was counted.  The reference has no
      list of which district runs which programme, so "sent nothing" is per district, not per
      programme.  Regions are those with at least one file of that period.
    * Regions, per (period, programme) (``form="KRM-3"``, for the KRM-4/5 control sheets) and per
      period over all programmes (``programme=""``, for the summary).
    """
    out = []
    live = [f for f in files if f.submission is not None and f.status not in ("skipped", "filtered")]
    scope = programme or ""
    by_region: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in live:
        s = f.submission
        if s.form in ("KRM-1", "KRM-2") and rollup.region_of(s):
            by_region[(s.form, s.period, rollup.region_of(s))].append(f)
    for (form, period, region) in sorted(by_region):
        fs = by_region[(form, period, region)]
        on = f"{period}-01" if len(period) == 4 else period
        expected = reference.districts(region, on)
        counted = {f.submission.district for f in fs if f.counted}
        sent = {f.submission.district for f in fs}
        out.append(Completeness(
            form=form, period=period, programme=scope, region=region, expected=len(expected),
            received=sum(1 for d in expected if d.kato in counted),
            missing=[reference.district_label(d, lang) for d in expected if d.kato not in sent],
            not_counted=[reference.district_label(d, lang) for d in expected
                         if d.kato in sent and d.kato not in counted]))
    levels: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in live:
        s = f.submission
        if s.form in ("KRM-2", "KRM-3"):
            levels[(s.period, s.programme or "")].append(f)
            if not programme:
                levels[(s.period, "")].append(f)
    for (period, prog) in sorted(levels):
        fs = levels[(period, prog)]
        expected = reference.regions(period)
        counted = {rollup.region_of(f.submission) for f in fs if f.counted}
        sent = {rollup.region_of(f.submission) for f in fs}
        out.append(Completeness(form="KRM-3", period=period, programme=prog, region=None,
                                expected=len(expected), received=sum(1 for r in expected if r.kato in counted),
                                missing=[f"{r.name(lang)} ({r.kato})" for r in expected if r.kato not in sent],
                                not_counted=[f"{r.name(lang)} ({r.kato})" for r in expected
                                             if r.kato in sent and r.kato not in counted]))
    return out


def _basis_groups(fs: list[InputFile], key) -> dict[tuple, list[InputFile]]:
    g: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in fs:
        g[key(f.submission) + (f.submission.basis or "cumulative",)].append(f)
    return g


def _suffix(basis: str) -> str:
    return "" if basis == "cumulative" else f".{basis}"


def compute(result: AggregateResult, *, check: bool = True) -> None:
    """Roll up the counted inputs of ``result`` into ``result.outputs`` (nothing is written).

    KRM-4/KRM-5 and the annual plan are summed from the inputs' digests here.  Each KRM-3 is
    built from its inputs' spooled rows in worker processes (:func:`_build_krm3`), which send
    back only its control totals: here with ``check`` (else its ``control`` stays None and
    :func:`write_outputs` builds, checks and writes it in one go, or :func:`check_krm3` does).
    """
    counted = [f for f in result.inputs if f.counted]
    k2 = [f for f in counted if f.form == "KRM-2"]
    k3 = [f for f in counted if f.form == "KRM-3"]
    k1 = [f for f in counted if f.form == "KRM-1"]

    # mixed bases within one (programme, period): outputs are split by basis and the analyst told
    bases: dict[tuple, set] = defaultdict(set)
    for f in k2 + k3:
        bases[(f.submission.period, f.submission.programme)].add(f.submission.basis or "cumulative")
    for (period, programme), b in sorted(bases.items()):
        if len(b) > 1:
            result.notes.append(f"{programme} {period}: inputs mix bases {sorted(b)}; they are never added: "
                                "each basis gets its own outputs (file names end in .month)")

    # KRM-2 -> KRM-3, per (period, programme, region, basis): built and checked in workers
    k3_made: dict[tuple, Output] = {}
    for key, fs in sorted(_basis_groups(k2, lambda s: (s.period, s.programme, rollup.region_of(s))).items()):
        period, programme, region, basis = key
        fs = sorted(fs, key=lambda f: (f.submission.district or "", f.rel))
        o = Output(form="KRM-3", period=period, programme=programme, basis=basis, region=region,
                   rel=f"{period}/KRM-3.{programme}.{region}{_suffix(basis)}.xlsx", submission=None, inputs=fs,
                   control=None)
        k3_made[key] = o
        result.outputs.append(o)
    if check:
        check_krm3(result)

    # a region that sent a KRM-3 and whose districts sent KRM-2: its own KRM-3 is counted at the programme level
    k3_keys = {(f.submission.period, f.submission.programme, rollup.region_of(f.submission),
                f.submission.basis or "cumulative") for f in k3}
    for key, o in sorted(k3_made.items()):
        if key in k3_keys:
            own = next(f for f in k3 if (f.submission.period, f.submission.programme,
                                         rollup.region_of(f.submission), f.submission.basis or "cumulative") == key)
            # the districts' totals: what their KRM-3 holds once it balances (its control proves that)
            a, b = own.submission.totals(), _sum_totals(o.inputs)
            same = "equal" if a == b else "DIFFERENT: " + ", ".join(
                f"{m} {a[m]} vs {b[m]}" for m in rollup.MEASURES if a[m] != b[m])
            result.notes.append(f"{key[1]} {key[0]} region {key[2]}: both the region's KRM-3 ({own.rel}) and its "
                                f"districts' KRM-2 arrived; KRM-4/5 count the KRM-3 only (totals {same})")

    # -> KRM-4 / KRM-5 per (period, programme, basis): a region's KRM-3 where it sent one, else its KRM-2
    level_in: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in k3:
        s = f.submission
        level_in[(s.period, s.programme, s.basis or "cumulative")].append(f)
    for f in k2:
        s = f.submission
        if (s.period, s.programme, rollup.region_of(s), s.basis or "cumulative") not in k3_keys:
            level_in[(s.period, s.programme, s.basis or "cumulative")].append(f)
    for key in sorted(level_in):
        period, programme, basis = key
        fs = sorted(level_in[key], key=lambda f: (rollup.region_of(f.submission) or "", f.form,
                                                  f.submission.district or "", f.rel))
        [sub] = rollup.programme_level_digests([f.submission for f in fs], rows=_rows_of(result, fs))
        ctl = rollup.control_totals([f.submission for f in fs], [sub], label=lambda s: _rel_of(s, fs))
        for form in ("KRM-4", "KRM-5"):
            result.outputs.append(Output(form=form, period=period, programme=programme, basis=basis, region=None,
                                         rel=f"{period}/{form}.{programme}{_suffix(basis)}.xlsx", submission=sub,
                                         inputs=fs, control=ctl))

    # KRM-1 -> annual plan summary (KRM-5 layout, plan figures)
    g1: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in k1:
        g1[(f.submission.period, f.submission.programme)].append(f)
    for (year, programme) in sorted(g1):
        fs = sorted(g1[(year, programme)], key=lambda f: (rollup.region_of(f.submission) or "",
                                                        f.submission.district or "", f.rel))
        [sub] = rollup.annual_plan_digests([f.submission for f in fs], rows=_rows_of(result, fs))
        ctl = rollup.control_totals([f.submission for f in fs], [sub], label=lambda s: _rel_of(s, fs))
        for form in ("KRM-4-plan", "KRM-5-plan"):
            result.outputs.append(Output(form=form, period=year, programme=programme, basis="plan",
                                         region=None, rel=f"{year}/{form}.{programme}.xlsx", submission=sub,
                                         inputs=fs, control=ctl))
    result.outputs.sort(key=lambda o: o.rel)


def _sum_totals(fs: list[InputFile]) -> dict:
    return {m: sum((f.submission.totals()[m] for f in fs), rollup.ZERO if m in ("allocated", "disbursed") else 0)
            for m in rollup.MEASURES}


def check_krm3(result: AggregateResult) -> None:
    """Build every KRM-3 not yet checked (in workers) and keep its control totals."""
    todo = [o for o in result.outputs if o.form == "KRM-3" and o.control is None]
    for o, (kind, value) in zip(todo, _in_workers(result, todo, _check_krm3)):
        _raise_for(result, kind, value)
        o.control = value


def _raise_for(result: AggregateResult, kind: str, value) -> None:
    if kind == "rollup":
        raise rollup.RollupError(value)
    if kind == "oserror-spool":
        raise AggregateUsageError(f"cannot read the temporary files in {result.spool.dir}: {value}")


def _rows_of(result: AggregateResult, fs: list[InputFile]):
    """``rows(digest)`` for the roll-ups: the spooled rows of the input whose digest it is."""
    by_id = {id(f.submission): f for f in fs}

    def rows(d) -> list[ProjectRow]:
        return result.spool.rows(by_id[id(d)]) if result.spool is not None else []
    return rows


def _build_krm3(o: Output, result: AggregateResult) -> tuple[Submission, rollup.Control]:
    """The KRM-3 of ``o`` from its inputs' spooled rows, and its control totals against their digests."""
    fs = o.inputs
    subs = [rollup.header_of(f.submission, result.spool.rows(f) if result.spool is not None else [])
            for f in fs]
    [sub] = rollup.krm3_from_krm2(subs)
    ctl = rollup.control_totals([f.submission for f in fs], [sub], label=lambda s: _rel_of(s, fs))
    return sub, ctl


def _check_krm3(o: Output, result: AggregateResult):
    """In a worker: build the KRM-3 and send back only its control (or a refusal of the roll-up)."""
    try:
        return "ok", _build_krm3(o, result)[1]
    except rollup.RollupError as e:
        return "rollup", str(e)
    except OSError as e:
        return "oserror-spool", e.strerror or str(e)


def _in_workers(result: AggregateResult, outputs: list[Output], task) -> list:
    """``task(output, result)`` for every output, in forked worker processes (``result.jobs``; 1: here).

    Each output is independent and ``task`` returns something small, so the results, and the
    files written, do not depend on the number of workers.  A worker gets each of its outputs
    as one pickled blob (the output, its inputs, the files and completeness rows of its control
    sheet) and does not touch the inherited per-file records: touching them would copy their
    memory pages into every worker (copy-on-write), which for a year of files is most of the
    memory.  A worker that fails is an error of the run (these are krm's own computations on
    checked inputs, not untrusted files).
    """
    import gc

    from krm.pool import run_isolated

    if not outputs:
        return []
    jobs = result.jobs if result.jobs is not None else min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(outputs) == 1:
        items, func = outputs, (lambda o: task(o, result))
    else:
        _not_counted(result)
        items = [pickle.dumps((o, [f for f in _not_counted(result) if _belongs(f, o)],
                               [c for c in result.completeness if _completeness_belongs(c, o)]),
                              protocol=pickle.HIGHEST_PROTOCOL) for o in outputs]

        def func(blob: bytes):
            o, nc, comp = pickle.loads(blob)
            view = AggregateResult(dir=result.dir, out=result.out, lang=result.lang, inputs=nc, completeness=comp,
                                   period=result.period, programme=result.programme, strict=result.strict,
                                   jobs=result.jobs, spool=result.spool)
            return task(o, view)
    # what exists now lives until the end of the run: keep the collector off it, here and in the forked
    # workers (a full collection would otherwise walk, and copy, every inherited object again and again)
    gc.freeze()
    try:
        results = run_isolated(func, items, jobs=jobs, mem_limit_mb=None, timeout_s=None, chunksize=1,
                               isolate=jobs > 1 and len(outputs) > 1)
    finally:
        gc.unfreeze()
    out = []
    for _item, ok, res in results:
        if not ok:
            raise RuntimeError(f"a roll-up worker failed: {res}")
        out.append(res)
    return out


def _rel_of(sub: Submission, fs: list[InputFile]) -> str:
    return next((f.rel for f in fs if f.submission is sub), str(sub.path))


def aggregate(directory: Path, out: Path | None = None, *, period: str | None = None, programme: str | None = None,
              prefer: str | None = None, lang: str = "kk", body: str | None = None, force: bool = False,
              strict: bool = False, signature: dict | None = None,
              jobs: int | None = None, progress=None, today: dt.date | None = None, write: bool = True,
              cache: bool | None = None, register=None) -> AggregateResult:
    """The whole `krm aggregate` run; raises :class:`AggregateUsageError` for exit-2 conditions.

    ``write=False`` computes everything (for ``--dry-run`` and tests) without touching the disk.
    ``register``: roll up what an open register holds as accepted for ``period`` (``directory`` then only
    names the run; see :func:`collect`).
    """
    directory = Path(directory)
    if register is not None:
        if not period or len(period) != 7:
            raise AggregateUsageError("--from-register needs --period YYYY-MM")
        if out is None:
            raise AggregateUsageError("--from-register needs --out (there is no input folder to write beside)")
    elif not directory.is_dir():
        raise AggregateUsageError(f"{directory}: not a folder")
    out = Path(out) if out is not None else default_out(directory)
    if _inside(out, directory):
        raise AggregateUsageError(f"output folder {out} is inside the input folder {directory}; "
                                  "choose another --out (inputs are never mixed with outputs)")
    if period and not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", period):
        raise AggregateUsageError(f"--period {period!r}: use YYYY-MM (or YYYY for KRM-1 plans)")
    if prefer not in (None, "newest"):
        raise AggregateUsageError(f"--prefer {prefer!r}: the only choice is 'newest'")
    if lang not in ("kk", "ru"):
        raise AggregateUsageError(f"--lang {lang!r}: use kk or ru")
    if programme:
        p = reference.programme(programme)
        if p is None:
            raise AggregateUsageError(f"unknown programme {programme!r}; known: "
                                      + ", ".join(x.code for x in reference.programmes(None)))
        programme = p.code
    spool = _Spool()
    try:
        files = collect(directory, period=period, programme=programme, jobs=jobs, progress=progress, today=today,
                        spool=spool, cache=cache, register=register)
        result = AggregateResult(dir=directory, out=out, lang=lang, inputs=files, period=period,
                                 programme=programme, strict=strict, jobs=jobs, spool=spool)
        result.conflicts = resolve_conflicts(files, prefer)
        result.completeness = _completeness(files, lang, programme)
        gated = strict and any(f.status in ("excluded", "conflict") for f in files)
        write = write and not gated
        compute(result, check=not write)  # when writing, each KRM-3 is built once: checked, then written
        if gated:
            result.notes.append("--strict: files were excluded or in conflict, so nothing was written")
        if write:
            write_outputs(result, body=body, force=force, signature=signature)
        result.spool = None
        return result
    finally:
        spool.remove()


# ------------------------------------------------------------------ writing
UI = {
    "control": T("Бақылау", "Контроль", "Control"),
    "grouped": T("Топтар бойынша", "По группам", "Grouped"),
    "note": T("Ескертпе", "Примечание", "Note"),
    "file": T("Файл", "Файл", "File"),
    "form": T("Нысан", "Форма", "Form"),
    "region": T("Өңір", "Регион", "Region"),
    "district": T("Аудан / қала", "Район / город", "District / city"),
    "rows": T("Жолдар", "Строк", "Rows"),
    "plan": T("Жұмыс орындары, жоспар", "Рабочие места, план", "Jobs plan"),
    "fact": T("Жұмыс орындары, факт", "Рабочие места, факт", "Jobs fact"),
    "allocated": T("Бөлінген (млн теңге)", "Выделено (млн тенге)", "Allocated (mln tenge)"),
    "disbursed": T("Игерілген (млн теңге)", "Освоено (млн тенге)", "Disbursed (mln tenge)"),
    "status": T("Күйі", "Статус", "Status"),
    "inputs_total": T("Кіріс файлдарының жиыны", "Итого по входным файлам", "Inputs total"),
    "output_total": T("Осы жұмыс кітабының жиыны", "Итого в этой книге", "This workbook's total"),
    "difference": T("Айырма", "Разница", "Difference"),
    "balanced": T("Теңгерілген", "Сходится", "Balanced"),
    "yes": T("ИӘ", "ДА", "YES"),
    "no": T("ЖОҚ", "НЕТ", "NO"),
    "not_counted": T("Есепке алынбаған файлдар", "Файлы, не включённые в свод", "Files not counted"),
    "reason": T("Себебі", "Причина", "Reason"),
    "completeness": T("Толықтығы", "Полнота", "Completeness"),
    "expected": T("Күтілген", "Ожидалось", "Expected"),
    "received": T("Алынған", "Получено", "Received"),
    "percent": T("%", "%", "%"),
    "missing": T("Жібермегендер", "Не представили", "Missing"),
    "subtotal": T("Жиыны", "Итого", "Subtotal"),
    "project": T("Жобаның атауы", "Наименование проекта", "Project name"),
    "bin": T("БСН (ЖСН)", "БИН (ИИН)", "BIN (IIN)"),
}

STATUS = {
    "accepted": T("есепке алынды", "включён", "counted"),
    "excluded": T("қатесі бар, алынып тасталды", "исключён: ошибки", "excluded: errors"),
    "conflict": T("қайталанған, есепке алынбады", "дубликат, не включён", "duplicate: not counted"),
    "superseded": T("ескі қайталама", "устаревший дубликат", "older duplicate"),
}

PLAN_NOTE_4 = T(
    "ЖОСПАР (КРМ-1, Қағидалардың 12.1-тармағы): бұл жинақ КРМ-4 нысанының үлгісімен берілген: 3-баған — "
    "жоспарланған жобалар саны, 5-баған — бөлінген сома (РБ + ЖБ), 7-баған — жоспарланған жұмыс орындары; "
    "4, 6, 8-бағандар (факт) бос. Кезең — жоспарланған жылдың желтоқсаны.",
    "ПЛАН (КРМ-1, пункт 12.1 Правил): свод дан по макету формы КРМ-4: графа 3 — количество планируемых "
    "проектов, графа 5 — выделенная сумма (РБ + МБ), графа 7 — плановое количество рабочих мест; графы 4, 6, 8 "
    "(факт) пусты. Период — декабрь планового года.",
    "PLAN (KRM-1, Rule 12.1): this summary uses the KRM-4 layout: column 3 planned projects, column 5 the "
    "allocated budget (republican + local), column 7 planned jobs; columns 4, 6 and 8 (facts) are empty. "
    "Period: December of the plan year.")

PLAN_NOTE = T(
    "ЖОСПАР (КРМ-1, Қағидалардың 12.1-тармағы): бұл жинақ КРМ-5 нысанының үлгісімен берілген, бірақ 3-баған "
    "жоспарланған жұмыс орындарының жалпы санын, 4-12-бағандар экономикалық қызмет түрлері бойынша жоспарды "
    "көрсетеді (факт емес). Кезең — жоспарланған жылдың желтоқсаны (жыл басынан бері жинақталған).",
    "ПЛАН (КРМ-1, пункт 12.1 Правил): свод дан по макету формы КРМ-5, но графа 3 — плановое количество рабочих "
    "мест, графы 4-12 — план по видам экономической деятельности (не факт). Период — декабрь планового года "
    "(нарастающим итогом с начала года).",
    "PLAN (KRM-1, Rule 12.1): this summary uses the KRM-5 layout, but column 3 is the planned number of jobs and "
    "columns 4-12 the plan by economic activity (not facts). Period: December of the plan year (cumulative "
    "since January).")


def _header(o: Output, lang: str, body: str | None) -> dict:
    period = o.period if o.form not in PLAN_FORMS else f"{o.period}-12"
    p = reference.programme(o.programme, period) or reference.programme(o.programme)
    h = {"period": period, "programme": p.name(lang) if p else o.programme,
         "basis": "cumulative" if o.form in PLAN_FORMS else o.basis}
    if o.region:
        r = reference.region(o.region, period)
        h["region"] = r.name(lang) if r else o.region
    if o.form in ("KRM-4", "KRM-5") + PLAN_FORMS:
        short = p.short if p else o.programme
        h["body"] = body or T(f"«{short}» бағдарламасын іске асыруға жауапты орталық мемлекеттік орган",
                              f"Центральный государственный орган, ответственный за программу «{short}»",
                              f"Central state body responsible for «{short}»")(lang)
        if o.form in PLAN_FORMS:
            h["body"] += T(" — ЖОСПАР (КРМ-1 жинағы, Қағидалардың 12.1-тармағы)",
                           " — ПЛАН (свод КРМ-1, пункт 12.1 Правил)",
                           " — PLAN (KRM-1 summary, Rule 12.1)")(lang)
    return h


@lru_cache(maxsize=256)
def _activity_label(code: str, lang: str) -> str:
    a = next((x for x in reference.activities() if x.code == str(code)), None)
    return a.label(lang) if a else str(code)


@lru_cache(maxsize=4096)
def _district_label(kato: str | None, lang: str, period: str) -> str:
    d = reference.district(kato, None, period) if kato else None
    return reference.district_label(d, lang) if d else str(kato or "")


def _form_rows(o: Output, s: Submission, lang: str) -> list[dict]:
    if o.form == "KRM-3":
        return [{"activity": _activity_label(r.activity, lang), "project": r.project, "plan": r.plan,
                 "fact": r.fact, "allocated": r.allocated, "disbursed": r.disbursed,
                 "district": _district_label(r.district, lang, o.period), "bin": r.bin, "start": r.start,
                 "end": r.end} for r in s.projects]
    if o.form == "KRM-4":
        return [{"region": r.region, "projects_planned": r.projects_planned, "projects_done": r.projects_done,
                 "allocated": r.allocated, "disbursed": r.disbursed, "plan": r.plan, "fact": r.fact}
                for r in s.regions]
    if o.form == "KRM-5":
        return [{"region": r.region, "fact": r.fact, **{f"act{c}": n for c, n in r.by_activity.items()}}
                for r in s.regions]
    if o.form == "KRM-4-plan":  # column 3 planned projects, 5 planned budget (RB + LB), 7 planned jobs
        return [{"region": r.region, "projects_planned": r.projects_planned, "allocated": r.allocated,
                 "plan": r.plan} for r in s.regions]
    # annual plan in the KRM-5 layout: column 3 = planned jobs, 4-12 = plan by activity
    return [{"region": r.region, "fact": r.plan, **{f"act{c}": n for c, n in r.by_activity.items()}}
            for r in s.regions]


def _num(v):
    return float(v) if isinstance(v, Decimal) else v


def _control_sheet(o: Output, result: AggregateResult) -> list[list]:
    lang = result.lang
    L = lambda k: f"{UI[k](lang)} / {UI[k]('en')}" if lang != "en" else UI[k]("en")  # noqa: E731
    head = [L("file"), L("form"), L("region"), L("district"), L("rows"), L("plan"), L("fact"), L("allocated"),
            L("disbursed"), L("status")]
    table: list[list] = [head]
    ctl = o.control
    for f, line in zip(o.inputs, ctl.inputs):
        table.append([f.rel, f.form, _name_region(line.region, lang, o.period) if line.region else "",
                      _district_label(line.district, lang, o.period) if line.district else "", line.rows,
                      line.plan, line.fact, _num(line.allocated), _num(line.disbursed),
                      f.note or STATUS["accepted"](lang)])
    table.append([])
    for label, t in ((L("inputs_total"), ctl.input_total), (L("output_total"), ctl.output_total)):
        table.append([label, "", "", "", t.rows, t.plan, t.fact, _num(t.allocated), _num(t.disbursed), ""])
    d = [getattr(ctl.input_total, m) - getattr(ctl.output_total, m) for m in rollup.MEASURES]
    table.append([L("difference"), "", "", "", ctl.input_total.rows - ctl.output_total.rows, d[0], d[1],
                  _num(d[2]), _num(d[3]), ""])
    table.append([L("balanced"), (UI["yes"] if ctl.balanced else UI["no"])(lang)] +
                 (["; ".join(ctl.problems)] if ctl.problems else []))
    # files of this output's group that were not counted, and unreadable files that may belong here
    nc = [f for f in _not_counted(result) if _belongs(f, o)]
    if nc:
        table += [[], [L("not_counted")], [L("file"), L("form"), L("status"), L("reason")]]
        for f in nc:
            table.append([f.rel, f.form or "?", STATUS.get(f.status, T(f.status, f.status, f.status))(lang), f.note])
            if f.status == "excluded":
                for x in [x for x in f.findings if x.severity == "error"][:10]:
                    table.append(["", "", x.code, _finding_line(x)])
    if o.form in PLAN_FORMS:
        table += [[], [(PLAN_NOTE_4 if o.form == "KRM-4-plan" else PLAN_NOTE)(lang)]]
    comp = [c for c in result.completeness if _completeness_belongs(c, o)]
    if comp:
        table += [[], [L("completeness")], [L("region"), L("form"), L("expected"), L("received"), L("percent"),
                                             L("missing"), L("not_counted")]]
        for c in comp:
            table.append([_name_region(c.region, lang, c.period) if c.region else "", c.form, c.expected, c.received,
                          c.percent, "; ".join(c.missing), "; ".join(c.not_counted)])
    return table


def _not_counted(result: AggregateResult) -> list[InputFile]:
    """The inputs left out (errors, conflicts, older duplicates), in input order.

    Found once per run (statuses are final once conflicts are resolved), not once per output.
    """
    cached = result.__dict__.get("_not_counted")
    if cached is None:
        cached = result.__dict__["_not_counted"] = [f for f in result.inputs
                                                    if f.status in ("excluded", "conflict", "superseded")]
    return cached


def _belongs(f: InputFile, o: Output) -> bool:
    s = f.submission
    if s is None:
        return True  # unreadable: its header is unknown, so it is listed on every control sheet
    if o.form in PLAN_FORMS:
        return s.form == "KRM-1" and s.period == o.period and (s.programme or "") == o.programme
    if s.form == "KRM-1" or s.period != o.period or (s.programme or "") != o.programme:
        return False
    if o.form == "KRM-3":
        return s.form == "KRM-2" and rollup.region_of(s) == o.region
    return True


def _completeness_belongs(c: Completeness, o: Output) -> bool:
    if o.form in PLAN_FORMS:
        return c.form == "KRM-1" and c.period == o.period
    if c.period != o.period:
        return False
    if o.form == "KRM-3":
        return c.form == "KRM-2" and c.region == o.region
    return c.form == "KRM-2" or (c.form == "KRM-3" and c.programme == o.programme)


def _grouped_sheet(o: Output, sub: Submission, lang: str) -> list[list]:
    """KRM-3 as the form prints it: the nine activity headings, each with its projects and subtotal."""
    head = ["№", UI["project"](lang), UI["district"](lang), UI["bin"](lang), UI["plan"](lang), UI["fact"](lang),
            UI["allocated"](lang), UI["disbursed"](lang)]
    table = [head]
    rows = sub.projects
    codes = [a.code for a in reference.activities()]
    codes += sorted({r.activity for r in rows} - set(codes))
    by_code: dict[str, list] = defaultdict(list)
    for r in rows:
        by_code[r.activity].append(r)
    for code in codes:
        rs = by_code.get(code, [])
        table.append([f"{code}.", _activity_label(code, lang), "", "", sum(r.plan for r in rs),
                      sum(r.fact for r in rs), _num(sum((r.allocated for r in rs), Decimal(0))),
                      _num(sum((r.disbursed for r in rs), Decimal(0)))])
        for i, r in enumerate(rs, start=1):
            table.append([f"{code}.{i}", r.project, _district_label(r.district, lang, o.period), r.bin or "",
                          r.plan, r.fact, _num(r.allocated), _num(r.disbursed)])
    t = sub.totals()
    table.append([forms.TOTAL("kk") if lang == "kk" else forms.TOTAL(lang), "", "", "", t["plan"], t["fact"],
                  _num(t["allocated"]), _num(t["disbursed"])])
    return table


def _write_one(o: Output, result: AggregateResult, body: str | None, signature: dict | None = None,
               sub: Submission | None = None):
    """``writer(tmp)`` for ``o`` (``sub``: the built KRM-3, whose rows ``o`` does not keep)."""
    from krm.workbook.writer import write_form

    lang = result.lang
    sub = sub if sub is not None else o.submission
    spec = forms.get(o.form.replace("-plan", ""))
    header = _header(o, lang, body)
    extra = [(UI["control"](lang), _control_sheet(o, result))]
    if o.form == "KRM-3":
        extra.insert(0, (UI["grouped"](lang), _grouped_sheet(o, sub, lang)))
    if o.form in PLAN_FORMS:
        note = PLAN_NOTE_4 if o.form == "KRM-4-plan" else PLAN_NOTE
        extra.insert(0, (UI["note"](lang), [[UI["note"](lang)], [note(lang)], [note("en")]]))

    def writer(tmp):
        write_form(tmp, spec, lang, header=header, rows=_form_rows(o, sub, lang), period=header["period"],
                   spare_rows=0, extra_sheets=extra, input_cells=False, signature=signature,
                   compress_level=COMPRESS_LEVEL)
    return writer


def _write_task(o: Output, result: AggregateResult, body, signature, force: bool):
    """In a worker: write one output atomically (a KRM-3 is rebuilt and re-checked first); a small status back."""
    from krm.workbook.writer import atomic_write

    sub = ctl = None
    if o.form == "KRM-3":  # built here from the spool, checked, and written only if it balances
        try:
            sub, ctl = _build_krm3(o, result)
        except rollup.RollupError as e:
            return "rollup", str(e)
        except OSError as e:
            return "oserror-spool", e.strerror or str(e)
        if not ctl.balanced:
            return "unbalanced", ctl
        o.control = ctl  # for its control sheet (the parent sets it too, from what is sent back)
    try:
        atomic_write(result.out / o.rel, _write_one(o, result, body, signature, sub), force=force)
        return "ok", ctl
    except FileExistsError as e:
        return "exists", str(e)
    except OSError as e:
        return "oserror", e.strerror or str(e)


def write_outputs(result: AggregateResult, *, body: str | None = None, force: bool = False,
                  signature: dict | None = None) -> None:
    """Write the balanced outputs and ``aggregate-summary.json``; refuses to overwrite unless ``force``.

    ``signature`` pre-fills the signature block (keys email, executor, phone, head).  The
    workbooks are written in worker processes (``result.jobs``), each to a temporary file
    renamed into place; nothing is written if any output exists and ``force`` is not set.
    """
    from krm.workbook.writer import atomic_write

    out = result.out
    todo = [o for o in result.outputs if o.control is None or o.control.balanced]  # None: a KRM-3 built below
    targets = [out / o.rel for o in todo] + [out / SUMMARY_NAME]
    if not force:
        existing = [t for t in targets if t.exists()]
        if existing and any(o.control is None for o in todo):
            check_krm3(result)  # an unbalanced output is never written, so it cannot be in the way: know which
            todo = [o for o in result.outputs if o.control.balanced]
            targets = [out / o.rel for o in todo] + [out / SUMMARY_NAME]
            existing = [t for t in targets if t.exists()]
        if existing:
            more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
            raise AggregateUsageError(f"{existing[0]} exists{more}; use --force to overwrite")
    try:
        for t in targets:
            t.parent.mkdir(parents=True, exist_ok=True)
        _not_counted(result)  # once, before the workers fork
        done = False
        try:
            statuses = _in_workers(result, todo, lambda o, view: _write_task(o, view, body, signature, force))
            done = True
        finally:
            if not done:  # interrupted: workers that were killed leave their temporary files behind
                _remove_temporaries(targets)
        failure = None
        for o, (kind, value) in zip(todo, statuses):
            _raise_for(result, kind, value)
            if kind == "ok":
                o.written = True
                o.control = value or o.control
            elif kind == "unbalanced":
                o.control = value
            elif failure is None:
                failure = (kind, value)
        if failure is not None:
            if failure[0] == "exists":
                raise FileExistsError(failure[1])
            raise OSError(failure[1])
        data = json.dumps(result.summary(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

        def write_json(tmp):
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(data)
        atomic_write(out / SUMMARY_NAME, write_json, force=force)
        mine = {out / o.rel for o in result.outputs} | {out / SUMMARY_NAME}
        stale = sorted(p for p in out.rglob("*.xlsx") if p not in mine and not p.name.startswith((".", "~$")))
        if stale:
            result.notes.append(f"{len(stale)} workbook(s) in {out} were not produced by this run "
                                f"(e.g. {stale[0].relative_to(out).as_posix()}); they are left as they are")
    except FileExistsError as e:
        raise AggregateUsageError(f"{e} exists; use --force to overwrite") from None
    except OSError as e:
        raise AggregateUsageError(f"cannot write into {out}: {e.strerror or e}") from None


def _remove_temporaries(targets: list[Path]) -> None:
    """Remove the temporary files (``.NAME.*.tmp``, see atomic_write) that interrupted writers left beside targets."""
    by_dir: dict[Path, set[str]] = defaultdict(set)
    for t in targets:
        by_dir[t.parent].add(t.name)
    for d, names in by_dir.items():
        try:
            entries = os.listdir(d)
        except OSError:
            continue
        for e in entries:
            if e.startswith(".") and e.endswith(".tmp") and e[1:].rsplit(".", 2)[0] in names:
                try:
                    os.unlink(d / e)
                except OSError:
                    pass
