"""Step 0: what the report reads of every workbook under a folder (see :func:`load_inputs`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from krm import forms
from krm.intake.hint import form_hint as _form_hint
from krm.report.monthdata import FileSummary, Source, _displayer, _empty_row, _mtime, summarise
from krm.report.periods import INPUT_FORMS, ReportError, parse_month, report_periods
from krm.report.remembered import Inputs
from krm.report.selection import select


@dataclass
class _Bad:
    """A file that is unreadable or has errors: listed as excluded (built in the worker, a few hundred bytes)."""

    path: Path
    form: str
    period: str
    programme: str | None
    note: str

    def source(self, show) -> Source:
        return Source(path=show(self.path), form=self.form, period=self.period, programme=self.programme,
                      region=None, district=None, basis="",
                      totals={"plan": None, "fact": None, "allocated": None, "disbursed": None},
                      status="excluded", note=self.note)


class _Keep:
    """``validate_paths(reduce=...)``: what the report keeps of one validated file, computed in the worker.

    A :class:`FileSummary` for a valid KRM-2 … KRM-5 of a month the report uses (:func:`report_periods`) and
    for a KRM-1 of the year (its header says who planned jobs); a :class:`_Bad` for a file with errors or
    unreadable; ``None`` for anything else (other months, other forms): nothing of it is held."""

    def __init__(self, periods: frozenset[str], year: str):
        self.periods, self.year = periods, year

    def __call__(self, rep):
        sub = getattr(rep, "submission", None)
        if rep.errors or sub is None:
            first = next((f for f in rep.findings if f.severity == "error"), None)
            why = f"{rep.errors} errors" + (f" (first: {first.code} {first.message('en')})" if first else "")
            return _Bad(rep.path, rep.form or "?", getattr(sub, "period", "") or "",
                        getattr(sub, "programme", None), f"{why}; run krm validate on it")
        if (sub.form in INPUT_FORMS and sub.period in self.periods) or \
                (forms.yearly(sub.form) and str(sub.period) == self.year and sub.programme):
            return summarise(sub, getattr(rep, "digest", None))
        return None


class _WithSha:
    """A reducer's result with the SHA-256 of the bytes it was made of (None: read without the register)."""

    def __init__(self, keep: _Keep):
        self.keep = keep

    def __call__(self, rep):
        return getattr(rep, "sha256", None), self.keep(rep)


def _light_totals(rows) -> dict:
    """Submission.totals() of a KRM-3's data rows without building the rows: the same parsing as
    krm.convert (a blank or unreadable number counts as 0), the same sums in the same order."""
    from krm import values

    plan = fact = 0
    allocated = disbursed = Decimal(0)
    for r in rows:
        v = r.values
        n, _ = values.parse_int(v.get("plan"))
        plan += n if n is not None else 0
        n, _ = values.parse_int(v.get("fact"))
        fact += n if n is not None else 0
        d, _ = values.parse_money(v.get("allocated"))
        allocated += d if d is not None else Decimal(0)
        d, _ = values.parse_money(v.get("disbursed"))
        disbursed += d if d is not None else Decimal(0)
    return {"plan": plan, "fact": fact, "allocated": allocated, "disbursed": disbursed}


class _Light:
    """Read a KRM-3 for its header and control totals only — no rules, no rows kept — if a higher level
    covers its (period, programme, region), as its own header says; otherwise None (read it in full)."""

    def __init__(self, cover: set[tuple[str, str, str]]):
        self.cover = cover

    def __call__(self, path: Path) -> FileSummary | None:
        from krm import rollup
        from krm.convert import to_submission
        from krm.workbook.reader import ReadError, read

        try:
            pf = read(Path(path))
        except (ReadError, OSError):
            return None
        if pf.spec.level != "region" or pf.number_row is None:
            return None
        rows, pf.rows = pf.rows, []  # the header only: to_submission's own reading of it
        try:
            sub = to_submission(pf)
        except Exception:  # noqa: BLE001 - read it in full: validation will say what is wrong
            return None
        region = rollup.region_of(sub)
        if (sub.period, sub.programme, region) not in self.cover:
            return None
        return FileSummary(path=sub.path, form=sub.form, period=sub.period, programme=sub.programme, region=region,
                           header_region=sub.region, district=sub.district, basis=sub.basis, modified=sub.modified,
                           mtime=_mtime(sub.path),
                           totals=_light_totals(rows), checked=False)


def _covered(records) -> set[tuple[str, str, str]]:
    """(period, programme, region) that a non-empty KRM-4/5 row of the records speaks for."""
    cover = set()
    for r in records:
        if isinstance(r, FileSummary) and forms.level(r.form) == "programme":
            cover.update((r.period, r.programme, row.region) for row in r.regions if not _empty_row(row))
    return cover


