"""The run-level memo (docs/register.md, "Runs on an unchanged month"): what lets a command skip work it did before.

* **File identities** (``file_stat``): a file whose (host, path, device, inode, size, mtime_ns, ctime_ns) is
  the same as when its bytes were last hashed holds the same bytes, so it need not be read or hashed
  again.  The ctime cannot be set by a user (``touch`` sets the mtime, not the ctime) and changes with
  every write, rename or change of links, so an edited file, a file put in place with ``mv``, a restored
  copy all differ.  An identity is recorded only when the file's times were at least :data:`SETTLED_NS`
  old when it was read (a file written in the same instant as it was read could change again without its
  times changing: it is hashed next time).  When in doubt, the file is hashed.
* **Readings' digests** (``reading_digest``): what the roll-ups need of a reading's rows
  (:class:`krm.rollup.Digest`), so aggregate and report use a stored reading without loading its rows.
* **Outputs** (``output_memo``): each file aggregate and report wrote, with the SHA-256 of every input
  that fed it, the *recipe* (a SHA-256 over the engine, the options and those inputs) and the SHA-256 of the
  bytes written.  A later run whose output has the same recipe, and whose file on disk still has the
  recorded size and SHA-256, leaves the file as it is (``unchanged``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from operator import itemgetter

from krm.register import codec
from krm.register.connect import _now
# (SQLAlchemy and the schema are imported by the Memo methods that use them: a worker uses this module's
# functions without loading SQLAlchemy, krm.register.plain)
# here since migration 5, in krm.register.lite so that krm report's memo can use them without SQLAlchemy
from krm.register.lite import host, identity, recipe, sha256_file  # noqa: F401

#: a file's times must be at least this old (2 s) when it is read for its identity to be recorded
SETTLED_NS = 2_000_000_000


def settled(st: os.stat_result, now_ns: int | None = None) -> bool:
    """The file's times are old enough for its identity to stand for its bytes (see the module's doc)."""
    now_ns = time_ns() if now_ns is None else now_ns
    return max(st.st_mtime_ns, st.st_ctime_ns) <= now_ns - SETTLED_NS


def time_ns() -> int:
    import time

    return time.time_ns()


@dataclass
class Remembered:
    """A stored result found, in the parent, for a file whose identity the register knows (no rows loaded)."""

    sha256: str
    size: int
    workbook_id: int
    reading_id: int
    form: str | None
    lang: str | None
    edition: str | None
    findings: list  # finding rows
    header: dict | None
    errors: int
    digest: str | None  # the stored krm.rollup.Digest as tagged JSON (decoded by digest_from when used), or None


def _chunks(values, n: int = 500):
    values = list(values)
    for k in range(0, len(values), n):
        yield values[k:k + n]


class Memo:
    """The register's memo (a mixin of :class:`krm.register.Register`)."""

    # ------------------------------------------------------------------ file identities
    def known_files(self, stats: dict[str, os.stat_result]) -> dict[str, str]:
        """{path: sha256} for the files whose identity is as recorded (``stats``: absolute path -> its stat now;
        looked up where the file is: :func:`krm.register.lite.identified`)."""
        from sqlalchemy import select

        from krm.register import schema as S
        from krm.register.lite import identified

        F = S.file_stat
        me = host()
        with self.reader() as c, c.begin():
            def fetch(paths):
                rows = []
                for part in _chunks(paths):
                    rows += c.execute(select(F.c.path, F.c.device, F.c.inode, F.c.size, F.c.mtime_ns, F.c.ctime_ns,
                                             F.c.sha256).where(F.c.host == me, F.c.path.in_(part))).all()
                return rows
            return identified(fetch, stats)

    def record_files(self, files: list[tuple[str, tuple, str]]) -> None:
        """Record (path, identity when read, sha256) of files read and hashed this run: their identities were
        settled when they were read (:func:`settled`), so the same identity later means the same bytes.  Each is
        recorded where the file is (:func:`krm.register.lite.identity_rows`)."""
        from krm.register import schema as S
        from krm.register.lite import identity_rows

        if not files:
            return
        F, me, now = S.file_stat, host(), _now()
        values = [{"host": me, "path": p, "device": i[0], "inode": i[1], "size": i[2], "mtime_ns": i[3],
                   "ctime_ns": i[4], "sha256": sha, "seen": now} for p, i, sha in identity_rows(files)]
        with self.writer() as c, c.begin():
            stmt = _upsert(c, F)
            ex = stmt.excluded
            stmt = stmt.on_conflict_do_update(index_elements=["host", "path"], set_={
                k: ex[k] for k in ("device", "inode", "size", "mtime_ns", "ctime_ns", "sha256", "seen")})
            for part in _chunks(values, 2000):  # one transaction, bounded statement batches (a year's run)
                c.execute(stmt, part)

    # ------------------------------------------------------------------ stored results without their rows
    def remembered(self, shas: set[str], as_of: dt.date) -> dict[str, Remembered]:
        """{sha256: stored result for this engine and date}, findings and digest included, rows not."""
        from sqlalchemy import and_, select

        from krm.register import schema as S

        R, C, W, F, D = S.reading, S.check, S.workbook, S.finding, S.reading_digest
        out: dict[str, Remembered] = {}
        with self.reader() as c, c.begin():
            hits = []
            for part in _chunks(sorted(shas)):
                hits += c.execute(
                    select(W.c.sha256, W.c.size, W.c.id, R.c.id, R.c.form, R.c.lang, R.c.edition, R.c.header,
                           C.c.id, C.c.errors, C.c.warnings, C.c.digest, D.c.data, D.c.seal, R.c.digest)
                    .select_from(W.join(R, R.c.workbook_id == W.c.id)
                                 .join(C, and_(C.c.reading_id == R.c.id, C.c.as_of == as_of))
                                 .outerjoin(D, D.c.reading_id == R.c.id))
                    .where(W.c.sha256.in_(part), R.c.engine == self.engine_version)).all()
            recs: dict[int, list] = {h[8]: [] for h in hits}
            for part in _chunks(sorted(recs)):
                for r in c.execute(select(F).where(F.c.check_id.in_(part))):
                    recs[r.check_id].append(r)
        for (sha, size, wid, rid, form, lang, edition, header, cid, errors, warnings, cdig, data, sl, rdig) in hits:
            found = sorted(recs[cid], key=lambda r: r.seq)
            if codec.check_digest(errors, warnings, found) != cdig:
                continue  # changed in the database: the file is read again (verify reports it)
            digest = data if data is not None and sl == seal(rdig, data) else None  # else: the rows, when needed
            out[sha] = Remembered(sha, size, wid, rid, form, lang, edition, found, codec.loads(header), errors,
                                  digest)
        return out

    def rows_of(self, reading_id: int) -> tuple[list, list]:
        """(projects, regions) stored for a reading; ValueError when they are not intact."""
        from sqlalchemy import select

        from krm.register import schema as S

        R = S.reading
        with self.reader() as c, c.begin():
            hit = c.execute(select(R).where(R.c.id == reading_id)).first()
            cells = codec.stored_cells(c, reading_id)
        if hit is None or codec.reading_digest(hit.form, hit.edition, hit.header, hit.n_rows, hit.totals,
                                               cells) != hit.digest:
            raise ValueError(f"reading {reading_id}: its stored rows are not intact")
        return codec.rows_from_cells([x[:5] for x in cells])

    def written_for(self, workbook_ids) -> dict[int, dict]:
        """{workbook id: {(code, cell): explanation}} written in the portal (as :meth:`written_explanations`)."""
        from sqlalchemy import select

        from krm.register import schema as S

        W = S.written_explanation
        out: dict[int, dict] = {}
        with self.reader() as c, c.begin():
            for part in _chunks(sorted(set(workbook_ids))):
                for r in c.execute(select(W).where(W.c.workbook_id.in_(part)).order_by(W.c.id)):
                    out.setdefault(r.workbook_id, {})[(r.code, r.cell)] = {
                        "text": r.text, "who": r.author, "date": r.at.date().isoformat(), "sheet": "krm serve",
                        "row": None}
        return out

    # ------------------------------------------------------------------ outputs
    def outputs_known(self, paths: list[str]) -> dict[str, tuple[str, str, int, object]]:
        """{path: (recipe, sha256, size, data)} recorded for these output files (this host)."""
        from sqlalchemy import select

        from krm.register import schema as S

        M = S.output_memo
        out = {}
        with self.reader() as c, c.begin():
            for part in _chunks(sorted(set(paths))):
                for r in c.execute(select(M.c.path, M.c.recipe, M.c.sha256, M.c.size, M.c.data, M.c.engine)
                                   .where(M.c.host == host(), M.c.path.in_(part))):
                    if r.engine == self.engine_version:
                        out[r.path] = (r.recipe, r.sha256, r.size, codec.loads(r.data))
        return out

    def record_outputs(self, command: str, outputs: list[tuple]) -> None:
        """Record (path, recipe, sha256, size, inputs [(name, sha256)], data) of output files just written."""
        from krm.register import schema as S

        if not outputs:
            return
        M, me, now = S.output_memo, host(), _now()
        values = [{"host": me, "path": p, "command": command, "engine": self.engine_version, "recipe": recipe,
                   "sha256": sha, "size": size, "inputs": json.dumps(inputs, ensure_ascii=False, separators=(",", ":")),
                   "data": codec.dumps(data) if data is not None else None, "written": now}
                  for p, recipe, sha, size, inputs, data in sorted(outputs, key=itemgetter(0))]
        with self.writer() as c, c.begin():
            stmt = _upsert(c, M)
            ex = stmt.excluded
            c.execute(stmt.on_conflict_do_update(index_elements=["host", "path"], set_={
                k: ex[k] for k in ("command", "engine", "recipe", "sha256", "size", "inputs", "data", "written")}),
                values)


    # ------------------------------------------------------------------ what krm report keeps of a workbook
    def record_report_inputs(self, recipe: str, as_of: dt.date, rows: list[tuple[str, str, str]]) -> None:
        """Record (sha256, data, seal) of workbooks ``krm report`` summarised for ``recipe`` on ``as_of``
        (:mod:`krm.report.remembered`); the row of the same bytes and recipe is replaced."""
        from krm.register import schema as S

        if not rows:
            return
        T, now = S.report_input, _now()
        one = {sha: (data, sl) for sha, data, sl in rows}  # the same bytes twice in a run: one row
        values = [{"sha256": sha, "recipe": recipe, "as_of": as_of, "data": data, "seal": sl, "written": now}
                  for sha, (data, sl) in sorted(one.items())]
        with self.writer() as c, c.begin():
            stmt = _upsert(c, T)
            ex = stmt.excluded
            stmt = stmt.on_conflict_do_update(index_elements=["sha256", "recipe"], set_={
                k: ex[k] for k in ("as_of", "data", "seal", "written")})
            for part in _chunks(values, 2000):
                c.execute(stmt, part)


