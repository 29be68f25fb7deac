"""KRM-1's print sheet: the form as Annex 1 prints it, one block per project, beside the entry sheet.

Annex 1 prints, under the title and the header, a block for each project — its name, start and end
(year, month, day), the sums from the republican (РБ) and local (ЖБ) budgets — over a table of three
columns (1 № · 2 Мақсатты бағыты · 3 Өлшем бірлігі (саны)) whose rows are "1." (all jobs) and 1.1–1.9
(the nine activities), then the signature block and the footnote "*".  krm's entry sheet keeps one row
per project (what validate, aggregate and report read); this sheet shows the same figures in the annex's
layout and is only printed, never filled:

* every value is a formula on the entry sheet (with its value cached for programs that do not
  calculate), so the entry sheet stays the one place to type and the two never disagree; the sheet is
  protected;
* it has one block per project the workbook was written with (a blank template: one block, as the
  annex shows); a line at its top counts the entry sheet's projects and says so when there are more
  than blocks (``krm convert FILE`` writes the workbook again with a block for each);
* it prints on A4 portrait, as the annex; a block (and the signature block after the last one) is never
  split across pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from krm import annex_text, reference
from krm.forms import SEAL, SIGNATURE
from krm.spec import FormSpec, T
from krm.workbook.writer.layout import PT_PER_UNIT, UI, Layout, _text_height, column_letter
from krm.workbook.writer.printing import DEFAULT_ROW_PT, FILL, MARGINS, PAPER_A4

USABLE_W_PORTRAIT = (8.27 - MARGINS["left"] - MARGINS["right"]) * 72
USABLE_H_PORTRAIT = (11.69 - MARGINS["top"] - MARGINS["bottom"]) * 72

SHEET = T("Басып шығару", "Печать", "Print")
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
_PERIOD = T("{} жылғы есепті кезең", "отчетный период: {} год", "reporting period: {}")
_MORE = T("Нысанда {n} жоба, мұнда {k} блок: барлығын басу үшін krm convert ФАЙЛ",
          "В форме {n} проектов, здесь {k} блоков: чтобы напечатать все, krm convert ФАЙЛ",
          "The form has {n} projects, this sheet {k} blocks: to print them all, krm convert FILE")
_EPOCH = dt.date(1899, 12, 30)


def has_block_print(spec: FormSpec) -> bool:
    """Forms printed as one block per project (KRM-1): a free-row form with the block's fields and 1.1-1.9."""
    keys = {c.key for c in spec.columns}
    return set(_KEYS) <= keys and any(c.feeds == "plan_by_activity" for c in spec.columns)


def _lit(text: str) -> str:
    """``text`` inside a formula's string literal (quotes doubled)."""
    return text.replace('"', '""')


def _cached(v):
    """The value a formula shows, cached beside it: dates as Excel serials, numbers as numbers, text as text."""
    if v is None or v == "":
        return ""
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return (v - _EPOCH).days
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    return str(v)


def sheet_name(spec: FormSpec, lang: str) -> str:
    return f"{spec.sheet_name} {SHEET(lang)}"[:31]


def write_block_print(ws, F, spec: FormSpec, lay: Layout, data: list[dict], header: dict, signature: dict,
                      lang: str, v0: int) -> None:
    """Write the print sheet (added right after the entry sheet)."""
    name = sheet_name(spec, lang)
    ws = _Heights(ws)
    src = "'" + spec.sheet_name.replace("'", "''") + "'"
    col = {c.key: i for i, c in enumerate(lay.columns)}
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    total_w = sum(WIDTHS)
    f = _Fmt(F)

    def ref(r: int, c: int) -> str:
        return f"{src}!${column_letter(c)}${r + 1}"

    def text_formula(r: int, c: int, cached, fmt, at: tuple[int, int]) -> None:
        ws.write_formula(*at, f'=IF({ref(r, c)}="","",{ref(r, c)})', fmt, _cached(cached))

    n_blocks = max(1, sum(1 for d in data if any(d.get(k) not in (None, "") for k in _KEYS)))
    r = _banner(ws, f, spec, lay, header, lang, v0, ref, total_w)
    # a line that prints only when the entry sheet has more projects than this sheet has blocks
    proj = column_letter(col["project"])
    rng = f"{src}!${proj}${lay.first_data_row + 1}:${proj}${lay.last_data_row + 1}"
    more = _lit(_MORE(lang)).replace("{n}", '"&COUNTA(' + rng + ')&"').replace("{k}", str(n_blocks))
    ws.merge_range(r, 0, r, 2, "", f.warn)
    ws.write_formula(r, 0, f'=IF(COUNTA({rng})>{n_blocks},"{more}","")', f.warn, "")
    r += 1
    starts: list[int] = []
    for k in range(n_blocks):
        starts.append(r)
        d = data[k] if k < len(data) else {}
        er = lay.first_data_row + k
        r = _block(ws, f, lang, d, er, col, r, ref, text_formula, total_w)
    r += 1
    starts.append(r)  # the signature block stays whole too
    r = _signature(ws, f, lay, signature, lang, v0, r, ref, total_w)
    note = annex_text.footnote_line(spec, lang)
    if note is not None:
        ws.merge_range(r, 0, r, 2, note, f.note)
        ws.set_row(r, _text_height(note, total_w, 9, italic=True))
    ws.protect("")
    ws.set_portrait()
    ws.set_paper(PAPER_A4)
    ws.set_margins(**MARGINS)
    ws.set_footer(f"&L{name}&R&P / &N")
    scale = max(10, min(100, int(100 * USABLE_W_PORTRAIT / (total_w * PT_PER_UNIT + 30))))
    ws.set_print_scale(scale)
    ws.print_area(0, 0, r, 2)
    ws.set_h_pagebreaks(_breaks(ws.h, starts, r, scale))


