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
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_column(c0, c0, 6)
    ws.set_column(c0 + 1, c0 + n - 1, 15)
    ws.set_column(c0 + (3 if case.form == "KRM-2" else 2), c0 + (3 if case.form == "KRM-2" else 2), 24)
    if case.form == "KRM-2":
        ws.set_column(c0 + 4, c0 + 4, 24)
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
    _sign(ws, r, c0, lang, "akimat@example.kz", "+7 7252 12 34 56")
    return r


def _sign(ws, r: int, c0: int, lang: str, email: str, phone: str) -> None:
    """The signature block: its labels, and the values three columns to the right."""
    for i, t in enumerate(SIGN[lang]):
        ws.write_string(r + i, c0, t)
    for i, v in enumerate((email, "Ахметова А.Б.", phone, "Сейітов Н.Қ.")):
        ws.write_string(r + i, c0 + 3, v)


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


# ------------------------------------------------------------------ KRM-4 / KRM-5 as Annex 4 / Annex 5 print them
HEAD45 = {
    "KRM-4": {"kk": ["Р/с №", "Өңірлердің аталуы", "Жоспарланған жобалар саны (бірліктер)",
                     "Олардың ішінде жүзеге асырылған жобалар (бірліктер)", "Бөлінген сома (млн теңге)",
                     "Игерілген сома (млн. теңге)", "Жұмыс орындарын құру жоспары",
                     "Жұмыс орындарының нақты құрылу саны"],
              "ru": ["№ п/п", "Наименование регионов", "Количество планируемых проектов (единиц)",
                     "Из них реализованные проекты (единиц)", "Выделенная сумма (млн тенге)",
                     "Освоенная сумма (млн тенге)", "План создания рабочих мест",
                     "Фактическое количество созданных рабочих мест"]},
}


def write_regions_form(path: Path, form: str, lang: str, figures: dict[str, dict], *, top: int = 0,
                       left: int = 0, programme: str = "ENBEK") -> Path:
    """KRM-4 or KRM-5 typed from the annex: header lines of text, columns 1 … N, one row per region
    (by name, in the language of the file), then БАРЛЫҒЫ with the sums."""
    import xlsxwriter

    from krm import forms

    spec = forms.get(form)
    on = reference.as_date(PERIOD)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Нысан")
    r, c0 = top, left
    prog = reference.programme(programme, on)
    lines = [TITLE[lang], "Еңбек және халықты әлеуметтік қорғау министрлігі" if lang == "kk" else
             "Министерство труда и социальной защиты населения",
             "(мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік органның атауы)" if lang == "kk"
             else "(наименование центрального государственного органа)",
             "Есепті кезең: 2019 жылғы мамыр" if lang == "kk" else "Отчётный период: май 2019 г.",
             f"Индексі: {form.replace('KRM', 'КРМ')}" if lang == "kk" else f"Индекс: {form.replace('KRM', 'КРМ')}",
             f"Мемлекеттік бағдарламаның атауы: {prog.name(lang)}" if lang == "kk" else
             f"Наименование государственной программы: {prog.name(lang)}"]
    for t in lines:
        ws.write_string(r, c0, t)
        r += 1
    r += 1
    cols = [c for c in spec.columns if c.official]  # the annex's columns (not krm's supplementary ones)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_column(c0 + 1, c0 + 1, 26)
    ws.set_column(c0 + 2, c0 + len(cols), 12)
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for i, col in enumerate(cols):
        ws.write_string(r, c0 + i, col.title(lang), wrap)
        ws.write_number(r + 1, c0 + i, i + 1, wrap)
    r += 2
    keys = [col.key for col in cols]
    sums = {k: 0 for k in keys[2:]}
    for n, reg in enumerate(reference.regions(on), start=1):
        ws.write_number(r, c0, n)
        ws.write_string(r, c0 + 1, reg.name(lang))
        for i, k in enumerate(keys[2:], start=2):
            v = figures.get(reg.kato, {}).get(k)
            if v is not None:
                ws.write_number(r, c0 + i, v)
                sums[k] += v
        r += 1
    ws.write_string(r, c0 + 1, "БАРЛЫҒЫ" if lang == "kk" else "ВСЕГО")
    for i, k in enumerate(keys[2:], start=2):
        ws.write_number(r, c0 + i, round(sums[k], 3))
    r += 2
    _sign(ws, r, c0, lang, "ministry@example.kz", "+7 7172 12 34 56")
    wb.close()
    return path