def _upsert(c, table):
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


# ------------------------------------------------------------------ digests as tagged JSON
def digest_json(d) -> str:
    """A :class:`krm.rollup.Digest` as tagged JSON (its path left out: it is where the file is seen)."""
    from dataclasses import fields

    return codec.dumps({f.name: getattr(d, f.name) for f in fields(d) if f.name != "path"})


def digest_from(data: str):
    from pathlib import Path

    from krm.rollup import Digest

    return Digest(path=Path(), **codec.loads(data))


def seal(reading_digest: str, data: str) -> str:
    """What binds a stored digest to its reading (a digest changed in the database is not used)."""
    return hashlib.sha256(f"{reading_digest}:{data}".encode("utf-8")).hexdigest()


class LazyRows(list):
    """A submission's rows that are loaded from the register the first time they are used (``load()`` gives
    (projects, regions); ``which`` picks one).  Pickled, it is a plain list of the rows."""

    def __init__(self, load, which: int):
        super().__init__()
        self._load, self._which, self._done = load, which, False

    def _fill(self):
        if not self._done:
            self._done = True
            list.extend(self, self._load()[self._which])
        return self

    @property
    def loaded(self) -> bool:
        return self._done

    def __iter__(self):
        return list.__iter__(self._fill())

    def __len__(self):
        return list.__len__(self._fill())

    def __bool__(self):
        return list.__len__(self._fill()) > 0

    def __getitem__(self, i):
        return list.__getitem__(self._fill(), i)

    def __contains__(self, x):
        return list.__contains__(self._fill(), x)

    def __reversed__(self):
        return list.__reversed__(self._fill())

    def __eq__(self, other):
        return list.__eq__(self._fill(), other)

    __hash__ = None

    def __add__(self, other):
        return list(self) + list(other)

    def __radd__(self, other):
        return list(other) + list(self)

    def __repr__(self):
        return list.__repr__(self._fill())

    def copy(self):
        return list(self)

    def index(self, *a):
        return list.index(self._fill(), *a)

    def count(self, x):
        return list.count(self._fill(), x)

    def __reduce__(self):
        return (list, (list(self),))


def _filling(name: str):
    method = getattr(list, name)

    def wrapper(self, *a, **kw):
        return method(self._fill(), *a, **kw)
    wrapper.__name__ = name
    return wrapper


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "__setitem__",
              "__delitem__", "__iadd__", "__imul__", "__mul__", "__rmul__", "__lt__", "__le__", "__gt__", "__ge__",
              "__ne__"):
    setattr(LazyRows, _name, _filling(_name))