def load_inputs(root: Path, month: str, quarter: str | None = None, *, jobs: int | None = None,
                prefer: str | None = None, cache: bool | None = None, light: bool = True,
                paths: list[Path] | None = None, identities=None) -> tuple[list[FileSummary], list[Source]]:
    """What the report needs of every workbook under ``root``: a :class:`FileSummary` of each valid KRM-2 …
    KRM-5 of the months it uses (:func:`report_periods`) and of each KRM-1 of the year, and an excluded
    :class:`Source` for each file that is unreadable or has errors (any month).  Nothing else of any file
    is held, and no file's rows: each is summarised in the worker that validated it.

    A KRM-3 is not validated for nothing when the programme's KRM-4/KRM-5 cover its region (as in
    ``krm aggregate``'s output, where the report uses KRM-4/5 and lists every KRM-3 as superseded):

    1. a hint of each file's form (its ``krm_form`` property, :func:`_form_hint`; a wrong hint costs time);
    2. every file but the KRM-3 is validated (``validate_paths``, ``reduce`` keeping the summary);
    3. a KRM-3 whose own header (read by the reader, not the hint) names a (period, programme, region) that
       a non-empty KRM-4/5 row covers is read for its header and totals only, without the rules
       (``checked=False``); every other KRM-3 is validated;
    4. any KRM-3 read that way that :func:`select` would do more with than list as *superseded* (use it,
       because the KRM-4/5 turn out to be excluded or duplicates, or weigh it against a duplicate) is then
       validated too, and the selection made again.

    So such a KRM-3 is listed as superseded with its own totals, exactly as before, unless it has errors:
    those are not looked for (it used to be listed as excluded for them; ``krm validate`` finds them).
    ``light=False`` (``--strict``) validates every file.  ``paths``: the workbooks under ``root`` as
    :func:`krm.intake.find_workbooks` gives them, when the caller has discovered them already; ``identities``: the
    file identities the run has read from the register so far (:class:`krm.report.memo.Identities`).
    """
    from krm.intake import find_workbooks

    root = Path(root)
    if not root.exists():
        raise ReportError(f"{root}: no such folder", 2)
    month = parse_month(month)
    periods = report_periods(month, quarter)
    run = _Run(root, periods, month[:4], find_workbooks([root]) if paths is None else list(paths), jobs, cache,
               identities)
    run.hint(light)  # 1.
    run.validate([p for p in run.paths if forms.level(run.hints.get(p)) != "region"])  # 2.
    run.validate(run.krm3_by_totals([p for p in run.paths if forms.level(run.hints.get(p)) == "region"]))  # 3.
    run.validate_needed(periods, prefer)  # 4.
    return run.finish()


class _Run:
    """One :func:`load_inputs`: each file's result as it is made (remembered in the register, validated, or a KRM-3
    read for its totals), the register's entries (:mod:`krm.report.remembered`) looked up first and saved last."""

    def __init__(self, root: Path, periods: frozenset[str], year: str, paths: list[Path], jobs: int | None,
                 cache: bool | None, identities=None):
        self.root, self.paths, self.jobs, self.cache = root, paths, jobs, cache
        self.keep = _Keep(periods, year)
        self.results: dict[Path, object] = {}
        # krm.report.remembered: only with a register to read and keep entries in (each file's stat is held till the
        # end of the run, 36,000 for a year: not for nothing when it is turned off)
        from krm.register.connect import turned_on

        self.mem = Inputs(root, periods, year, identities) if cache is not False and turned_on() else None
        self.known = self.mem.lookup(paths) if self.mem is not None else {}
        self.hints: dict[Path, str | None] = {}

    def hint(self, light: bool) -> None:
        """Each file's form hint (the remembered one where the register answers the file); none without ``light``."""
        if light:
            known = self.known
            self.hints = {p: known[p][0] if p in known else _form_hint(p) for p in self.paths}

    def validate(self, todo: list[Path]) -> None:
        """Each of ``todo``'s result: remembered, else validated (and remembered when it may be)."""
        from krm.validate import FileReport, validate_paths

        known, results, mem, keep = self.known, self.results, self.mem, self.keep
        results.update((p, known[p][1]) for p in todo if p in known)
        todo = [p for p in todo if p not in known]
        if not todo:
            return
        reduce = keep if mem is None else _WithSha(keep)
        for p, r in zip(todo, validate_paths(todo, jobs=self.jobs, reduce=reduce, cache=self.cache)):
            if isinstance(r, FileReport):  # a crashed worker's report
                results[p] = keep(r)
            elif mem is None:
                results[p] = r
            else:
                results[p] = r[1]
                if p in self.hints:
                    mem.keep(p, self.hints[p], r[0], r[1])

    def krm3_by_totals(self, todo: list[Path]) -> list[Path]:
        """Step 3: the KRM-3 of ``todo`` that a KRM-4/5 covers read for their header and totals only (in isolated
        workers); returns the others, to validate."""
        from krm.pool import run_isolated

        cover = _covered(self.results.values())
        if not cover or not todo:
            return todo
        import krm.convert  # noqa: F401 - imported once here, before the fork
        import krm.rollup  # noqa: F401
        import krm.workbook.reader  # noqa: F401

        full = []
        jobs = self.jobs if self.jobs is not None else min(os.cpu_count() or 1, 8)
        for p, ok, res in run_isolated(_Light(cover), todo, jobs=jobs, mem_limit_mb=1024, timeout_s=60, chunksize=4,
                                       isolate=True):
            if ok and isinstance(res, FileSummary):
                self.results[p] = res
            else:
                full.append(p)
        return full

    def validate_needed(self, periods: frozenset[str], prefer: str | None) -> None:
        """Step 4: validate the KRM-3 read for their totals that the selection would do more with, until none."""
        results = self.results
        while any(isinstance(r, FileSummary) and not r.checked for r in results.values()):
            summaries = [r for r in results.values() if isinstance(r, FileSummary)]
            needs: set[Path] = set()
            for period in sorted(periods):
                try:
                    needs.update(select(summaries, period, self.root, prefer=prefer).needs_check)
                except ReportError:  # only raised once nothing needs reading; build() raises it where it matters
                    pass
            if not needs:
                break
            self.validate([p for p in self.paths if p in needs])

    def finish(self) -> tuple[list[FileSummary], list[Source]]:
        """The register's new entries saved; the summaries and the excluded files' sources, in discovery order."""
        if self.mem is not None:
            self.mem.save()
        show = _displayer(self.root)
        ordered = [self.results[p] for p in self.paths]
        return ([r for r in ordered if isinstance(r, FileSummary)],
                [r.source(show) for r in ordered if isinstance(r, _Bad)])
