"""The whole `krm aggregate` run."""

from __future__ import annotations

import datetime as dt
import re
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
              cache: bool | None = None) -> AggregateResult:
    """The whole `krm aggregate` run; raises :class:`AggregateUsageError` for exit-2 conditions.

    ``write=False`` computes everything (for ``--dry-run`` and tests) without touching the disk.
    """
    directory = Path(directory)
    if not directory.is_dir():
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
    if not write:
        return _run(directory, out, period, programme, prefer, lang, body, force, strict, signature, jobs, progress,
                    today, write, cache)
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
                    today, write, cache)
    finally:
        lock.__exit__(None, None, None)


def _run(directory, out, period, programme, prefer, lang, body, force, strict, signature, jobs, progress, today,
         write, cache) -> AggregateResult:
    spool = _Spool()
    try:
        files = collect(directory, period=period, programme=programme, jobs=jobs, progress=progress, today=today,
                        spool=spool, cache=cache)
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
