"""Which files a command reads: the one discovery function of every command.

:func:`discover` walks the paths given (files as given, folders recursively) and returns
one :class:`Entry` per workbook, sorted, each with the problem that stops it being read
(or None).  Nothing is skipped in silence except what is not a submission by its name:

* only names ending in :data:`SUFFIXES` are workbooks (a file named explicitly is taken as is);
* hidden files and folders (``.x``), Office lock files (``~$x.xlsx``) and LibreOffice lock
  files (``.~lock.x.xlsx#``) are skipped;
* symbolic links are followed, each real folder once: a link back to a folder above it
  (a loop) or a second link to a folder already walked adds nothing; a real file reached
  by two names is read once (the first name in sorted order);
* a folder that cannot be listed (no permission, I/O error) is an entry with a problem
  (KRM-E071), as is anything named like a workbook that is not a regular file — a FIFO,
  a device, a socket (KRM-E070: opening it could block forever) — or a link to nothing (KRM-E008);
* file names that are not valid UTF-8 are kept as Python keeps them (surrogate escapes):
  outputs show them with :func:`krm.textsafe.show_path`.

Nothing here opens a file: the walk costs a ``stat`` per entry.  Each entry keeps its stat packed
(:class:`Stat`, about a fifth of an ``os.stat_result``'s memory): a year's folder is 36,000 entries.
"""

from __future__ import annotations

import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

#: what a workbook's name ends with (lower case); the one list every command uses
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".xltx", ".xltm")

NOT_A_FILE = "KRM-E070"
FOLDER_UNREADABLE = "KRM-E071"
CANNOT_OPEN = "KRM-E008"


_PACK = struct.Struct("<QQQQQQqqqqqqq")
_NS = 1_000_000_000


def _field(i: int) -> property:
    """The getter of a :class:`Stat`'s ``i``-th packed field."""
    return property(lambda self: _PACK.unpack(self)[i])