# ------------------------------------------------------------------ KRM-1 as Annex 1 prints it
def write_krm1(path: Path, lang: str, projects: list[dict], *, top: int = 0, left: int = 0,
               region: str = "61", district_index: int = 3, year: int = 2019) -> Path:
    """KRM-1 with one block per project (name, start, end, РБ, ЖБ, then rows 1. and 1.1-1.9)."""
    import xlsxwriter

    on = reference.as_date(f"{year}-01")
    reg = next(x for x in reference.regions(on) if x.kato == region)
    dist = reference.districts(region, on)[district_index]
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Нысан")
    datef = wb.add_format({"num_format": "dd.mm.yyyy", "align": "left"})
    ws.fit_to_pages(1, 0)
    ws.set_column(left, left, 30)
    ws.set_column(left + 1, left + 1, 44)
    ws.set_column(left + 2, left + 2, 22)
    r, c0 = top, left
    kk = lang == "kk"
    for t in (TITLE[lang], f"{reg.name(lang)}, {dist.name(lang)}" + (" ауданы" if kk else ""),
              "(ауданның/қаланың/облыстың аталуы)" if kk else "(наименование района/города/области)",
              f"{year} жылғы есепті кезең" if kk else f"Отчётный период: {year} год",
              "Индексі: КРМ-1" if kk else "Индекс: КРМ-1",
              f"Бағдарлама: {reference.programme('ENBEK', on).short}"):
        ws.write_string(r, c0, t)
        r += 1
    labels = (("Жобаның атауы", "Наименование проекта"), ("Жобаны іске асыруды бастау", "Начало реализации проекта"),
              ("Жобаның аяқталу мерзімі", "Срок завершения проекта"), ("РБ-дан бөлінген сома (млн.теңге)",
                                                                       "Сумма, выделенная из РБ (млн тенге)"),
              ("ЖБ-дан бөлінген сома (млн.теңге)", "Сумма, выделенная из МБ (млн тенге)"))
    for p in projects:
        r += 1
        for (lk, lr), key in zip(labels, ("project", "start", "end", "rb", "lb")):
            ws.write_string(r, c0, lk if kk else lr)
            v = p[key]
            if key == "project":
                ws.write_string(r, c0 + 2, v)
            elif key in ("start", "end"):
                ws.write_datetime(r, c0 + 2, dt.datetime.combine(v, dt.time()), datef)
            else:
                ws.write_number(r, c0 + 2, v)
            r += 1
        ws.write_string(r, c0, "№")
        ws.write_string(r, c0 + 1, "Мақсатты бағыты" if kk else "Целевое направление")
        ws.write_string(r, c0 + 2, "Өлшем бірлігі (саны)" if kk else "Единица измерения (количество)")
        r += 1
        ws.write_string(r, c0, "1.")
        ws.write_string(r, c0 + 1, "Жұмыс орындарын құру, оның ішінде экономикалық қызмет түрлері бойынша:" if kk
                        else "Создание рабочих мест, в том числе по видам экономической деятельности:")
        ws.write_number(r, c0 + 2, sum(p.get(f"act{a.code}", 0) for a in reference.activities()))
        r += 1
        for a in reference.activities():
            ws.write_string(r, c0, f"1.{a.code}")
            ws.write_string(r, c0 + 1, a.name(lang))
            if p.get(f"act{a.code}"):
                ws.write_number(r, c0 + 2, p[f"act{a.code}"])
            r += 1
    r += 1
    _sign(ws, r, c0, lang, "akimat@example.kz", "+7 7252 12 34 56")
    wb.close()
    return path


KRM1_PROJECTS = [
    {"project": "Мектеп құрылысы", "start": dt.date(2019, 3, 1), "end": dt.date(2019, 12, 20), "rb": 120.5,
     "lb": 30.25, "act3": 10, "act7": 5},
    {"project": "Жылыжай кешені", "start": dt.date(2019, 4, 1), "end": dt.date(2020, 6, 30), "rb": 0,
     "lb": 12.125, "act1": 8},
]
