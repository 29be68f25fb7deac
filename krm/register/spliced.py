"""``krm validate --format json`` after a few workbooks changed: the files that did not change are answered from
their pieces of the last full run's output, only the others are validated (docs/register.md, "Runs on an
unchanged month").

A full run whose answer is stored (:mod:`krm.register.answers`) also stores, per file, its *piece*: its entry's
fields (path as shown, form, errors, warnings, explained), its findings' codes, its findings as written (the
text of their items) and what its findings across months were compared with (its form, period, district,
programme); beside them the register's generation at the run's end (``command_answer``, command
``validate/pieces``, one row per invocation).  A run of the same invocation, engine and day, with the register in
that same generation, splices:

* a workbook whose path as shown and whose bytes (SHA-256 from its identity on disk) are a piece's is *kept*:
  its piece is written as it was, and its *last seen* times are recorded (what a full run records of it);
* every other workbook (edited, new, moved) is validated as in a full run (:func:`krm.validate.validate_paths`,
  recording readings, paths and versions), then checked across months and given its outliers
  (:mod:`krm.history.spooled`) — with the kept files counted as this run's for the re-checks of next months;
* the summary, each entry and the exit code come from the pieces' counts and the others' reports.

A kept file's findings are its own (its bytes', the engine's and the day's), the portal's explanations (their
tables unchanged: the generation), its findings across months and its outliers.  The last two depend on the
register: what this run recorded is read back from it (every submission with a new version, a new state or a new
path of its versions' bytes since the stored generation).  When one of them is what a kept file is compared with
(its previous month, its year's KRM-1; a KRM-3: any KRM-2 of its period and programme), or when
its month's outliers could change (the register holds four earlier months of the year and a KRM-2 of the year up
to that month changed), nothing more is done here: the command runs in full (what was recorded is what the full
run records first anyway; nothing was returned yet).  Anything else not as stored (another invocation, day,
engine, register generation, a file that is not a readable regular file, the text format, a terminal) runs it in
full too.  ``tests/test_spliced.py`` compares spliced runs with full runs byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

#: the command under which a run's pieces are stored in ``command_answer``
PIECES = "validate/pieces"
#: the most text of findings kept as pieces (characters); a run with more stores none
MAX_PIECES = 16 * 1024 * 1024
#: at most this share of the files validated again here; more runs in full
MAX_REDONE = 0.5


class Pieces(list):
    """A run's pieces as its output is written (:func:`piece`), given up (emptied, ``full``) past MAX_PIECES."""

    def __init__(self):
        super().__init__()
        self.size, self.full = 0, False

    def add(self, p: list) -> None:
        if self.full:
            return
        self.size += len(p[8]) + 200
        if self.size > MAX_PIECES:
            self.full = True
            self.clear()
            return
        self.append(p)


def piece(r, lang: str, pieces: Pieces):
    """A report's findings as written in the JSON (:class:`krm.commands.validate.Encoded`), its piece added to
    ``pieces``: [path, sha256, form, errors, warnings, explained, unreadable, {code: n}, text, key] (key: [form,
    period, district, programme] of its submission, or None)."""
    from krm.catalogue import READ_ERRORS
    from krm.commands.validate import Encoded, _lang, encode_item

    lg = _lang(lang, r)
    text = "".join([encode_item(f.to_dict(lg)) for f in r.findings])
    if not pieces.full:
        e = w = x = 0
        codes: dict[str, int] = {}
        for f in r.findings:
            e += f.severity == "error"
            w += f.severity == "warning"
            x += bool(f.explanation)
            codes[f.code] = codes.get(f.code, 0) + 1
        sub = r.submission
        key = [sub.form, sub.period, sub.district or "", sub.programme or ""] if sub is not None else None
        pieces.add([str(r.path), r.sha256, r.form, e, w, x, any(f.code in READ_ERRORS for f in r.findings), codes,
                    text, key])
    return Encoded(text)