class _Heights:
    """The sheet with every row height it is given recorded (the page breaks' input)."""

    def __init__(self, ws):
        self.ws, self.h = ws, {}

    def set_row(self, r: int, height: float) -> None:
        self.h[r] = height
        self.ws.set_row(r, height)

    def __getattr__(self, name):
        return getattr(self.ws, name)


def _breaks(heights: dict[int, float], starts: list[int], end: int, scale: int) -> list[int]:
    """Rows that start a page so that no block (rows ``starts[i]`` … ``starts[i+1] - 1``, the last one to ``end``)
    is split: a block that does not fit the rest of the page starts the next one."""
    cap = USABLE_H_PORTRAIT * FILL * 100 / scale
    out, used, bounds = [], 0.0, starts + [end + 1]
    first = sum(heights.get(r, DEFAULT_ROW_PT) for r in range(0, starts[0]))
    used = first
    for a, b in zip(bounds, bounds[1:]):
        h = sum(heights.get(r, DEFAULT_ROW_PT) for r in range(a, b))
        if used + h > cap and used > 0:
            out.append(a)
            used = 0.0
        used += h
    return out


class _Fmt:
    def __init__(self, F):
        self.label = F(text_wrap=True, align="left", valign="top")
        self.value = F(text_wrap=True, align="left", bottom=1, valign="bottom")
        self.unit = F(text_wrap=True, align="center", bottom=1, valign="bottom")
        self.date = F(align="center", bottom=1, num_format="yyyy.mm.dd")
        self.money = F(align="center", bottom=1, num_format="#,##0.000")
        self.caption = F(italic=True, font_size=8, align="center", valign="top")
        self.head = F(bold=True, text_wrap=True, align="center", border=1)
        self.cell = F(text_wrap=True, border=1, valign="top")
        self.num = F(border=1, align="center", num_format="#,##0")
        self.seq = F(border=1, align="center", valign="top")
        self.title = F(bold=True, font_size=12, text_wrap=True, align="center")
        self.annex = F(italic=True, font_size=8, text_wrap=True, align="right", valign="top")
        self.line = F(text_wrap=True, align="left", valign="top")
        self.note = F(italic=True, font_size=9, text_wrap=True)
        self.warn = F(bold=True, font_color="#C00000", text_wrap=True)


