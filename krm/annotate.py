"""The correction loop (Rule 9): a copy of a submitted workbook with its findings marked.

Each faulty cell is filled (red: error, yellow: warning; cells the rule involves
are outlined in orange) and carries a comment with the finding's message and hint;
a findings sheet lists every finding with a link to its cell.  A finding the workbook explains
(sheet «Түсініктеме / Пояснения», :mod:`krm.explanations`) stays marked and listed, its explanation
beside it (in the comment and in the findings sheet's last column).  The original file is
only read.  The copy is written with openpyxl (load + save), which keeps styles,
merged cells, defined names, data validations and protection, but drops Excel-2010
"x14" validations; macros are not carried over.  Every formula is written as the value
the submitted file stored for it (never the formula: a DDE or HYPERLINK formula would
run again in the copy, and a formula without its value would show something else).

openpyxl holds a whole workbook as Python objects (a dense 7 MB file took 4.4 GB and
5 minutes): :func:`annotate_isolated` runs it in a worker under the memory limit and
timeout validation has (:mod:`krm.pool`).
"""

from __future__ import annotations

from pathlib import Path

from krm.explanations import describe
from krm.findings import Finding
from krm.spec import T

FILL = {"error": "FFC7CE", "warning": "FFEB9C"}
RELATED = "F4B183"
SHEET = {"kk": "Қателер", "ru": "Замечания", "en": "Findings"}
HEAD = {"kk": ("Код", "Түрі", "Ұяшық", "Баған", "Мән", "Хабар", "Қалай түзету"),
        "ru": ("Код", "Вид", "Ячейка", "Графа", "Значение", "Сообщение", "Как исправить"),
        "en": ("Code", "Severity", "Cell", "Column", "Value", "Message", "How to fix")}
SEVERITY = {"kk": {"error": "қате", "warning": "ескерту"}, "ru": {"error": "ошибка", "warning": "предупреждение"},
            "en": {"error": "error", "warning": "warning"}}
EXPLAINED_HEAD = T("Түсініктеме", "Пояснение", "Explanation")


def _text(cell, value) -> None:
    """User text stays text: never a formula, whatever it begins with."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def annotate(src: str | Path, findings: list[Finding], out: str | Path, *, lang: str = "kk",
             sheet: str | None = None, force: bool = False) -> Path:
    """Write ``out``: a copy of ``src`` with ``findings`` marked. Raises FileExistsError without ``force``."""
    import warnings

    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.hyperlink import Hyperlink

    from krm.workbook.writer import atomic_write

    src, out = Path(src), Path(out)
    if out.exists() and not force:
        raise FileExistsError(str(out))
    if out.resolve() == src.resolve():
        raise FileExistsError(f"{out} is the input file; the original is never overwritten")
    lang = lang if lang in SHEET else "en"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(src, data_only=True)  # stored values, never formulas
    ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
    if SHEET[lang] in wb.sheetnames:
        del wb[SHEET[lang]]
    thick = Side(style="medium", color=RELATED)
    notes: dict[str, list[str]] = {}
    worst: dict[str, str] = {}
    for f in findings:
        if f.cell and (f.sheet in (None, ws.title)):
            notes.setdefault(f.cell, []).append(f"{f.code} {f.message(lang)}\n→ {f.hint(lang)}"
                                                + (f"\n✎ {describe(f, lang)}" if f.explanation else ""))
            if worst.get(f.cell) != "error":
                worst[f.cell] = f.severity
            for r in f.related:
                if r not in worst:
                    ws[r].border = Border(left=thick, right=thick, top=thick, bottom=thick)
    for ref, texts in notes.items():
        c = ws[ref]
        if type(c).__name__ == "MergedCell":
            continue
        c.fill = PatternFill("solid", fgColor=FILL[worst[ref]])
        body = "\n\n".join(texts)
        c.comment = Comment(body[:30000], "krm validate", width=360, height=min(60 + 16 * body.count("\n") + 16 * len(texts), 600))

    fs = wb.create_sheet(SHEET[lang], 0)
    bold = Font(bold=True)
    for i, h in enumerate(HEAD[lang], start=1):
        fs.cell(row=1, column=i, value=h).font = bold
    for n, f in enumerate(findings, start=2):
        fs.cell(row=n, column=1, value=f.code)
        c = fs.cell(row=n, column=2, value=SEVERITY[lang][f.severity])
        c.fill = PatternFill("solid", fgColor=FILL[f.severity])
        if f.cell:
            link = fs.cell(row=n, column=3, value=f.cell)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{ws.title}'!{f.cell}",
                                       display=f.cell)
            link.font = Font(color="0563C1", underline="single")
        _text(fs.cell(row=n, column=4), f.column or "")
        v = f.value
        _text(fs.cell(row=n, column=5), "" if v is None else str(v))
        _text(fs.cell(row=n, column=6), f.message(lang))
        _text(fs.cell(row=n, column=7), f.hint(lang))
        if f.explanation:  # an explained finding stays listed, with its explanation beside it
            _text(fs.cell(row=n, column=8), describe(f, lang))
        for col in (6, 7, 8):
            fs.cell(row=n, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    for col, w in zip("ABCDEFG", (11, 12, 9, 8, 20, 70, 50)):
        fs.column_dimensions[col].width = w
    if any(f.explanation for f in findings):
        fs.cell(row=1, column=8, value=EXPLAINED_HEAD(lang)).font = bold
        fs.column_dimensions["H"].width = 50
    fs.freeze_panes = "A2"
    wb.active = 0
    for w in wb.worksheets:
        w.sheet_view.tabSelected = w is fs
    atomic_write(out, wb.save, force=force)
    return out


#: the limits of :func:`annotate_isolated`: those of reading a workbook (krm.validate.validate_paths)
MEM_LIMIT_MB = 1024
TIMEOUT_S = 60


def annotate_isolated(src: str | Path, findings: list[Finding], out: str | Path, *, lang: str = "kk",
                      sheet: str | None = None, force: bool = False, mem_limit_mb: int = MEM_LIMIT_MB,
                      timeout_s: float = TIMEOUT_S) -> tuple[str, str] | None:
    """:func:`annotate` in a worker process under a memory limit and a timeout.  Returns None when
    ``out`` was written, else (kind, one-line reason): kind "exists", "os" (cannot write) or "failed"
    (the workbook could not be annotated: too big, too slow, refused by openpyxl).  A worker stopped
    mid-write leaves nothing: its temporary file is removed here."""
    import openpyxl  # noqa: F401 - imported once here, before the fork: the worker's limit is for the work

    from krm.pool import run_isolated

    out = Path(out)

    def job(_):
        try:
            annotate(src, findings, out, lang=lang, sheet=sheet, force=force)
        except FileExistsError as e:
            return ("exists", str(e))
        except OSError as e:
            return ("os", e.strerror or str(e))
        return None

    [(_, ok, res)] = run_isolated(job, [0], jobs=1, isolate=True, mem_limit_mb=mem_limit_mb, timeout_s=timeout_s)
    if ok:
        return res
    _remove_temporary(out)
    return ("failed", str(res))


def _remove_temporary(out: Path) -> None:
    """The temporary file (``.NAME.*.tmp``) a stopped worker's atomic write left beside ``out``."""
    import os

    try:
        names = os.listdir(out.parent)
    except OSError:
        return
    for n in names:
        if n.startswith(f".{out.name}.") and n.endswith(".tmp"):
            try:
                os.unlink(out.parent / n)
            except OSError:
                pass
