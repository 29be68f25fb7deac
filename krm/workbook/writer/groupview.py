"""The grouped view of KRM-2 and KRM-3: the table's rows counted and summed under the nine activity groups.

A hidden, protected sheet of formulas (COUNTIFS/SUMIFS over the form's table) with their values cached, so that
programs that do not calculate read the right numbers; written by :func:`krm.workbook.writer.form.write_form`.
The printed, grouped form of the annex is :mod:`.grouped`.
"""

from __future__ import annotations

from decimal import Decimal

from krm import reference
from krm.spec import ColType, Column, FormSpec, Rows, T
from krm.workbook.writer.layout import Layout, _text_height, column_letter
from krm.workbook.writer.printing import page_setup
from krm.workbook.writer.sheets import NUM_FORMATS


def has_group_view(spec: FormSpec) -> bool:
    """KRM-2 and KRM-3 (free rows with an activity column) get the nine-activity grouped view."""
    return spec.rows == Rows.FREE and any(c.type == ColType.ACTIVITY for c in spec.columns)


def write_group_view(wb, ws, F, spec: FormSpec, lay: Layout, data: list[dict], lang: str) -> None:
    """The nine activity groups as the regulation prints them, summed from the form's table.

    Every figure is a COUNTIFS/SUMIFS formula over the table's columns, written with its
    cached value (computed here the way Excel computes it: exact, case-insensitive text
    match) so that programs that do not calculate (calamine, pandas) read the right numbers.
    A row for activities that match no group and a total row make the sheet add up to the
    table, so nothing filled in disappears from the view.
    """
    sheet = spec.sheet_name
    cols = lay.columns
    act_ci = next(i for i, c in enumerate(cols) if c.type == ColType.ACTIVITY)
    nums = [(i, c) for i, c in enumerate(cols) if c.type.numeric]
    f0, f1 = lay.first_data_row + 1, lay.last_data_row + 1

    def rng(ci: int) -> str:
        L = column_letter(ci)
        return f"'{sheet}'!${L}${f0}:${L}${f1}"

    widths, last, hr = _group_view_head(ws, F, sheet, cols, act_ci, nums, lang)
    text_f = F(border=1, text_wrap=True)
    count_f = F(border=1, num_format="#,##0")
    num_f = {i: F(border=1, num_format=NUM_FORMATS[c.type]) for i, c in nums}
    bold_f = F(border=1, bold=True, text_wrap=True)
    bold_num = {i: F(border=1, bold=True, num_format=NUM_FORMATS[c.type]) for i, c in nums}
    acts = reference.activities()
    key = cols[act_ci].key
    filled = [d for d in data if d.get(key) not in (None, "")]
    matched = 0
    group_sums = {i: 0.0 for i, _ in nums}
    first = hr + 1
    by_label: dict[str, list[int]] = {}  # the rows of each activity label (case-insensitive), in table order
    for i, d in enumerate(data):
        v = d.get(key)
        if isinstance(v, str):
            by_label.setdefault(v.strip().casefold(), []).append(i)
    values = {ci: _numbers([d.get(c.key) for d in data]) for ci, c in nums}  # summed in table order, as before
    for gi, a in enumerate(acts):
        r = first + gi
        label = a.label(lang)
        ws.set_row(r, _text_height(label, widths[0], 10))
        ws.write_string(r, 0, label, text_f)
        mine = by_label.get(label.casefold(), [])
        matched += len(mine)
        ws.write_formula(r, 1, f"=COUNTIFS({rng(act_ci)},$A{r + 1})", count_f, len(mine))
        for ci, c in nums:
            vs = values[ci]
            t = sum([v for v in [vs[i] for i in mine] if v is not None])
            group_sums[ci] += t
            ws.write_formula(r, 2 + [x for x, _ in nums].index(ci),
                             f"=SUMIFS({rng(ci)},{rng(act_ci)},$A{r + 1})", num_f[ci], _cached(c, t))
    g0, g1 = first + 1, first + len(acts)
    ru = first + len(acts)  # rows whose activity matches no group (or is blank but has figures)
    tr = ru + 1
    ws.write_string(ru, 0, T("Топқа сәйкес келмейтін жолдар", "Строки вне групп (вид не из списка)",
                             "Rows matching no group")(lang), text_f)
    ws.write_formula(ru, 1, f"=COUNTA({rng(act_ci)})-SUM(B{g0}:B{g1})", count_f, len(filled) - matched)
    ws.write_string(tr, 0, T("Барлығы", "Всего", "Total")(lang), bold_f)
    ws.write_formula(tr, 1, f"=COUNTA({rng(act_ci)})", F(border=1, bold=True, num_format="#,##0"), len(filled))
    for k, (ci, c) in enumerate(nums):
        L = column_letter(2 + k)
        total = sum([v for v in values[ci] if v is not None])
        ws.write_formula(ru, 2 + k, f"=SUM({rng(ci)})-SUM({L}{g0}:{L}{g1})", num_f[ci],
                         _cached(c, total - group_sums[ci]))
        ws.write_formula(tr, 2 + k, f"=SUM({rng(ci)})", bold_num[ci], _cached(c, total))
    wb.define_name("KRM_GROUPS", f"='{lay.group_sheet}'!$A${first + 1}:${column_letter(last)}${tr + 1}")
    _group_view_page(ws, sheet, lay, hr)


