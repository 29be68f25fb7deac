"""Checks on an OLE2 compound file (an Excel 97-2003 .xls, or a password-encrypted .xlsx) before
calamine parses it.

The compound file's header, allocation table and directory are read with bounds on every count
(sector size, number of sectors, directory entries, chain lengths: a loop or a forged count is
KRM-E002/E005, never a hang).  Then:

* an encrypted OOXML package (streams ``EncryptionInfo`` / ``EncryptedPackage``) is KRM-E003;
* the ``Workbook`` (BIFF8) or ``Book`` (BIFF5) stream is read, at most :data:`MAX_STREAM` bytes,
  and its records scanned: ``FILEPASS`` (a password to open) is KRM-E003; each sheet's
  ``DIMENSIONS`` beyond the reader's limits is KRM-E007 (calamine would allocate the grid);
  ``BOUNDSHEET`` gives each sheet's name and whether it is hidden.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from krm.codes import E002, E003, E005, E007
from krm.workbook import guard

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_FILE = 64 * 1024 * 1024
MAX_STREAM = 64 * 1024 * 1024
MAX_DIR_ENTRIES = 4096
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


@dataclass
class XlsInfo:
    sheets: list = field(default_factory=list)  # (name, visible: bool)
    extents: list = field(default_factory=list)  # (rows, cols) per sheet, in order
    biff: int = 8


def _err(code: str, detail: str, **params):
    return guard._error(code, detail, **params)


def check(data: bytes, max_rows: int, max_cols: int) -> XlsInfo:
    """Refuse an encrypted, forged or oversized compound file; the sheets of the .xls it holds."""
    if len(data) > MAX_FILE:
        raise _err(E005, f"the compound file is {len(data)} bytes (limit {MAX_FILE})")
    streams = _directory(data)
    names = {n.casefold(): v for n, v in streams.items()}
    if "encryptedpackage" in names or "encryptioninfo" in names:
        raise _err(E003, "a password-encrypted workbook (EncryptedPackage)")
    stream = names.get("workbook") or names.get("book")
    if stream is None:
        raise _err(E002, "an OLE2 compound file without a Workbook stream (not an Excel workbook)")
    info = XlsInfo(biff=8 if "workbook" in names else 5)
    _records(_stream(data, *stream), info, max_rows, max_cols)
    return info


# ------------------------------------------------------------------ the compound file
class _File:
    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != MAGIC:
            raise _err(E002, "damaged OLE2 header")
        self.data = data
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise _err(E002, f"OLE2 sector size 2^{shift}")
        self.size = 1 << shift
        self.mini_shift = struct.unpack_from("<H", data, 32)[0]
        self.nsect = (len(data) - 512 + self.size - 1) // self.size
        n_fat, self.dir_start = struct.unpack_from("<II", data, 44)[0], struct.unpack_from("<I", data, 48)[0]
        self.mini_cutoff = struct.unpack_from("<I", data, 56)[0]
        self.minifat_start, n_minifat = struct.unpack_from("<II", data, 60)
        difat_start, n_difat = struct.unpack_from("<II", data, 68)
        if n_fat > self.nsect + 1 or n_difat > self.nsect + 1:
            raise _err(E005, f"OLE2 header declares {n_fat} allocation sectors for {self.nsect} sectors")
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s not in (_FREE, _END)]
        s, seen = difat_start, 0
        while s not in (_END, _FREE) and seen < n_difat:
            block = self.sector(s)
            ids = struct.unpack(f"<{self.size // 4}I", block)
            fat_sectors += [x for x in ids[:-1] if x not in (_FREE, _END)]
            s, seen = ids[-1], seen + 1
        fat = bytearray()
        for s in fat_sectors[:n_fat]:
            fat += self.sector(s)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", bytes(fat))

    def sector(self, s: int) -> bytes:
        off = 512 + s * self.size
        if s >= self.nsect or off + self.size > len(self.data) + self.size:
            raise _err(E002, f"OLE2 sector {s} lies outside the file")
        return self.data[off:off + self.size]

    def chain(self, start: int, limit: int) -> bytes:
        out = bytearray()
        s, n = start, 0
        while s not in (_END, _FREE):
            if s >= len(self.fat) or n > self.nsect:
                raise _err(E005, "OLE2 sector chain loops or leaves the file")
            out += self.sector(s)
            if len(out) > limit:
                raise _err(E005, f"an OLE2 stream longer than {limit} bytes")
            s, n = self.fat[s], n + 1
        return bytes(out)


def _directory(data: bytes) -> dict[str, tuple]:
    f = _File(data)
    raw = f.chain(f.dir_start, MAX_DIR_ENTRIES * 128)
    out = {}
    root = None
    for i in range(0, len(raw) - 127, 128):
        e = raw[i:i + 128]
        n = struct.unpack_from("<H", e, 64)[0]
        kind = e[66]
        if kind == 0 or n < 2 or n > 64:
            continue
        name = e[:n - 2].decode("utf-16-le", "replace")
        start, size = struct.unpack_from("<II", e, 116)
        if kind == 5:
            root = (start, size)
        elif kind == 2:
            out[name] = (f, start, size, root)
    return out


def _stream(data: bytes, f: _File, start: int, size: int, root) -> bytes:
    if size > MAX_STREAM:
        raise _err(E005, f"the Workbook stream declares {size} bytes (limit {MAX_STREAM})")
    if size < f.mini_cutoff and root is not None and root[0] not in (_END, _FREE) \
            and f.minifat_start not in (_END, _FREE):  # small streams live in the mini stream
        mini = f.chain(root[0], MAX_STREAM)
        minifat_raw = f.chain(f.minifat_start, MAX_STREAM)
        minifat = struct.unpack(f"<{len(minifat_raw) // 4}I", minifat_raw)
        ms = 1 << f.mini_shift
        out = bytearray()
        s, n = start, 0
        while s not in (_END, _FREE) and len(out) < size:
            if s >= len(minifat) or n > len(minifat):
                raise _err(E005, "OLE2 mini-stream chain loops")
            out += mini[s * ms:(s + 1) * ms]
            s, n = minifat[s], n + 1
        return bytes(out[:size])
    return f.chain(start, MAX_STREAM + f.size)[:size]


# ------------------------------------------------------------------ BIFF records
_FILEPASS, _BOUNDSHEET, _DIMENSIONS, _DIMENSIONS_OLD, _BOF = 0x002F, 0x0085, 0x0200, 0x0000, 0x0809


def _records(ws: bytes, info: XlsInfo, max_rows: int, max_cols: int) -> None:
    i, n = 0, len(ws)
    while i + 4 <= n:
        rec, ln = struct.unpack_from("<HH", ws, i)
        body = ws[i + 4:i + 4 + ln]
        i += 4 + ln
        if rec == _FILEPASS:
            raise _err(E003, "a password-protected .xls (FILEPASS)")
        if rec == _BOUNDSHEET and len(body) >= 8:
            hidden = body[4] & 0x03
            name = _sheet_name(body[6:], info.biff)
            info.sheets.append((name, hidden == 0))
        elif rec in (_DIMENSIONS, _DIMENSIONS_OLD) and len(body) >= 10:
            if rec == _DIMENSIONS and len(body) >= 14:
                r1, r2, c1, c2 = struct.unpack_from("<IIHH", body, 0)
            else:
                r1, r2, c1, c2 = struct.unpack_from("<HHHH", body, 0)
            rows, cols = r2, c2  # one past the last used row / column
            info.extents.append((rows, cols))
            if rows > max_rows or cols > max_cols or rows * cols > guard.MAX_CELLS:
                raise _err(E007, f"a sheet's cells reach row {rows} and column {cols} "
                                       f"(limits: {max_rows} rows, {max_cols} columns)", rows=rows, cols=cols)


def _sheet_name(b: bytes, biff: int) -> str:
    if not b:
        return ""
    n = b[0]
    if biff == 8 and len(b) >= 2:
        if b[1] & 1:
            return b[2:2 + 2 * n].decode("utf-16-le", "replace")
        return b[2:2 + n].decode("latin-1")
    return b[1:1 + n].decode("latin-1")
