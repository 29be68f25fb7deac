"""``json.dumps(clean(x), ensure_ascii=False, indent=2)`` made faster, the same text.

With ``indent``, :mod:`json` encodes in pure Python, one generator step a token (a month's summary: ~250,000).
Here every run of scalars (str, int, float, bool, None) in a dict or list is encoded by json's C encoder, whose
item separator is the line break and indent of that depth, and only the containers are walked in Python, so a
summary's input entry costs a handful of calls instead of ~80.  The text is the same: the C encoder is the one
``json.dumps`` uses without ``indent``, given the separators ``indent=2`` writes between items (``",\\n" + the
indent``, ``": "``), and both encode each scalar alike (strings by ``encode_basestring``, ints and floats by their
``repr``, NaN and infinities as ``NaN``/``Infinity``).

Anything else — another type (a subclass of str or int, a tuple, a Decimal), a key that is not a str, a string with
a lone surrogate (:func:`krm.textsafe.clean` rewrites it, and may merge keys), nesting deeper than :data:`DEEP` —
sends the value it is found in (a top-level value, or one element of a streamed list) to ``json.dumps`` itself,
which gives the same text (or raises as it would).  JSON text holds no raw line break, so a value encoded at depth 0
is put at depth ``d`` by indenting its lines (as json's own encoder would have).
"""

from __future__ import annotations

import json
import re

try:
    from _json import make_encoder as _c_make_encoder
except ImportError:  # pragma: no cover - CPython always has it
    _c_make_encoder = None

#: deeper than this, a value is encoded by json itself (which also detects cycles)
DEEP = 40
_SCALAR = frozenset({str, int, float, bool, type(None)})
_SURROGATE = re.compile("[\ud800-\udfff]")
_enc_str = json.encoder.encode_basestring  # (C when available: json's own, with ensure_ascii=False)


class _Other(Exception):
    """A value the fast path does not encode: json.dumps does."""


def _no_default(o):
    raise _Other


#: "\n" + the indent of depth d, and the C encoder whose item separator is "," + that (for members at depth d)
_NL = ["\n" + "  " * d for d in range(DEEP + 3)]
_C = [None if _c_make_encoder is None else _c_make_encoder(None, _no_default, _enc_str, None, ": ", "," + nl, False,
                                                           False, True) for nl in _NL]


def _joined(chunks) -> str:
    return chunks if type(chunks) is str else "".join(chunks)


def _encode(o, d: int) -> str:
    """``o`` (a dict or list) as json.dumps(indent=2) writes it at depth ``d`` (its members at ``d + 1``)."""
    if d > DEEP:
        raise _Other
    c = _C[d + 1]
    if type(o) is dict:
        if not o:
            return "{}"
        parts, run = [], {}
        for k, v in o.items():
            if type(k) is not str:
                raise _Other
            if type(v) in _SCALAR:
                run[k] = v
                continue
            if run:
                parts.append(_joined(c(run, 0))[1:-1])
                run = {}
            if type(v) is dict or type(v) is list:
                parts.append(_enc_str(k) + ": " + _encode(v, d + 1))
            else:
                raise _Other
        if run:
            parts.append(_joined(c(run, 0))[1:-1])
        return "{" + _NL[d + 1] + ("," + _NL[d + 1]).join(parts) + _NL[d] + "}"
    if type(o) is list:
        if not o:
            return "[]"
        parts, run = [], []
        for v in o:
            if type(v) in _SCALAR:
                run.append(v)
                continue
            if run:
                parts.append(_joined(c(run, 0))[1:-1])
                run = []
            if type(v) is dict or type(v) is list:
                parts.append(_encode(v, d + 1))
            else:
                raise _Other
        if run:
            parts.append(_joined(c(run, 0))[1:-1])
        return "[" + _NL[d + 1] + ("," + _NL[d + 1]).join(parts) + _NL[d] + "]"
    raise _Other


def dumps(o, d: int = 0) -> str:
    """``json.dumps(clean(o), ensure_ascii=False, indent=2)`` with each line break followed by ``d`` more levels
    of indent (``o`` placed at depth ``d``)."""
    if _c_make_encoder is not None and d <= DEEP:
        try:
            text = _joined(_C[d](o, 0)) if type(o) in _SCALAR else _encode(o, d)
        except (_Other, RecursionError):
            text = None
        if text is not None and (text.isascii() or not _SURROGATE.search(text)):
            return text
    from krm.textsafe import clean

    text = json.dumps(clean(o), ensure_ascii=False, indent=2)
    return text.replace("\n", "\n" + "  " * d) if d else text


def key(k: str) -> str:
    """A member's name (ASCII) as json.dumps writes it."""
    return _enc_str(k)