def _numbers(vs: list) -> list:
    """``[_number(v) for v in vs]``."""
    out = []
    add = out.append
    for v in vs:
        t = v.__class__
        if t is int or t is float or t is Decimal:
            add(float(v))
        elif v is None or t is str:
            add(None)
        else:
            add(_number(v))
    return out


def _number(v) -> float | None:
    """A cell value as a number the way SUMIFS sees it (booleans and text are not numbers)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    return None


def _cached(c: Column, total: float):
    """The value cached beside a SUMIFS formula: money to 6 places, counts as whole numbers."""
    return round(total, 6) if c.type == ColType.MONEY else int(round(total))


def _group_view_page(ws, sheet: str, lay: Layout, heading_row: int) -> None:
    """The grouped view is read-only and hidden: the print sheet already prints the nine groups with their sums (the
    annex's form), so the view does not print them a second time (issue 17); Format → Sheet → Show shows it, and it
    keeps a page set-up (landscape on A4, one page wide, its heading row repeated) for printing it on purpose."""
    ws.protect("")
    page_setup(ws, f"&L{sheet}: {lay.group_sheet}&R&P / &N", fit_width=True)
    ws.repeat_rows(heading_row)
    ws.hide()


def _group_view_head(ws, F, sheet: str, cols, act_ci: int, nums: list, lang: str) -> tuple[list, int, int]:
    """The grouped view's title, note and column headings; returns (column widths, last column, heading row)."""
    title = T(f"{sheet}: экономикалық қызмет түрлері бойынша топтастырылған көрініс",
              f"{sheet}: сводка по видам экономической деятельности",
              f"{sheet}: grouped by economic activity")(lang)
    note = T("Бұл парақ нысан кестесінен формулалармен есептеледі (толтырмаңыз). Топқа сәйкес келмейтін жолдар "
             "жеке көрсетіледі; «Барлығы» кестенің барлық жолдарының сомасы.",
             "Лист рассчитывается формулами из таблицы формы (не заполняйте). Строки, вид деятельности которых "
             "не совпадает со списком, показаны отдельно; «Всего» — сумма всех строк таблицы.",
             "Computed by formulas from the form's table (do not fill). Rows whose activity matches no group are "
             "shown separately; Total is the sum of every row of the table.")(lang)
    head_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#DDEBF7")
    widths = [48, 11] + [13] * len(nums)
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    last = len(widths) - 1
    ws.set_row(0, _text_height(title, sum(widths), 12, bold=True))
    ws.merge_range(0, 0, 0, last, title, F(bold=True, font_size=12, text_wrap=True, align="center"))
    ws.set_row(1, _text_height(note, sum(widths), 9, italic=True))
    ws.merge_range(1, 0, 1, last, note, F(italic=True, font_size=9, text_wrap=True))
    heads = [cols[act_ci].title(lang), T("Жолдар саны", "Число строк", "Rows")(lang)]
    for _, c in nums:
        heads.append(f"{c.group(lang) + ': ' if c.group else ''}{c.title(lang)} ({c.number})")
    hr = 3
    ws.set_row(hr, max(_text_height(h, w, 10, bold=True) for h, w in zip(heads, widths)))
    for i, h in enumerate(heads):
        ws.write_string(hr, i, h, head_f)
    return widths, last, hr