def context(lite, invoked: str, today) -> str:
    """What a run's pieces stand for besides its files: the invocation, the engine, krm's version, the day and the
    register's generation."""
    from krm import __version__
    from krm.register.answers import generation
    from krm.register.engine import fingerprint
    from krm.register.lite import recipe

    return recipe(PIECES, invoked, fingerprint(), __version__, today.isoformat(), generation(lite))


def store(lite, invoked: str, today, pieces: Pieces) -> None:
    """Store a run's pieces with the register as it is now (the run's end)."""
    from krm.register.answers import _store, generation

    if pieces.full:
        return
    gen = generation(lite)
    text = json.dumps({"gen": gen, "files": pieces}, ensure_ascii=False, separators=(",", ":"))
    _store(lite, PIECES, invoked, context(lite, invoked, today), 0, text, "")


def _stored(lite, invoked: str, today) -> dict | None:
    from krm.register.answers import _text
    from krm.register.lite import host

    row = lite.rows("SELECT recipe, exit_code, stdout, stderr, seal FROM command_answer WHERE host = :host AND "
                    "command = :command AND invocation = :inv", {"host": host(), "command": PIECES, "inv": invoked})
    if not row or row[0][0] != context(lite, invoked, today):
        return None
    text = _text(row[0])
    return json.loads(text) if text is not None else None


def _last_id(gen: list, table: str) -> int:
    return next((t[2] or 0 for t in gen if t[0] == table), 0)


def touched(lite, gen: list) -> set:
    """(form, period, district, programme) of every submission the register changed since the generation ``gen``:
    a new submission, a new version, a new state of a version, a new path of a version's bytes."""
    rows = lite.rows(
        "SELECT form, period, district, programme FROM submission WHERE id > :s OR id IN ("
        "SELECT submission_id FROM version WHERE id > :v UNION "
        "SELECT v.submission_id FROM version v JOIN state_change c ON c.version_id = v.id WHERE c.id > :c UNION "
        "SELECT v.submission_id FROM version v JOIN workbook_path p ON p.workbook_id = v.workbook_id WHERE p.id > :p)",
        {"s": _last_id(gen, "submission"), "v": _last_id(gen, "version"), "c": _last_id(gen, "state_change"),
         "p": _last_id(gen, "workbook_path")})
    return {tuple(x or "" for x in r) for r in rows}


def depends(key) -> list:
    """What a file's findings across months are compared with (see the module's doc): (form, period, district,
    programme), district "*" for any."""
    if key is None:
        return []
    from krm.history.past import previous_month

    form, period, district, programme = key
    if form == "KRM-2" and period:
        return [("KRM-2", previous_month(period), district, programme), ("KRM-1", period[:4], district, programme)]
    if form == "KRM-3":
        return [("KRM-2", period, "*", programme)]
    return []


def _next_month(key: tuple) -> tuple | None:
    from krm.history.record import _next_month as nxt

    form, period, district, programme = key
    return ("KRM-2", nxt(period), district, programme) if form == "KRM-2" and nxt(period) else None


def _month_ok(period) -> bool:
    return type(period) is str and len(period) == 7 and period[4] == "-" and period[:4].isdigit() \
        and period[5:].isdigit() and 1 <= int(period[5:]) <= 12


def safe(lite, kept: list, changed: set) -> bool:
    """Whether every kept piece's findings are the ones a full run gives now (see the module's doc): ``changed``
    the submissions this run changed (:func:`touched`) and those its re-checks may return."""
    if not changed:
        return True
    wild = {(f, p, g) for f, p, _, g in changed if f == "KRM-2"}
    for k in kept:
        for d in depends(k[9]):
            if d in changed or d[2] == "*" and (d[0], d[1], d[3]) in wild:
                return False
    months = {k[9][1] for k in kept if k[9] is not None and k[9][0] == "KRM-2" and _month_ok(k[9][1])}
    krm2 = [p for f, p, _, _ in changed if f == "KRM-2" and _month_ok(p)]
    for m in sorted(months):
        if any(p[:4] == m[:4] and p <= m for p in krm2) and _history(lite, m):
            return False  # the month may have outliers, which a changed KRM-2 of the year may change
    return True


