"""Text that a wrong encoding garbled ('Ð°Ñ', 'Àëìà', '????', U+FFFD): KRM-W034."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from krm.codes import W034
from krm.findings import Finding
from krm.rules.relations import Relation
from krm.spec import ColType, Column

# UTF-8 Cyrillic read as cp1252/latin-1 ("Ð°Ñ"), cp1251 read as latin-1 ("Àëìà"), lost letters ("????"), U+FFFD
GARBLED = re.compile(r"[ÐÑÒÓ][\u0080-\u00bf\u0152-\u0178\u2018-\u203a]|Ã.|\?{3,}|\ufffd|[ÀÁÂÃÄÅ][ëìíîïðñòóôõö]{2}")
# every match of GARBLED holds one of these: a plain search for them first is 4x faster on clean text
GARBLED_CHARS = re.compile("[\u00c0-\u00c5\u00d0-\u00d3?\ufffd]")


def garbled(text: str) -> bool:
    return GARBLED_CHARS.search(text) is not None and GARBLED.search(text) is not None


def maybe_garbled(text: str) -> bool:
    """False when ``text`` holds none of :data:`GARBLED_CHARS` (so nothing garbled): tested on its UTF-8
    bytes, where À…Å and Ð…Ó all start with the byte C3 — a byte search, faster than a character class."""
    try:
        b = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return GARBLED_CHARS.search(text) is not None
    return b"\xc3" in b or b"?" in b or b"\xef\xbf\xbd" in b


@dataclass(frozen=True)
class Text(Relation):
    column: Column
    stage = "cells"
    on_total = True
    CODES = (W034,)

    def row(self, ctx, row) -> Iterator[Finding]:
        v = row.values.get(self.column.key)
        if isinstance(v, str) and garbled(v):
            yield ctx.at(W034, row, self.column.key)

    def candidates(self, ctx) -> list[int]:
        key = self.column.key
        if key in _clean_columns(ctx):
            return []
        vals = ctx.raw(key)
        strs = [v for v in vals if isinstance(v, str)]
        if not strs or not maybe_garbled("\n".join(strs)):
            return []
        return [i for i, v in enumerate(vals) if isinstance(v, str) and garbled(v)]


TEXT_TYPES = (ColType.TEXT, ColType.ACTIVITY, ColType.REGION)  # the columns krm.rules.relations.cells checks so


def _clean_columns(ctx) -> frozenset:
    """The keys of the form's text columns when no text in any of them may be garbled (one search over them
    all, as :meth:`Text.candidates` searches each column), else none: worked out once a workbook."""
    got = ctx.memo.get("clean-texts")
    if got is None:
        keys = list(dict.fromkeys(c.key for c in ctx.pf.columns if c.type in TEXT_TYPES))
        strs = [v for k in keys for v in ctx.raw(k) if isinstance(v, str)]
        got = ctx.memo["clean-texts"] = frozenset(keys) if not maybe_garbled("\n".join(strs)) else frozenset()
    return got
