"""A workbook's form, guessed cheaply before it is read: its ``krm_form`` document property.

``krm report`` reads KRM-3 workbooks that a programme's KRM-4/5 cover for their totals only; to know which files
to hold back it needs each file's form before validating anything.  This is that hint, part of the intake so
that no command parses workbooks on its own.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zlib
from pathlib import Path

_KRM_FORM = re.compile(rb'name="krm_form"[^>]*>\s*<[^>]*>\s*([^<]{1,16}?)\s*<')
_CUSTOM = b"docProps/custom.xml"


def form_hint(path: Path) -> str | None:
    """The ``krm_form`` document property of a workbook, or None (absent, unusual or unreadable zip).

    Only a hint for the order of reading (``krm.report.load_inputs``): a wrong or missing hint costs time, never
    changes a figure, because every file is then read by the reader itself.  It reads two small pieces of
    the zip by hand (the central directory at its end, then the one member, at most 64 KB, inflated with a
    bound), which is a few times cheaper than opening the zip and safe on any bytes: it runs in this process.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the run
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        with os.fdopen(fd, "rb") as fh:
            size = fh.seek(0, 2)
            tail_len = min(size, 65536 + 22)
            fh.seek(size - tail_len)
            tail = fh.read(tail_len)
            e = tail.rfind(b"PK\x05\x06")
            if e < 0 or len(tail) < e + 22:
                return None
            cd_size, cd_offset = struct.unpack_from("<II", tail, e + 12)
            if cd_size > 1 << 20 or cd_offset + cd_size > size:
                return None
            fh.seek(cd_offset)
            cd = fh.read(cd_size)
            i = cd.find(b"PK\x01\x02")
            while 0 <= i and i + 46 <= len(cd):
                method, = struct.unpack_from("<H", cd, i + 10)
                csize, usize, nlen, xlen, clen = struct.unpack_from("<IIHHH", cd, i + 20)
                local, = struct.unpack_from("<I", cd, i + 42)
                if cd[i + 46:i + 46 + nlen] == _CUSTOM:
                    if csize > 65536 or usize > 65536 or method not in (0, 8):
                        return None
                    fh.seek(local)
                    lh = fh.read(30)
                    if len(lh) < 30 or lh[:4] != b"PK\x03\x04":
                        return None
                    lnlen, lxlen = struct.unpack_from("<HH", lh, 26)
                    fh.seek(local + 30 + lnlen + lxlen)
                    data = fh.read(csize)
                    if method == 8:
                        data = zlib.decompressobj(-15).decompress(data, 65536)
                    m = _KRM_FORM.search(data)
                    return m.group(1).decode("ascii", "replace") if m else None
                i = cd.find(b"PK\x01\x02", i + 46 + nlen + xlen + clen)
    except (OSError, ValueError, struct.error, zlib.error):
        return None
    return None
