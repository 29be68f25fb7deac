"""What the register remembers, taken in the parent without a worker (``krm.validate.validate_paths``).

A file whose identity on disk (path, device, inode, size, mtime_ns, ctime_ns) is the one recorded when its
bytes were last hashed, and whose bytes have a stored result for this engine and validation date, is not
read, hashed or sent to a worker: its report is the stored one (findings, header; the typed rows are loaded
from the register only if something uses them, :class:`krm.register.memo.LazyRows`), and its stored
:class:`krm.rollup.Digest` comes with it for aggregate and report.  Everything else goes to the workers as
before (which still find stored results by the bytes' SHA-256).  See docs/register.md, "Runs on an
unchanged month".
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

#: at most this many files, and bytes, not known by their identity are hashed in the parent
#: (:func:`_by_content`); more go to the workers as they are (a cold run: the workers read them anyway, in
#: parallel)
CONTENT_FILES = 64
CONTENT_BYTES = 64 << 20


def remembered(reg, files: list[Path], as_of: dt.date, submissions: bool, reduce) -> dict:
    """{path: (report or what ``reduce`` made of it, krm.register.Seen)} for the files the register knows."""
    from krm.register.sqlite_write import db_errors
    from krm.validate import MAX_REGISTERED_BYTES

    stats = {}
    for p in files:
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_REGISTERED_BYTES:
            stats[os.path.abspath(p)] = (p, st)
    if not stats:
        return {}
    try:
        known = reg.known_files({a: st for a, (_, st) in stats.items()})
        hits = reg.remembered(set(known.values()), as_of) if known else {}
        written = reg.written_for(h.workbook_id for h in hits.values() if h.findings) if hits else {}
    except db_errors():  # unreachable or damaged: every file is read, as without this
        return {}
    out = {}
    for a, sha in known.items():
        h = hits.get(sha)
        p, st = stats[a]
        if h is None or h.size != st.st_size:
            continue
        r, seen = _report(reg, Path(p), h, written.get(h.workbook_id, {}), submissions, reduce is not None)
        out[p] = (reduce(r) if reduce is not None else r, seen)
    rest = [(p, st) for p, st in stats.values() if p not in out]
    if rest and len(rest) <= CONTENT_FILES and sum(st.st_size for _, st in rest) <= CONTENT_BYTES:
        out.update(_by_content(reg, [p for p, _ in rest], as_of, submissions, reduce))
    return out


def _by_content(reg, paths: list[Path], as_of: dt.date, submissions: bool, reduce) -> dict:
    """:func:`remembered`'s answer for files taken by their bytes: each read and hashed (as a worker does,
    ``krm.validate._registered_validate``), its identity recorded if its times are settled, and the stored
    result for those bytes taken as for a file known by its identity.  A file that cannot be read here, or
    whose bytes have no stored result, is left to the workers."""
    import hashlib

    from krm.register.memo import identity, settled, time_ns
    from krm.register.sqlite_write import db_errors
    from krm.validate import MAX_REGISTERED_BYTES
    from krm.workbook.reader.model import ReadError
    from krm.workbook.reader.zipparts import _open_regular  # (not the whole reader: nothing is parsed here)

    read: dict = {}
    for p in paths:
        try:
            now_ns = time_ns()
            with _open_regular(Path(p)) as fh:  # never blocks on a FIFO; refuses what is not a regular file
                st = os.fstat(fh.fileno())
                data = fh.read(MAX_REGISTERED_BYTES + 1)
        except (OSError, ReadError):
            continue  # the worker says why
        if len(data) > MAX_REGISTERED_BYTES:
            continue
        ident = identity(st) if st.st_size == len(data) and settled(st, now_ns) else None
        read[p] = (hashlib.sha256(data).hexdigest(), len(data), ident)
    if not read:
        return {}
    try:
        hits = reg.remembered({sha for sha, _, _ in read.values()}, as_of)
        written = reg.written_for(h.workbook_id for h in hits.values() if h.findings) if hits else {}
    except db_errors():  # unreachable or damaged: the workers read the files, as without this
        return {}
    out = {}
    for p, (sha, size, ident) in read.items():
        h = hits.get(sha)
        if h is None or h.size != size:
            continue
        r, seen = _report(reg, Path(p), h, written.get(h.workbook_id, {}), submissions, reduce is not None)
        seen.identity = ident
        out[p] = (reduce(r) if reduce is not None else r, seen)
    return out


def _report(reg, path: Path, h, written: dict, submissions: bool, digest: bool):
    from krm.register import Seen, codec
    from krm.register.memo import digest_from
    from krm.register.store import submission_key
    from krm.validate import FileReport

    findings = [codec.finding_from(f, str(path)) for f in h.findings]
    for f in findings:  # the portal's explanations, as Register.with_written puts them
        e = written.get((f.code, f.cell or ""))
        if e is not None and f.explanation is None and f.severity != "error":
            f.explanation = dict(e)
    header = h.header
    sub = None
    if submissions and header is not None:
        sub = codec.submission_from(header, *_lazy_rows(reg, h, path), path)
    key = submission_key(codec.submission_from(header, [], [], None)) if header else None
    if digest and h.digest is not None:  # only aggregate and report (a reduce) use it: decoded for them
        try:
            digest = digest_from(h.digest)
            digest.path = path
        except (ValueError, TypeError, KeyError):
            digest = None
    else:
        digest = None
    r = FileReport(path, h.form, findings, sub, h.lang, h.edition, digest=digest, reading_id=h.reading_id,
                   sha256=h.sha256)
    return r, Seen(str(path), h.sha256, h.size, None, h.reading_id, key, h.errors, (header or {}).get("modified"))


def _lazy_rows(reg, h, path: Path):
    from krm.register.memo import LazyRows

    got: list = []

    def load():
        if not got:
            got.append(rows_of(reg, h.reading_id, h.sha256, path))
        return got[0]
    return LazyRows(load, 0), LazyRows(load, 1)


def rows_of(reg, reading_id: int, sha: str, path: Path) -> tuple[list, list]:
    """(projects, regions) of a reading: from the register, else (its stored rows are not intact) read again
    from the file, if it still has these bytes."""
    from krm.register.sqlite_write import db_errors

    try:
        return reg.rows_of(reading_id)
    except (ValueError, TypeError, *db_errors()):
        pass
    return read_rows(sha, path)


def read_rows(sha: str, path: Path) -> tuple[list, list]:
    """(projects, regions) read again from the file, if it still has the bytes ``sha``."""
    import hashlib

    from krm.validate import _TODAY, validate_file

    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha:
        raise RuntimeError(f"{path} changed while krm was running; run the command again")
    r = validate_file(path, _TODAY, convert=True, data=data)
    sub = r.submission
    return (list(sub.projects), list(sub.regions)) if sub is not None else ([], [])