def _banner(ws, f, spec, lay, header, lang, v0, ref, total_w) -> int:
    """The annex line, the title, the unit and period lines and the header labels; returns the next row."""
    annex = f"{spec.annex(lang)}\n\n{spec.kind_line(lang)}"
    ws.merge_range(0, 1, 0, 2, annex, f.annex)
    ws.set_row(0, _text_height(annex, sum(WIDTHS[1:]), 8, italic=True))
    ws.merge_range(1, 0, 1, 2, spec.title(lang), f.title)
    ws.set_row(1, _text_height(spec.title(lang), total_w, 12, bold=True))
    # the reporting unit: "district, region" from the entry sheet's header, with the annex's caption
    unit = [k for k in ("district", "region") if k in lay.header_rows]
    cells = [ref(lay.header_rows[k], v0) for k in unit]
    formula = "=TRIM(" + '&" "&'.join(cells) + ")" if cells else '=""'
    shown = " ".join(str(header.get(k) or "") for k in unit).strip()
    ws.merge_range(2, 0, 2, 2, "", f.value)
    ws.write_formula(2, 0, formula, f.unit, shown)
    cap = spec.unit_caption(lang) if spec.unit_caption is not None else ""
    ws.merge_range(3, 0, 3, 2, cap, f.caption)
    year = header.get("period")
    pr = ref(lay.header_rows["period"], v0)  # blank: the annex's "20___"
    period = _lit(_PERIOD(lang)).replace("{}", f'"&IF({pr}="","20___",{pr})&"')
    ws.merge_range(4, 0, 4, 2, "", f.line)
    ws.write_formula(4, 0, f'="{period}"', f.line, _PERIOD(lang).format(year or "20___"))
    who, where, when = annex_text.banner_labels(spec)
    lines = [f"{UI['index'](lang)}: {spec.sheet_name}", f"{UI['periodicity'](lang)}: {spec.periodicity(lang)}",
             f"{who(lang)}: {spec.submitter(lang)}", f"{where(lang)}: {spec.recipient(lang)}",
             f"{when(lang)}: {spec.deadline.text(lang)}"]
    text = "\n".join(lines)
    ws.merge_range(5, 0, 5, 2, text, f.line)
    ws.set_row(5, _text_height(text, total_w, 10))
    r = 6
    if "programme" in lay.header_rows:  # krm's addition: the programme the plan is for (FORMS.md)
        label = spec.header_field("programme").label(lang)
        p = ref(lay.header_rows["programme"], v0)
        ws.merge_range(r, 0, r, 2, "", f.line)
        ws.write_formula(r, 0, f'="{_lit(label)}: "&{p}', f.line, f"{label}: {header.get('programme') or ''}")
        ws.set_row(r, _text_height(f"{label}: {header.get('programme') or ''}", total_w, 10, minimum=30))
        r += 1
    return r + 1


def _block(ws, f, lang, d, er, col, r, ref, text_formula, total_w) -> int:
    """One project's block: its fields, then the 1. / 1.1-1.9 table; returns the next row."""
    ws.merge_range(r, 0, r, 2, _PROJECT(lang), f.label)
    r += 1
    ws.merge_range(r, 0, r, 2, "", f.value)
    text_formula(er, col["project"], d.get("project"), f.value, (r, 0))
    ws.set_row(r, _text_height(str(d.get("project") or ""), total_w, 10, minimum=18))
    r += 1
    for key, label, caption in _FIELDS:
        ws.merge_range(r, 0, r, 1, label(lang), f.label)
        fmt = f.date if key in ("start", "end") else f.money
        text_formula(er, col[key], d.get(key), fmt, (r, 2))
        ws.write_string(r + 1, 2, caption(lang), f.caption)
        r += 2
    r += 1
    ws.write_string(r, 0, _HEADS[0](lang), f.head)
    ws.write_string(r, 1, _HEADS[1](lang), f.head)
    ws.write_string(r, 2, _HEADS[2](lang), f.head)
    ws.set_row(r, _text_height(_HEADS[2](lang), WIDTHS[2], 10, bold=True))
    r += 1
    for n, c in enumerate(("1", "2", "3")):
        ws.write_string(r, n, c, f.seq)
    r += 1
    rows = [("1.", _ROW1(lang), "total")] + [(f"1.{a.code}", f"{a.name(lang)};", f"act{a.code}")
                                           for a in reference.activities()]
    for num, label, key in rows:
        ws.write_string(r, 0, num, f.seq)
        ws.write_string(r, 1, label, f.cell)
        ws.set_row(r, _text_height(label, WIDTHS[1], 10))
        text_formula(er, col[key], d.get(key), f.num, (r, 2))
        r += 1
    return r + 1


def _signature(ws, f, lay, signature, lang, v0, r, ref, total_w) -> int:
    """The signature block as the annex prints it, its values from the entry sheet; returns the next row."""
    for s in SIGNATURE:
        sr = lay.signature_rows[s.key]
        ws.merge_range(r, 0, r, 1, s.label(lang), f.label)
        ws.write_formula(r, 2, f'=IF({ref(sr, v0)}="","",{ref(sr, v0)})', f.value,
                         str(signature.get(s.key) or ""))
        ws.set_row(r, _text_height(s.label(lang), sum(WIDTHS[:2]), 10, minimum=18))
        r += 1
        if s.hint:
            ws.merge_range(r, 0, r, 2, s.hint(lang), f.caption)
            r += 1
    ws.write_string(r, 1, SEAL(lang), f.label)
    return r + 1
