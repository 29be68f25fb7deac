"""What ``krm report`` keeps of each workbook, remembered in the register across runs (table ``report_input``):
a report made again after a few files of the month changed validates only those (docs/register.md, "Runs on an
unchanged month").

:func:`krm.report.inputs.load_inputs` keeps of every workbook its form hint and what :class:`~krm.report.inputs._Keep`
made of it: a :class:`~krm.report.monthdata.FileSummary`, an excluded file (:class:`~krm.report.inputs._Bad`) or
nothing (another month or form).  Those depend only on the workbook's bytes, the engine (krm's code and data, the
readers), krm's version, the report's periods and the validation date, so they are stored by the bytes' SHA-256
under a *recipe* of the rest and that date (one row per bytes and recipe: a later date replaces it).  A file whose
identity on disk the register knows (:meth:`krm.register.memo.Memo.known_files`: the same path, device, inode,
size and times as when its bytes were hashed) and whose bytes have a row for this recipe and today is not read,
hinted or validated again: its stored entry is used, with its path and modified time as they are now.

What is stored is what the run computed: the hint read from the file before it was validated, and the result of
that validation (never a KRM-3 read for its totals only, never a crashed worker's report).  It is stored only when
the file's identity did not change from before its hint was read to after it was validated and its times were
settled (2 s old) then, so that hint and result are of the same bytes.  A row whose seal does not match (changed in
the database) is not used.  Nothing is a pickle: the entry is tagged JSON (:mod:`krm.register.codec`) of known
dataclasses' fields, rebuilt field by field.

Files answered this way are not recorded as seen again (their paths, versions and identities are already in the
register, as with ``krm report``'s memo): only their *last seen* time is not updated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

#: bump when what an entry holds changes shape
FORMAT = 1


def seal(sha: str, recipe: str, as_of: dt.date, data: str) -> str:
    return hashlib.sha256(f"{sha}\0{recipe}\0{as_of.isoformat()}\0{data}".encode("utf-8")).hexdigest()


def recipe(periods, year: str) -> str:
    """What an entry depends on besides the bytes and the date."""
    from krm import __version__
    from krm.register.engine import fingerprint
    from krm.register.lite import recipe as sha_of

    return sha_of("report-input", FORMAT, fingerprint(), __version__, sorted(periods), year)


# ------------------------------------------------------------------ entries as tagged JSON
def _fields(obj, skip=()) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip}


def encode(hint, result) -> str | None:
    """An entry as text; None for a result that is not stored."""
    from krm.register import codec
    from krm.report.inputs import _Bad
    from krm.report.monthdata import FileSummary

    if result is None:
        body = {"kind": "none"}
    elif type(result) is _Bad:
        body = {"kind": "bad", **_fields(result, ("path",))}
    elif type(result) is FileSummary and result.checked:
        body = {"kind": "summary", **_fields(result, ("path", "mtime", "regions", "rolled", "checked"))}
        body["regions"] = [_fields(r) for r in result.regions]
        body["rolled"] = _fields(result.rolled) if result.rolled is not None else None
    else:
        return None
    return json.dumps(codec.encode({"hint": hint, **body}), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class _Decoder:
    """Reads entries (:func:`decode`): one JSON decoder for all of them, whose object hook makes each one-key
    ``{"$tag": …}`` object what :func:`krm.register.codec.decode` makes of it (the decimal and time tags of every
    entry directly, the others through decode: their contents are decoded already, and decode leaves decoded values
    as they are), and a region row's field names taken once."""

    def __init__(self):
        from decimal import Decimal

        from krm.model import RegionRow
        from krm.register.codec import decode as tagged

        fast = {"$dec": Decimal, "$dt": dt.datetime.fromisoformat, "$d": dt.date.fromisoformat}

        def hook(d: dict):
            if len(d) == 1:
                for k in d:
                    if k[:1] == "$":
                        f = fast.get(k)
                        return f(d[k]) if f is not None else tagged(d)
            return d

        self.json = json.JSONDecoder(object_hook=hook)
        self.row, self.names = RegionRow, frozenset(f.name for f in dataclasses.fields(RegionRow))

    def region_row(self, d: dict):
        if not isinstance(d, dict) or not d.keys() <= self.names:
            raise ValueError("not a region row")
        return self.row(**d)


