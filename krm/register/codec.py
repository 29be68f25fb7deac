"""What a validation result becomes in the register, and back: exact, typed, never a pickle.

Values are written as *tagged JSON* (:func:`encode`/:func:`decode`): plain JSON for None, bools,
ints, floats and strings, and a one-key object for the rest (``{"$dec": "12.5"}``,
``{"$d": "2019-05-01"}``, ``{"$text": [kk, ru, en]}`` …), so a finding's parameters and a
submission's header come back equal to what was stored.  Decoding builds only these known types;
nothing in the database can make krm run code.

A typed row (a dataclass of :mod:`krm.model`) is stored as one ``row_value`` per field, by name
(:func:`row_cells`): a dict field (``by_activity``) as one value per entry (``by_activity.3``).  Rows are
rebuilt from their class name and fields (:func:`rows_from_cells`), so a field added to or removed
from the model changes which keys are written, not the schema.

:func:`reading_digest` is a SHA-256 over everything stored for a reading (header, every cell) and
:func:`check_digest` over a check's findings: ``krm register verify`` recomputes them, and a stored
result whose digest does not match is never used (it is read again instead).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from krm.findings import Finding

#: the Submission fields stored as its header (the rows are stored as rows; the path is where it is seen)
_NOT_HEADER = ("path", "projects", "regions")
#: the measures whose control totals a reading stores (and verify re-derives from the rows)
MEASURES = ("plan", "fact", "allocated", "disbursed")


def _text_class():
    from krm.spec import Text

    return Text


def encode(v):
    """A value as tagged JSON data (see the module's doc)."""
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else {"$float": repr(v)}
    if isinstance(v, Decimal):
        return {"$dec": str(v)}
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$d": v.isoformat()}
    if isinstance(v, Path):
        return {"$path": str(v)}
    if isinstance(v, tuple):
        return {"$tuple": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in v):
            return {k: encode(x) for k, x in v.items()}
        return {"$dict": [[encode(k), encode(x)] for k, x in v.items()]}
    if callable(v) and all(hasattr(v, a) for a in ("kk", "ru", "en")):
        return {"$text": [v.kk, v.ru, v.en]}
    return {"$str": str(v)}


def decode(v):
    if isinstance(v, list):
        return [decode(x) for x in v]
    if not isinstance(v, dict):
        return v
    if len(v) == 1:
        (tag, x), = v.items()
        if tag == "$dec":
            return Decimal(x)
        if tag == "$d":
            return dt.date.fromisoformat(x)
        if tag == "$dt":
            return dt.datetime.fromisoformat(x)
        if tag == "$path":
            return Path(x)
        if tag == "$tuple":
            return tuple(decode(y) for y in x)
        if tag == "$dict":
            return {decode(k): decode(y) for k, y in x}
        if tag == "$text":
            return _text_class()(kk=x[0], ru=x[1], en=x[2])
        if tag == "$float":
            return float(x)
        if tag == "$str":
            return x
    return {k: decode(x) for k, x in v.items()}


def dumps(v) -> str:
    return json.dumps(encode(v), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(s: str | None):
    return None if s is None else decode(json.loads(s))


# ------------------------------------------------------------------ typed rows
_TYPES = {"i": int, "s": str, "b": bool}


def _cell(v) -> tuple[str, str | None, str | None]:
    """(type, text, num) of one scalar value."""
    t = type(v)  # the common exact types first (a cold run stores ~1,000 values a workbook)
    if t is str:
        return "s", v, None
    if t is int or t is Decimal:
        x = str(v)
        return ("i" if t is int else "d"), x, x
    if v is None:
        return "n", None, None
    if isinstance(v, bool):
        return "b", "1" if v else "0", None
    if isinstance(v, int):
        return "i", str(v), str(v)
    if isinstance(v, Decimal):
        return "d", str(v), str(v)
    if isinstance(v, float):
        return "f", repr(v), repr(v)
    if isinstance(v, dt.datetime):
        return "T", v.isoformat(), None
    if isinstance(v, dt.date):
        return "D", v.isoformat(), None
    return "s", str(v), None


def _value(type_: str, text: str | None):
    if type_ == "n":
        return None
    if type_ == "i":
        return int(text)
    if type_ == "d":
        return Decimal(text)
    if type_ == "f":
        return float(text)
    if type_ == "b":
        return text == "1"
    if type_ == "D":
        return dt.date.fromisoformat(text)
    if type_ == "T":
        return dt.datetime.fromisoformat(text)
    return text


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def row_cells(rows: list) -> list[tuple[int, str, str, str, str | None, str | None]]:
    """``(row_no, kind, key, type, text, num)`` for every field of every row (dict fields: one per entry)."""
    out = []
    add = out.append
    for n, r in enumerate(rows):
        cls = type(r)
        kind = cls.__name__
        for name in _field_names(cls):
            v = getattr(r, name)
            if isinstance(v, dict):
                add((n, kind, name, "m", None, None))  # the dict itself (empty or not)
                for k, x in v.items():
                    add((n, kind, f"{name}.{k}", *_cell(x)))
            else:
                add((n, kind, name, *_cell(v)))
    return out


def sorted_cells(cells: list) -> list:
    """Cells in the order a reading stores and digests them: by row, then key."""
    return sorted(cells, key=lambda x: (x[0], x[2]))


_SORTED_NAMES: dict[type, tuple[str, ...]] = {}


def sorted_row_cells(rows: list) -> list[tuple[int, str, str, str, str | None, str | None]]:
    """``sorted_cells(row_cells(rows))``, built in that order (no sort of the whole list: each row's fields are
    taken in name order, and only a row with a dict field's entries is sorted by key)."""
    out: list = []
    add = out.append
    for n, r in enumerate(rows):
        cls = type(r)
        names = _SORTED_NAMES.get(cls)
        if names is None:
            names = _SORTED_NAMES[cls] = tuple(sorted(_field_names(cls)))
        kind = cls.__name__
        start, mixed = len(out), False
        for name in names:
            v = getattr(r, name)
            t = type(v)
            if t is str:
                add((n, kind, name, "s", v, None))
            elif t is int or t is Decimal:
                x = str(v)
                add((n, kind, name, "i" if t is int else "d", x, x))
            elif v is None:
                add((n, kind, name, "n", None, None))
            elif isinstance(v, dict):
                add((n, kind, name, "m", None, None))  # the dict itself (empty or not)
                for k, x in v.items():
                    add((n, kind, f"{name}.{k}", *_cell(x)))
                mixed = True
            else:
                add((n, kind, name, *_cell(v)))
        if mixed:  # "name.k" keys sort among the other names by the whole key
            out[start:] = sorted(out[start:], key=lambda x: x[2])
    return out


def rows_from_cells(cells) -> tuple[list, list]:
    """The model rows back from ``(row_no, kind, key, type, text)`` sorted by row: (projects, regions)."""
    return _rows_of(_fields_of(cells, False))


def rows_from_stored(cells) -> tuple[list, list]:
    """:func:`rows_from_cells` of cells as a reading stores them, ``(row_no, kind, key, type, text, num)``: the same
    rows, without a copy of each cell (a KRM-2's rows, the usual reading, by :func:`_plain_projects`)."""
    projects = _plain_projects(cells)
    if projects is not None:
        return projects, []
    return _rows_of(_fields_of(cells, True))


def _plain_projects(cells) -> list | None:
    """The project rows of ``cells`` (as :func:`_rows_of` of :func:`_fields_of` makes them) when every row is a
    ``ProjectRow`` whose cells come together, the rows in increasing order, and every cell is a plain value (text,
    none, int, Decimal, date; no dict field, no field the class lacks); else None (the general path then).  Fewer
    tests a cell and no sort: a KRM-3 after edits decodes ≈ 14 inputs' 900 cells each."""
    from krm.model import ProjectRow

    names = _PROJECT_NAMES.get(ProjectRow)
    if names is None:
        names = _PROJECT_NAMES[ProjectRow] = frozenset(_field_names(ProjectRow))
    out: list = []
    add = out.append
    seen: dict = {}
    fields = None
    last = None
    for row_no, kind, key, type_, text, _ in cells:
        if row_no != last:
            if fields is not None:
                if not fields.keys() <= names:
                    return None
                add(ProjectRow(**fields))
            if kind != "ProjectRow" or type(row_no) is not int or (last is not None and row_no < last):
                return None
            fields = {}
            last = row_no
        if "." in key:
            return None
        if type_ == "s":
            fields[key] = text
        elif type_ == "d" or type_ == "D":  # (immutable, one text each: shared, as _fields_of shares them)
            k = (type_, text)
            v = seen.get(k)
            if v is None:
                v = seen[k] = _value(type_, text)
            fields[key] = v
        elif type_ == "i":
            fields[key] = int(text)
        elif type_ == "n":
            fields[key] = None
        else:
            return None
    if fields is not None:
        if not fields.keys() <= names:
            return None
        add(ProjectRow(**fields))
    return out


_PROJECT_NAMES: dict = {}  # ProjectRow -> its fields' names (the class as model defines it when first asked)


def _fields_of(cells, stored: bool) -> dict[int, tuple[str, dict]]:
    """{row_no: (kind, {field: value})} of the cells (see :func:`rows_from_cells`)."""
    built: dict[int, tuple[str, dict]] = {}
    fields: dict = {}
    last = None
    seen: dict = {}  # (type, text) -> value: dates and amounts come back (immutable values, shared)
    for cell in cells:
        if stored:
            row_no, kind, key, type_, text, _ = cell
        else:
            row_no, kind, key, type_, text = cell
        if row_no != last:  # cells come grouped by row: one dict look-up a row, not one a value
            entry = built.get(row_no)
            if entry is None:
                entry = built[row_no] = (kind, {})
            fields = entry[1]
            last = row_no
        if type_ == "s" and "." not in key:
            fields[key] = text
        elif type_ == "m":
            fields.setdefault(key, {})
        elif "." in key:
            name, sub = key.split(".", 1)
            fields.setdefault(name, {})[sub] = _value(type_, text)
        elif type_ == "n":
            fields[key] = None
        elif type_ == "i":
            fields[key] = int(text)
        else:
            k = (type_, text)
            v = seen.get(k)
            if v is None:
                v = _value(type_, text)
                if type_ in _SHARED:
                    seen[k] = v
            fields[key] = v
    return built


#: the stored types whose values are immutable and stored as one text each (a Decimal's text keeps its exponent)
_SHARED = frozenset("dDT")


def _rows_of(built: dict[int, tuple[str, dict]]) -> tuple[list, list]:
    from krm import model

    projects, regions = [], []
    classes: dict[str, tuple] = {}
    for row_no in sorted(built):
        kind, fields = built[row_no]
        known = classes.get(kind)
        if known is None:
            cls = getattr(model, kind, None)
            if cls is None or not dataclasses.is_dataclass(cls):
                raise ValueError(f"unknown row kind {kind!r}")
            known = classes[kind] = (cls, frozenset(_field_names(cls)))
        cls, names = known
        row = cls(**fields) if fields.keys() <= names else cls(**{k: v for k, v in fields.items() if k in names})
        (regions if kind == "RegionRow" else projects).append(row)
    return projects, regions


def header_of(sub) -> dict:
    """A Submission's own fields (its header), without its rows and path."""
    return {f.name: getattr(sub, f.name) for f in dataclasses.fields(sub) if f.name not in _NOT_HEADER}


def submission_from(header: dict, projects: list, regions: list, path: Path):
    from krm.model import Submission

    names = {f.name for f in dataclasses.fields(Submission)}
    return Submission(path=path, projects=projects, regions=regions,
                      **{k: v for k, v in header.items() if k in names})


def totals_of(sub) -> dict[str, str]:
    return {k: str(v) for k, v in sub.totals().items()}


# ------------------------------------------------------------------ findings
_FINDING_DATA = ("row", "column", "column_title", "value", "related", "params", "form", "explanation")


def finding_record(seq: int, f: Finding) -> dict:
    return {"seq": seq, "code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell,
            "data": dumps({k: getattr(f, k) for k in _FINDING_DATA})}


def finding_from(rec, path: str) -> Finding:
    from krm.findings import Finding  # here: a run answered whole by the register (krm.register.answers) makes none

    data = loads(rec.data) or {}
    return Finding(code=rec.code, severity=rec.severity, file=path, sheet=rec.sheet, cell=rec.cell,
                   **{k: data[k] for k in _FINDING_DATA if k in data})


# ------------------------------------------------------------------ digests
def _h(*parts) -> "hashlib._Hash":
    h = hashlib.sha256()
    for p in parts:
        h.update(("" if p is None else str(p)).encode())
        h.update(b"\x1f")
    return h


#: json.dumps(…, ensure_ascii=False, separators=(",", ":")) made once, without the check for circular lists (cells
#: are flat tuples of scalars): the same text, ~15 % faster on a reading's ~1,000 cells
_CELLS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def cells_json(cells) -> str:
    """A reading's cells (:func:`row_cells`, sorted) as compact JSON: one text for all its rows."""
    return _CELLS_JSON.encode(cells)


def cells_from_json(text: str) -> list[tuple]:
    return [tuple(x) for x in json.loads(text)]


def stored_cells(c, reading_id: int) -> list[tuple]:
    """A reading's cells ``(row_no, kind, key, type, text, num)`` sorted by row and key, from either layout:
    ``reading_rows`` (one JSON row, migration 6) or ``row_value`` (one row a cell, readings recorded before)."""
    from sqlalchemy import select

    from krm.register import schema as S

    text = c.execute(select(S.reading_rows.c.cells).where(S.reading_rows.c.reading_id == reading_id)).scalar()
    if text is not None:
        return sorted(cells_from_json(text), key=lambda x: (x[0], x[2]))
    X = S.row_value
    return sorted((tuple(x) for x in c.execute(select(X.c.row_no, X.c.kind, X.c.key, X.c.type, X.c.text, X.c.num)
                                                .where(X.c.reading_id == reading_id))), key=lambda x: (x[0], x[2]))


def reading_digest(form, edition, header_json, n_rows, totals_json, cells) -> str:
    """SHA-256 over a reading's stored content; ``cells`` as :func:`row_cells` gives them (or as stored).

    Each cell's parts as text (None as NUL), each followed by US, each cell by RS: built as one string and
    hashed once (the same digest as hashing part by part, ~20× faster for a 60-row workbook)."""
    h = _h(form, edition, header_json, n_rows, totals_json)
    z = "\x00"
    try:  # a cell is (row_no, kind, key, type, text, num), of which only text and num are ever None (the others
        # are NOT NULL columns, and row_cells never makes them None): one f-string a cell
        body = "".join([f"{a}\x1f{b}\x1f{c}\x1f{d}\x1f{z if e is None else e}\x1f{z if f is None else f}\x1f\x1e"
                        for a, b, c, d, e, f in cells])
    except (ValueError, TypeError):  # another shape: part by part
        body = "".join(["\x1f".join(["\x00" if p is None else str(p) for p in c]) + "\x1f\x1e" for c in cells])
    h.update(body.encode())
    return h.hexdigest()


def check_digest(errors: int, warnings: int, records) -> str:
    h = _h(errors, warnings)
    for r in records:
        for k in ("seq", "code", "severity", "sheet", "cell", "data"):
            v = r[k] if isinstance(r, dict) else getattr(r, k)
            h.update(("\x00" if v is None else str(v)).encode())
            h.update(b"\x1f")
        h.update(b"\x1e")
    return h.hexdigest()
