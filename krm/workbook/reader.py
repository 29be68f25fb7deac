"""Read a filled KRM workbook into a :class:`ParsedForm`.

Bulk cell values come from python-calamine (12-18x faster than openpyxl).  The few
things calamine cannot give are read straight from the zip with defusedxml:
defined names, the data table's range, the document properties (form id, spec
version) and formulas that have no cached value (calamine silently drops them).

A workbook is recognised by what it holds, never by its file name: the custom
document property ``krm_form``, else the defined names, else the "Индексі: КРМ-N"
text in the header.  A form made from a foreign template (no defined names) is
read by finding its column-number row.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import xml.etree.ElementTree as _ET
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from krm import forms
from krm.workbook import guard
from krm.spec import FormSpec, Rows
from krm.codes import E001, E002, E003, E004, E005, E006, E007, E010, E072

# zip pre-check limits (``../shared/notes/excel-io.md``: real forms have member ratios < 10 and members < 2 MB)
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 100_000
MAX_COLS = 400
RAW_MAX = 32 * 1024 * 1024  # a workbook file up to this size is read into memory once, its parts read from there


class ReadError(Exception):
    """A workbook that cannot be read at all; ``code`` is a finding code of the catalogue."""

    def __init__(self, code, detail: str = "", **params):
        code = code if type(code) is str else code.code  # a krm.codes symbol
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.params = params


@dataclass(slots=True)
class CellRef:
    row: int  # 0-based sheet row
    col: int  # 0-based sheet column

    @property
    def a1(self) -> str:
        from krm.workbook.writer import a1

        return a1(self.row, self.col)


@dataclass(slots=True)
class DataRow:
    row: int  # 0-based sheet row
    values: dict[str, object]  # column key -> raw value as read (str, float, date, None)
    cols: dict[str, int]  # column key -> 0-based sheet column
    #: column key -> (value, note) parsed by the column's type, filled once (:meth:`krm.rules.Ctx.row_typed`)
    typed: dict[str, tuple] | None = field(default=None, repr=False, compare=False)
    #: column key -> 0-based sheet row, for a record whose cells lie on several rows (KRM-1's per-project
    #: block in the annex's layout); None: every cell is on ``row``
    rows: dict[str, int] | None = field(default=None, repr=False, compare=False)

    def at(self, key: str) -> tuple[int, int]:
        """(row, column) of the cell of ``key``."""
        return (self.rows.get(key, self.row) if self.rows else self.row), self.cols[key]


@dataclass
class ParsedForm:
    path: Path
    spec: FormSpec
    sheet: str
    lang: str | None
    spec_version: str | None
    recognised_by: str  # "properties" | "names" | "index-text"
    grid: list[list]
    header: dict[str, object] = field(default_factory=dict)  # header key -> raw value
    header_cells: dict[str, CellRef] = field(default_factory=dict)
    signature: dict[str, object] = field(default_factory=dict)
    signature_cells: dict[str, CellRef] = field(default_factory=dict)
    columns: tuple = ()
    number_row: int | None = None
    found_numbers: list[str] = field(default_factory=list)  # what the column-number row holds
    rows: list[DataRow] = field(default_factory=list)  # non-blank data rows
    data_range: tuple[int, int] = (0, -1)  # first, last data row (inclusive)
    total: DataRow | None = None
    formulas_without_value: list[str] = field(default_factory=list)  # A1 refs on the form sheet
    formulas: dict[str, str] = field(default_factory=dict)  # A1 -> formula text, every formula cell of the sheet
    error_cells: dict[str, str] = field(default_factory=dict)  # A1 -> "#DIV/0!" …: calamine reads them as blank
    hidden_sheets: list[str] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    has_macros: bool = False
    modified: dt.datetime | None = None
    programmes: list | None = None  # KRM-6/7: programmes the columns were matched to
    colmap: dict[str, int] = field(default_factory=dict)  # column key -> 0-based sheet column
    #: (rows, their number, {column key: [(value, note) per row]}): the data cells typed once, by
    #: :func:`krm.rules.typed_columns` (the rows are kept to tell when ``rows`` was replaced)
    typed: tuple | None = field(default=None, repr=False, compare=False)
    #: the sheet «Түсініктеме / Пояснения» (krm.explanations): the district's explanations of findings
    explanations: list = field(default_factory=list)
    # an official (annex) layout read by :mod:`krm.layouts.annex`: its name, what it found to report
    # ((code, row, col, column key, value, params)), the rows that are group/subtotal/total rows, the
    # activity groups, the header keys already reported, and whether its column-number row is usable
    layout: str | None = None
    layout_notes: list = field(default_factory=list)
    layout_rows: set = field(default_factory=set)
    groups: list = field(default_factory=list)
    layout_reported: set = field(default_factory=set)
    layout_columns_ok: bool = True

    def cell(self, row: int, col: int):
        if 0 <= row < len(self.grid) and 0 <= col < len(self.grid[row]):
            v = self.grid[row][col]
            return None if v == "" else v
        return None


# ------------------------------------------------------------------ zip-level helpers
def precheck_zip(path: Path) -> zipfile.ZipFile:
    """Open the zip and refuse bombs and non-workbooks before any XML is parsed."""
    return _open_zip(path)[0]


def _open_zip(path: Path, data: bytes | None = None) -> tuple[zipfile.ZipFile, bytes | None]:
    """:func:`precheck_zip`, and the file's bytes when it is small (parts are then read from them).

    ``data``: the file's bytes, already read (and hashed) by the caller: the file is not opened again.
    """
    if data is not None:
        return _open_bytes(data[:8], data if data.startswith(b"PK") else None, path)
    raw = None
    with _open_regular(path) as fh:
        head = fh.read(8)
        if head.startswith(b"PK"):
            try:
                if os.fstat(fh.fileno()).st_size <= RAW_MAX:
                    raw = head + fh.read()
                    if len(raw) > RAW_MAX:  # it grew meanwhile: read it as a file
                        raw = None
            except OSError:
                raw = None
    return _open_bytes(head, raw, path)


def _open_bytes(head: bytes, raw: bytes | None, path: Path) -> tuple[zipfile.ZipFile, bytes | None]:
    if not head:
        raise ReadError(E001, "empty file")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE2: an old .xls or an encrypted OOXML package (krm.workbook.formats tells them apart)
        raise ReadError(E003, "OLE2 compound file (.xls or password-encrypted workbook)", other="xls")
    if not head.startswith(b"PK"):
        raise ReadError(E002, "not a zip/xlsx file")
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw) if raw is not None else path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise ReadError(E002, f"damaged zip: {e}") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        from krm.workbook import formats

        other = formats.kind_of(head, zf)
        if other is not None:
            raise ReadError(E002, f"not an .xlsx but {other}", other=other)
        if "content.xml" in names and "mimetype" in names:
            raise ReadError(E004, "an OpenDocument file that is not a spreadsheet")
        raise ReadError(E002, "zip without xl/workbook.xml")
    check_members(infos)
    return zf, raw


def check_members(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip whose directory declares a bomb (a member too large or too compressed, or too much)."""
    total = 0
    for i in infos:
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_MEMBER_BYTES or (ratio > MAX_RATIO and i.file_size > 1_000_000):
            raise ReadError(E005, f"{i.filename} inflates to {i.file_size} bytes (ratio {ratio:.0f}:1)")
    if total > MAX_TOTAL_BYTES:
        raise ReadError(E005, f"package inflates to {total} bytes")


