"""Sheet helpers: formats, the lists and instructions sheets, validations, extra (control) sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import zip_longest

from krm import annex_text, reference
from krm.forms import BASIS_VALUES
from krm.spec import ColType, FormSpec, Rows, T
from krm.workbook.writer.fastpath import _add_sheet, _put_rows
from krm.workbook.writer.layout import UI, Layout, _text_height, column_letter, table_headers
from krm.workbook.writer.printing import amount_format, fit_scale, page_setup


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Times New Roman", "font_size": 10, "valign": "vcenter"}
        self.wb = wb
        self._cache: dict = {}
        self.base = base

    def __call__(self, **kw):
        key = tuple(sorted(kw.items()))
        if key not in self._cache:
            props = dict(self.base)
            props.update(kw)
            self._cache[key] = self.wb.add_format(props)
        return self._cache[key]

INPUT_FILL = "#FFF2CC"  # input cells: light yellow, unlocked
NUM_FORMATS = {ColType.MONEY: "#,##0.000", ColType.JOBS: "#,##0", ColType.COUNT: "#,##0",
               ColType.DATE: "yyyy-mm-dd", ColType.ID: "@", ColType.TEXT: "@", ColType.ACTIVITY: "@",
               ColType.REGION: "@", ColType.PROGRAMME: "@", ColType.SEQ: "0"}


def _to_number(v) -> float | None:
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return None


def _to_numbers(vs) -> list[float | None]:
    """``[_to_number(v) for v in vs]``, the common types without a call each."""
    out: list = []
    add = out.append
    for v in vs:
        t = v.__class__
        if t is int or t is float or t is Decimal:
            add(float(v))
        elif v is None or t is str:  # (a string is never a number here)
            add(None)
        else:
            add(_to_number(v))
    return out

def _write_lists(wb, ws, F, spec: FormSpec, lang: str, on: dt.date, header: dict, programmes) -> dict[str, str]:
    """Dropdown sources on the lists sheet; returns name -> defined name."""
    sheet = UI["lists"](lang)
    bold = F(bold=True)
    cols: list[tuple[str, str, list[str]]] = [
        ("KRM_LIST_ACTIVITIES", T("Экономикалық қызмет түрлері", "Виды экономической деятельности",
                                  "Economic activities")(lang), [a.label(lang) for a in reference.activities()]),
        ("KRM_LIST_REGIONS", T("Өңірлер", "Регионы", "Regions")(lang), [r.name(lang) for r in reference.regions(on)]),
    ]
    reg = reference.region(header.get("region"), on) if header.get("region") else None
    dists = reference.districts(reg.kato if reg else None, on)
    cols.append(("KRM_LIST_DISTRICTS", T("Аудандар / қалалар", "Районы / города", "Districts / cities")(lang),
                 [reference.district_label(d, lang) for d in dists]))
    cols.append(("KRM_LIST_PROGRAMMES", T("Бағдарламалар", "Программы", "Programmes")(lang),
                 [p.name(lang) for p in (programmes or reference.programmes(on))]))
    cols.append(("KRM_LIST_BASIS", T("Деректер", "Данные", "Figures")(lang), [b(lang) for b in BASIS_VALUES.values()]))
    out = {}
    for ci, (name, title, values) in enumerate(cols):
        ws.set_column(ci, ci, min(60, max(14, len(title), *(len(v) for v in values)) * 0.9) if values else 14)
        ws.write_string(0, ci, title, bold)
        for ri, v in enumerate(values, start=1):
            ws.write_string(ri, ci, v)
        wb.define_name(name, f"='{sheet}'!${column_letter(ci)}$2:${column_letter(ci)}${len(values) + 1}")
        out[name] = f"={name}"
    ws.protect("")
    page_setup(ws, f"&L{spec.sheet_name}: {sheet}&R&P / &N", fit_width=True)
    ws.repeat_rows(0)
    ws.hide()  # it only feeds the dropdowns: not printed, not in the way (krm validate expects it hidden or not)
    return out


def _header_validation(ws, h, r: int, c: int, lists: dict[str, str], lang: str) -> None:
    msg = T("Тізімнен таңдаңыз", "Выберите из списка", "Choose from the list")(lang)
    if h.type in ("region", "district", "programme", "basis"):
        src = {"region": "KRM_LIST_REGIONS", "district": "KRM_LIST_DISTRICTS", "programme": "KRM_LIST_PROGRAMMES",
               "basis": "KRM_LIST_BASIS"}[h.type]
        ws.data_validation(r, c, r, c, {"validate": "list", "source": lists[src], "input_title": h.label(lang)[:32],
                                        "input_message": msg, "error_type": "warning"})
    elif h.type in ("period", "year"):
        n = 7 if h.type == "period" else 4
        ws.data_validation(r, c, r, c, {
            "validate": "length", "criteria": "==", "value": n, "input_title": h.label(lang)[:32],
            "input_message": ("2019-05" if n == 7 else "2019"),
            "error_message": T("Кезеңді ЖЖЖЖ-АА түрінде жазыңыз", "Укажите период в виде ГГГГ-ММ",
                               "Write the period as YYYY-MM")(lang) if n == 7 else
            T("Жылды ЖЖЖЖ түрінде жазыңыз", "Укажите год в виде ГГГГ", "Write the year as YYYY")(lang)})


def _data_validations(ws, spec: FormSpec, cols, first: int, last: int, lists: dict[str, str]) -> None:
    for ci, c in enumerate(cols):
        if spec.rows != Rows.FREE and c.key in ("region", "activity"):
            continue
        rng = (first, ci, last, ci)
        if c.type == ColType.ACTIVITY:
            ws.data_validation(*rng, {"validate": "list", "source": lists["KRM_LIST_ACTIVITIES"]})
        elif c.key == "district" and c.type == ColType.TEXT:
            ws.data_validation(*rng, {"validate": "list", "source": lists["KRM_LIST_DISTRICTS"],
                                      "error_type": "warning"})
        elif c.type in (ColType.JOBS, ColType.COUNT):
            ws.data_validation(*rng, {"validate": "integer", "criteria": "between", "minimum": 0,
                                      "maximum": 10_000_000, "error_title": "0 … 10 000 000",
                                      "error_message": "Бүтін сан ≥ 0 / Целое число ≥ 0 / Whole number ≥ 0"})
        elif c.type == ColType.MONEY:
            ws.data_validation(*rng, {"validate": "decimal", "criteria": ">=", "value": 0,
                                      "error_message": "Сан ≥ 0, млн теңге / Число ≥ 0, млн тенге / Number ≥ 0"})
        elif c.type == ColType.DATE:
            ws.data_validation(*rng, {"validate": "date", "criteria": "between",
                                      "minimum": dt.date(2000, 1, 1), "maximum": dt.date(2100, 12, 31),
                                      "error_message": "ЖЖЖЖ-АА-КК / ГГГГ-ММ-ДД / YYYY-MM-DD"})
        elif c.type == ColType.ID:
            ws.data_validation(*rng, {"validate": "length", "criteria": "==", "value": 12,
                                      "error_message": "12 цифр / 12 сан / 12 digits"})


INSTRUCTIONS = {
    "kk": [
        "Сары ұяшықтарды ғана толтырыңыз; қалғандары қорғалған (құпиясөзсіз).",
        "Өңірді, ауданды, бағдарламаны және экономикалық қызмет түрін тізімнен таңдаңыз.",
        "Кезеңді ЖЖЖЖ-АА (мысалы 2019-05), күндерді ЖЖЖЖ-АА-КК түрінде жазыңыз.",
        "Жұмыс орындары — бүтін сан ≥ 0; сомалар — млн теңге, 3 ондық белгіге дейін.",
        "БСН/ЖСН 12 цифрдан тұрады және мәтін ретінде сақталады (алдыңғы нөлдер жоғалмайды).",
        "Бос ұяшық «деректер жоқ» дегенді білдіреді; нөл болса, 0 жазыңыз.",
        "Кестеде жол жеткіліксіз болса, кестенің ішіне жол қосыңыз (қорғауды алып тастап) немесе krm-ге "
        "жаңа шаблон жасатыңыз.",
        "Жасыл тақырыпты бағандар — krm қосқан қосымша бағандар (ережеде жоқ, бірақ жинақтау үшін қажет).",
        "Тексеру: krm validate ФАЙЛ",
    ],
    "ru": [
        "Заполняйте только желтые ячейки; остальные защищены (без пароля).",
        "Регион, район, программу и вид экономической деятельности выбирайте из списка.",
        "Период пишите как ГГГГ-ММ (например 2019-05), даты — как ГГГГ-ММ-ДД.",
        "Рабочие места — целое число ≥ 0; суммы — в млн тенге, до 3 знаков после запятой.",
        "БИН/ИИН — 12 цифр, хранится как текст (ведущие нули не теряются).",
        "Пустая ячейка означает «нет данных»; если значение равно нулю, пишите 0.",
        "Если строк в таблице не хватает, вставьте строки внутри таблицы (сняв защиту) или создайте "
        "шаблон заново командой krm.",
        "Графы с зеленым заголовком — дополнительные графы krm (их нет в Правилах, но они нужны для свода).",
        "Проверка: krm validate ФАЙЛ",
    ],
    "en": [
        "Fill the yellow cells only; everything else is protected (no password).",
        "Choose region, district, programme and economic activity from the lists.",
        "Write the period as YYYY-MM (e.g. 2019-05) and dates as YYYY-MM-DD.",
        "Jobs are whole numbers >= 0; sums are in million tenge, up to 3 decimals.",
        "BIN/IIN: 12 digits, kept as text (leading zeros are not lost).",
        "A blank cell means 'no data'; write 0 for zero.",
        "If the table has too few rows, insert rows inside the table (unprotect first) or write a new template.",
        "Columns with a green heading are krm's supplementary columns (not in the Rules; needed for roll-ups).",
        "Check with: krm validate FILE",
    ],
}


def _write_instructions(ws, F, spec: FormSpec, lang: str, lay: Layout) -> None:
    ws.set_column(0, 0, 110)
    wrap = F(text_wrap=True, valign="top")
    title = f"{spec.sheet_name}. {spec.title(lang)}"
    ws.set_row(0, _text_height(title, 110, 12, bold=True))
    ws.write_string(0, 0, title, F(bold=True, text_wrap=True, font_size=12))
    r = 2
    ws.write_string(r, 0, T("Жұмыс кітабын қалай толтыру керек", "Как заполнять рабочую книгу",
                            "How to fill this workbook")(lang), F(bold=True))
    r += 1
    for line in INSTRUCTIONS.get(lang, INSTRUCTIONS["en"]):
        ws.set_row(r, _text_height(f"• {line}", 110))
        ws.write_string(r, 0, f"• {line}", wrap)
        r += 1
    r += 1
    ws.write_string(r, 0, T("Нысанды толтыру бойынша түсіндірме (Қағидалардан)",
                            "Пояснение по заполнению формы (из Правил)",
                            "Explanation for filling the form (from the Rules)")(lang), F(bold=True))
    r += 1
    # the annex's whole explanation: its title, its two chapters, the paragraphs numbered as the annex does
    styles = {"title": F(bold=True, italic=True, text_wrap=True, align="center", valign="top"),
              "chapter": F(bold=True, text_wrap=True, align="center", valign="top"), "para": wrap,
              "krm": F(text_wrap=True, valign="top", italic=True)}
    for kind, text in annex_text.explanation(spec, lang):
        ws.set_row(r, _text_height(text, 110, bold=kind != "para"))
        ws.write_string(r, 0, text, styles[kind])
        r += 1
    note = annex_text.footnote_line(spec, lang)
    if note is not None:
        ws.set_row(r, _text_height(note, 110))
        ws.write_string(r, 0, note, styles["krm"])
        r += 1
    r += 1
    ws.write_string(r, 0, T("Бағандар", "Графы", "Columns")(lang), F(bold=True))
    r += 1
    for c, number in zip(lay.columns, table_headers(lay.columns)):  # 5.1, 5.2: the table's own numbers
        extra = "" if c.official else " [krm]"
        squeeze = lambda t: t.replace(".", "").replace(" ", "").casefold()  # noqa: E731
        unit = f" ({c.unit(lang)})" if c.unit and squeeze(c.unit(lang)) not in squeeze(c.title(lang)) else ""
        group = f"{c.group(lang)}: " if c.group else ""
        line = f"{number} — {group}{c.title(lang)}{unit}{extra}"
        ws.set_row(r, _text_height(line, 110))
        ws.write_string(r, 0, line, wrap)
        r += 1
    ws.protect("")
    page_setup(ws, f"&L{spec.sheet_name}: {UI['instructions'](lang)}&R&P / &N", scale=fit_scale(110))


def _extra_layout(table: list[list]) -> tuple:
    """What a control sheet's table decides of its look, the same in every workbook it is written into: its width,
    each column's number format (None: wrapped text) and width, the heading row's height, and the body rows that
    grow for a wrapped cell (row, height)."""
    width = max(len(r) for r in table)
    body = table[1:]
    fmts: list[str | None] = []
    widths: list[float] = []
    gap = object()  # a row shorter than the table
    columns = list(zip_longest(*body, fillvalue=gap))
    for ci in range(width):
        vals = [v for v in columns[ci] if v is not gap] if ci < len(columns) else []
        fmts.append(amount_format(vals))
        longest = max(map(len, map(str, [v for v in vals if v is not None])), default=0)
        head = str(table[0][ci]) if ci < len(table[0]) and table[0][ci] is not None else ""
        widths.append(min(32.0, max(8.0, longest * 1.05 + 2, max((len(w) for w in head.split()), default=0) + 2)))
    heads = [str(v) if v is not None else "" for v in table[0]]
    head_height = max([_text_height(h, widths[i], 10, bold=True) for i, h in enumerate(heads)] or [15])
    wrapped = [(ci, widths[ci]) for ci in range(width) if not fmts[ci]]
    tall = []
    for ri, row in enumerate(body, start=1):  # a wrapped cell's row grows: LibreOffice keeps stored heights
        need = 0
        n = len(row)
        for ci, w in wrapped:
            if ci < n:
                v = row[ci]
                if isinstance(v, str) and len(v) > w:
                    need = max(need, _text_height(str(v), w, 10))
        if need > 15:
            tall.append((ri, need))
    return width, fmts, widths, head_height, tall


def lay_out_extra(table: list[list], laid: dict) -> None:
    """Work out a control sheet's layout into ``laid`` (``write_form``'s ``extra_layouts``) before any workbook is
    written, so that workbooks written by several processes share it."""
    if table and laid.get(id(table), (None,))[0] is not table:
        laid[id(table)] = (table, _extra_layout(table))


def _write_extra_sheet(wb, F, name: str, table: list[list], laid: dict | None = None) -> None:
    """A control sheet: its heading row repeated on every printed page, amounts as "#,##0.000", landscape.
    ``laid``: :func:`_extra_layout`s by table, shared by the workbooks a caller writes the same tables into."""
    ws = _add_sheet(wb, name[:31])
    bold = F(bold=True, border=1, bg_color="#F2F2F2", text_wrap=True)
    if table:
        got = laid.get(id(table)) if laid is not None else None
        if got is None or got[0] is not table:
            got = (table, _extra_layout(table))
            if laid is not None:
                laid[id(table)] = got
        width, fmts, widths, head_height, tall = got[1]
        formats = [F(num_format=fmt) if fmt else F(text_wrap=True, valign="top") for fmt in fmts]
        for ci, w in enumerate(widths):
            ws.set_column(ci, ci, w)
        ws.set_row(0, head_height)
        for ri, need in tall:
            ws.set_row(ri, need)
        _put_rows(ws, 0, table[:1], [bold] * width, form=False)
        _put_rows(ws, 1, table[1:], formats, form=False)
        ws.repeat_rows(0)
        ws.freeze_panes(1, 0)
    page_setup(ws, f"&L{name[:31]}&R&P / &N", fit_width=True)


def write_explanations(wb, ws, F, spec: FormSpec, lang: str) -> None:
    """The sheet «Түсініктеме / Пояснения» (:mod:`krm.explanations`): code, cell, explanation, who, date —
    yellow input rows, a dropdown of the warning codes on the code column, protected like the rest."""
    from krm import explanations as X
    from krm.catalogue import CATALOGUE

    codes = sorted(c for c, chk in CATALOGUE.items() if chk.severity == "warning")
    widths = (12, 10, 80, 28, 12)
    for ci, w in enumerate(widths):
        ws.set_column(ci, ci, w)
    ws.set_column(6, 6, 12, None, {"hidden": True})  # the dropdown's source
    title = f"{X.TITLE} — {spec.sheet_name}"
    ws.write_string(0, 0, title, F(bold=True, font_size=12))
    intro = X.INTRO(lang)
    ws.set_row(1, _text_height(intro, sum(widths), 10))
    ws.merge_range(1, 0, 1, 4, intro, F(text_wrap=True, valign="top"))
    head = F(bold=True, border=1, bg_color="#F2F2F2", text_wrap=True)
    for ci, h in enumerate(X.HEADINGS):
        ws.write_string(X.HEAD_ROW, ci, h(lang), head)
    for ri, code in enumerate(codes, start=X.FIRST_ROW):
        ws.write_string(ri, 6, code)
    wb.define_name("KRM_LIST_CODES", f"='{X.SHEET}'!$G${X.FIRST_ROW + 1}:$G${X.FIRST_ROW + len(codes)}")
    last = X.FIRST_ROW + X.ROWS - 1
    text_in = F(bg_color=INPUT_FILL, border=1, locked=False, num_format="@", text_wrap=True, valign="top")
    date_in = F(bg_color=INPUT_FILL, border=1, locked=False, num_format="yyyy-mm-dd", valign="top")
    for r in range(X.FIRST_ROW, last + 1):
        for ci in range(5):
            ws.write_blank(r, ci, None, date_in if ci == 4 else text_in)
    ws.data_validation(X.FIRST_ROW, 0, last, 0, {
        "validate": "list", "source": "=KRM_LIST_CODES", "error_type": "warning",
        "input_title": X.HEADINGS[0](lang)[:32],
        "input_message": T("krm validate көрсеткен ескерту коды", "Код предупреждения из krm validate",
                           "The warning's code, as krm validate shows it")(lang)[:255],
        "error_message": X.NOT_ADMITTED(lang)[:255]})
    ws.data_validation(X.FIRST_ROW, 1, last, 1, {"validate": "length", "criteria": "between", "minimum": 2,
                                                 "maximum": 10, "error_type": "warning"})
    ws.data_validation(X.FIRST_ROW, 2, last, 2, {"validate": "length", "criteria": "<=", "value": X.MAX_TEXT})
    ws.freeze_panes(X.FIRST_ROW, 0)
    ws.repeat_rows(X.HEAD_ROW)
    ws.protect("")
    page_setup(ws, f"&L{spec.sheet_name}: {X.TITLE}&R&P / &N", fit_width=True)
