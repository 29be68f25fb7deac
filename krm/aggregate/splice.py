"""A run after a few edits, without SQLAlchemy (docs/aggregate.md, "Running again"): every input the register
already holds a result for is taken from it in the main process with :mod:`krm.register.lite` (plain ``sqlite3``
for an SQLite register), as :mod:`krm.remembered` takes it, and the run goes on exactly as a full one (conflicts,
completeness, roll-ups, the outputs' memo, the summary), on the same records.

A full run with the register on reads each workbook whose identity on disk the register knows from its stored
result (:func:`krm.remembered.remembered`) and sends the others to workers, which hash them and find the stored
result of those bytes, or read them.  When the register holds a result for *every* workbook of the folder (the
edited ones too: ``krm validate`` recorded them), the workers only hash a few files and look them up, and what the
run records in the register is the files' and paths' *last seen* times (and the identities of the few files it
hashed): :func:`prepare` does the same here — the few files whose identity is not known are hashed in this
process — and gives the inputs, the register's readings of each input's rows for the roll-ups (in the workers,
:class:`LiteMemo`), and the outputs' memo.

Anything else runs in full (:func:`prepare` gives None): a register that ``lite`` cannot open (none yet, another
schema), a file that cannot be read or is not regular or too big for the register, more than :data:`MAX_HASHED`
files to hash, bytes without a stored result for this engine and day (or without its digest, or whose findings
do not match their digest), a path the register has not recorded, a placed workbook that is not a version of the
submission its reading places it in (the full run would record them; bytes read again by an upgraded krm keep
their version), a duplicated stored result.  The records made here are those :func:`krm.aggregate.collect`
makes from what :func:`krm.remembered.remembered` gives (tests/test_splice.py compares runs after edits,
additions, removals and conflicting edits with full runs, register off and on, SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

#: at most this many files whose identity is not known are hashed here (more: a full run, whose workers read
#: them in parallel)
MAX_HASHED = 64


class LiteMemo:
    """What the run uses the register for after reading its inputs, through :mod:`krm.register.lite`: the outputs'
    memo (:mod:`krm.aggregate.memo`) and the stored rows of the inputs a KRM-3 is built from (in the workers,
    each opening its own connection)."""

    def __init__(self, lite, target: str, engine_version: str):
        from krm.register.lite import LiteError

        self.errors = (LiteError,)
        self.engine_version, self._target = engine_version, target
        self._lite, self._pid = lite, os.getpid()

    def _open(self):
        if self._pid != os.getpid():  # a forked worker: a connection of its own
            from krm.register.lite import LiteError, open_lite

            self._lite, self._pid = open_lite(self._target), os.getpid()
            if self._lite is None:
                raise LiteError("the register cannot be opened")
        return self._lite

    def close(self) -> None:
        if self._pid == os.getpid() and self._lite is not None:
            self._lite.close()
        self._lite = None

    def known_files(self, stats: dict) -> dict[str, str]:
        """As :meth:`krm.register.memo.Memo.known_files`: {path: sha256} of the files whose identity is known."""
        from krm.register.answers import identified

        return identified(self._open(), stats)

    def outputs_known(self, paths: list[str]) -> dict[str, tuple[str, str, int, object]]:
        """As :meth:`krm.register.memo.Memo.outputs_known` (each output's data decoded as codec.loads decodes it)."""
        from krm.register.lite import host

        out = {}
        for path, recipe, sha, size, data, engine in self._open().rows_in(
                "SELECT path, recipe, sha256, size, data, engine FROM output_memo WHERE host = :host "
                "AND path IN ({values})", sorted(set(paths)), {"host": host()}):
            if engine == self.engine_version:
                out[path] = (recipe, sha, size, None if data is None else _loads(data))
        return out

    def record_outputs(self, command: str, outputs: list[tuple]) -> None:
        """As :meth:`krm.register.memo.Memo.record_outputs`."""
        import json
        from operator import itemgetter

        from krm.register import codec
        from krm.register.lite import host

        if not outputs:
            return
        lite, me = self._open(), host()
        now = _now(lite)
        rows = [{"host": me, "path": p, "command": command, "engine": self.engine_version, "recipe": recipe,
                 "sha256": sha, "size": size, "inputs": json.dumps(inputs, ensure_ascii=False, separators=(",", ":")),
                 "data": codec.dumps(data) if data is not None else None, "written": now}
                for p, recipe, sha, size, inputs, data in sorted(outputs, key=itemgetter(0))]
        lite.write(["INSERT INTO output_memo (host, path, command, engine, recipe, sha256, size, inputs, data, "
                    "written) VALUES (:host, :path, :command, :engine, :recipe, :sha256, :size, :inputs, :data, "
                    ":written) "
                    "ON CONFLICT (host, path) DO UPDATE SET command = excluded.command, engine = excluded.engine, "
                    "recipe = excluded.recipe, sha256 = excluded.sha256, size = excluded.size, "
                    "inputs = excluded.inputs, data = excluded.data, written = excluded.written"], rows)

    def input_rows(self, reading_id: int, sha: str, path: Path) -> tuple[list, list]:
        """(projects, regions) of a reading, as :func:`krm.remembered.rows_of`: stored, else read again."""
        import json

        from krm.register import codec
        from krm.register.lite import LiteError

        try:
            lite = self._open()
            hit = lite.rows("SELECT r.form, r.edition, r.header, r.n_rows, r.totals, r.digest, x.cells FROM reading r "
                            "LEFT JOIN reading_rows x ON x.reading_id = r.id WHERE r.id = :id", {"id": reading_id})
            if hit and hit[0][6] is not None:
                # the digest is of the cells sorted by row and key, as krm stores them: when the cells as stored
                # give it, they are in that order (else sorted here, as codec.stored_cells does)
                cells = json.loads(hit[0][6])
                same = codec.reading_digest(*hit[0][:5], cells) == hit[0][5]
                if not same:
                    cells = sorted(cells, key=lambda x: (x[0], x[2]))
                    same = codec.reading_digest(*hit[0][:5], cells) == hit[0][5]
                if same:
                    return codec.rows_from_stored(cells)
        except (LiteError, ValueError, TypeError):
            pass
        from krm.remembered import read_rows  # (imported here: a worker that reads nothing again never needs it)

        return read_rows(sha, path)  # (older readings' rows, one a cell, are read again too)


def _now(lite):
    from krm.register.connect import _now as now
    from krm.register.sqlite_write import ts

    return ts(now()) if lite.kind == "sqlite" else now()


#: :func:`prepare` finds the workbooks itself
FIND = object()


def prepare(directory: Path, period: str | None, programme: str | None, today: dt.date | None, progress=None,
            found=FIND):
    """(the run's inputs as :func:`krm.aggregate.collect.collect` gives them, a :class:`LiteMemo`, the workbooks
    read as :class:`krm.register.answers.Found` whose ``shas`` are those whose identity the register now knows)
    when the register holds a stored result for every workbook under ``directory`` (see the module's doc); else
    None.  ``found``: the workbooks under ``directory`` as found a moment before (by the stored answer's
    look-up, :func:`krm.register.answers.lookup`), instead of finding them again."""
    from krm.register.connect import configured
    from krm.register.lite import LiteError, open_configured

    lite = open_configured([directory])
    if lite is None:
        return None
    try:
        got = _inputs(lite, directory, period, programme, today or dt.date.today(), progress, found)
    except (LiteError, ValueError, TypeError, KeyError):  # unreadable, or a stored value that is not what krm wrote
        got = None
    if got is None:
        lite.close()
        return None
    from krm.register.engine import fingerprint

    return got[0], LiteMemo(lite, configured(), fingerprint()), got[1]


def _inputs(lite, directory: Path, period, programme, as_of: dt.date, progress, found=FIND):
    from krm.intake.located import located
    from krm.register.answers import Found, find
    from krm.validate import MAX_REGISTERED_BYTES

    if found is FIND:
        found = find(lite, [directory])
    if found is None or not found.entries:
        return None
    entries = found.entries  # (path, path as shown, absolute path, stat)
    stats = {a: st for _, _, a, st in entries}
    if len(stats) != len(entries) or any(st.st_size > MAX_REGISTERED_BYTES for st in stats.values()):
        return None
    shas = dict(found.shas)
    hashed = _hash([a for a in stats if a not in shas], stats, shas)
    if hashed is None:
        return None
    stored = _stored(lite, set(shas.values()), as_of)
    if stored is None:
        return None
    recorded = _recorded(lite, [(where, stored[shas[a]][0]) for where, (_, _, a, _) in
                                zip(located([shown for _, shown, _, _ in entries]), entries)])
    if recorded is None:
        return None
    files = _records(entries, shas, stored, directory, period, programme, progress)
    if files is None or not _versioned(lite, [(stored[shas[a]][0], f.submission) for (*_, a, _), f in
                                              zip(entries, files)]):
        return None
    known = dict(found.shas)
    if _touch(lite, recorded, hashed):
        known.update((a, sha) for a, _, sha in hashed)
    return files, Found(entries, known)


def _hash(todo: list[str], stats: dict, shas: dict) -> list | None:
    """Hash the files whose identity the register does not know (into ``shas``); [(path, identity, sha256)] of
    those whose identity can be recorded (settled, as a reading worker decides), or None: too many, or changed."""
    import time

    from krm.register.answers import SETTLED_NS
    from krm.register.lite import identity, sha256_file

    if len(todo) > MAX_HASHED:
        return None
    out = []
    for a in todo:
        now_ns = time.time_ns()
        try:
            sha = sha256_file(a)
            if os.stat(a) != stats[a]:
                return None
        except OSError:
            return None
        shas[a] = sha
        if max(stats[a].st_mtime_ns, stats[a].st_ctime_ns) <= now_ns - SETTLED_NS:  # (krm.register.memo.settled)
            out.append((a, identity(stats[a]), sha))
    return out


def _stored(lite, shas: set[str], as_of: dt.date) -> dict | None:
    """{sha256: (workbook id, reading id, form, header, errors, findings, digest, size)} stored for this engine
    and day (as :meth:`krm.register.memo.Memo.remembered`), or None when one is missing or not intact."""
    import hashlib

    from krm.register import codec
    from krm.register.engine import fingerprint

    day = as_of.isoformat() if lite.kind == "sqlite" else as_of
    hits = lite.rows_in(
        "SELECT w.sha256, w.size, w.id, r.id, r.form, r.header IS NOT NULL, c.id, c.errors, c.warnings, c.digest, "
        "d.data, d.seal, r.digest FROM workbook w JOIN reading r ON r.workbook_id = w.id "
        "JOIN check_result c ON c.reading_id = r.id AND c.as_of = :day "
        "LEFT JOIN reading_digest d ON d.reading_id = r.id "
        "WHERE r.engine = :engine AND w.sha256 IN ({values})", sorted(shas), {"day": day, "engine": fingerprint()})
    if len(hits) != len(shas) or len({h[0] for h in hits}) != len(shas):
        return None
    recs: dict[int, list] = {h[6]: [] for h in hits}
    for r in lite.rows_in("SELECT check_id, seq, code, severity, sheet, cell, data FROM finding "
                          "WHERE check_id IN ({values})", sorted(recs)):
        recs[r[0]].append(_Finding(*r[1:]))
    written = _written(lite, [h[2] for h in hits if recs[h[6]]])
    out = {}
    for sha, size, wid, rid, form, header, cid, errors, warnings, cdig, data, seal, rdig in hits:
        found = sorted(recs[cid], key=lambda r: r.seq)
        if codec.check_digest(errors, warnings, found) != cdig:
            return None
        if data is None or seal != hashlib.sha256(f"{rdig}:{data}".encode("utf-8")).hexdigest():
            if header:  # (krm.register.memo.seal) the digest would be made from the rows: run in full
                return None
            data = None
        out[sha] = (wid, rid, form, bool(header), found, data, size, written.get(wid, {}))
    return out


class _Finding:
    """A stored finding row, by attribute as :func:`krm.register.codec.finding_from` and ``check_digest`` read it."""

    __slots__ = ("seq", "code", "severity", "sheet", "cell", "data")

    def __init__(self, seq, code, severity, sheet, cell, data):
        self.seq, self.code, self.severity, self.sheet, self.cell, self.data = seq, code, severity, sheet, cell, data


def _written(lite, wids: list[int]) -> dict[int, dict]:
    """As :meth:`krm.register.memo.Memo.written_for`: {workbook id: {(code, cell): explanation}}."""
    out: dict[int, dict] = {}
    if not wids:
        return out
    for wid, code, cell, text, author, at in lite.rows_in(
            "SELECT workbook_id, code, cell, text, author, at FROM written_explanation WHERE workbook_id IN ({values}) "
            "ORDER BY id", sorted(set(wids))):
        day = (dt.datetime.fromisoformat(at) if isinstance(at, str) else at).date().isoformat()
        out.setdefault(wid, {})[(code, cell)] = {"text": text, "who": author, "date": day, "sheet": "krm serve",
                                                 "row": None}
    return out


def _recorded(lite, files: list[tuple[str, int]]) -> list | None:
    """[(workbook id, path)] when every file's path (where it is, :func:`krm.intake.located.located`; workbook id) is
    already recorded (a full run would record only when it was last seen), else None."""
    pairs = sorted({(w, p) for p, w in files})
    have = set()
    for wid, path in lite.rows_in("SELECT workbook_id, path FROM workbook_path WHERE workbook_id IN ({values})",
                                  sorted({w for w, _ in pairs})):
        have.add((wid, path))
    if any(x not in have for x in pairs):
        return None
    return pairs


def _versioned(lite, files: list[tuple]) -> bool:
    """Whether every placed file ((workbook id, its digest or None), a digest: placed) is already a version of the
    submission its reading places it in: a full run adds none then.  A version is of the workbook's bytes, not of
    one reading (:meth:`krm.register.store.Store.record_seen`): bytes read again by another engine (krm upgraded)
    keep their version, which names the reading they were received with, and a full run adds a version only when
    the new reading places them in another submission."""
    from krm.register.store import submission_key

    placed = {(w, submission_key(d)) for w, d in files if d is not None}
    if any(k is None for _, k in placed):
        return False
    have = {(r[0], tuple(x or "" for x in r[1:])) for r in lite.rows_in(
        "SELECT v.workbook_id, s.form, s.region, s.district, s.programme, s.period FROM version v "
        "JOIN submission s ON s.id = v.submission_id WHERE v.workbook_id IN ({values})",
        sorted({w for w, _ in placed}))}
    return not placed - have


def _touch(lite, recorded: list, hashed: list) -> bool:
    """What a full run records of these files (Store.record_seen, Memo.record_files): last seen, identities (False:
    the identities could not be recorded)."""
    from krm.register.answers import _remember
    from krm.register.lite import LiteError

    now = _now(lite)  # (one time for the run's rows: each row asked for it, ~3,000 clock reads and conversions)
    try:
        lite.write(["UPDATE workbook SET last_seen = :now, read_error = NULL WHERE id = :w",
                    "UPDATE workbook_path SET last_seen = :now WHERE workbook_id = :w AND path = :p"],
                   [{"now": now, "w": w, "p": p} for w, p in recorded])
    except LiteError as e:  # as a full run: the results stand, only the register's memory of this run is lost
        import sys

        print(f"krm: warning: the register could not record this run ({str(e).strip().splitlines()[0]})",
              file=sys.stderr)
    return _remember(lite, sorted(hashed))  # (a failure costs only the identities: hashed again next time)


def _records(found, shas, stored, directory, period, programme, progress) -> list | None:
    """The run's inputs, each as :func:`krm.aggregate.collect.collect` makes it from a remembered report."""
    from krm.aggregate.collect import _classify, _input_file
    from krm.rollup import Digest

    out = []
    for n, (p, _, a, st) in enumerate(found, 1):
        wid, rid, form, header, recs, data, size, written = stored[shas[a]]
        if size != st.st_size:
            return None
        # its header as the roll-ups see it: the stored digest, whose header fields are those of the Submission the
        # reading's header gives (rollup.digest copies them); without a header, no submission (not placed)
        sub = Digest(path=p, **_loads(data)) if header else None
        r = None
        if not any(f.severity == "error" for f in recs):  # its findings are only counted, unless it is excluded
            r = _classify(form, [], sub, period, programme)
            r.warnings = len(recs)
        if r is None or r.status == "excluded":
            r = _classify(form, _findings(recs, p, written), sub, period, programme)
        r.sha256 = shas[a]
        if sub is not None:
            r.submission, r.reading_id = sub, rid
        out.append(_input_file(p, directory, r, st.st_mtime))
        if progress is not None:
            progress(n, len(found))
    return out


def _findings(recs: list, path: Path, written: dict) -> list:
    """A stored result's findings, with the portal's explanations (as :func:`krm.remembered.remembered`)."""
    from krm.register import codec

    findings = [codec.finding_from(f, str(path)) for f in recs]
    for f in findings:
        e = written.get((f.code, f.cell or ""))
        if e is not None and f.explanation is None and f.severity != "error":
            f.explanation = dict(e)
    return findings


def _loads(text: str):
    """:func:`krm.register.codec.loads` with the tags made by json's decoder as it meets each object (one Python
    call an object, not one a value: a run decodes every input's digest; one decoder for all: json.loads would make
    one, and its scanner, a text)."""
    global _DECODER
    if _DECODER is None or type(text) is not str:
        import json

        if type(text) is not str:  # (bytes, say: as json.loads takes them)
            return json.loads(text, object_hook=_tagged)
        _DECODER = json.JSONDecoder(object_hook=_tagged)
    return _DECODER.decode(text)


_DECODER = None


def _tagged(d: dict):
    """A decoded JSON object as :func:`krm.register.codec.decode` gives it, its members already decoded."""
    if len(d) != 1:
        return d
    (tag, x), = d.items()
    make = _TAGS.get(tag)
    return d if make is None else make(x)


def _text(x):
    from krm.register.codec import _text_class

    return _text_class()(kk=x[0], ru=x[1], en=x[2])


_TAGS = {"$dec": Decimal, "$d": dt.date.fromisoformat, "$dt": dt.datetime.fromisoformat, "$path": Path,
         "$tuple": tuple, "$dict": lambda x: {k: y for k, y in x}, "$text": _text, "$float": float,
         "$str": lambda x: x}
