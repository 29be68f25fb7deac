"""KRM-1's print sheet: the form as Annex 1 prints it, one block per project, beside the entry sheet.

Annex 1 prints, under the title and the header, a block for each project — its name, start and end
(year, month, day), the sums from the republican (РБ) and local (ЖБ) budgets — over a table of three
columns (1 № · 2 Мақсатты бағыты · 3 Өлшем бірлігі (саны)) whose rows are "1." (all jobs) and 1.1–1.9
(the nine activities), then the signature block and the footnote "*".  krm's entry sheet keeps one row
per project (what validate, aggregate and report read); this sheet shows the same figures in the annex's
layout and is only printed, never filled:

* it has one block per project the workbook was written with (a blank template: one block, as the
  annex shows); what it shares with KRM-2/3's print sheet is in :mod:`.printsheet` (formulas on the
  entry sheet, the banner, the line that says when the entry sheet has more projects than blocks);
* it prints on A4 portrait, as the annex; a block (and the signature block after the last one) is never
  split across pages.
"""

from __future__ import annotations

from krm import reference
from krm.spec import FormSpec, T
from krm.workbook.writer.layout import Layout, _text_height
from krm.workbook.writer.printsheet import PrintSheet

_KEYS = ("project", "start", "end", "rb", "lb", "total")
WIDTHS = (7.0, 62.0, 18.0)
_FIELDS = (  # (column key, label, caption under the value) as Annex 1 prints the block's lines
    ("start", T("Жобаны іске асыруды бастау", "Начало реализации проекта", "Project start"),
     T("(жылы, айы, күні)", "(год, месяц, день)", "(year, month, day)")),
    ("end", T("Жобаның аяқталу мерзімі", "Срок завершения проекта", "Project completion"),
     T("(жылы, айы, күні)", "(год, месяц, день)", "(year, month, day)")),
    ("rb", T("РБ-дан бөлінген сома", "Сумма, выделенная из РБ", "Allocated from the republican budget"),
     T("(млн.теңге)", "(млн тенге)", "(mln tenge)")),
    ("lb", T("ЖБ-дан бөлінген сома", "Сумма, выделенная из МБ", "Allocated from the local budget"),
     T("(млн.теңге)", "(млн тенге)", "(mln tenge)")),
)
_PROJECT = T("Жобаның атауы", "Наименование проекта", "Project name")
_HEADS = (T("№", "№", "No."), T("Мақсатты бағыты", "Целевое направление", "Target direction"),
          T("Өлшем бірлігі (саны)", "Единица измерения (количество)", "Unit (count)"))
_ROW1 = T("Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта "
          "кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде жұмыс орындарын құру, оның ішінде "
          "экономикалық қызмет түрлері бойынша:",
          "Создание рабочих мест в рамках государственных программ, программ развития территорий, инвестиционных "
          "проектов, программ по стимулированию развития малого и среднего предпринимательства, в том числе по "
          "видам экономической деятельности:",
          "Jobs created under state programmes, territorial development programmes, investment projects and SME "
          "stimulation programmes, of which by economic activity:")


def has_block_print(spec: FormSpec) -> bool:
    """Forms printed as one block per project (KRM-1): a free-row form with the block's fields and 1.1-1.9."""
    keys = {c.key for c in spec.columns}
    return set(_KEYS) <= keys and any(c.feeds == "plan_by_activity" for c in spec.columns)


def write_block_print(ws, F, spec: FormSpec, lay: Layout, data: list[dict], header: dict, signature: dict,
                      lang: str, v0: int) -> None:
    """Write the print sheet (added right after the entry sheet): one block per project, then the signature."""
    p = PrintSheet(ws, F, spec, lay, lang, v0, WIDTHS, portrait=True)
    n_blocks = max(1, sum(1 for d in data if any(d.get(k) not in (None, "") for k in _KEYS)))
    r = p.more_line(p.banner(header), "project", n_blocks)
    starts: list[int] = []
    for k in range(n_blocks):
        starts.append(r)
        r = _block(p, data[k] if k < len(data) else {}, lay.first_data_row + k, r)
    starts.append(r + 1)  # the signature block stays whole too
    end = p.signature(r + 1, signature, 2)
    p.finish(end, starts)


def _block(p: PrintSheet, d: dict, er: int, r: int) -> int:
    """One project's block: its fields, then the 1. / 1.1-1.9 table; returns the next row."""
    ws, f, lang = p.ws, p.f, p.lang
    ws.merge_range(r, 0, r, 2, _PROJECT(lang), f.label)
    r += 1
    ws.merge_range(r, 0, r, 2, "", f.value)
    p.value((r, 0), er, "project", d.get("project"), f.value)
    p.row(r, _text_height(str(d.get("project") or ""), p.total_w, 10, minimum=18))
    r += 1
    for key, label, caption in _FIELDS:
        ws.merge_range(r, 0, r, 1, label(lang), f.label)
        p.value((r, 2), er, key, d.get(key), f.date if key in ("start", "end") else f.money)
        ws.write_string(r + 1, 2, caption(lang), f.caption)
        r += 2
    r += 1
    for i, h in enumerate(_HEADS):
        ws.write_string(r, i, h(lang), f.head)
    p.row(r, _text_height(_HEADS[2](lang), WIDTHS[2], 10, bold=True))
    r += 1
    for i, n in enumerate(("1", "2", "3")):
        ws.write_string(r, i, n, f.seq)
    r += 1
    rows = [("1.", _ROW1(lang), "total")] + [(f"1.{a.code}", f"{a.name(lang)};", f"act{a.code}")
                                           for a in reference.activities()]
    for num, label, key in rows:
        ws.write_string(r, 0, num, f.seq)
        ws.write_string(r, 1, label, f.cell)
        p.row(r, _text_height(label, WIDTHS[1], 10))
        p.value((r, 2), er, key, d.get(key), f.num)
        r += 1
    return r + 1
