"""Findings: what validation reports, and the catalogue of every finding code.

A :class:`Finding` is data first (``to_dict`` gives the stable JSON shape) and
pretty second.  Each code has one :class:`Check` in :data:`CATALOGUE` with a
severity, a message template per language (kk, ru, en), a description and a hint
for the fix.  Codes are stable: never renumber, only add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple


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


Severity = Literal["error", "warning"]


def _compared_with(p: dict) -> dict:
    """The earlier version a finding across months names (krm.history), and its figures, as JSON."""
    def plain(v):
        return v if v is None or isinstance(v, (str, int, float, bool)) else str(v)

    out = {"file": p.get("prev_file"), "path": p.get("prev_path"), "period": p.get("prev_period"),
           "version": p.get("prev_version")}
    for k in ("previous", "previous_cell"):
        if k in p:
            out[k] = plain(p[k])
    return out


class Words(NamedTuple):
    """A message or hint in the three languages krm speaks (``words["ru"]`` and ``words.get("ru")`` work)."""

    kk: str
    ru: str
    en: str

    def __getitem__(self, key):  # type: ignore[override] - by language as well as by position
        return getattr(self, key) if isinstance(key, str) else tuple.__getitem__(self, key)

    def get(self, lang: str, default: str | None = None) -> str | None:
        return getattr(self, lang, default) if lang in self._fields else default


@dataclass(frozen=True, slots=True, repr=False)
class Check:
    """One catalogue record: a finding code and everything said about it.

    Rules refer to a record by its symbol in :mod:`krm.codes` (``from krm.codes import E034``), so a
    code that is not in the catalogue fails when the rule module is imported, not when it fires."""

    code: str  # "KRM-E012"
    severity: Severity
    title: str  # short English name, e.g. "disbursed-above-allocated"
    message: Words  # template with {placeholders}, per language
    description: str
    hint: Words  # how to fix, per language
    group: str = ""  # the catalogue section: reading, structure, values, consistency, identifiers, …

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Check({self.code} {self.title})"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass
class Finding:
    code: str  # "KRM-E012" (the :class:`Check` symbols of krm.codes are accepted and stored as their code)
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
    #: the workbook's own explanation of it (sheet «Түсініктеме / Пояснения», :mod:`krm.explanations`):
    #: text, who, date, sheet, row; shown beside the finding, never instead of it
    explanation: dict | None = None

    def __post_init__(self):
        if type(self.code) is not str:
            self.code = self.code.code

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
        out = {
            "code": self.code, "severity": self.severity, "file": self.file, "sheet": self.sheet,
            "cell": self.cell, "row": self.row, "column": self.column, "column_title": self.column_title,
            "value": v, "related": list(self.related), "form": self.form,
            "message": self.message(lang), "hint": self.hint(lang),
        }
        if "prev_version" in self.params:  # a finding across months: the earlier version it was compared with
            out["compared_with"] = _compared_with(self.params)
        if self.explanation is not None:  # only then: findings of workbooks without explanations are as before
            out["explained"] = True
            out["explanation"] = {**self.explanation, "admits": self.severity != "error"}
        return out
