"""Text from outside (file names, cell text) made safe for where krm writes it.

* :func:`unsurrogate`: a file name that is not valid UTF-8 reaches Python with its odd bytes as lone
  surrogates (``a\\udcff.xlsx``), which no UTF-8 writer accepts (JSON on stdout, xlsx, HTML).  Each such
  byte is written as the four characters ``\\xff`` — the same everywhere, so a name reads the same in
  the terminal, JSON, the workbooks and the note.
* :func:`terminal`: control characters (ESC sequences that recolour, retitle or clear a terminal, BEL,
  C1 controls, bidirectional overrides) are shown as ``\\x1b``, ``\\u202e`` …, never sent raw.  Line
  breaks and tabs are kept unless ``one_line``.

A string that needs neither costs one ``isascii``/regex test.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(m: re.Match) -> str:
    n = ord(m.group())
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def _byte(m: re.Match) -> str:
    n = ord(m.group())
    return f"\\x{n - 0xdc00:02x}" if 0xdc80 <= n <= 0xdcff else f"\\u{n:04x}"


def unsurrogate(s: str) -> str:
    """``s`` with every lone surrogate (an undecodable byte of a file name) written as ``\\xNN``."""
    if s.isascii():
        return s
    return _SURROGATE.sub(_byte, s) if _SURROGATE.search(s) else s


def terminal(s: object, one_line: bool = False) -> str:
    """``s`` as text safe to print on a terminal (see the module's docstring)."""
    s = unsurrogate(str(s))
    return (_CONTROL_LINE if one_line else _CONTROL).sub(_escape, s)


def path(p: object) -> str:
    """A file name as every output shows it: undecodable bytes as ``\\xNN`` (control characters are
    left to :func:`terminal`; JSON, xlsx and HTML escape them their own way)."""
    return unsurrogate(str(p))


def clean(obj):
    """``obj`` (JSON-shaped: dicts, lists, strings …) with every string :func:`unsurrogate`-d."""
    if isinstance(obj, str):
        return unsurrogate(obj)
    if isinstance(obj, dict):
        return {clean(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    return obj