def _history(lite, month: str) -> bool:
    """:func:`krm.history.outliers.may_have_history` asked of the register opened without SQLAlchemy."""
    from krm.history.outliers import MIN_HISTORY

    earlier = [f"{month[:4]}-{i:02d}" for i in range(1, int(month[5:]))]
    if len(earlier) < MIN_HISTORY:
        return False
    return len(lite.rows_in("SELECT DISTINCT period FROM submission WHERE form = 'KRM-2' AND period IN ({values})",
                            earlier)) >= MIN_HISTORY


def _months(spool) -> set:
    """The months whose outliers the reports of ``spool`` are given (krm.history.spooled._month)."""
    from krm.history.spooled import _month

    return {m for m in (_month(meta) for _, meta in spool.metas()) if m is not None and _month_ok(m)}


def run(invoked: str, paths: list, lang: str, as_of: str | None, overrun, jobs, found: dict) -> int | None:
    """Splice this run's output (see the module's doc), write it and return its exit code; None: nothing was
    written, run the command in full.  ``as_of``: ``--as-of`` (None: today), as the stored run took it;
    ``found``: the workbooks found when the stored answer was looked up (:func:`krm.register.answers.lookup`)."""
    from krm.register.answers import eligible, known_files, today
    from krm.register.lite import LiteError, open_configured

    if not eligible(("stdout", "stderr")) or not all(Path(p).exists() for p in paths):
        return None
    day = today()
    lite = open_configured(paths)
    if lite is None:
        return None
    with lite:
        try:
            stored = _stored(lite, invoked, day)
            if stored is not None and "found" not in found:
                found["found"] = known_files(lite, [str(p) for p in paths], partial=True)
        except (LiteError, ValueError, TypeError):
            return None
    if stored is None or found.get("found") is None:
        return None
    try:
        today_d = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        return None
    files, shas = found["found"]
    pieces = {p[0]: p for p in stored["files"]}
    plan = []  # (path of a file validated again else None, shown, absolute path, its piece or None)
    hashed = {}  # {absolute path: (identity or None, sha256)} of the files read here to know their bytes
    for shown, a in files:
        p = pieces.get(shown)
        if p is not None and p[1] is not None and a not in shas and len(hashed) < MAX_REDONE * len(files):
            hashed[a] = _hashed(a)  # (its identity is not known yet: written a moment before the last run)
        sha = shas.get(a) or (hashed.get(a) or (None, None))[1]
        p = p if p is not None and p[1] is not None and sha == p[1] else None
        plan.append((Path(shown) if p is None else None, shown, a, p))
    redo = [path for path, _, _, p in plan if p is None]
    if len(redo) > MAX_REDONE * len(plan):
        return None
    known = {a: h for a, h in hashed.items() if h is not None and h[0] is not None and shas.get(a) is None}
    try:
        return _splice(invoked, paths, lang, today_d, overrun, jobs, stored["gen"], plan, redo,
                       {**shas, **{a: h[1] for a, h in hashed.items() if h is not None}}, day, known,
                       {**shas, **{a: h[1] for a, h in known.items()}})
    except LiteError:
        return None


