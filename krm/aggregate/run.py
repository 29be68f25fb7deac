"""The whole `krm aggregate` run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from krm import reference
from krm.aggregate.collect import _inside, collect, default_out
from krm.aggregate.compute import compute
from krm.aggregate.conflicts import _completeness, resolve_conflicts
from krm.aggregate.outputs import write_outputs
from krm.aggregate.records import AggregateResult, AggregateUsageError
from krm.aggregate.spool import _Spool


def aggregate(directory: Path, out: Path | None = None, *, period: str | None = None, programme: str | None = None,
              prefer: str | None = None, lang: str = "kk", body: str | None = None, force: bool = False,
              strict: bool = False, signature: dict | None = None,
              jobs: int | None = None, progress=None, today: dt.date | None = None, write: bool = True,
              cache: bool | None = None, register=None, found=None) -> AggregateResult:
    """The whole `krm aggregate` run; raises :class:`AggregateUsageError` for exit-2 conditions.

    ``write=False`` computes everything (for ``--dry-run`` and tests) without touching the disk.
    ``register``: roll up what an open register holds as accepted for ``period`` (``directory`` then only
    names the run; see :func:`krm.aggregate.collect.collect`).  ``found``: the workbooks under ``directory`` as
    the stored answer's look-up found them a moment before (:class:`krm.register.answers.Found`; None: not found),
    so a run after edits does not find them again.  After a run after edits,
    ``result.found``: the workbooks it read (:meth:`krm.register.answers.Recorder.finish`).
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
    if period:
        from krm.values import month_arg

        try:
            period = month_arg(period, year_too=True)
        except ValueError as e:
            raise AggregateUsageError(f"--period: {e}") from None
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
    if not write:
        return _run(directory, out, period, programme, prefer, lang, body, force, strict, signature, jobs, progress,
                    today, write, cache, register, found)
    from krm.outfolder import FolderInUse, claimed

    try:
        lock = claimed(out)
        lock.__enter__()
    except FolderInUse as e:
        raise AggregateUsageError(str(e)) from None
    except OSError as e:
        raise AggregateUsageError(f"cannot write into {out}: {e.strerror or e}") from None
    try:
        return _run(directory, out, period, programme, prefer, lang, body, force, strict, signature, jobs, progress,
                    today, write, cache, register, found)
    finally:
        lock.__exit__(None, None, None)


def _run(directory, out, period, programme, prefer, lang, body, force, strict, signature, jobs, progress, today,
         write, cache, register=None, found=None) -> AggregateResult:
    from krm.validate import _open_register

    spool = _Spool()
    spliced = None
    if register is None and cache is not False:  # the register holds every input: read without SQLAlchemy
        from krm.aggregate.splice import FIND, prepare

        spliced = prepare(directory, period, programme, today, progress, FIND if found is None else found)
    if spliced is not None:
        files, memo, read = spliced
        opened = True
    else:
        memo, opened = _open_register(None, cache, [directory]) if register is None else (None, False)
    try:
        spool.reg = memo
        if spliced is None:
            files = collect(directory, period=period, programme=programme, jobs=jobs, progress=progress,
                            today=today, spool=spool, cache=cache, register=register,
                            memo=memo if memo is not None else False)
        result = AggregateResult(dir=directory, out=out, lang=lang, inputs=files, period=period,
                                 programme=programme, strict=strict, jobs=jobs, spool=spool, memo=memo,
                                 found=read if spliced is not None else None)
        result.conflicts = resolve_conflicts(files, prefer)
        result.completeness = _completeness(files, lang, programme)
        gated = strict and any(f.status in ("excluded", "conflict") for f in files)
        write = write and not gated
        compute(result, check=not write)  # when writing, each KRM-3 is built once: checked, then written
        if gated:
            result.notes.append("--strict: files were excluded or in conflict, so nothing was written")
        if write:
            write_outputs(result, body=body, force=force, signature=signature)
        result.spool = result.memo = None
        return result
    finally:
        spool.remove()
        if opened:
            memo.close()