def _open_regular(path: Path):
    """The file opened for reading, never blocking: a FIFO, device or socket is refused (KRM-E070)
    without waiting for a writer (a plain ``open`` of a FIFO waits until someone writes to it)."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            from krm.intake.discover import NOT_A_FILE, _kind

            raise ReadError(NOT_A_FILE, _kind(st.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# A part that declares itself UTF-8 XML 1.0, as every writer of workbooks does
_UTF8_DECL = re.compile(rb"""(?:\xef\xbb\xbf)?<\?xml version=["']1\.0["'](?: encoding=["'](?i:utf-8)["'])?"""
                        rb"""(?: standalone=["'](?:yes|no)["'])?\s*\?>""")


def _read(zf: zipfile.ZipFile, name: str, raw: bytes | None) -> bytes:
    """``zf.read(name)`` (KeyError if absent), in one step from the file's bytes when the part is plain."""
    data = guard.quick_read(zf, name, raw)
    return data if data is not None else zf.read(name)


def _xml(zf: zipfile.ZipFile, name: str, data: bytes | None = None, raw: bytes | None = None):
    """A small package part parsed, refusing entities (billion laughs, XXE): None if the part is absent.

    Entities can only be declared in a DTD, and a DTD can only come as ``<!DOCTYPE``.  A part that
    declares UTF-8 (so those bytes would appear as such) and holds no ``<!DOCTYPE`` anywhere has no
    DTD, hence nothing to refuse: it is parsed by the C ElementTree parser (2-3x faster).  Any other
    part goes through defusedxml, which refuses entity declarations and external references.
    Both raise the same ``ParseError`` for XML that is not well-formed (both are expat).
    """
    if data is None:
        try:
            data = _read(zf, name, raw)
        except KeyError:
            return None
    try:
        if _UTF8_DECL.match(data) and b"<!DOCTYPE" not in data:
            return _ET.fromstring(data)
        from defusedxml import ElementTree

        return ElementTree.fromstring(data)
    except Exception as e:  # defusedxml forbids entities (billion laughs) and external references
        raise ReadError(E006, f"{name}: {type(e).__name__}: {e}") from None


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
      "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
      "dcterms": "http://purl.org/dc/terms/"}