def _hashed(a: str) -> tuple | None:
    """(identity when settled, else None; SHA-256) of a regular file's bytes, read here; None: not readable so."""
    import hashlib
    import stat
    import time

    from krm.register.answers import SETTLED_NS
    from krm.register.lite import identity
    from krm.validate import MAX_REGISTERED_BYTES

    try:
        now_ns = time.time_ns()
        fd = os.open(a, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            data = fh.read(MAX_REGISTERED_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_REGISTERED_BYTES:
        return None
    ok = st.st_size == len(data) and max(st.st_mtime_ns, st.st_ctime_ns) <= now_ns - SETTLED_NS
    return identity(st) if ok else None, hashlib.sha256(data).hexdigest()


def _splice(invoked, paths, lang, today_d, overrun, jobs, gen, plan, redo, shas, day, known, ids) -> int | None:
    """:func:`run` once the files are planned: ``shas`` the kept files' bytes, ``known`` the identities of those read
    here to know them (to be recorded), ``ids`` the files whose bytes the register knows by their identity."""
    from krm.register.answers import Capture, _remember, generation, today, touch_seen
    from krm.register.connect import configured
    from krm.register.lite import open_lite
    from krm.spooled import Spool

    kept = [p for *_, p in plan if p is not None]
    spool, reg, done = None, None, False
    errors = Capture("stderr")  # a full run that prints on stderr is not stored: neither is this one
    try:
        if redo:
            from krm.register.connect import RegisterError
            from krm.register.plain import open_plain
            from krm.validate import validate_paths

            try:
                reg = open_plain(configured())  # an SQLite register without SQLAlchemy (krm.register.plain)
            except RegisterError:  # the full run says why
                return None
            spool = validate_paths(redo, jobs=jobs if jobs is not None else (1 if len(redo) < 4 else None),
                                   today=today_d, submissions=True, register=reg, into=Spool())
        with open_lite(configured()) as lite:
            touch_seen(lite, ([(shown, a) for _, shown, a, p in plan if p is not None], shas))
            _remember(lite, [(a, ident, sha) for a, (ident, sha) in known.items()])  # as a full run's reading
        with open_lite(configured()) as lite:
            after = generation(lite)
            changed = touched(lite, gen)
            if spool is not None:
                for _, m in spool.metas():
                    h = m.get("header")
                    if h is not None:
                        nxt = _next_month((h.get("form"), h.get("period"), h.get("district") or "",
                                           h.get("programme") or ""))
                        if nxt is not None:
                            changed.add(nxt)
            changed |= {_next_month(k) for k in changed if _next_month(k) is not None}
            if not safe(lite, kept, changed):
                return None
            outliers = spool is not None and any(_history(lite, m) for m in _months(spool))
        if spool is not None:
            from krm.history.spooled import add_outliers, check_spooled

            this_run = {(k[9][1], k[9][2], k[9][3]) for k in kept if k[9] is not None and k[9][0] == "KRM-2"
                        and k[9][2] and not k[3]}
            spool, _ = check_spooled(spool, reg, overrun=overrun, this_run=this_run)
            if outliers:
                add_outliers(spool, reg)
        done = True
    finally:
        err = errors.stop()
        if reg is not None:
            reg.close()
        if not done and spool is not None:
            spool.close()
    try:
        code, text, pieces = _write(plan, spool, lang)
    finally:
        if spool is not None:
            spool.close()
    if err or day != today() or code not in (0, 1):
        return code
    _store_all(invoked, plan, ids, day, code, text, pieces, gen, after)
    return code


def _store_all(invoked, plan, shas, day, code, text, pieces, gen, after) -> None:
    """The run's answer and pieces, as a full run stores them: only when nothing it read of the register changed
    after it recorded (its checks returned nothing, no other process wrote)."""
    from krm.register.answers import NOT_WRITTEN, _store, generation, recipe_from
    from krm.register.connect import configured
    from krm.register.lite import LiteError, open_lite

    lite = open_lite(configured())
    if lite is None:
        return
    with lite:
        try:
            if generation(lite) != after or [t for t in after if t[0] in NOT_WRITTEN] != \
                    [t for t in gen if t[0] in NOT_WRITTEN]:
                return
            now = recipe_from(lite, "validate", invoked, day, _known(lite, plan, shas))
            if now is not None and text is not None:
                _store(lite, "validate", invoked, now[0], code, text, "")
            store(lite, invoked, day, pieces)
        except LiteError:
            return


def _known(lite, plan, shas) -> tuple | None:
    """(files, shas) as :func:`krm.register.answers.known_files` after the run: the files validated here by the
    identities it recorded; None when one is not known."""
    from krm.register.answers import identified

    stats = {}
    for _, _, a, p in plan:
        if a not in shas:
            try:
                stats[a] = os.stat(a)
            except OSError:
                return None
    shas = dict(shas)
    shas.update(identified(lite, stats) if stats else {})
    if any(a not in shas for _, _, a, _ in plan):
        return None
    return [(shown, a) for _, shown, a, _ in plan], shas


def _plain(s) -> str | None:
    """``s`` as JSON when that is only its quotes (no character JSON escapes or :func:`krm.textsafe.clean` changes)."""
    if s is None:
        return "null"
    return f'"{s}"' if type(s) is str and s.isprintable() and '"' not in s and "\\" not in s else None


def _entry(path, form, errors, warnings, explained):
    """A file's entry of the JSON (its item as :func:`krm.commands.validate.encode_item` gives it)."""
    from krm.commands.validate import Encoded, encode_item

    p, f = _plain(path), _plain(form)
    if p is None or f is None or type(errors) is not int or type(warnings) is not int:
        entry = {"path": path, "form": form, "errors": errors, "warnings": warnings}
        if explained is not None:
            entry["explained"] = explained
        return Encoded(encode_item(entry))
    tail = f',\n   "explained": {int(explained)}' if explained is not None else ""
    return Encoded(f',\n  {{\n   "path": {p},\n   "form": {f},\n   "errors": {errors},\n   "warnings": {warnings}'
                   f'{tail}\n  }}')


def _write(plan, spool, lang) -> tuple[int, str | None, Pieces]:
    """Write the spliced JSON; (exit code, the text written or None when too long to keep, the run's pieces)."""
    import sys
    from collections import Counter

    from krm.commands.validate import EXIT_DATA, EXIT_OK, EXIT_USAGE, Encoded, _Items, write_json
    from krm.register.answers import MAX_STORED

    c = spool.counts if spool is not None else None
    files, e, w, x, bad = len(plan), 0, 0, 0, 0
    by_code: Counter = Counter()
    for *_, p in plan:
        if p is not None:
            e, w, x, bad = e + p[3], w + p[4], x + p[5], bad + p[6]
            by_code.update(p[7])
    if c is not None:
        e, w, x, bad = e + c.errors, w + c.warnings, x + c.explained, bad + c.unreadable
        by_code.update(c.by_code)
    pieces = Pieces()

    def entries():
        metas = spool.metas() if spool is not None else iter(())
        for *_, p in plan:
            if p is not None:
                yield _entry(p[0], p[2], p[3], p[4], p[5] if x else None)
            else:
                _, m = next(metas)
                yield _entry(m["path"], m["form"], m["errors"], m["warnings"], m["explained"] if x else None)

    def findings():
        reports = spool.reports() if spool is not None else iter(())
        for *_, p in plan:
            if p is not None:
                pieces.add(p)
                yield Encoded(p[8])
            else:
                yield piece(next(reports), lang, pieces)
    doc = {"version": 1,
           "summary": {"files": files, "errors": e, "warnings": w, "by_code": dict(sorted(by_code.items()))},
           "files": _Items(entries), "findings": _Items(findings)}
    if x:
        doc["summary"]["explained"] = x
    parts, size = [], 0

    def write(s):
        nonlocal parts, size
        sys.stdout.write(s)
        if parts is not None:
            parts.append(s)
            size += len(s)
            if size > MAX_STORED:
                parts = None
    write_json(doc, write)
    sys.stdout.flush()
    code = EXIT_USAGE if bad else (EXIT_DATA if e else EXIT_OK)
    return code, "".join(parts) if parts is not None else None, pieces
