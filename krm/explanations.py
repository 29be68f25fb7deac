"""Explanations of findings: the sheet «Түсініктеме / Пояснения» a district fills to answer a warning.

krm's templates carry the sheet (:func:`krm.workbook.writer.sheets.write_explanations`), named
:data:`SHEET` ("/" cannot be in a sheet name, so the name has "|"; the sheet's title says «Түсініктеме /
Пояснения»).  Each row: the finding's code, its cell, the explanation, who wrote it, the date.  The
reader reads the rows (:func:`rows_of`) into ``ParsedForm.explanations``; a workbook without the sheet —
every workbook krm did not write — is read exactly as before.

An explained finding is *reported as explained, never hidden* (:func:`attach` puts the explanation on
the finding: text, JSON, annotated copy).  A warning stays a warning and an error stays an error: an
explanation of an error does not admit the file (it is excluded from roll-ups until corrected).  The
oblast accepts an explanation in the register (``krm register accept-explanation``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from krm.spec import T

SHEET = "Түсініктеме | Пояснения"
TITLE = "Түсініктеме / Пояснения"
#: the headings row (0-based) and the first row of entries
HEAD_ROW = 2
FIRST_ROW = 3
#: input rows a template offers
ROWS = 200
HEADINGS = (T("Код", "Код", "Code"), T("Ұяшық", "Ячейка", "Cell"), T("Түсініктеме", "Пояснение", "Explanation"),
            T("Кім жазды", "Кто написал", "Who"), T("Күні", "Дата", "Date"))
INTRO = T("Ескертуге түсініктеме: ескертудің кодын (KRM-W…) және ұяшығын жазыңыз (krm validate көрсеткендей). "
          "Түсініктеме ескертуді жасырмайды; қатені түсініктеме түзетпейді — қатені түзету керек.",
          "Пояснение к предупреждению: укажите код (KRM-W…) и ячейку, как их показал krm validate. Пояснение не "
          "скрывает предупреждение; ошибку пояснение не снимает — ошибку нужно исправить.",
          "Explain a warning: give its code (KRM-W…) and cell as krm validate shows them. An explanation does not "
          "hide the warning; an error is not admitted by an explanation — correct it.")
MAX_TEXT = 2000

_CODE = re.compile(r"KRM-[EW]\d{3}")
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")


@dataclass(frozen=True)
class Explanation:
    code: str
    cell: str  # "" for a finding without a cell
    text: str
    who: str | None
    date: str | None  # as written (ISO for a date cell)
    row: int  # 1-based row on the sheet

    def to_dict(self) -> dict:
        return {"text": self.text, "who": self.who, "date": self.date, "sheet": SHEET, "row": self.row}


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def rows_of(grid: list[list]) -> list[Explanation]:
    """The entries of the sheet's grid: rows with a known code form and an explanation (others skipped)."""
    out = []
    for r, row in enumerate(grid[FIRST_ROW:], start=FIRST_ROW + 1):
        cells = [_text(v) for v in (list(row) + [None] * 5)[:5]]
        code = cells[0].upper()
        if not _CODE.fullmatch(code) or not cells[2]:
            continue
        m = _CELL.fullmatch(cells[1].upper().replace(" ", ""))
        out.append(Explanation(code, f"{m.group(1)}{m.group(2)}" if m else "", cells[2][:MAX_TEXT],
                               cells[3] or None, cells[4] or None, r))
    return out


def read_sheet(cwb, sheet_names: list[str]) -> list[Explanation]:
    """The explanations of a workbook opened with calamine; [] when it has no such sheet."""
    if SHEET not in sheet_names:
        return []
    return rows_of(cwb.get_sheet_by_name(SHEET).to_python(skip_empty_area=False))


def attach(findings: list, explanations: list[Explanation]) -> None:
    """Put each explanation on the finding it names (same code and cell; the first entry wins)."""
    if not explanations:
        return
    by_key: dict[tuple[str, str], Explanation] = {}
    for e in explanations:
        by_key.setdefault((e.code, e.cell), e)
    for f in findings:
        e = by_key.get((f.code, (f.cell or "").replace("$", "").upper()))
        if e is not None:
            f.explanation = e.to_dict()


EXPLAINED = T("түсініктеме берілген", "есть пояснение", "explained")
NOT_ADMITTED = T("қатені түсініктеме түзетпейді: файл түзетілгенше қабылданбайды",
                 "ошибку пояснение не снимает: файл не принимается, пока не исправлен",
                 "an explanation does not admit an error: the file is not admitted until corrected")


def describe(f, lang: str) -> str:
    """One line for an explained finding: «text» (who, date), and for an error that it admits nothing."""
    e = f.explanation
    who = ", ".join(x for x in (e.get("who"), e.get("date")) if x)
    line = f"{EXPLAINED(lang)}: «{e['text']}»" + (f" ({who})" if who else "")
    return line + (f" — {NOT_ADMITTED(lang)}" if f.severity == "error" else "")
