"""Workbooks drawn by hand from the regulation's annexes (KRM-2 and KRM-3 as Annex 2 / Annex 3 print
them), in Kazakh or Russian, with the variations offices make: the table at any row/column offset,
merged multi-row headings, project rows grouped under the nine activity rows or not, subtotals and a
total as numbers or formulas (with their cached values, as Excel saves them), numbers typed as text,
a second sheet.  :func:`write` saves one with xlsxwriter; :func:`variants` gives 30+ different ones.

Every workbook is made from plain data (:class:`Case`): the same rows can be written into krm's own
template (:func:`template_rows`) to compare what the two give.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from krm import reference

PERIOD = "2019-05"

HEAD = {
    "KRM-2": {
        "kk": ["Р/с №", "Кәсіпорынның БСН (ЖСН)", "Экономикалық қызмет түрлері", "Жобаның атауы",
               "Жобаны іске асыру кезеңі", "Құрылатын жұмыс орындарының саны", None, "Бөлінген сома (млн теңге)",
               "Игерілген күні (млн теңге)"],
        "ru": ["№ п/п", "БИН (ИИН) предприятия", "Виды экономической деятельности", "Наименование проекта",
               "Период реализации проекта", "Количество создаваемых рабочих мест", None,
               "Выделенная сумма (млн тенге)", "Освоенная сумма (млн тенге)"],
    },
    "KRM-3": {
        "kk": ["Р/с №", "Экономикалық қызмет түрлері", "Жобаның атауы", "Құрылатын жұмыс орындарының саны", None,
               "Бөлінген сома (млн теңге)", "Игерілген күні (млн теңге)"],
        "ru": ["№ п/п", "Виды экономической деятельности", "Наименование проекта",
               "Количество создаваемых рабочих мест", None, "Выделенная сумма (млн тенге)",
               "Освоенная сумма (млн тенге)"],
    },
}
PLANFACT = {"kk": ("жоспар", "факт"), "ru": ("план", "факт")}
TITLE = {"kk": "Әкімшілік деректерді жинауға арналған нысан", "ru": "Форма, предназначенная для сбора "
         "административных данных"}
CAPTION = {"kk": "ауданның/қаланың/облыстың/республикалық маңызы бар қаланың/астананың атауы",
           "ru": "наименование района/города/области/города республиканского значения/столицы"}
SIGN = {"kk": ["Электрондық почта мекенжайы", "Орындаушы", "Телефоны", "Басшы немесе оның міндетін атқарушы адам",
               "МО (бар болса)"],
        "ru": ["Адрес электронной почты", "Исполнитель", "Телефон", "Руководитель или лицо, исполняющее его обязанности",
               "Место печати (при наличии)"]}
TOTAL = {"kk": "Барлығы", "ru": "Всего"}
SUBTOTAL = {"kk": "Жиыны", "ru": "Итого"}


@dataclass
class Case:
    """One workbook's content and the way it is drawn."""

    name: str
    form: str = "KRM-2"
    lang: str = "kk"
    region: str = "61"  # KATO
    district: str | None = None  # 9-digit KATO (KRM-2)
    programme: str = "ENBEK"
    rows: list[dict] = field(default_factory=list)  # template-like rows: bin, activity code, project, start, end …
    top: int = 0  # row offset of the whole form
    left: int = 0  # column offset
    grouped: bool = True  # rows under "1. …" group rows
    group_figures: str = "none"  # none | number | formula: subtotals on the group rows
    subtotal_rows: str = "none"  # none | number | formula: a "Жиыны" row closing each group
    total: str = "formula"  # none | number | formula: a total row at the end
    merged: bool = True  # merged multi-row headings
    text_numbers: bool = False  # figures typed as text
    second_sheet: bool = False
    period_style: str = "dates"  # dates | months | years
    header_style: str = "labels"  # labels | caption | russian-words
    activity_in_rows: bool = False  # the project rows repeat their activity (else left blank)
    blank_between: bool = False  # blank rows between groups
    wrong_subtotal: bool = False  # one subtotal off by one (to be reported)


