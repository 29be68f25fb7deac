"""What calamine is given to open: the parts it reads, already inflated and checked, in a stored zip.

Opening a workbook, calamine inflates and parses ``_rels/.rels``, ``xl/sharedStrings.xml``, ``xl/styles.xml``,
``xl/_rels/workbook.xml.rels`` and ``xl/workbook.xml``; a sheet it reads is inflated twice (its cells, then its
merged cells).  krm's guard has inflated each of these parts already (size, CRC and prolog checked), so a
plain workbook's parts are handed over as they are, uncompressed, in a small zip of their own
(:func:`calamine_bytes`): calamine parses the very same bytes and inflates nothing.

Calamine finds a part by its name without regard to case (the last one of a name wins), takes the package's
main folder from the last ``officeDocument`` relationship it sees, and joins a sheet's relationship target to
that folder as written.  The small zip holds the same parts under the same names, so it stands for the
workbook only when every name calamine can ask for resolves to the same part in both: :func:`calamine_bytes`
answers None (calamine then opens the workbook's own bytes) unless the member names differ in more than case,
each part calamine reads is a plain part read whole by :func:`krm.workbook.guard.quick_read`, the main
relationship names ``xl/workbook.xml`` and every target of the workbook's relationships is a plain path.

Calamine reads a sheet's cells, then reads it again from the start to its ``<mergeCells>`` (written after the
cells) for the merged cells: the form's sheet is given with its ``<mergeCells>`` moved to the start of the sheet
(:func:`merges_first`, for a sheet written the usual way), which gives the same cells and merged cells, read once.
Of ``xl/styles.xml`` calamine takes only the number formats and each cell format's ``numFmtId``: the part is
given as just those (:func:`calamine_styles`, worked out once for a template's styles).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from functools import lru_cache

from krm.workbook import guard

#: the python-calamine releases this module was worked out against (tests/test_lean_read.py reads every form, the
#: fallbacks and the hostile corpus both ways): how calamine finds parts, reads merged cells and takes the number
#: formats from styles.xml is its own business, so on any other release calamine is given the workbook's own bytes
#: (:func:`tested_calamine`).  After testing a new release, add its version here.
TESTED_CALAMINE = frozenset({"0.9.1"})

#: None: decided on first use from the installed python-calamine (tests set it to force either way)
_CALAMINE_OK: bool | None = None


def tested_calamine() -> bool:
    """Whether the installed python-calamine is one of :data:`TESTED_CALAMINE`."""
    global _CALAMINE_OK
    if _CALAMINE_OK is None:
        from krm.distversion import release_in

        _CALAMINE_OK = release_in("python-calamine", TESTED_CALAMINE)
    return _CALAMINE_OK


#: what calamine reads when it opens a workbook (the folder of the main part being "xl/")
OPENED = ("_rels/.rels", "xl/sharedStrings.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels", "xl/workbook.xml")
_MUST = frozenset({"_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"})

_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^<>]*)>")
_ATTR = re.compile(rb"""\s*([\w.:-]+)\s*=\s*(?:"([^"<>&]*)"|'([^'<>&]*)')""")
#: a target calamine and krm resolve alike: no "." or ".." segment, no "//", no entity, at most one leading "/"
_PLAIN_TARGET = re.compile(r"/?[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


@lru_cache(maxsize=256)  # a template's relationship parts are the same bytes in every workbook
def _relationships(data: bytes) -> tuple[tuple[str, str], ...] | None:
    """((Type, Target), …) of every Relationship element, raw as calamine reads them; None when the part holds
    anything a few regular expressions might read otherwise than an XML parser (comments, CDATA, entities,
    a mention of "Relationship" that is not an element read here, an attribute not read whole)."""
    if b"<!" in data or b"&" in data:
        return None
    els = _REL.findall(data)
    if len(els) != data.count(b"Relationship") - data.count(b"Relationships"):
        return None
    out = []
    for attrs in els:
        body = attrs[:-1] if attrs.endswith(b"/") else attrs
        got: dict[bytes, bytes] = {}
        end = 0
        for m in _ATTR.finditer(body):
            if m.start() != end or m.group(1) in got:
                return None
            end = m.end()
            got[m.group(1)] = m.group(2) if m.group(2) is not None else m.group(3)
        if body[end:].strip():
            return None
        try:
            out.append((got.get(b"Type", b"").decode("ascii"), got.get(b"Target", b"").decode("ascii")))
        except UnicodeDecodeError:
            return None
    return tuple(out)


#: larger relationship parts are not read here (nor remembered): calamine then opens the workbook's own bytes
RELS_CACHED = 64 * 1024


def _plain_package(main_rels: bytes, wb_rels: bytes) -> bool:
    """Whether calamine takes "xl/" as the main folder and finds every sheet where krm does."""
    if len(main_rels) > RELS_CACHED or len(wb_rels) > RELS_CACHED:
        return False
    main = _relationships(main_rels)
    rels = _relationships(wb_rels)
    if main is None or rels is None:
        return False
    docs = [t for ty, t in main if ty.endswith("/relationships/officeDocument")]
    if not docs or docs[-1] not in ("xl/workbook.xml", "/xl/workbook.xml"):
        return False
    return all(_PLAIN_TARGET.fullmatch(t) for _, t in rels)


def calamine_bytes(zf: zipfile.ZipFile, raw: bytes | None, have: dict[str, bytes], sheets: list[str]) -> bytes | None:
    """A stored zip of the parts calamine reads to open the workbook and read ``sheets`` (their parts), or None
    (see the module's text).  ``have``: parts already read whole and checked (name -> bytes)."""
    if raw is None or not tested_calamine():
        return None
    names = zf.namelist()
    folded = {n.lower() for n in names}
    if len(folded) != len(names) or any("\\" in n or not n.isascii() for n in names):
        return None
    parts = []
    for name in dict.fromkeys((*OPENED, *sheets)):  # a sheet's part could be one of OPENED: listed once
        data = have.get(name)
        if data is None:
            if name.lower() not in folded:
                if name in _MUST:
                    return None
                continue  # absent from both: calamine does without it alike
            data = guard.quick_read(zf, name, raw)  # a part the guard read before (cached), or a plain one
            if data is None:
                return None
            have[name] = data
        parts.append((name, data, zf.getinfo(name).CRC))
    if not _plain_package(have["_rels/.rels"], have["xl/_rels/workbook.xml.rels"]):
        return None
    styles = calamine_styles(have["xl/styles.xml"]) if "xl/styles.xml" in have and "xl/styles.xml" not in sheets \
        else None
    if styles is not None:
        parts = [("xl/styles.xml", *styles) if n == "xl/styles.xml" else (n, d, c) for n, d, c in parts]
    if sheets and sheets[0] in have:  # the form's sheet, read twice by calamine: its merged cells first
        moved = merges_first(have[sheets[0]])
        if moved is not None:
            parts = [(n, moved, zlib.crc32(moved)) if n == sheets[0] else (n, d, c) for n, d, c in parts]
    return stored_zip(parts)


# What merges_first moves, and what may stand between the sheet's data and it: written as every spreadsheet
# program writes them (plain names, double-quoted attributes without entities)
_ROOT_TAG = re.compile(rb'<worksheet(?:\s+[\w:.-]+="[^"<>&]*")*\s*>')
_MERGES = re.compile(rb'<mergeCells(?:\s+count="\d{1,7}")?\s*>'
                     rb'(?:<mergeCell\s+ref="[A-Z]{1,3}\d{1,7}(?::[A-Z]{1,3}\d{1,7})?"\s*/>)*</mergeCells>')
_EMPTY_ELEMENTS = re.compile(rb'(?:\s*<[A-Za-z][\w.-]*(?:\s+[\w:.-]+="[^"<>&]*")*\s*/>)*\s*')


def merges_first(xml: bytes) -> bytes | None:
    """The sheet's XML with its ``<mergeCells>`` moved to the start of the root element, for calamine: a
    sheet's merged cells are found by reading it from the start up to ``<mergeCells>``, after all the cells;
    read first, they are found without reading the cells again.  Calamine's cells are what it reads before
    the end of ``<sheetData>``, where a ``<mergeCells>`` (and its ``<mergeCell>``) is passed over, so the
    cells, the merged cells and any error they give are the same.  None (the sheet is given as it is) unless
    the sheet is written the usual way: one ``<sheetData>`` and one ``<mergeCells>`` after it, the latter
    holding plain ``<mergeCell ref="…"/>`` elements only, with only empty elements between them (which could
    not give calamine an error there), the root a plain ``<worksheet>``."""
    if xml.count(b"mergeCells") != 2 or xml.count(b"sheetData") != 2:  # mentioned by those two tags alone
        return None
    at = xml.rfind(b"<mergeCells")
    end = xml.rfind(b"</sheetData>", 0, at) if at > 0 else -1
    if end < 0 or xml.find(b"<sheetData", 0, end) < 0:
        return None
    m = _MERGES.match(xml, at)
    if m is None or not _EMPTY_ELEMENTS.fullmatch(xml, end + len(b"</sheetData>"), at):
        return None
    root = guard._root_start(xml[:1024])
    r = _ROOT_TAG.match(xml, root, end) if root is not None else None
    if r is None:
        return None
    i = r.end()
    view = memoryview(xml)
    return b"".join((view[:i], view[at:m.end()], view[i:at], view[m.end():]))

_XF = re.compile(rb"<xf\b([^<>]*)>")
_PLAIN_ATTRS = re.compile(rb'(?:\s+[\w:.-]+="[^"<>&]*")*\s*/?')
_XF_ATTR = re.compile(rb'\s+([\w:.-]+)="([^"<>&]*)"')
_STYLES_HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet>'


#: larger styles are given as they are (at most 64 of these are remembered)
STYLES_CACHED = 256 * 1024


def calamine_styles(data: bytes) -> tuple[bytes, int] | None:
    """:func:`_styles` of a part up to :data:`STYLES_CACHED` bytes (else None: the part as it is)."""
    return _styles(data) if len(data) <= STYLES_CACHED else None


@lru_cache(maxsize=64)  # a template's styles are the same bytes in every workbook made from it
def _styles(data: bytes) -> tuple[bytes, int] | None:
    """(styles.xml as calamine reads it, its CRC-32), or None.  Of the styles calamine takes only the number
    formats (``<numFmts>``) and, for each ``<xf>`` of ``<cellXfs>`` in order, its ``numFmtId`` as written:
    the part is given as those (the number formats as they are, each ``<xf>`` reduced to that attribute), so
    it parses a tenth of the bytes to the same formats.  Only for a part written the usual way, which expat
    reads without error: no comment, CDATA or processing instruction, a plain ``<styleSheet>`` root, one
    ``<numFmts>`` (if any) before one ``<cellXfs>``, each ``<xf>`` with plain attributes."""
    from krm.workbook.reader.zipparts import _UTF8_DECL

    if not _UTF8_DECL.match(data) or b"<!" in data or data.count(b"<?") != 1:
        return None
    if data.count(b"styleSheet") != 2 or data.count(b"cellXfs") != 2 or data.count(b"numFmts") not in (0, 2):
        return None
    root = guard._root_start(data[:1024])
    xfs_at, xfs_end = data.find(b"<cellXfs"), data.find(b"</cellXfs>")
    fmts_at, fmts_end = data.find(b"<numFmts"), data.find(b"</numFmts>")
    if root is None or not data.startswith(b"<styleSheet", root) or not 0 < xfs_at < xfs_end:
        return None
    if (fmts_at < 0) != (fmts_end < 0) or fmts_end > xfs_at:
        return None
    block = data[data.find(b">", xfs_at) + 1:xfs_end]
    xfs = []
    for m in _XF.finditer(block):
        attrs = _XF_ATTR.findall(m.group(1))
        got = dict(attrs)
        if not _PLAIN_ATTRS.fullmatch(m.group(1)) or len(got) != len(attrs):
            return None
        fmt = got.get(b"numFmtId")
        xfs.append(b"<xf/>" if fmt is None else b'<xf numFmtId="' + fmt + b'"/>')
    if block.count(b"<xf") != len(xfs) or b":xf" in block:
        return None
    try:
        import xml.etree.ElementTree as ET

        if ET.fromstring(data).tag.rpartition("}")[2] != "styleSheet":
            return None
    except ET.ParseError:
        return None
    out = b"".join((_STYLES_HEAD, data[fmts_at:fmts_end + len(b"</numFmts>")] if fmts_at >= 0 else b"",
                    b"<cellXfs>", *xfs, b"</cellXfs></styleSheet>"))
    return out, zlib.crc32(out)


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (1 << 5) | 1  # 1980-01-01


def stored_zip(parts: list[tuple[str, bytes, int]]) -> bytes:
    """A zip of ``(name, data, crc32)`` parts, each stored (not compressed)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, crc in parts:
        nb = name.encode("ascii")
        n = len(data)
        head = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, _DOS_DATE, crc, n, n, len(nb), 0) + nb
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, _DOS_DATE, crc, n, n, len(nb), 0, 0, 0, 0, 0,
                                     offset) + nb)
        out += (head, data)
        offset += len(head) + n
    cd = b"".join(central)
    out += (cd, _END.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts), len(cd), offset, 0))
    return b"".join(out)
