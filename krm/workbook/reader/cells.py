"""What calamine does not give: formulas without a cached value, cell notes, hidden rows (from the sheet XML)."""

from __future__ import annotations

import re


_F_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")  # a formula element, not "<formula1>" of a validation
_ANY_F = re.compile(rb"f(?<=[<:]f)[> /]")  # any of _F_TAGS, in one pass (a one-byte literal prefix is fast)
_QUOTED_E = re.compile(rb"""e(?<=["']e)["']""")  # "e" or 'e', in one pass
_HAS_E = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL_ANY = re.compile(rb"<(?:[\w.-]+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)
_ATTR_R = re.compile(rb"""\br\s*=\s*["']\s*([A-Za-z]{1,3}\d{1,7})""")
_ATTR_T = re.compile(rb"""\bt\s*=\s*["']\s*(\w+)""")
_F_TEXT = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_V_TEXT = re.compile(rb"<(?:[\w.-]+:)?v\b[^>]*>([^<]*)<")


def formulas_without_value(sheet_xml: bytes) -> list[str]:
    """A1 refs of formula cells with no cached value (calamine drops them silently)."""
    return cell_notes(sheet_xml)[1]


def cell_notes(xml: bytes) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """What calamine's values do not show, from the sheet's XML: ({A1: formula text} of every formula cell,
    [A1 of formula cells without a stored value], {A1: error text} of error cells (``t="e"``: #DIV/0!,
    #REF! …, which calamine reads as blank)).  Two searches when the sheet has neither (the usual case)."""
    if not _ANY_F.search(xml) and not (_QUOTED_E.search(xml) and _HAS_E.search(xml)):
        return {}, [], {}  # byte searches first: no formula element, no error cell
    from html import unescape

    formulas: dict[str, str] = {}
    no_value: list[str] = []
    errors: dict[str, str] = {}
    for m in _CELL_ANY.finditer(xml):
        attrs, inner = m.group(1), m.group(2) or b""
        r = _ATTR_R.search(attrs)
        if r is None:
            continue
        ref = r.group(1).decode().upper()
        t = _ATTR_T.search(attrs)
        f = _F_TEXT.search(inner) if b"f" in inner else None
        v = _V_TEXT.search(inner)
        if f is not None:
            formulas[ref] = unescape((f.group(1) or b"").decode("utf-8", "replace"))
            if (v is None or not v.group(1).strip()) and b"<is>" not in inner:
                no_value.append(ref)
        if t is not None and t.group(1) == b"e":
            errors[ref] = unescape(v.group(1).decode("utf-8", "replace")).strip() if v else "#ERROR"
    return formulas, no_value, errors


_ROW_HIDDEN = re.compile(rb"<row [^>]*?r=\"(\d+)\"[^>]*?hidden=\"(?:1|true)\"")
