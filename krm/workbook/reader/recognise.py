"""Which form a workbook holds: the ``krm_form`` property, else the defined names, else the index text."""

from __future__ import annotations

import re

from krm import forms
from krm.spec import FormSpec
from krm.workbook.reader.package import Package


# ------------------------------------------------------------------ recognition
_INDEX = re.compile(r"(?:КРМ|KRM|КPM)\s*[-–—]?\s*([1-7])\b", re.I)


def recognise(pkg: Package, first_rows: list[list]) -> tuple[FormSpec | None, str]:
    fid = pkg.props.get("krm_form")
    if fid in forms.FORMS:
        return forms.FORMS[fid], "properties"
    for name in pkg.tables:
        m = re.fullmatch(r"KRM([1-7])_DATA", name or "")
        if m:
            return forms.FORMS[f"KRM-{m.group(1)}"], "names"
    for row in first_rows[:40]:
        for v in row:
            if isinstance(v, str) and ("Индекс" in v or "Index" in v or "индекс" in v):
                m = _INDEX.search(v)
                if m:
                    return forms.FORMS[f"KRM-{m.group(1)}"], "index-text"
    for row in first_rows[:40]:
        for v in row:
            if isinstance(v, str):
                m = _INDEX.fullmatch(v.strip())
                if m:
                    return forms.FORMS[f"KRM-{m.group(1)}"], "index-text"
    return None, ""
