"""Step 5: every balanced output written atomically (in worker processes) and aggregate-summary.json."""

from __future__ import annotations

import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from krm import forms, rollup
from krm.aggregate.compute import _build_krm3, _in_workers, _raise_for, check_krm3
from krm.aggregate.records import (COMPRESS_LEVEL, PLAN_FORMS, PLAN_LAYOUTS, SUMMARY_NAME, AggregateResult,
                                   AggregateUsageError, Output, write_json)
from krm.aggregate.sheets import UI, PLAN_NOTES, _control_sheet, _form_rows, _header, _not_counted
from krm.model import Submission


def _write_one(o: Output, result: AggregateResult, body: str | None, signature: dict | None = None,
               sub: Submission | None = None):
    """``writer(tmp)`` for ``o`` (``sub``: the built KRM-3, whose rows ``o`` does not keep)."""
    from krm.workbook.writer import write_form

    lang = result.lang
    sub = sub if sub is not None else o.submission
    spec = forms.get(PLAN_LAYOUTS[o.form][0] if o.form in PLAN_LAYOUTS else o.form)
    header = _header(o, lang, body)
    extra = [(UI["control"](lang), _control_sheet(o, result))]
    if o.form in PLAN_FORMS:
        note = PLAN_NOTES[o.form]
        extra.insert(0, (UI["note"](lang), [[UI["note"](lang)], [note(lang)], [note("en")]]))

    def writer(tmp):
        write_form(tmp, spec, lang, header=header, rows=_form_rows(o, sub, lang), period=header["period"],
                   spare_rows=0, extra_sheets=extra, input_cells=False, signature=signature,
                   compress_level=COMPRESS_LEVEL)
    return writer


def _quiet_unraisable(u) -> None:
    """A writer that failed on a full disk leaves zip objects whose finalizers fail again: one error is
    reported (the run's), not one "Exception ignored" block per object."""
    if isinstance(u.exc_value, OSError):
        return
    sys.__unraisablehook__(u)


def _write_task(o: Output, result: AggregateResult, body, signature, force: bool, into: Path | None = None):
    """In a worker: write one output atomically (a KRM-3 is rebuilt and re-checked first) into ``into``
    (the run's staging folder; default the output folder); a small status back."""
    from xlsxwriter.exceptions import XlsxWriterException

    from krm.workbook.writer import atomic_write

    sys.unraisablehook = _quiet_unraisable

    sub = ctl = None
    if forms.level(o.form) == "region":  # built here from the spool, checked, and written only if it balances
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
        target = (into or result.out) / o.rel
        atomic_write(target, _write_one(o, result, body, signature, sub), force=force)
        if result.memo is None:
            return "ok", (ctl, None, None)
        from krm.register.lite import sha256_file

        return "ok", (ctl, sha256_file(target), target.stat().st_size)  # what the memo records of it
    except FileExistsError as e:
        return "exists", str(e)
    except OSError as e:
        return "oserror", e.strerror or str(e)
    except XlsxWriterException as e:  # xlsxwriter wraps the OSError of a full disk in its own
        return "oserror", str(e.__context__.strerror if isinstance(e.__context__, OSError) else e)


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
    from krm.aggregate import memo
    from krm.outfolder import place, staging

    recipes = memo.unchanged(result, todo, body, signature)  # same recipe, same bytes on disk: left as they are
    todo = [o for o in todo if not o.written]
    written = []
    stage = None
    try:
        stage = staging(out)  # every output is written here, and placed only once all were written
        for o in todo:
            (stage / o.rel).parent.mkdir(parents=True, exist_ok=True)
        _not_counted(result)  # once, before the workers fork
        if todo:  # imported once here, not in each worker (~20 ms of CPU each)
            import xlsxwriter.workbook  # noqa: F401
        statuses = _in_workers(result, todo, lambda o, view: _write_task(o, view, body, signature, True, stage))
        failure = None
        for o, (kind, value) in zip(todo, statuses):
            _raise_for(result, kind, value)
            if kind == "ok":
                o.written = True
                o.control = value[0] or o.control
                written.append((o, value[1], value[2]))
            elif kind == "unbalanced":
                o.control = value
            elif failure is None:
                failure = (kind, value)
        if failure is not None:
            if failure[0] == "exists":
                raise FileExistsError(failure[1])
            raise OSError(failure[1])
        data = result.summary(lazy=True)  # each input's entry made as it is written: a year's are never all held

        def write_summary(tmp):
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                write_json(data, fh)
        atomic_write(stage / SUMMARY_NAME, write_summary, force=True)
        if not force:
            existing = [t for t in targets if t.exists()]
            if existing:
                raise FileExistsError(str(existing[0]))
        place(stage, out, [o.rel for o in todo if o.written] + [SUMMARY_NAME])
        stage = None
        if result.memo is not None:
            memo.record(result, written, recipes)
        mine = {out / o.rel for o in result.outputs} | {out / SUMMARY_NAME}
        stale = sorted(p for p in out.rglob("*.xlsx") if p not in mine and not p.name.startswith((".", "~$")))
        if stale:
            result.notes.append(f"{len(stale)} workbook(s) in {out} were not produced by this run "
                                f"(e.g. {stale[0].relative_to(out).as_posix()}); they are left as they are")
    except FileExistsError as e:
        raise AggregateUsageError(f"{e} exists; use --force to overwrite") from None
    except OSError as e:
        raise AggregateUsageError(f"cannot write into {out}: {e.strerror or e}; nothing was written") from None
    finally:
        if stage is not None:  # the run failed or was stopped: nothing of it is placed
            shutil.rmtree(stage, ignore_errors=True)


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
