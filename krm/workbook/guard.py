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
import zipfile

CHUNK = 1 << 20
#: a legitimate part's root element starts within its first bytes; 64 KB of prolog is hostile padding
PROLOG_MAX = 64 * 1024
#: cells of the dense grid calamine builds (rows x columns); 5 M cells is ~160 MB in calamine
MAX_CELLS = 5_000_000

_ROOT = re.compile(rb"<[A-Za-z]")
_ROW_R = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_COL = re.compile(rb'<c r="([A-Z]+)\d+"')
_SUSPECT = re.compile(rb'r="(?:\d{6}|[A-Z]{3})')  # a row number >= 100000 or a column >= AAA


def _error(code: str, detail: str, **params):
    from krm.workbook.reader import ReadError

    return ReadError(code, detail, **params)


def check_prolog(name: str, head: bytes) -> None:
    """Refuse a DTD (entities: billion laughs, XXE) before the root element of a part."""
    m = _ROOT.search(head)
    if m is None:
        if len(head) >= PROLOG_MAX:
            raise _error("KRM-E006", f"{name}: no XML root element in the first {PROLOG_MAX // 1024} KB")
        prolog = head
    else:
        prolog = head[: m.start()]
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise _error("KRM-E006", f"{name}: a DTD with entity declarations (billion laughs / external entities)")


def read_part(zf: zipfile.ZipFile, name: str, keep: bool = True) -> bytes:
    """Inflate one part in bounded steps; check its prolog and that it matches the zip directory."""
    out = []
    try:
        with zf.open(name) as fh:
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
            raise _error("KRM-E005", f"{name} holds other data than its declared {size} bytes (forged zip "
                                     f"directory: a hidden decompression bomb, or a damaged file)") from None
        raise _error("KRM-E002", f"{name}: {type(e).__name__}: {e}") from None
    except MemoryError:
        raise _error("KRM-E005", f"{name}: out of memory while inflating") from None
    return b"".join(out)


def check_shared_parts(zf: zipfile.ZipFile) -> None:
    """The parts calamine parses when it opens a workbook (before any sheet)."""
    names = set(zf.namelist())
    for name in ("xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"):
        if name in names:
            read_part(zf, name, keep=False)


def sheet_extent(xml: bytes, max_rows: int = 100_000) -> tuple[int, int]:
    """(rows, columns) the sheet's cells reach, read from the XML text.

    Exact when anything looks large (a row number of 6+ digits, a 3-letter column,
    many rows); otherwise the last row's number and 0 columns (provably < 703).
    """
    rows = 0
    i = xml.rfind(b"<row")
    m = _ROW_R.match(xml, i) if i >= 0 else None
    if m:
        rows = int(m.group(1))
    if len(xml) >= 6 * max_rows:  # room for that many "<row/>": count them (rows may omit r="")
        rows = max(rows, xml.count(b"<row"))
    cols = 0
    if rows > max_rows:
        return rows, cols
    if rows * 702 > MAX_CELLS or _SUSPECT.search(xml):
        from krm.workbook.reader import col_index

        rows = max([rows] + [int(r) for r in _ROW_R.findall(xml)])  # rows out of order
        cols = max((col_index(c.decode()) + 1 for c in set(_CELL_COL.findall(xml))), default=0)
    return rows, cols


def check_extent(xml: bytes, max_rows: int, max_cols: int) -> None:
    rows, cols = sheet_extent(xml, max_rows)
    if rows > max_rows or cols > max_cols or rows * cols > MAX_CELLS:
        where = f"row {rows} and column {cols}" if cols else f"row {rows}"
        raise _error("KRM-E007", f"the sheet's cells reach {where} (limits: {max_rows} rows, {max_cols} columns)",
                     rows=rows, cols=cols)
