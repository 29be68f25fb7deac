"""Cheap checks on the zip parts a native reader is about to parse.

python-calamine aborts the whole process (SIGABRT) when an allocation fails, and
it sizes its cell grid by the furthest cell it meets, so a 200-byte sheet with one
cell at XFD1048576 asks for 17 billion cells.  The reader calls these checks on
the parts calamine will parse (shared strings, styles, the form's sheet) *before*
calamine sees them; every check raises :class:`krm.workbook.reader.ReadError`
with a catalogue code.  ``docs/hostile.md`` lists what each kind of bad file gives.

* DTDs are refused (KRM-E006): no legitimate workbook part has one, and entities
  are how "billion laughs" and XXE attacks work.
* Parts are inflated in 1 MB steps, never more than the zip directory declares;
  a part whose data does not match its declared size/CRC is a forged zip
  (KRM-E005: that is how a decompression bomb hides from the directory pre-check).
* The sheet's extent (last row, widest column) is read from the XML text, so a
  far-away cell is refused (KRM-E007) before any grid is allocated.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

from krm.codes import E002, E005, E006, E007

CHUNK = 1 << 20
#: parts declared up to this size may be inflated in one step from the file's bytes (:func:`quick_read`)
QUICK_MAX = 4 << 20
#: a legitimate part's root element starts within its first bytes; 64 KB of prolog is hostile padding
PROLOG_MAX = 64 * 1024
#: cells of the dense grid calamine builds (rows x columns); 5 M cells is ~160 MB in calamine
MAX_CELLS = 5_000_000

_ROOT = re.compile(rb"<[A-Za-z]")
# A sheet written the way every spreadsheet program writes it: <row r="N"> and <c r="A1">.  XML also
# allows single quotes, spaces around "=" and a namespace prefix (<x:row>, <x:c>), and a row or cell may
# omit r: calamine reads all of these, so the extent is read from all of them (_exact_extent).
_ROW_R = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
#: a reference written the usual way (r="…", double quotes, no spaces) that reaches far: 4+ digits or 3+
#: letters (the literal prefix keeps the search fast; the look-behind skips xmlns:r="http…")
_SUSPECT = re.compile(rb"""r="(?<![\w:.-]r=")\s*+(?:[A-Za-z]{3}|[A-Za-z]{0,2}+\d{4})""")
#: a sheet not written the usual way (byte searches): prefixed elements, single-quoted or spaced attributes
_UNUSUAL = (b"r='", b"r =", b"r\t", b"r\n", b"r\r", b"r= ", b"r=\t", b"r=\n", b"r=\r", b'r=" ', b":row", b":c ",
            b":c>", b":c/")
_ROW_ANY = re.compile(rb"""<(?:[\w.-]+:)?row\b[^>]*?\br(?<![:.-]r)\s*=\s*["']\s*(\d+)""")
_CELL_ANY = re.compile(rb"""<(?:[\w.-]+:)?c\b[^>]*?\br(?<![:.-]r)\s*=\s*["']\s*([A-Za-z]{1,7})\s*(\d{1,10})""")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")


def _error(code: str, detail: str, **params):
    from krm.workbook.reader import ReadError

    return ReadError(code, detail, **params)


def _root_start(head: bytes) -> int | None:
    """Where the root element starts: the first "<" + letter outside a comment or processing instruction
    (a "<x" inside ``<!-- … -->`` must not end the prolog early, or a DTD after it would go unseen)."""
    i = 0
    while True:
        m = _ROOT.search(head, i)
        if m is None:
            return None
        c = head.find(b"<!--", i, m.start())
        p = head.find(b"<?", i, m.start())
        if c < 0 and p < 0:
            return m.start()
        if c >= 0 and (p < 0 or c < p):
            end = head.find(b"-->", c + 4)
            i = end + 3 if end >= 0 else len(head)
        else:
            end = head.find(b"?>", p + 2)
            i = end + 2 if end >= 0 else len(head)


def check_prolog(name: str, head: bytes) -> None:
    """Refuse a DTD (entities: billion laughs, XXE) before the root element of a part."""
    start = _root_start(head)
    if start is None:
        if len(head) >= PROLOG_MAX:
            raise _error(E006, f"{name}: no XML root element in the first {PROLOG_MAX // 1024} KB")
        prolog = head
    else:
        prolog = head[:start]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise _error(E006, f"{name}: a DTD with entity declarations (billion laughs / external entities)")


