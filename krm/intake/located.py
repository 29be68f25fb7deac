"""Where a workbook is, whatever the command line called its folder: the path the register records it was seen at.

``krm validate month`` in one folder and ``krm aggregate /data/month``, ``krm aggregate ./month/`` or a run through a
symbolic link to the folder read the same files under other names.  The register's paths (``workbook_path``) are
compared across runs — a run that finds every workbook where the register saw it need not record anything, which
lets ``krm aggregate`` after a few edits take the rest from the register (:mod:`krm.aggregate.splice`) and keeps
the stored answers of ``krm validate`` valid (their recipe holds the register's paths) — so they are recorded as
:func:`located` gives them: absolute, the folder's symbolic links resolved, the file's own name as found.

Paths shown to users (findings, summaries) stay as given on the command line; only what is recorded is located.
"""

from __future__ import annotations

import os
from typing import Iterable


def located(paths: Iterable, cwd: str | None = None) -> list[str]:
    """Each path (str or ``os.PathLike``) made absolute (against ``cwd``, default the working folder) with its
    folder's links, ``.`` and ``..`` resolved (:func:`os.path.realpath`, once a folder), its name kept as it is."""
    base = None
    folders: dict[str, str] = {}
    out = []
    for p in paths:
        head, name = os.path.split(os.fspath(p))
        d = folders.get(head)
        if d is None:
            if base is None and not os.path.isabs(head):  # (all absolute: the working folder is not asked for)
                base = cwd if cwd is not None else os.getcwd()
            d = folders[head] = os.path.realpath(head if os.path.isabs(head) else os.path.join(base, head))
        out.append(os.path.join(d, name))
    return out