def _period_text(start: dt.date, end: dt.date, style: str, lang: str) -> str:
    from krm.values import MONTHS

    if style == "years":
        return f"{start.year}-{end.year}" if start.year != end.year else f"{start.year}"
    if style == "months":
        names = {v: k for k, v in MONTHS.items() if k in (("наурыз", "қаңтар", "ақпан", "сәуір", "мамыр", "маусым",
                                                          "шілде", "тамыз", "қыркүйек", "қазан", "қараша",
                                                          "желтоқсан") if lang == "kk" else
                                                         ("январь", "февраль", "март", "апрель", "май", "июнь",
                                                          "июль", "август", "сентябрь", "октябрь", "ноябрь",
                                                          "декабрь"))}
        return f"{names[start.month]} {start.year} – {names[end.month]} {end.year}"
    return f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"


def write(case: Case, path: Path) -> Path:
    """Save ``case`` as an .xlsx drawn like the annex (xlsxwriter: formulas keep their values)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Нысан" if case.lang == "kk" else "Форма")
    wrap = wb.add_format({"text_wrap": True, "border": 1, "valign": "top"})
    bold = wb.add_format({"bold": True, "border": 1})
    plain = wb.add_format({"border": 1})
    lang = case.lang
    r0, c0 = case.top, case.left
    r = r0
    on = reference.as_date(PERIOD)
    reg = next(x for x in reference.regions(on) if x.kato == case.region)
    prog = reference.programme(case.programme, on)

    def line(text):
        nonlocal r
        ws.write_string(r, c0, text)
        r += 1

    line(TITLE[lang])
    dist = next((d for d in reference.districts(case.region, on) if d.kato == case.district), None)
    if case.header_style == "caption":
        unit = f"{reg.name(lang)}, {dist.name(lang)} {'ауданы' if lang == 'kk' else 'район'}" if dist else reg.name(lang)
        line(unit)
        line(CAPTION[lang])
        line("2019 жылғы мамыр есепті кезең" if lang == "kk" else "май 2019 г. отчётный период")
    elif case.header_style == "russian-words":
        line(f"Область: {reg.name_ru}")
        if dist:
            line(f"Район: {dist.name_ru.replace('район', 'р-н')}")
        line("Отчётный период: 05.2019")
    else:
        if lang == "kk":
            line(f"Облыс: {reg.name_kk}")
            if dist:
                line(f"Аудан: {dist.name_kk} ауданы")
            line("Есепті кезең: 2019 жылғы мамыр")
        else:
            line(f"Область: {reg.name_ru}")
            if dist:
                line(f"Район: {dist.name_ru}")
            line("Отчётный период: май 2019 г.")
    line(f"Индексі: {case.form.replace('KRM', 'КРМ')}" if lang == "kk" else f"Индекс: {case.form.replace('KRM', 'КРМ')}")
    line("Кезеңділігі: ай сайын" if lang == "kk" else "Периодичность: ежемесячно")
    line(f"Бағдарлама: {prog.short}" if lang == "kk" else f"Программа: {prog.name_ru}")
    r += 1
    heads = HEAD[case.form][lang]
    n = len(heads)
    pf_col = heads.index(None) - 1  # the plan column (its heading spans plan and fact)
    if case.merged:
        for i, h in enumerate(heads):
            if h is None:
                continue
            if i == pf_col:
                ws.merge_range(r, c0 + i, r, c0 + i + 1, h, wrap)
            else:
                ws.merge_range(r, c0 + i, r + 1, c0 + i, h, wrap)
    else:
        for i, h in enumerate(heads):
            if h is not None:
                ws.write_string(r, c0 + i, h, wrap)
    ws.write_string(r + 1, c0 + pf_col, PLANFACT[lang][0], wrap)
    ws.write_string(r + 1, c0 + pf_col + 1, PLANFACT[lang][1], wrap)
    r += 2
    for i in range(n):
        ws.write_number(r, c0 + i, i + 1, bold)
    r += 1
    _body(ws, case, r, c0, plain, bold)
    wb.close() if not case.second_sheet else None
    if case.second_sheet:
        extra = wb.add_worksheet("Анықтама" if lang == "kk" else "Справка")
        extra.write_string(0, 0, "Қосымша ақпарат" if lang == "kk" else "Дополнительно")
        extra.write_number(1, 0, 12345)
        wb.close()
    return path


_KEYS = {"KRM-2": ("seq", "bin", "activity", "project", "period", "plan", "fact", "allocated", "disbursed"),
         "KRM-3": ("seq", "activity", "project", "plan", "fact", "allocated", "disbursed")}
_FIGS = ("plan", "fact", "allocated", "disbursed")


def _body(ws, case: Case, r: int, c0: int, plain, bold) -> int:
    from xlsxwriter.utility import xl_rowcol_to_cell

    keys = _KEYS[case.form]
    col = {k: c0 + i for i, k in enumerate(keys)}
    lang = case.lang
    acts = reference.activities()
    order = [a.code for a in acts] if case.grouped else [None]
    seq = 0
    figure_rows: dict[str, list[int]] = {}
    group_cells: list[int] = []
    wrong_done = False
    for code in order:
        rows = [x for x in case.rows if code is None or x["activity"] == code]
        if case.grouped:
            a = next(x for x in acts if x.code == code)
            ws.write_string(r, col["seq"], f"{code}.", bold)
            label_col = col["bin"] if "bin" in col else col["activity"]
            label = a.name(lang) + ";"
            if case.merged:
                ws.merge_range(r, label_col, r, col["project"], label, bold)
            else:
                ws.write_string(r, label_col, label, bold)
            grow = r
            r += 1
        first = r
        for x in rows:
            seq += 1
            ws.write(r, col["seq"], f"{code}.{seq}" if case.grouped else seq, plain)
            if "bin" in col:
                ws.write_string(r, col["bin"], x["bin"], plain)
            if case.activity_in_rows or not case.grouped:
                ws.write_string(r, col["activity"], next(a for a in acts if a.code == x["activity"]).name(lang), plain)
            ws.write_string(r, col["project"], x["project"], plain)
            if "period" in col:
                ws.write_string(r, col["period"], _period_text(x["start"], x["end"], case.period_style, lang), plain)
            for k in _FIGS:
                v = x[k]
                if case.text_numbers:
                    ws.write_string(r, col[k], str(v).replace(".", ","), plain)
                else:
                    ws.write_number(r, col[k], v, plain)
            r += 1
        last = r - 1
        if case.grouped:
            for k in _FIGS:
                s = round(sum(x[k] for x in rows), 3)
                if case.wrong_subtotal and not wrong_done and rows and k == "plan":
                    s += 1
                    wrong_done = True
                if case.group_figures == "number":
                    ws.write_number(grow, col[k], s, bold)
                elif case.group_figures == "formula":
                    f = f"=SUM({xl_rowcol_to_cell(first, col[k])}:{xl_rowcol_to_cell(last, col[k])})" if rows else "=0"
                    ws.write_formula(grow, col[k], f, bold, s)
            if case.subtotal_rows != "none":
                ws.write_string(r, col["project"] - 1 if case.form == "KRM-2" else col["activity"], SUBTOTAL[lang], bold)
                for k in _FIGS:
                    s = round(sum(x[k] for x in rows), 3)
                    if case.subtotal_rows == "number":
                        ws.write_number(r, col[k], s, bold)
                    else:
                        f = f"=SUM({xl_rowcol_to_cell(first, col[k])}:{xl_rowcol_to_cell(last, col[k])})" if rows else "=0"
                        ws.write_formula(r, col[k], f, bold, s)
                r += 1
            group_cells.append(grow)
            if case.blank_between:
                r += 1
        figure_rows.setdefault("all", []).extend(range(first, last + 1))
    if case.total != "none":
        ws.write_string(r, col["seq"], TOTAL[lang], bold)
        for k in _FIGS:
            s = round(sum(x[k] for x in case.rows), 3)
            if case.total == "number" or case.text_numbers:
                ws.write_number(r, col[k], s, bold)
            else:
                refs = ",".join(xl_rowcol_to_cell(i, col[k]) for i in figure_rows.get("all", [])) or "0"
                ws.write_formula(r, col[k], f"=SUM({refs})", bold, s)
        r += 1
    r += 1
    for i, t in enumerate(SIGN[lang]):
        ws.write_string(r + i, c0, t)
    ws.write_string(r, c0 + 3, "akimat@example.kz")
    ws.write_string(r + 1, c0 + 3, "Ахметова А.Б.")
    ws.write_string(r + 2, c0 + 3, "+7 7252 12 34 56")
    ws.write_string(r + 3, c0 + 3, "Сейітов Н.Қ.")
    return r


# ------------------------------------------------------------------ the data
def _bin(n: int) -> str:
    from krm import ids

    base = f"19054001{n:03d}"
    return base + str(ids.check_digit(base)) if ids.check_digit(base) is not None else _bin(n + 500)


def data(seed: int, form: str = "KRM-2") -> list[dict]:
    """A few projects (month-boundary dates, so every way of writing column 5 reads back the same)."""
    import random

    rnd = random.Random(seed)
    out = []
    for i in range(rnd.randint(3, 7)):
        y0 = rnd.choice((2018, 2019))
        start = dt.date(y0, 1, 1)
        end = dt.date(rnd.choice((2019, 2020)), 12, 31)
        plan = rnd.randint(1, 30)
        alloc = round(rnd.uniform(1, 300), 3)
        out.append({"bin": _bin(seed * 10 + i), "activity": str(rnd.randint(1, 9)),
                    "project": f"Жоба {seed}-{i}", "start": start, "end": end, "plan": plan,
                    "fact": rnd.randint(0, plan), "allocated": alloc, "disbursed": round(alloc * rnd.random(), 3)})
    return out


# ------------------------------------------------------------------ 30+ different workbooks
STYLES = ("labels", "caption", "russian-words")


def districts_2019(n: int) -> list:
    """``n`` districts of different regions and names (one submission each: no two the same unit)."""
    on = reference.as_date(PERIOD)
    out = []
    for r in reference.regions(on):
        for d in reference.districts(r.kato, on):
            if d.kind == "district" and len(out) < n and _unique_name(d, on):
                out.append(d)
                break
    i = 1
    while len(out) < n:  # a second district of each region
        for r in reference.regions(on):
            ds = [d for d in reference.districts(r.kato, on) if d.kind == "district" and _unique_name(d, on)]
            if len(ds) > i and ds[i] not in out and len(out) < n:
                out.append(ds[i])
        i += 1
    return out


def _unique_name(d, on) -> bool:
    from krm.layouts import names

    return len(names.districts(d.name_kk + " ауданы", None, on)) == 1 and \
        len(names.districts(d.name_ru, None, on)) == 1


def variants(n: int = 32) -> list[Case]:
    """``n`` KRM-2 workbooks, each drawn differently (every option combined with others)."""
    out = []
    for i, d in enumerate(districts_2019(n)):
        grouped = i % 5 != 0
        out.append(Case(
            name=f"annex-{i:02d}", lang="kk" if i % 2 == 0 else "ru", region=d.region_kato, district=d.kato,
            rows=data(i + 1), top=(i % 4) * 2, left=(i // 2) % 3, grouped=grouped,
            group_figures=("none", "number", "formula")[i % 3] if grouped else "none",
            subtotal_rows=("none", "number", "formula", "none")[i % 4] if grouped else "none",
            total=("formula", "number", "none")[i % 3], merged=i % 2 == 1 or i % 3 == 0,
            text_numbers=i % 6 == 2, second_sheet=i % 7 == 3, period_style=("dates", "months", "years")[i % 3],
            header_style=STYLES[(i // 3) % 3], activity_in_rows=i % 4 == 1, blank_between=i % 5 == 2))
    return out


def template_header(case: Case) -> dict:
    on = reference.as_date(PERIOD)
    reg = next(x for x in reference.regions(on) if x.kato == case.region)
    h = {"region": reg.name(case.lang), "period": PERIOD, "basis": "cumulative",
         "programme": reference.programme(case.programme, on).name(case.lang)}
    if case.district:
        d = next(x for x in reference.districts(case.region, on) if x.kato == case.district)
        h["district"] = reference.district_label(d, case.lang)
    return h


def template_rows(case: Case) -> list[dict]:
    """The case's rows as krm's template takes them."""
    acts = {a.code: a for a in reference.activities()}
    return [{**{k: v for k, v in x.items() if k != "activity"}, "activity": acts[x["activity"]].label(case.lang)}
            for x in case.rows]


def write_template(case: Case, path: Path) -> Path:
    """The same content typed into krm's own template (to compare what the two give)."""
    from krm import forms
    from krm.workbook.writer import write_form

    write_form(path, forms.get(case.form), case.lang, header=template_header(case), rows=template_rows(case),
               period=PERIOD, signature={"email": "akimat@example.kz", "executor": "Ахметова А.Б.",
                                         "phone": "+7 7252 12 34 56", "head": "Сейітов Н.Қ."}, spare_rows=3)
    return path


def soffice_convert(files: list[Path], fmt: str, out: Path) -> list[Path]:
    """Save ``files`` as ``fmt`` (ods / xls) with LibreOffice headless, in one run with its own profile."""
    import subprocess
    import tempfile

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                        fmt if fmt != "xls" else "xls:MS Excel 97", "--outdir", str(out), *map(str, files)],
                       check=True, capture_output=True, timeout=300)
    return [out / f"{f.stem}.{fmt}" for f in files]