def quick_read(zf: zipfile.ZipFile, name: str, raw: bytes | None) -> bytes | None:
    """A part's bytes straight from the zip file's bytes ``raw`` (a few µs, where ``zf.read`` takes tens),
    or None whenever anything is unusual: then the caller reads it with zipfile, which raises its own errors.

    Only a plain part takes this path: an ASCII name that its local header repeats, stored or deflated,
    not encrypted, declared no larger than :data:`QUICK_MAX`, whose deflate stream ends exactly at its
    declared size and whose CRC is right.  zipfile would return exactly these bytes, without an error.
    Inflating is bounded by the declared size, so a forged size cannot make this a bomb either.
    """
    if raw is None:
        return None
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if (info.file_size > QUICK_MAX or info.flag_bits & 0x61 or info.compress_type not in (0, 8)
            or info.orig_filename != name or not name.isascii()):
        return None
    off = info.header_offset
    head = raw[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    n, m = struct.unpack("<HH", head[26:30])
    if raw[off + 30:off + 30 + n] != name.encode("ascii"):
        return None
    start = off + 30 + n + m
    comp = raw[start:start + info.compress_size]
    if len(comp) != info.compress_size:
        return None
    key = (info.compress_type, info.file_size, info.CRC, comp) if info.file_size <= QUICK_CACHED else None
    data = _QUICK.get(key) if key else None
    if data is not None:  # these very bytes were inflated and checked before (a template's repeated parts)
        return data
    if info.compress_type == 0:
        data = comp
    else:
        d = zlib.decompressobj(-15)
        try:
            data = d.decompress(comp, info.file_size + 1)
        except zlib.error:
            return None
        if not d.eof:
            return None
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        return None
    if key:
        if len(_QUICK) >= 256:
            _QUICK.clear()
        _QUICK[key] = data
    return data


QUICK_CACHED = 16 * 1024  # parts up to this size are remembered by their compressed bytes (at most 4 MB held)
_QUICK: dict[tuple, bytes] = {}


def read_part(zf: zipfile.ZipFile, name: str, keep: bool = True, opened: tuple | None = None,
              raw: bytes | None = None) -> bytes:
    """Inflate one part in bounded steps; check its prolog and that it matches the zip directory.

    ``opened=(handle, first_bytes)`` continues a part the caller has opened and begun to read
    (the reader looks at a sheet's first 4 KB for its ``<dimension>`` before inflating the rest).
    ``raw`` (the zip file's bytes) lets a plain part be read in one step (:func:`quick_read`).
    """
    data = quick_read(zf, name, raw) if opened is None else None
    if data is not None:
        check_prolog(name, data[:PROLOG_MAX])
        return data if keep else b""
    out = []
    try:
        with (opened[0] if opened else zf.open(name)) as fh:
            if opened:
                head = opened[1]
                if len(head) < PROLOG_MAX:
                    head += fh.read(PROLOG_MAX - len(head))
            else:
                head = fh.read(PROLOG_MAX)
            check_prolog(name, head)
            if keep:
                out.append(head)
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                if keep:
                    out.append(chunk)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        size = zf.getinfo(name).file_size
        if "CRC" in str(e):
            raise _error(E005, f"{name} holds other data than its declared {size} bytes (forged zip "
                                     f"directory: a hidden decompression bomb, or a damaged file)") from None
        raise _error(E002, f"{name}: {type(e).__name__}: {e}") from None
    except MemoryError:
        raise _error(E005, f"{name}: out of memory while inflating") from None
    return b"".join(out)


def check_shared_parts(zf: zipfile.ZipFile, read: dict[str, bytes] | None = None, raw: bytes | None = None,
                       kept: dict[str, bytes] | None = None) -> None:
    """The parts calamine parses when it opens a workbook (before any sheet).

    ``read`` holds parts the caller has already read whole with ``zf.read`` (which checks the size
    and CRC as :func:`read_part` does): only their prolog is left to check.  ``kept``: a part read whole
    in one step from ``raw`` (:func:`quick_read`) is added to it, by name.
    """
    from krm.workbook.reader.zipparts import members

    names = zf.namelist()
    for part in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"):
        # calamine finds the part regardless of case: every member it could take is checked
        for name in members(names, part):
            if read and read.get(name) is not None:
                check_prolog(name, read[name][:PROLOG_MAX])
            else:
                data = quick_read(zf, name, raw) if kept is not None else None
                if data is not None:  # what read_part does with a plain part
                    check_prolog(name, data[:PROLOG_MAX])
                    kept[name] = data
                else:
                    read_part(zf, name, keep=False, raw=raw)


def sheet_extent(xml: bytes, max_rows: int = 100_000) -> tuple[int, int]:
    """(rows, columns) the sheet's cells reach, read from the XML text.

    A sheet written the usual way whose references are all small (< 1000 rows, < 3 column letters)
    costs a few one-pass scans: the last row's number and 0 columns (provably < 703).  Anything else —
    a large reference however it is quoted or spaced, prefixed elements, rows or cells without ``r``,
    many rows — is read exactly (:func:`_exact_extent`), stopping as soon as a limit is passed.
    """
    rows = 0
    i = _last_row_tag(xml)
    m = _ROW_R.match(xml, i) if i >= 0 else None
    if m:
        rows = int(m.group(1))
    if len(xml) >= 6 * max_rows:  # room for that many "<row/>": count them (rows may omit r="")
        rows = max(rows, xml.count(b"<row") + xml.count(b":row"))
        if rows > max_rows:
            return rows, 0
    if (i >= 0 and m is None) or rows * 702 > MAX_CELLS or _SUSPECT.search(xml) or unusual(xml):
        return _exact_extent(xml, max_rows, rows)
    return rows, 0


def unusual(xml: bytes) -> bool:
    """Whether any of :data:`_UNUSUAL` occurs in ``xml``: the same answer as testing each, in far fewer passes
    over the text (two searches with a one-byte literal prefix, and walks over the few quotes and line ends)."""
    if _SPACED.search(xml) or _PREFIXED.search(xml):
        return True
    return _preceded(xml, b"'", (b"r=",)) or any(_preceded(xml, w, (b"r", b"r=")) for w in (b"\t", b"\n", b"\r"))


_SPACED = re.compile(rb"""r(?: =|=(?: |" ))""")  # r =, r= , r="<space>
_PREFIXED = re.compile(rb""":(?:row|c[ >/])""")  # :row, :c , :c>, :c/


def _preceded(xml: bytes, ch: bytes, before: tuple[bytes, ...]) -> bool:
    """Whether ``ch`` (one byte) comes right after one of ``before`` anywhere in ``xml``: each occurrence of
    ``ch`` is looked at while they are few (a sheet usually has none, or one line end after its XML
    declaration), else each ``before + ch`` is searched for."""
    i = xml.find(ch)
    seen = 0
    while i >= 0:
        if any(xml[max(i - len(b), 0):i] == b for b in before):
            return True
        seen += 1
        if seen > 32:
            return any(b + ch in xml for b in before)
        i = xml.find(ch, i + 1)
    return False


def _last_row_tag(xml: bytes) -> int:
    """Where the last ``<row`` element starts (-1: none): ``<rowBreaks>`` (a printed sheet's page breaks,
    after ``<sheetData>``) and other elements whose name begins with "row" are passed over."""
    i = xml.rfind(b"<row")
    while i >= 0 and xml[i + 4:i + 5] not in _ROW_END:
        i = xml.rfind(b"<row", 0, i)
    return i


_ROW_END = (b" ", b">", b"/", b"\t", b"\n", b"\r", b"")  # b"": "<row" cut off at the end


def _exact_extent(xml: bytes, max_rows: int, rows: int) -> tuple[int, int]:
    """Rows and columns from every row and cell reference in any form calamine reads; rows and cells
    without ``r`` count by position (a row is the one after the previous, a cell likewise)."""
    from krm.workbook.reader import col_index

    for m in _ROW_ANY.finditer(xml):
        rows = max(rows, int(m.group(1)))
        if rows > max_rows:
            return rows, 0
    cols = 0
    refs = 0
    for m in _CELL_ANY.finditer(xml):
        refs += 1
        r = int(m.group(2))
        c = col_index(m.group(1).upper().decode()) + 1
        if r > rows:
            rows = r
        if c > cols:
            cols = c
        if rows > max_rows:
            return rows, cols
    rows = max(rows, xml.count(b"<row") + xml.count(b":row"))  # rows without r count by position
    if _cells(xml) > refs:  # cells without r: a row's cells can reach as far as it has cells
        cols += max(map(_cells, _ROW_TAG.split(xml)), default=0)
    return rows, cols


def _cells(xml: bytes) -> int:
    """How many cell elements (at most: a "<c " in text would count too), by counting bytes."""
    return sum(xml.count(t) for t in (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"))


def check_extent(xml: bytes, max_rows: int, max_cols: int) -> None:
    rows, cols = sheet_extent(xml, max_rows)
    if rows > max_rows or cols > max_cols or rows * cols > MAX_CELLS:
        where = f"row {rows} and column {cols}" if cols else f"row {rows}"
        raise _error(E007, f"the sheet's cells reach {where} (limits: {max_rows} rows, {max_cols} columns)",
                     rows=rows, cols=cols)
