"""The intake: from bytes on disk to the files that count — the one place every command asks.

* :mod:`krm.intake.discover` — which files are workbooks (suffixes, lock/hidden files, links, unreadable folders);
* :func:`read` — discovery, then reading and validation of each file in an isolated worker
  (:func:`krm.validate.validate_paths`, with its per-file store);
* :mod:`krm.intake.admit` — admission (errors exclude, warnings do not), duplicates and resubmissions (one
  rule, one "newest" order), the choice of level (KRM-4/5 over KRM-3 over KRM-2);
* :mod:`krm.intake.completeness` — the one definition of completeness;
* :mod:`krm.intake.hint` — a workbook's form guessed from its document property, before reading (report's fast path).
* :mod:`krm.intake.located` — where a file is, as the register records it (however the command line named its folder).

``krm validate``, ``aggregate``, ``report`` and ``status`` find files with :func:`discover`, read them with
``validate_paths`` (:func:`read` is the two together) and decide which file counts with :mod:`krm.intake.admit`;
``docs/architecture.md`` has the whole pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from krm.intake.discover import SUFFIXES, Entry, discover, find_workbooks

__all__ = ["SUFFIXES", "Entry", "discover", "find_workbooks", "read"]


def read(paths: Iterable[str | Path], *, jobs: int | None = None, reduce: Callable | None = None,
         cache: bool | None = None, progress: Callable | None = None, today=None,
         submissions: bool = True) -> tuple[list[Path], list]:
    """Every workbook under ``paths`` (:func:`discover`), validated: (paths, one result per path, in order).

    A result is a :class:`krm.validate.FileReport`, or what ``reduce(report)`` made of it in the worker
    (a crashed worker's one-finding report comes back as it is); an entry discovery could not read (a FIFO,
    an unlistable folder) comes back as a report with that finding and is never opened."""
    from krm.validate import validate_paths

    found = find_workbooks(paths)
    if not found:
        return [], []
    return found, validate_paths(found, jobs=jobs, reduce=reduce, cache=cache, progress=progress, today=today,
                                 submissions=submissions)
