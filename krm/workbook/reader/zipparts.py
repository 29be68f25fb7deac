"""Opening the workbook's zip safely: the member checks (sizes, ratios), the parts read once, defused XML."""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as _ET
import zipfile
from pathlib import Path

from krm.codes import E001, E002, E003, E004, E005, E006
from krm.workbook import guard
from krm.workbook.reader.model import MAX_MEMBER_BYTES, MAX_RATIO, MAX_TOTAL_BYTES, RAW_MAX, ReadError


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
        fd = fh.fileno()
        size = os.fstat(fd).st_size
        if size > RAW_MAX:
            head = fh.read(8)
        else:  # the whole file in one read (asking one byte more tells whether it grew since)
            first = os.read(fd, size + 1)
            head = first[:8]
            if head.startswith(b"PK"):
                try:
                    raw = first if len(first) == size else first + fh.read()  # changed meanwhile: read to its end
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
        other_case = members([i.filename for i in infos], "xl/workbook.xml")
        if other_case:  # calamine finds parts in any case, but LibreOffice and openpyxl look the workbook part up
            # by its exact name and cannot open the file: refused (docs/hostile.md, 4f), saying what was found
            raise ReadError(E002, f"zip without xl/workbook.xml: its workbook part is named {other_case[-1]} "
                                  "(LibreOffice does not open such a file)")
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


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """A part name as calamine compares it: regardless of ASCII case (other letters are compared as written)."""
    return name.translate(_ASCII_LOWER)


def members(names: list[str], name: str) -> list[str]:
    """Every member of ``names`` that calamine could take for the part ``name``, in the zip's order: calamine
    finds a part by its name regardless of ASCII case, and of several such members takes the last."""
    want = fold(name)
    return [n for n in dict.fromkeys(names) if fold(n) == want]


def member(zf: zipfile.ZipFile, name: str) -> str:
    """The member calamine reads for the part ``name`` (``name`` itself when there is no such member).  Exact
    when the zip holds ``name``: a package with two members whose names differ only in case is refused (KRM-E072,
    :func:`krm.workbook.reader.package.read_package`) before any sheet is read."""
    if name in zf.NameToInfo:
        return name
    found = members(zf.namelist(), name)
    return found[-1] if found else name


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
