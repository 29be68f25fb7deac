"""Findings: what validation reports, and the catalogue of every finding code.

A :class:`Finding` is data first (``to_dict`` gives the stable JSON shape) and
pretty second.  Each code has one :class:`Check` in :data:`CATALOGUE` with a
severity, a message template per language (kk, ru, en), a description and a hint
for the fix.  Codes are stable: never renumber, only add.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class _Blank(dict):
    def __missing__(self, key):
        return "?"


def _is_text(v) -> bool:
    """A krm.spec.Text (a label in kk/ru/en): shown in the message's language."""
    return callable(v) and all(hasattr(v, a) for a in ("kk", "ru", "en"))


def _show(v) -> str:
    """A value as a message shows it: 12.0 -> 12, long text cut."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    s = str(v)
    return s if len(s) <= 80 else s[:77] + "…"


@dataclass(frozen=True)
class Check:
    code: str  # "KRM-E012"
    severity: str  # "error" | "warning"
    title: str  # short English name, e.g. "disbursed-above-allocated"
    message: dict[str, str]  # lang -> template with {placeholders}
    description: str
    hint: dict[str, str]  # lang -> how to fix


@dataclass
class Finding:
    code: str
    severity: str
    file: str
    sheet: str | None = None
    cell: str | None = None  # A1
    row: int | None = None  # 1-based sheet row
    column: str | None = None  # the form's column number ("7")
    column_title: str | None = None
    value: object = None
    related: list[str] = field(default_factory=list)  # other A1 cells the rule involves
    params: dict = field(default_factory=dict)  # values for the message template
    form: str | None = None

    def message(self, lang: str = "en") -> str:
        from krm.catalogue import CATALOGUE

        chk = CATALOGUE.get(self.code)
        if chk is None:
            return self.code
        tmpl = chk.message.get(lang) or chk.message["en"]
        fields = _Blank(self.params)
        for k, v in (("value", self.value), ("cell", self.cell), ("column", self.column), ("row", self.row),
                     ("title", self.column_title), ("form", self.form)):
            fields.setdefault(k, v)
        fields = _Blank({k: _show(v(lang) if _is_text(v) else v) for k, v in fields.items()})
        try:
            return tmpl.format_map(fields)
        except (IndexError, ValueError):
            return tmpl

    def hint(self, lang: str = "en") -> str:
        from krm.catalogue import CATALOGUE

        chk = CATALOGUE.get(self.code)
        return (chk.hint.get(lang) or chk.hint["en"]) if chk else ""

    def to_dict(self, lang: str = "en") -> dict:
        v = self.value
        if v is not None and not isinstance(v, (str, int, float, bool)):
            v = str(v)
        return {
            "code": self.code, "severity": self.severity, "file": self.file, "sheet": self.sheet,
            "cell": self.cell, "row": self.row, "column": self.column, "column_title": self.column_title,
            "value": v, "related": list(self.related), "form": self.form,
            "message": self.message(lang), "hint": self.hint(lang),
        }
