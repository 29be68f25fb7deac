"""Checks on an OpenDocument spreadsheet (.ods) before calamine parses it.

An .ods is a zip holding ``content.xml``; calamine parses that part whole and expands
``table:number-rows-repeated`` / ``table:number-columns-repeated`` into its dense grid, so a few
bytes can ask for billions of cells.  Before calamine sees the file:

* the zip directory is checked like an .xlsx's (:func:`krm.workbook.reader.precheck_members`:
  member sizes, ratios, total);
* ``content.xml`` is inflated in bounded steps, checked against its declared size and CRC, and
  refused if it has a DTD (KRM-E006: entities are how "billion laughs" and XXE work);
* the cells' extent is worked out from the XML text with the repeats counted: the last row and the
  widest column that hold anything (LibreOffice's trailing empty repeats are normal and free);
  beyond the reader's limits it is KRM-E007.

The same pass gives what calamine does not: merged ranges (``number-rows/columns-spanned``) and
hidden rows of each sheet, and the document's modification time from ``meta.xml``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field

from krm.codes import E002, E007
from krm.workbook import guard

MIME = b"application/vnd.oasis.opendocument.spreadsheet"

_TAG = re.compile(rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)\b([^>]*?)(/?)>")
_ATTR = re.compile(rb'table:(number-rows-repeated|number-columns-repeated|number-rows-spanned|'
                   rb'number-columns-spanned|name|visibility)="([^"]*)"')
_VALUE = re.compile(rb"office:value-type=")


@dataclass
class SheetInfo:
    name: str
    rows: int = 0  # rows up to the last one holding a value
    cols: int = 0  # columns up to the widest one holding a value
    merged: list = field(default_factory=list)  # (r1, c1, r2, c2), 0-based inclusive
    hidden_rows: list = field(default_factory=list)


def is_ods(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    if "content.xml" not in names or "mimetype" not in names:
        return False
    try:
        with zf.open("mimetype") as fh:
            return fh.read(len(MIME) + 16).strip() == MIME
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return False


def check(zf: zipfile.ZipFile, max_rows: int, max_cols: int) -> list[SheetInfo]:
    """Refuse a hostile or oversized .ods; the sheets' extents, merged ranges and hidden rows."""
    content = guard.read_part(zf, "content.xml")
    if not content:
        raise guard._error(E002, "content.xml is missing or empty")
    sheets = scan(content, max_rows, max_cols)
    for s in sheets:
        if s.rows > max_rows or s.cols > max_cols or s.rows * s.cols > guard.MAX_CELLS:
            raise guard._error(E007, f"sheet '{s.name}': its cells reach row {s.rows} and column {s.cols} "
                                           f"(limits: {max_rows} rows, {max_cols} columns)", rows=s.rows, cols=s.cols)
    return sheets


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(raw))


def scan(xml: bytes, max_rows: int, max_cols: int) -> list[SheetInfo]:
    """One pass over content.xml's table tags, counting repeats without expanding them."""
    sheets: list[SheetInfo] = []
    cur: SheetInfo | None = None
    row = col = 0
    row_rep = 1
    row_has = False
    for m in _TAG.finditer(xml):
        closing, tag, attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
        if tag == b"table":
            if not closing:
                a = _attrs(attrs)
                cur = SheetInfo(a.get(b"name", b"").decode("utf-8", "replace"))
                sheets.append(cur)
                row = 0
            continue
        if cur is None:
            continue
        if tag == b"table-row":
            if closing:
                if row_has:
                    cur.rows = max(cur.rows, row + row_rep)
                row += row_rep
                continue
            a = _attrs(attrs)
            row_rep = _int(a.get(b"number-rows-repeated"), 1)
            col = 0
            row_has = False
            if a.get(b"visibility") in (b"collapse", b"filter"):
                cur.hidden_rows.extend(range(row, min(row + row_rep, max_rows + 1)))
            if empty:
                row += row_rep
            if row > 50 * max_rows:  # rows of nothing go on without end: a forged file
                cur.rows = row
                return sheets
            continue
        if closing:
            continue
        a = _attrs(attrs)
        rep = _int(a.get(b"number-columns-repeated"), 1)
        has = bool(_VALUE.search(attrs)) or (not empty and _has_text(xml, m.end()))
        if has:
            row_has = True
            cur.cols = max(cur.cols, col + rep)
            if row_rep > 1:
                cur.rows = max(cur.rows, row + row_rep)
        rs, cs = _int(a.get(b"number-rows-spanned"), 1), _int(a.get(b"number-columns-spanned"), 1)
        if tag == b"table-cell" and (rs > 1 or cs > 1) and len(cur.merged) < 10_000:
            cur.merged.append((row, col, row + rs - 1, col + cs - 1))
        col += rep
        if col > 50 * max_cols:
            cur.cols = col
            return sheets
    return sheets


def _has_text(xml: bytes, at: int) -> bool:
    """Whether the cell opened just before ``at`` holds a paragraph (text without a value type)."""
    end = xml.find(b"</table:table-cell>", at)
    return end >= 0 and b"<text:p" in xml[at:end]


def _int(v: bytes | None, default: int) -> int:
    try:
        return int(v) if v else default
    except ValueError:
        return default


_DATE = re.compile(rb"<dc:date>([^<]{10,40})</dc:date>")


def modified(zf: zipfile.ZipFile) -> dt.datetime | None:
    """meta.xml's dc:date (the last save), if any."""
    try:
        meta = guard.read_part(zf, "meta.xml")
    except Exception:  # noqa: BLE001 - the time is optional
        return None
    m = _DATE.search(meta or b"")
    if not m:
        return None
    try:
        return dt.datetime.fromisoformat(m.group(1).decode().replace("Z", "+00:00")[:26]).replace(tzinfo=None)
    except ValueError:
        return None