_REF = re.compile(r"^=?'?(?P<sheet>.+?)'?!\$?(?P<c1>[A-Z]+)\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]+)\$?(?P<r2>\d+))?$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


@lru_cache(maxsize=4096)  # the same few names ('КРМ-2'!$D$8 …) in every workbook of a template
def parse_ref(ref: str) -> tuple[str | None, int, int, int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        m2 = re.match(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", ref.strip())
        if not m2:
            return None
        c1, r1, c2, r2 = m2.groups()
        sheet = None
    else:
        sheet, c1, r1, c2, r2 = m.group("sheet"), m.group("c1"), m.group("r1"), m.group("c2"), m.group("r2")
    c2, r2 = c2 or c1, r2 or r1
    return sheet, int(r1) - 1, col_index(c1), int(r2) - 1, col_index(c2)


@dataclass
class Package:
    sheets: list[tuple[str, str, str]]  # (name, part path, state)
    names: dict[str, str]
    props: dict[str, str]
    modified: dt.datetime | None
    has_macros: bool
    tables: dict[str, tuple[str, str]]  # table name -> (sheet part, ref)
    #: what makes the sheet list ambiguous (Excel and another reader could show different sheets): E072
    ambiguous: tuple[str, ...] = ()


def read_package(zf: zipfile.ZipFile, workbook_xml: bytes | None = None, raw: bytes | None = None) -> Package:
    wb = _part(zf, "xl/workbook.xml", _workbook_info, workbook_xml, raw)
    rels = _part(zf, "xl/_rels/workbook.xml.rels", _rels_targets, raw=raw) or ({}, ())
    targets = rels[0]
    sheets = [(name, targets.get(rid, ("", ""))[0], state) for name, rid, state in wb[0]]
    names = dict(wb[1])
    ambiguous = list(wb[2]) + list(rels[1]) + _sheet_targets_ambiguous(wb[0], targets)
    main = _part(zf, "_rels/.rels", _main_part, raw=raw)
    if main is not None and main != ("xl/workbook.xml",):
        ambiguous.append(f"the package's main part is {', '.join(main) or 'not named'}, not xl/workbook.xml")
    props = dict(_part(zf, "docProps/custom.xml", _custom_props, raw=raw) or ())
    modified = _part(zf, "docProps/core.xml", _core_modified, raw=raw)
    modified = modified[0] if modified else None
    tables = {}
    namelist = zf.namelist()
    for part in namelist:
        if part.startswith("xl/tables/") and part.endswith(".xml"):
            t = _part(zf, part, _table_info, raw=raw)
            if t is not None:
                tables[t[0]] = (part, t[1])
    has_macros = "xl/vbaProject.bin" in namelist
    return Package(sheets, names, props, modified, has_macros, tables, tuple(ambiguous))


# What read_package takes from each part, a pure function of the part's bytes.  Workbooks made from one
# template repeat most of these parts byte for byte, so the answers are kept per content (bounded).
_PARTS: dict[tuple, object] = {}
_PART_CACHE_MAX = 256
_PART_CACHED_BYTES = 16 * 1024  # at most 4 MB held


def _part(zf: zipfile.ZipFile, name: str, extract, data: bytes | None = None, raw: bytes | None = None):
    """``extract(root)`` of a package part (None if the part is absent); the XML is parsed by :func:`_xml`
    (which refuses DTD entities) unless the same bytes were parsed before."""
    if data is None:
        try:
            data = _read(zf, name, raw)
        except KeyError:
            return None
    key = (extract, data)
    got = _PARTS.get(key)
    if got is None:
        got = extract(_xml(zf, name, data))
        if len(data) <= _PART_CACHED_BYTES:
            if len(_PARTS) >= _PART_CACHE_MAX:
                _PARTS.clear()
            _PARTS[key] = got
    return got


_M = "{%s}" % NS["m"]
_R_ID = "{%s}id" % NS["r"]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _workbook_info(wb) -> tuple:
    """((sheet name, relationship id, state), ...), ((defined name, text), ...) of the workbook-level names,
    and what makes the sheet list ambiguous.

    Excel and LibreOffice list the ``sheet`` elements of the main namespace and find each one's part
    through its ``r:id``; a reader that matches elements or attributes by their local name alone
    (calamine does) would also take a ``sheet`` or an ``id`` in another namespace.  Anything that
    two such readers could resolve differently is reported, never guessed.
    """
    sheets = tuple((s.get("name"), s.get(_R_ID), s.get("state", "visible"))
                   for s in wb.findall(f"{_M}sheets/{_M}sheet"))
    odd = []
    for holder in wb.iter():
        for el in holder:
            if _local(el.tag) in ("sheet", "sheets") and not (el.tag == f"{_M}sheet" and holder.tag == f"{_M}sheets") \
                    and not (el.tag == f"{_M}sheets" and holder is wb):
                ns = el.tag.partition("}")[0].lstrip("{") if el.tag.startswith("{") else ""
                odd.append(f"a second <{_local(el.tag)}> in namespace {ns}" if ns != NS["m"]
                           else f"a <{_local(el.tag)}> outside <sheets>")
    for s in wb.findall(f"{_M}sheets/{_M}sheet"):
        extra = [k for k in s.attrib if _local(k) in ("name", "id") and k not in ("name", _R_ID)]
        if extra:
            odd.append(f"sheet {s.get('name')!r}: a second name/id ({', '.join(extra)})")
        if s.get(_R_ID) is None:
            odd.append(f"sheet {s.get('name')!r} has no r:id")
    seen = set()
    for name, _, _ in sheets:
        key = (name or "").casefold()
        if key in seen:
            odd.append(f"two sheets named {name!r}")
        seen.add(key)
    names = {}
    for d in wb.findall(f"{_M}definedNames/{_M}definedName"):
        if d.get("localSheetId") is None and d.text:
            names[d.get("name")] = d.text
    return sheets, tuple(names.items()), tuple(odd)


def _target(t: str, base: str = "xl/") -> str:
    import posixpath

    t = t.lstrip("/") if t.startswith("/") else base + t
    return posixpath.normpath(t) if t else t


def _rels_targets(rels) -> tuple:
    """({relationship id: (part, type)}, what is ambiguous: a repeated id, a relationship in another namespace)."""
    targets = {}
    odd = []
    for r in rels:
        if r.tag != "{%s}Relationship" % NS["rel"]:
            if _local(r.tag) == "Relationship":
                odd.append(f"a Relationship in another namespace ({r.tag})")
            continue
        rid = r.get("Id")
        if rid in targets:
            odd.append(f"relationship id {rid!r} twice in workbook.xml.rels")
        t = _target(r.get("Target", ""))
        if r.get("TargetMode") == "External":
            t = ""
        targets[rid] = (t, r.get("Type", "").rpartition("/")[2])
    return targets, tuple(odd)


def _sheet_targets_ambiguous(sheets, targets) -> list[str]:
    odd = []
    parts = {}
    for name, rid, _ in sheets:
        if rid is None:
            continue
        part, kind = targets.get(rid, ("", ""))
        if not part:
            odd.append(f"sheet {name!r}: relationship {rid!r} names no part in the package")
        elif kind not in ("worksheet", "chartsheet", "dialogsheet", "xlMacrosheet", "xlIntlMacrosheet"):
            odd.append(f"sheet {name!r}: relationship {rid!r} is of type {kind!r}, not a worksheet")
        elif part in parts:
            odd.append(f"sheets {parts[part]!r} and {name!r} are the same part {part}")
        parts.setdefault(part, name)
    return odd


def _main_part(rels) -> tuple:
    """The package's main document part(s) named by _rels/.rels (Excel opens that, whatever its name)."""
    return tuple(_target(r.get("Target", ""), "") for r in rels.findall("{%s}Relationship" % NS["rel"])
                 if r.get("Type", "").endswith("/officeDocument"))


def _custom_props(custom) -> tuple:
    props = {}
    for p in custom.findall("{%s}property" % NS["cp"]):
        child = next(iter(p), None)
        if child is not None and child.text is not None:
            props[p.get("name")] = child.text
    return tuple(props.items())


def _core_modified(core) -> tuple:
    """(modified,): a tuple, so that a cached None is told from no answer."""
    m = core.find("{%s}modified" % NS["dcterms"])
    if m is not None and m.text:
        try:
            return (dt.datetime.fromisoformat(m.text.replace("Z", "+00:00")).replace(tzinfo=None),)
        except ValueError:
            pass
    return (None,)


def _table_info(t) -> tuple:
    return t.get("name") or t.get("displayName"), t.get("ref", "")


_F_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")  # a formula element, not "<formula1>" of a validation
_HAS_E = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL_ANY = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_ATTR_R = re.compile(rb"""\br\s*=\s*["']\s*([A-Za-z]{1,3}\d{1,7})""")
_ATTR_T = re.compile(rb"""\bt\s*=\s*["']\s*(\w+)""")
_F_TEXT = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_V_TEXT = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)<")


def formulas_without_value(sheet_xml: bytes) -> list[str]:
    """A1 refs of formula cells with no cached value (calamine drops them silently)."""
    return cell_notes(sheet_xml)[1]


def cell_notes(xml: bytes) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """What calamine's values do not show, from the sheet's XML: ({A1: formula text} of every formula cell,
    [A1 of formula cells without a stored value], {A1: error text} of error cells (``t="e"``: #DIV/0!,
    #REF! …, which calamine reads as blank)).  Two searches when the sheet has neither (the usual case)."""
    if not any(t in xml for t in _F_TAGS) and not ((b'"e"' in xml or b"'e'" in xml) and _HAS_E.search(xml)):
        return {}, [], {}  # byte searches first: no formula element, no error cell
    from html import unescape

    formulas: dict[str, str] = {}
    no_value: list[str] = []
    errors: dict[str, str] = {}
    for m in _CELL_ANY.finditer(xml):
        attrs, inner = m.group(1), m.group(2) or b""
        r = _ATTR_R.search(attrs)
        if r is None:
            continue
        ref = r.group(1).decode().upper()
        t = _ATTR_T.search(attrs)
        f = _F_TEXT.search(inner) if b"f" in inner else None
        v = _V_TEXT.search(inner)
        if f is not None:
            formulas[ref] = unescape((f.group(1) or b"").decode("utf-8", "replace"))
            if (v is None or not v.group(1).strip()) and b"<is>" not in inner:
                no_value.append(ref)
        if t is not None and t.group(1) == b"e":
            errors[ref] = unescape(v.group(1).decode("utf-8", "replace")).strip() if v else "#ERROR"
    return formulas, no_value, errors


_ROW_HIDDEN = re.compile(rb"<row [^>]*?r=\"(\d+)\"[^>]*?hidden=\"(?:1|true)\"")


# ------------------------------------------------------------------ recognition
_INDEX = re.compile(r"(?:КРМ|KRM|КPM)\s*[-–—]?\s*([1-7])\b", re.I)


def recognise(pkg: Package, first_rows: list[list]) -> tuple[FormSpec | None, str]:
    fid = pkg.props.get("krm_form")
    if fid in forms.FORMS:
        return forms.FORMS[fid], "properties"
    for name in pkg.tables:
        m = re.fullmatch(r"KRM([1-7])_DATA", name or "")
        if m:
            return forms.FORMS[f"KRM-{m.group(1)}"], "names"
    for row in first_rows[:40]:
        for v in row:
            if isinstance(v, str) and ("Индекс" in v or "Index" in v or "индекс" in v):
                m = _INDEX.search(v)
                if m:
                    return forms.FORMS[f"KRM-{m.group(1)}"], "index-text"
    for row in first_rows[:40]:
        for v in row:
            if isinstance(v, str):
                m = _INDEX.fullmatch(v.strip())
                if m:
                    return forms.FORMS[f"KRM-{m.group(1)}"], "index-text"
    return None, ""


# ------------------------------------------------------------------ the read
def read(path: str | Path, data: bytes | None = None) -> ParsedForm:
    """Read and locate everything in one KRM workbook. Raises :class:`ReadError`.

    ``data``: the workbook's bytes, read once by the caller (the register hashes them): everything is
    parsed from them and the file is not opened again, so what was hashed is what was read.  Without
    ``data`` a file up to :data:`RAW_MAX` is likewise read into memory once and parsed from there.
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        zf, raw = _open_zip(path, data)
    except ReadError as e:
        if e.params.get("other"):  # .xls, .ods, .xlsb: read through calamine after their own checks
            from krm.workbook import formats

            return formats.read(path, e.params["other"], data)
        raise
    with zf:
        wb_xml = _read(zf, "xl/workbook.xml", raw)  # read once: parsed here, its prolog checked by the guard
        pkg = read_package(zf, wb_xml, raw)
        # calamine parses these on open: no DTD, no forged sizes
        guard.check_shared_parts(zf, {"xl/workbook.xml": wb_xml}, raw)
        if pkg.ambiguous:
            raise ReadError(E072, "; ".join(pkg.ambiguous[:3]))
        try:  # calamine reads the very bytes the guard checked (not the file again: it may have changed)
            cwb = CalamineWorkbook.from_filelike(io.BytesIO(raw)) if raw is not None else \
                CalamineWorkbook.from_path(str(path))
        except Exception as e:  # noqa: BLE001 - calamine raises its own error types
            raise ReadError(E002, f"{type(e).__name__}: {e}") from None
        if list(cwb.sheet_names) != [n for n, _, _ in pkg.sheets]:  # it would read another sheet than Excel shows
            raise ReadError(E072, f"the sheets a reader sees ({', '.join(map(str, cwb.sheet_names))}) are not the "
                                  f"workbook's ({', '.join(str(n) for n, _, _ in pkg.sheets)})")
        # which sheet holds the form: the one the defined names point to, else the first visible one
        sheet_name = None
        for key in ("KRM_DATA", "KRM_PERIOD"):
            ref = pkg.names.get(key)
            pr = parse_ref(ref) if ref else None
            if pr and pr[0]:
                sheet_name = pr[0].replace("''", "'")
                break
        sheet_names = [s[0] for s in pkg.sheets]
        if sheet_name not in sheet_names:
            visible = [s[0] for s in pkg.sheets if s[2] == "visible"]
            sheet_name = (visible or sheet_names or [None])[0]
        if sheet_name is None:
            raise ReadError(E010, "workbook has no sheets")
        part = next((p for n, p, _ in pkg.sheets if n == sheet_name), "")
        xml = _sheet_xml(zf, part, raw)
        guard.check_extent(xml, MAX_ROWS, MAX_COLS)  # a far cell makes calamine allocate the whole grid
        try:
            csheet = cwb.get_sheet_by_name(sheet_name)  # parses the sheet: once, not per use
            grid = csheet.to_python(skip_empty_area=False)
        except Exception as e:  # noqa: BLE001
            raise ReadError(E002, f"{type(e).__name__}: {e}") from None
        try:
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (csheet.merged_cell_ranges or [])]
        except Exception:  # noqa: BLE001
            merged = []
        explanations = _explanations(zf, cwb, pkg, raw, sheet_name)
    if len(grid) > MAX_ROWS:
        raise ReadError(E007, f"sheet uses {len(grid)} rows", rows=len(grid), cols=0)
    notes = cell_notes(xml)
    spec, how = recognise(pkg, grid)
    if spec is None:
        raise ReadError(E010, "no KRM form index found (document properties, names or 'Индексі: КРМ-N')")
    declared = pkg.props.get("krm_spec_version")

    def parsed(spec: FormSpec) -> ParsedForm:
        pf = ParsedForm(path=path, spec=spec, sheet=sheet_name, lang=pkg.props.get("krm_lang"),
                        spec_version=declared, recognised_by=how, grid=grid,
                        has_macros=pkg.has_macros, modified=pkg.modified, merged=merged,
                        hidden_sheets=[n for n, _, st in pkg.sheets if st != "visible"],
                        hidden_rows=[int(m.group(1)) - 1 for m in _ROW_HIDDEN.finditer(xml)] if b"hidden" in xml
                        else [], formulas=notes[0], formulas_without_value=notes[1], error_cells=notes[2],
                        explanations=explanations)
        _locate_any(pf, pkg)
        return pf

    return _edition(spec, declared, parsed)


def _explanations(zf: zipfile.ZipFile, cwb, pkg: Package, raw: bytes | None, form_sheet: str) -> list:
    """The sheet «Түсініктеме / Пояснения» (krm.explanations), under the same guards as the form's sheet."""
    from krm import explanations as X

    part = next((p for n, p, _ in pkg.sheets if n == X.SHEET), None)
    if part is None or X.SHEET == form_sheet:
        return []
    guard.check_extent(_sheet_xml(zf, part, raw), MAX_ROWS, MAX_COLS)
    try:
        return X.read_sheet(cwb, [n for n, _, _ in pkg.sheets])
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types
        raise ReadError(E002, f"sheet {X.SHEET}: {type(e).__name__}: {e}") from None


def _edition(spec: FormSpec, declared: str | None, parsed) -> ParsedForm:
    """The workbook read against the edition it declares, else the first edition whose layout it fits
    (the current one first: :func:`krm.editions.matching`)."""
    from krm import editions

    if editions.known(spec.id, declared):
        return parsed(editions.spec(spec.id, declared))
    pf = parsed(spec)
    others = editions.all_of(spec.id)[1:]
    if not others or pf.number_row is None or pf.layout or layout_fits(pf):
        return pf
    for other in others:
        alt = parsed(other)
        if alt.number_row is not None and layout_fits(alt):
            return alt
    return pf


def layout_fits(pf: ParsedForm) -> bool:
    """The column-number row holds the spec's columns, and nothing right of them (as KRM-E012 checks)."""
    from krm.rules.structure import same_number
    from krm.workbook.writer import table_headers

    cols = pf.columns
    c0 = min(pf.colmap.values()) if pf.colmap else 0
    found = pf.found_numbers
    for i, (col, name) in enumerate(zip(cols, table_headers(cols))):
        if not same_number(found[c0 + i] if c0 + i < len(found) else "", name, col.number):
            return False
    extra = c0 + len(cols)
    return not (extra < len(found) and found[extra] != "")


def _locate_any(pf: ParsedForm, pkg: Package) -> None:
    """Locate the header and table: krm's own layout, or for a workbook without krm's names the
    annex's printed layout (:mod:`krm.layouts`)."""
    if pf.recognised_by == "index-text":
        from krm.layouts import annex, blocks

        if annex.locate(pf, pf.spec) or blocks.locate(pf, pf.spec):
            return
    _locate(pf, pkg)
    if pf.recognised_by == "index-text":
        from krm.layouts import annex

        annex.complete_header(pf)


def _sheet_xml(zf: zipfile.ZipFile, part: str, raw: bytes | None = None) -> bytes:
    """The form sheet's XML (b"" if it has no part): a ``<dimension>`` beyond the limits in its first
    4 KB is refused (KRM-E007) before the rest is inflated; the rest is read by the guard (bounded
    inflate, no DTD, size and CRC as declared)."""
    if not part:
        return b""
    data = guard.quick_read(zf, part, raw)
    if data is not None:  # a plain part, read whole: the same checks in the same order
        dim = _dimension(data[:4096])
        if dim and (dim[0] > MAX_ROWS or dim[1] > MAX_COLS):
            raise ReadError(E007, f"sheet uses {dim[0]} rows × {dim[1]} columns", rows=dim[0], cols=dim[1])
        guard.check_prolog(part, data[:guard.PROLOG_MAX])
        return data
    try:
        fh = zf.open(part)
    except KeyError:
        return b""
    with fh:
        head = fh.read(4096)
        dim = _dimension(head)
        if dim and (dim[0] > MAX_ROWS or dim[1] > MAX_COLS):
            raise ReadError(E007, f"sheet uses {dim[0]} rows × {dim[1]} columns", rows=dim[0], cols=dim[1])
        return guard.read_part(zf, part, opened=(fh, head))


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


def _dimension(head: bytes) -> tuple[int, int] | None:
    m = _DIMENSION.search(head)
    if not m:
        return None
    pr = parse_ref(m.group(1).decode())
    return (pr[3] + 1, pr[4] + 1) if pr else None


def _period_of(value) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value).strip() if value not in (None, "") else None


def _locate(pf: ParsedForm, pkg: Package) -> None:
    """Find header fields, the data rows and the total row."""
    from krm import reference
    from krm.forms import SIGNATURE
    from krm.workbook.writer import table_headers

    spec = pf.spec
    for h in spec.header:
        pr = parse_ref(pkg.names[h.name]) if h.name in pkg.names else None
        if pr:
            pf.header_cells[h.key] = CellRef(pr[1], pr[2])
            pf.header[h.key] = pf.cell(pr[1], pr[2])
    for s in SIGNATURE:
        pr = parse_ref(pkg.names[s.name]) if s.name in pkg.names else None
        if pr:
            pf.signature_cells[s.key] = CellRef(pr[1], pr[2])
            pf.signature[s.key] = pf.cell(pr[1], pr[2])
    # a foreign or older template without our defined names: find the fields by their labels
    if len(pf.header_cells) < len(spec.header):
        _by_label(pf, [(h.key, h.label) for h in spec.header], pf.header, pf.header_cells, 0, 40)
    if len(pf.signature_cells) < len(SIGNATURE):
        _by_label(pf, [(s.key, s.label) for s in SIGNATURE], pf.signature, pf.signature_cells,
                  0, len(pf.grid))
    if spec.programme_columns:
        period = _period_of(pf.header.get("period"))
        try:
            pf.programmes = reference.programmes(period) if period else reference.programmes()
        except ValueError:
            pf.programmes = reference.programmes()
    cols = spec.columns_for(pf.programmes)
    pf.columns = cols

    # the data range: the table (or KRM_DATA name), else the column-number row found by scanning
    first = last = None
    c0 = 0
    tref = next((ref for name, (_, ref) in pkg.tables.items() if name == spec.table_name), None)
    pr = parse_ref(tref) if tref else (parse_ref(pkg.names["KRM_DATA"]) if "KRM_DATA" in pkg.names else None)
    if pr:
        if tref:
            pf.number_row, first, last, c0 = pr[1], pr[1] + 1, pr[3], pr[2]
        else:
            pf.number_row, first, last, c0 = pr[1] - 1, pr[1], pr[3], pr[2]
    else:
        pf.number_row = _find_number_row(pf.grid, table_headers(cols))
        if pf.number_row is not None:
            first = pf.number_row + 1
            last = _end_of_data(pf.grid, first, spec)
    if pf.number_row is None:
        return
    pf.found_numbers = [_numtext(v) for v in (pf.grid[pf.number_row] if pf.number_row < len(pf.grid) else [])]
    pf.data_range = (first, last)
    keys = [c.key for c in cols]
    colmap = {k: c0 + i for i, k in enumerate(keys)}
    pf.colmap = colmap
    free = spec.rows == Rows.FREE
    seq = keys.index("seq") if "seq" in colmap else -1
    grid = pf.grid
    n = len(keys)
    rows = pf.rows
    for r in range(first, min(last, len(grid) - 1) + 1):
        vals = grid[r][c0:c0 + n] if c0 >= 0 else None
        if vals is None or len(vals) < n or "" in vals:
            vals = _row_values(grid[r], c0, n)
        if free and vals.count(None) + (seq >= 0 and vals[seq] is not None) == n:
            continue  # nothing but (at most) the sequence number
        rows.append(DataRow(r, dict(zip(keys, vals)), colmap))
    if spec.total_label is not None:
        tr = last + 1
        if "KRM_TOTAL" in pkg.names:
            p2 = parse_ref(pkg.names["KRM_TOTAL"])
            tr = p2[1] if p2 else tr
        if tr < len(grid):
            vals = _row_values(grid[tr], c0, len(keys)) if tr >= 0 else [None] * len(keys)
            pf.total = DataRow(tr, dict(zip(keys, vals)), colmap)


def _row_values(row: list, c0: int, n: int) -> list:
    """``n`` cells of a grid row from column ``c0`` as :meth:`ParsedForm.cell` gives them ("" -> None)."""
    if c0 < 0:
        return [row[c] if 0 <= c < len(row) and row[c] != "" else None for c in range(c0, c0 + n)]
    vals = row[c0:c0 + n]
    if len(vals) < n:
        vals += [None] * (n - len(vals))
    return [None if v == "" else v for v in vals] if "" in vals else vals


def _label_key(v) -> str:
    return re.sub(r"[\s:：*]+", " ", str(v)).strip().casefold()


def _by_label(pf: ParsedForm, fields, values: dict, cells: dict, r0: int, r1: int) -> None:
    """Header/signature values of a workbook without defined names: the first value right of its label."""
    want = {}
    for key, label in fields:
        for lang in ("kk", "ru", "en"):
            want[_label_key(label(lang))] = key
    for r in range(r0, min(r1, len(pf.grid))):
        row = pf.grid[r]
        for c, v in enumerate(row[:12]):
            if not isinstance(v, str) or not v.strip():
                continue
            key = want.get(_label_key(v))
            if key is None or key in cells:
                continue
            vc = next((j for j in range(c + 1, len(row)) if row[j] not in ("", None)), None)
            ref = CellRef(r, vc if vc is not None else c + 1)
            cells[key] = ref
            values[key] = pf.cell(ref.row, ref.col)


def _numtext(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


def _find_number_row(grid: list[list], expected: list[str]) -> int | None:
    want = [e.split(".")[0] if e[:1].isdigit() else e for e in expected[:4]]
    for r, row in enumerate(grid[:80]):
        got = [_numtext(v) for v in row[:8]]
        got = [g.split(".")[0] if g[:1].isdigit() else g for g in got if g != ""]
        if got[:3] == want[:3]:
            return r
    return None


def _end_of_data(grid: list[list], first: int, spec: FormSpec) -> int:
    from krm.forms import SIGNATURE

    stops = {s.label(lang).strip().lower() for s in SIGNATURE for lang in ("kk", "ru", "en")}
    if spec.total_label is not None:
        stops |= {spec.total_label(lang).lower() for lang in ("kk", "ru", "en")}
    for r in range(first, len(grid)):
        texts = [str(v).strip().lower() for v in grid[r][:6] if isinstance(v, str)]
        if any(t in stops or t.startswith("электрондық") or t.startswith("адрес эл") for t in texts):
            return r - 1
    return len(grid) - 1