class Stat(bytes):
    """An ``os.stat_result`` kept as 104 packed bytes (one object): the same ``st_*`` attributes (float times
    made as CPython makes them from the nanoseconds), the same tuple view, equal to (and hashing as) the
    ``os.stat_result`` it was made from.  An ``os.stat_result`` holds a Python object per field, about 700
    bytes; this 137."""

    __slots__ = ()

    def __new__(cls, st: os.stat_result):
        return super().__new__(cls, _PACK.pack(
            st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, st.st_size, st.st_atime_ns,
            st.st_mtime_ns, st.st_ctime_ns, getattr(st, "st_blksize", 0), getattr(st, "st_blocks", 0),
            getattr(st, "st_rdev", 0)))

    st_mode, st_ino, st_dev, st_nlink, st_uid, st_gid, st_size = map(_field, range(7))
    st_atime_ns, st_mtime_ns, st_ctime_ns, st_blksize, st_blocks, st_rdev = map(_field, range(7, 13))

    @staticmethod
    def _seconds(ns: int) -> float:
        s, n = divmod(ns, _NS)
        return s + n * 1e-9  # CPython's fill_time: (double)sec + nsec * 1e-9

    @property
    def st_atime(self) -> float:
        return self._seconds(self.st_atime_ns)

    @property
    def st_mtime(self) -> float:
        return self._seconds(self.st_mtime_ns)

    @property
    def st_ctime(self) -> float:
        return self._seconds(self.st_ctime_ns)

    def _tuple(self) -> tuple:
        v = _PACK.unpack(self)
        return v[:7] + tuple(x // _NS for x in v[7:10])  # os.stat_result's ten: times as whole seconds

    def __iter__(self):
        return iter(self._tuple())

    def __len__(self) -> int:
        return 10

    def __getitem__(self, i):
        return self._tuple()[i]

    def __eq__(self, other):
        if isinstance(other, Stat):
            return bytes.__eq__(self, other)
        if isinstance(other, os.stat_result):
            return self._tuple() == tuple(other)
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return f"Stat(st_mode={self.st_mode}, st_ino={self.st_ino}, st_dev={self.st_dev}, st_size={self.st_size}, " \
               f"st_mtime_ns={self.st_mtime_ns}, st_ctime_ns={self.st_ctime_ns})"


@dataclass(frozen=True, slots=True)
class Entry:
    path: Path
    code: str | None = None  # a catalogue code when the entry cannot be read
    detail: str = ""
    #: the path's stat when it was found (a readable file; packed, read as an ``os.stat_result``), else None
    stat: Stat | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.code is None


def is_workbook_name(name: str) -> bool:
    """A name a submission may have: a workbook suffix, not hidden, not an Office/LibreOffice lock file."""
    return not name.startswith((".", "~$")) and name.lower().endswith(SUFFIXES)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _file_entry(path: Path) -> Entry:
    """A path named as a file: what it is, from one ``stat`` (never opened)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            return Entry(path, CANNOT_OPEN, "a symbolic link to a file that does not exist")
        return Entry(path)  # the reader says "no such file" (KRM-E008)
    except OSError as e:
        return Entry(path, CANNOT_OPEN, e.strerror or str(e))
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return Entry(path, stat=Stat(st))
    return Entry(path, NOT_A_FILE, _kind(st.st_mode))


def _walk(top: Path, seen_dirs: set) -> Iterator[Entry]:
    """Every workbook under ``top`` (a folder), in sorted order (:func:`discover`'s), depth first; folders by
    their real identity, once.  Each folder's names are sorted, a subfolder's workbooks coming where its name
    does: the order of the whole paths with the separator below every character, so no folder's entries need
    be held to sort them all (a year's folder is 36,000)."""
    stack = [iter(((top, True),))]
    while stack:
        nxt = next(stack[-1], None)
        if nxt is None:
            stack.pop()
            continue
        d, is_folder = nxt
        if not is_folder:
            yield _file_entry(d)
            continue
        try:
            st = os.stat(d)
        except OSError as e:
            yield Entry(d, FOLDER_UNREADABLE, e.strerror or str(e))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:  # a link loop, or a second link to a folder already walked
            continue
        seen_dirs.add(key)
        try:
            with os.scandir(d) as it:
                items = list(it)
        except OSError as e:
            yield Entry(d, FOLDER_UNREADABLE, e.strerror or str(e))
            continue
        names = []
        for e in items:
            if e.name.startswith("."):
                continue  # hidden files and folders, LibreOffice's .~lock.x#
            try:
                is_dir = e.is_dir()  # follows links
            except OSError:
                is_dir = False
            if is_dir or is_workbook_name(e.name):
                names.append((e.name, is_dir))
        del items
        names.sort()  # (a name is a file's or a folder's, never both)
        stack.append(_children(d, names))


def _children(d: Path, names: list) -> Iterator[tuple[Path, bool]]:
    for name, is_dir in names:
        yield d / name, is_dir  # a child shares its parent's part strings


def discover(paths: Iterable[str | Path]) -> list[Entry]:
    """Entries for the paths given: a file as given, a folder's workbooks sorted; each real file once."""
    return list(iter_discover(paths))


def iter_discover(paths: Iterable[str | Path]) -> Iterator[Entry]:
    """:func:`discover`'s entries one at a time: a caller that keeps only each entry's path (a list of files given,
    a year's 36,000) never holds every entry and its stat at once (a folder is walked in sorted order)."""
    seen_files: set = set()
    seen_dirs: set = set()
    for p in paths:
        p = p if isinstance(p, Path) else Path(p)  # the caller's path object, not a copy
        try:
            is_dir = p.is_dir()
        except OSError:
            is_dir = False
        for x in _walk(p, seen_dirs) if is_dir else (_file_entry(p),):
            try:
                key = _identity(x) if x.ok else ("path", str(x.path))
            except OSError:
                key = ("path", str(x.path))
            if key not in seen_files:
                seen_files.add(key)
                yield x


def _identity(x: Entry):
    """A readable entry's file identity, ``st_dev`` and ``st_ino`` in one int (one object a file where a pair
    is three: the set of a year's identities is held while it is walked), else ("path", its path)."""
    st = x.stat
    if isinstance(st, Stat):
        mode, ino, dev = _PACK.unpack(st)[:3]
    else:
        st = os.stat(x.path)
        mode, ino, dev = st.st_mode, st.st_ino, st.st_dev
    return dev << 64 | ino if stat.S_ISREG(mode) else ("path", str(x.path))


def find_workbooks(paths: Iterable[str | Path]) -> list[Path]:
    """The paths of :func:`discover`'s entries (entries with a problem included: the reader reports them)."""
    return [e.path for e in iter_discover(paths)]
