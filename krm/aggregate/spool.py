"""The spool: the counted inputs' project rows on disk while a run lasts."""

from __future__ import annotations

import operator
import os
import pickle
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from krm.model import ProjectRow

if TYPE_CHECKING:
    from krm.aggregate.records import InputFile

_ROW_FIELDS = tuple(f.name for f in fields(ProjectRow))
_ROW_VALUES = operator.attrgetter(*_ROW_FIELDS)


class _Spool:
    """A temporary folder holding the counted inputs' project rows while the run lasts.

    Each reading worker appends to a file of its own (``rows-*.bin``: one file per process,
    not per input, so a month costs two files, not 3,000); an input's ``spool`` is
    (file name, offset, length) of its pickled rows there.
    """

    def __init__(self, directory: Path | None = None):
        if directory is not None:
            self.dir = Path(directory)
        else:
            from krm.outfolder import SPOOL_PREFIX, mark_spool

            self.dir = Path(tempfile.mkdtemp(prefix=SPOOL_PREFIX))
            mark_spool(self.dir)  # a later run removes it if this process is killed before it can

    def remove(self) -> None:
        for key in [k for k in _SPOOL_FILES if k[1] == str(self.dir)]:  # files this process wrote, if any
            try:
                os.close(_SPOOL_FILES.pop(key)[0])
            except OSError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    #: the register whose readings hold the rows of inputs that were not spooled (krm.remembered)
    reg = None

    def rows(self, f: InputFile) -> list[ProjectRow]:
        """The project rows of ``f``, as its Submission had them."""
        if not f.spool:
            if f.reading_id is not None and self.reg is not None and f.status == "accepted":
                if hasattr(self.reg, "input_rows"):  # read without SQLAlchemy (krm.aggregate.splice)
                    return list(self.reg.input_rows(f.reading_id, f.sha256, f.path)[0])
                from krm.remembered import rows_of

                return list(rows_of(self.reg, f.reading_id, f.sha256, f.path)[0])
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