def decode(text: str, path: Path, mtime: float, decoder: _Decoder | None = None):
    """(hint, result) of an entry, for the file at ``path``; ValueError (or TypeError, KeyError) when it is not one.
    ``decoder``: one :class:`_Decoder` for many entries."""
    from krm.report.inputs import _Bad
    from krm.report.monthdata import FileSummary

    decoder = decoder if decoder is not None else _Decoder()
    d = decoder.json.decode(text)
    hint, kind = d.pop("hint"), d.pop("kind")
    if kind == "none":
        return hint, None
    if kind == "bad":
        return hint, _Bad(path=path, **d)
    if kind != "summary":
        raise ValueError(kind)
    d["regions"] = [decoder.region_row(r) for r in d["regions"]]
    d["rolled"] = decoder.region_row(d["rolled"]) if d["rolled"] is not None else None
    return hint, FileSummary(path=path, mtime=mtime, checked=True, **d)


# ------------------------------------------------------------------ the run's use of them
class Inputs:
    """The entries of one report's run: :meth:`lookup` before anything is read, :meth:`keep` each file
    validated, :meth:`save` at the end."""

    def __init__(self, root: Path, periods, year: str, identities=None):
        self.root, self.recipe, self.today = Path(root), recipe(periods, year), dt.date.today()
        self.identities = identities  # the run's file identities read so far (krm.report.memo.Identities)
        self.stats: dict[Path, os.stat_result] = {}  # taken before any hint was read
        self.at_ns = 0  # when
        self.new: list[tuple[str, str, str]] = []

    def lookup(self, paths: list[Path]) -> dict[Path, tuple]:
        """{path: (hint, result)} of the files the register answers (module's doc); {} when it cannot be read."""
        from krm.register.connect import RegisterError, configured, outside_inputs
        from krm.register.lite import LiteError, open_lite
        import time

        self.at_ns = time.time_ns()
        for p in paths:
            try:
                st = os.stat(p)
            except (OSError, ValueError):
                continue
            if stat.S_ISREG(st.st_mode):
                self.stats[p] = st
        target = configured()
        try:
            outside_inputs(target, [self.root]) if target is not None else None
        except RegisterError:  # the run refuses it; nothing is answered here
            return {}
        lite = open_lite(target)
        if lite is None:
            return {}
        from krm.report.memo import Identities, absolute

        by_abs = dict(zip(absolute(list(self.stats), self.root), self.stats))  # {absolute: path}
        known = self.identities if self.identities is not None else Identities()
        with lite:
            try:
                shas = {by_abs[a]: sha for a, sha in known.shas(lite, {a: self.stats[p] for a, p in by_abs.items()})
                        .items()}
                rows = lite.rows_in("SELECT sha256, data, seal FROM report_input WHERE recipe = :recipe "
                                    "AND as_of = :as_of AND sha256 IN ({values})", sorted(set(shas.values())),
                                    {"recipe": self.recipe, "as_of": self.today.isoformat()})
            except LiteError:
                return {}
        data = {sha: text for sha, text, sl in rows if sl == seal(sha, self.recipe, self.today, text)}
        out = {}
        decoder = _Decoder()
        import gc

        paused = gc.isenabled()
        gc.disable()  # thousands of entries decoded, each a few containers kept, no cycle made: no collector pass
        try:
            for p, sha in shas.items():
                if sha in data:
                    try:
                        out[p] = decode(data[sha], p, self.stats[p].st_mtime, decoder)
                    except (ValueError, TypeError, KeyError, AttributeError):
                        continue  # not an entry this krm reads: the file is validated
        finally:
            if paused:
                gc.enable()
        return out

    def keep(self, path: Path, hint, sha: str | None, result) -> None:
        """Remember what the run made of ``path`` (hint read, then validated as bytes ``sha``) when it may be."""
        from krm.register.memo import settled
        from krm.register.lite import identity

        before = self.stats.get(path)
        if sha is None or before is None or not settled(before, self.at_ns):
            return
        try:
            if identity(os.stat(path)) != identity(before):
                return
        except (OSError, ValueError):
            return
        text = encode(hint, result)
        if text is not None:
            self.new.append((sha, text, seal(sha, self.recipe, self.today, text)))

    def save(self) -> None:
        """Store the new entries; a register that cannot be written to costs only them."""
        if not self.new or dt.date.today() != self.today:  # not across midnight: the date is in each entry
            return
        from krm.register.connect import RegisterError, configured
        from krm.register.plain import open_plain
        from krm.register.sqlite_write import db_errors

        try:
            reg = open_plain(configured())  # an SQLite register at this schema: without SQLAlchemy
            if reg is not None:
                with reg:
                    reg.record_report_inputs(self.recipe, self.today, self.new)
        except (RegisterError, *db_errors()) as e:
            import sys

            msg = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            print(f"krm: warning: the register could not record what this report read ({msg})", file=sys.stderr)
        self.new = []
