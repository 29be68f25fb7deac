"""The records of a `krm aggregate` run: input files, conflicts, completeness, outputs, the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from krm import forms, rollup
from krm.model import ACT, Submission

if TYPE_CHECKING:
    from krm.aggregate.spool import _Spool

INPUT_FORMS = ("KRM-1", "KRM-2", "KRM-3")
#: the annual plan summary (Rule 12.1) in the programme forms' layouts: output -> (the form whose layout it
#: uses, {layout column: the plan figure it shows}); ``act`` stands for every activity column ``act<code>``,
#: which shows that activity's plan.  Columns not listed stay blank (the facts).
PLAN_LAYOUTS = {
    "KRM-4-plan": ("KRM-4", {"region": "region", "projects_planned": "projects_planned", "allocated": "allocated",
                             "plan": "plan"}),
    "KRM-5-plan": ("KRM-5", {"region": "region", "fact": "plan", ACT: ACT}),
}
PLAN_FORMS = tuple(PLAN_LAYOUTS)
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
    sha256: str | None = None  # of its bytes, when read through the register (what the outputs' memo records)
    reading_id: int | None = None  # its rows are the register's (not spooled): krm.remembered

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
    memo: object | None = field(default=None, repr=False)  # the register this run reads through (its outputs' memo)
    unchanged: int = 0  # outputs left as they were: same recipe, same bytes on disk (krm.aggregate.memo)
    found: object | None = field(default=None, repr=False)  # a run after edits: the workbooks read (answers.Found)

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

    def summary(self, strict: bool | None = None, *, lazy: bool = False) -> dict:
        """The run as data (``--format json`` and ``aggregate-summary.json``); stable key order.

        ``lazy``: its ``inputs`` is a :class:`LazyList` that makes each input's entry as it is iterated (a
        year's entries are never all in memory at once; :func:`write_json` streams them)."""
        totals = []
        for o in _once(o for o in self.outputs if forms.level(o.form) == "programme"):  # KRM-4 and 5 share it
                t = o.submission.totals()
                totals.append({"period": o.period, "programme": o.programme, "basis": o.basis,
                               "regions": len(o.submission.regions),
                               "projects_planned": sum(r.projects_planned for r in o.submission.regions),
                               "projects_done": sum(r.projects_done for r in o.submission.regions),
                               **_jsonable(t)})
        plans = [{"year": o.period, "programme": o.programme, "regions": len(o.submission.regions),
                  "projects_planned": sum(r.projects_planned for r in o.submission.regions),
                  "plan": o.submission.totals()["plan"], "allocated": str(o.submission.totals()["allocated"])}
                 for o in _once(o for o in self.outputs if o.form in PLAN_FORMS)]
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
            "missing_districts": sum(len(c.missing) for c in self.completeness if forms.kind(c.form) == "district"),
            "missing_districts_plans": sum(len(c.missing) for c in self.completeness if forms.yearly(c.form)),
            "missing_regions": sum(len(c.missing) for c in self.completeness
                                   if forms.level(c.form) == "region" and c.programme == (self.programme or "")),
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
            "inputs": LazyList(_input_entry, self.inputs) if lazy else [_input_entry(f) for f in self.inputs],
            "notes": self.notes,
            "exit_code": self.exit_code(strict),
        }


def _input_entry(f: InputFile) -> dict:
    """One input as the summary lists it."""
    return {"file": f.rel, "form": f.form, "status": f.status, "note": f.note, **f.header(),
            "errors": f.errors, "warnings": f.warnings,
            **({"totals": _jsonable(f.submission.totals())} if f.submission is not None else {}),
            "findings": [_finding_dict(x) for x in f.findings[:50]] if f.status == "excluded" else []}


class LazyList(list):
    """``[make(x) for x in items]`` made one element at a time as it is iterated (never stored).

    A list to :mod:`json`'s encoder (with ``indent``, the pure-Python one, which only iterates it), so
    ``json.dump(…, indent=2)`` writes the same bytes as for the plain list, element by element."""

    def __init__(self, make, items):
        super().__init__()
        self._make, self._items = make, items

    def __iter__(self):
        return (self._make(x) for x in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __getitem__(self, i):
        return [self._make(x) for x in self._items[i]] if isinstance(i, slice) else self._make(self._items[i])

    def __eq__(self, other):
        return list(self) == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"LazyList({len(self)} items)"


def write_json(data: dict, fh) -> None:
    """``data`` (from :meth:`AggregateResult.summary`, lazy or not) as indented JSON into ``fh``, with every
    string writable (:func:`krm.textsafe.clean`), piece by piece (a :class:`LazyList` element by element), and a
    final newline; the bytes are those of ``json.dumps(clean(data), ensure_ascii=False, indent=2) + "\n"``
    (:mod:`krm.aggregate.jsontext` encodes each piece, with json's C encoder)."""
    from krm.aggregate.jsontext import dumps, key

    if not data or not all(type(k) is str and k.isascii() for k in data):
        import json  # (the summary's names are ASCII; clean could merge others into one: json.dumps as it is)

        from krm.textsafe import clean

        fh.write(json.dumps(clean(data), ensure_ascii=False, indent=2) + "\n")
        return
    buf: list[str] = []
    size = 0
    for i, (k, v) in enumerate(data.items()):
        buf.append(("," if i else "{") + "\n  " + key(k) + ": ")
        if not isinstance(v, LazyList):
            buf.append(dumps(v, 1))
            continue
        first = True
        for item in v:
            text = dumps(item, 2)
            buf.append(("[\n    " if first else ",\n    ") + text)
            first = False
            size += len(text)
            if size > 1 << 16:
                fh.write("".join(buf))
                buf, size = [], 0
        buf.append("[]" if first else "\n  ]")
    buf.append("\n}\n")
    fh.write("".join(buf))


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


def _once(outputs):
    """Each roll-up once: the outputs that show the same submission in two layouts (KRM-4 and KRM-5, the
    plan's two) give one line, in output order."""
    seen: set[int] = set()
    for o in outputs:
        if id(o.submission) not in seen:
            seen.add(id(o.submission))
            yield o
