"""The output workbooks' contents: headers, form rows, the control sheet and the grouped KRM-3 sheet."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from krm import forms, reference, rollup
from krm.aggregate.collect import _finding_line
from krm.aggregate.conflicts import _name_region
from krm.aggregate.records import PLAN_FORMS, PLAN_LAYOUTS, AggregateResult, Completeness, InputFile, Output
from krm.model import _PROJECT_FIELDS, ACT, Submission, activity_of
from krm.spec import ColType, T

# ------------------------------------------------------------------ writing
UI = {
    "control": T("Бақылау", "Контроль", "Control"),
    "note": T("Ескертпе", "Примечание", "Note"),
    "file": T("Файл", "Файл", "File"),
    "form": T("Нысан", "Форма", "Form"),
    "region": T("Өңір", "Регион", "Region"),
    "district": T("Аудан / қала", "Район / город", "District / city"),
    "rows": T("Жолдар", "Строк", "Rows"),
    "plan": T("Жұмыс орындары, жоспар", "Рабочие места, план", "Jobs plan"),
    "fact": T("Жұмыс орындары, факт", "Рабочие места, факт", "Jobs fact"),
    "allocated": T("Бөлінген (млн теңге)", "Выделено (млн тенге)", "Allocated (mln tenge)"),
    "disbursed": T("Игерілген (млн теңге)", "Освоено (млн тенге)", "Disbursed (mln tenge)"),
    "status": T("Күйі", "Статус", "Status"),
    "inputs_total": T("Кіріс файлдарының жиыны", "Итого по входным файлам", "Inputs total"),
    "output_total": T("Осы жұмыс кітабының жиыны", "Итого в этой книге", "This workbook's total"),
    "difference": T("Айырма", "Разница", "Difference"),
    "balanced": T("Теңгерілген", "Сходится", "Balanced"),
    "yes": T("ИӘ", "ДА", "YES"),
    "no": T("ЖОҚ", "НЕТ", "NO"),
    "not_counted": T("Есепке алынбаған файлдар", "Файлы, не включенные в свод", "Files not counted"),
    "reason": T("Себебі", "Причина", "Reason"),
    "completeness": T("Толықтығы", "Полнота", "Completeness"),
    "expected": T("Күтілген", "Ожидалось", "Expected"),
    "received": T("Алынған", "Получено", "Received"),
    "percent": T("%", "%", "%"),
    "missing": T("Жібермегендер", "Не представили", "Missing"),
    "subtotal": T("Жиыны", "Итого", "Subtotal"),
    "project": T("Жобаның атауы", "Наименование проекта", "Project name"),
    "bin": T("БСН (ЖСН)", "БИН (ИИН)", "BIN (IIN)"),
}

STATUS = {
    "accepted": T("есепке алынды", "включен", "counted"),
    "excluded": T("қатесі бар, алынып тасталды", "исключен: ошибки", "excluded: errors"),
    "conflict": T("қайталанған, есепке алынбады", "дубликат, не включен", "duplicate: not counted"),
    "superseded": T("ескі қайталама", "устаревший дубликат", "older duplicate"),
}

PLAN_NOTE_4 = T(
    "ЖОСПАР (КРМ-1, Қағидалардың 12.1-тармағы): бұл жинақ КРМ-4 нысанының үлгісімен берілген: 3-баған — "
    "жоспарланған жобалар саны, 5-баған — бөлінген сома (РБ + ЖБ), 7-баған — жоспарланған жұмыс орындары; "
    "4, 6, 8-бағандар (факт) бос. Кезең — жоспарланған жылдың желтоқсаны.",
    "ПЛАН (КРМ-1, пункт 12.1 Правил): свод дан по макету формы КРМ-4: графа 3 — количество планируемых "
    "проектов, графа 5 — выделенная сумма (РБ + МБ), графа 7 — плановое количество рабочих мест; графы 4, 6, 8 "
    "(факт) пусты. Период — декабрь планового года.",
    "PLAN (KRM-1, Rule 12.1): this summary uses the KRM-4 layout: column 3 planned projects, column 5 the "
    "allocated budget (republican + local), column 7 planned jobs; columns 4, 6 and 8 (facts) are empty. "
    "Period: December of the plan year.")

PLAN_NOTE = T(
    "ЖОСПАР (КРМ-1, Қағидалардың 12.1-тармағы): бұл жинақ КРМ-5 нысанының үлгісімен берілген, бірақ 3-баған "
    "жоспарланған жұмыс орындарының жалпы санын, 4-12-бағандар экономикалық қызмет түрлері бойынша жоспарды "
    "көрсетеді (факт емес). Кезең — жоспарланған жылдың желтоқсаны (жыл басынан бері жинақталған).",
    "ПЛАН (КРМ-1, пункт 12.1 Правил): свод дан по макету формы КРМ-5, но графа 3 — плановое количество рабочих "
    "мест, графы 4-12 — план по видам экономической деятельности (не факт). Период — декабрь планового года "
    "(нарастающим итогом с начала года).",
    "PLAN (KRM-1, Rule 12.1): this summary uses the KRM-5 layout, but column 3 is the planned number of jobs and "
    "columns 4-12 the plan by economic activity (not facts). Period: December of the plan year (cumulative "
    "since January).")

#: the note on each plan output (records.PLAN_LAYOUTS): which of the layout's columns hold which plan figure
PLAN_NOTES = {"KRM-4-plan": PLAN_NOTE_4, "KRM-5-plan": PLAN_NOTE}


def _header(o: Output, lang: str, body: str | None) -> dict:
    period = o.period if o.form not in PLAN_FORMS else f"{o.period}-12"
    p = reference.programme(o.programme, period) or reference.programme(o.programme)
    h = {"period": period, "programme": p.name(lang) if p else o.programme,
         "basis": "cumulative" if o.form in PLAN_FORMS else o.basis}
    if o.region:
        r = reference.region(o.region, period)
        h["region"] = r.name(lang) if r else o.region
    if forms.level(o.form) == "programme" or o.form in PLAN_FORMS:
        short = p.short if p else o.programme
        h["body"] = body or T(f"«{short}» бағдарламасын іске асыруға жауапты орталық мемлекеттік орган",
                              f"Центральный государственный орган, ответственный за программу «{short}»",
                              f"Central state body responsible for «{short}»")(lang)
        if o.form in PLAN_FORMS:
            h["body"] += T(" — ЖОСПАР (КРМ-1 жинағы, Қағидалардың 12.1-тармағы)",
                           " — ПЛАН (свод КРМ-1, пункт 12.1 Правил)",
                           " — PLAN (KRM-1 summary, Rule 12.1)")(lang)
    return h


@lru_cache(maxsize=256)
def _activity_label(code: str, lang: str) -> str:
    a = next((x for x in reference.activities() if x.code == str(code)), None)
    return a.label(lang) if a else str(code)


@lru_cache(maxsize=4096)
def _district_label(kato: str | None, lang: str, period: str) -> str:
    d = reference.district(kato, None, period) if kato else None
    return reference.district_label(d, lang) if d else str(kato or "")


def _form_rows(o: Output, s: Submission, lang: str) -> list[dict]:
    """The output's rows by column key, over its form's spec: every column with a role in the chain."""
    if o.form in PLAN_LAYOUTS:  # the plan summary: the plan figures under the layout's columns
        layout, shows = PLAN_LAYOUTS[o.form]
        cols = [(c.key, _plan_shown(shows, c.key)) for c in forms.get(layout).columns if c.role]
        return [{key: r.get(src) for key, src in cols if src} for r in s.regions]
    cols = [c for c in forms.get(o.form).columns if c.role]
    if s.projects:  # KRM-3: project rows
        return _krm3_rows(cols, s.projects, lang, o.period)
    return [{c.key: r.get(c.key) for c in cols} for r in s.regions]  # KRM-4/5: RegionRow by key


def _plan_shown(shows: dict, key: str) -> str | None:
    """The plan figure a layout column shows (:data:`PLAN_LAYOUTS`), or None: blank."""
    code = activity_of(key)
    if code is not None and key == ACT + code and ACT in shows:
        return key
    return shows.get(key)


def _krm3_rows(cols, projects, lang: str, period: str) -> list[dict]:
    """``{c.key: _krm3_cell(c, r, lang, period) for c in cols}`` for every row ``r``: the row's fields taken at once,
    each activity's and district's name looked up once."""
    keys = [c.key for c in cols]
    if (len(keys) < 2 or not all(k in _PROJECT_FIELDS for k in keys)  # a column of .extra: cell by cell
            or any(c.type == ColType.ACTIVITY and c.key != "activity" for c in cols)):
        return [{c.key: _krm3_cell(c, r, lang, period) for c in cols} for r in projects]
    named = [(i, {}, (lambda v: _activity_label(v, lang)) if c.type == ColType.ACTIVITY else
              (lambda v: _district_label(v, lang, period)))
             for i, c in enumerate(cols) if c.type == ColType.ACTIVITY or c.key == "district"]
    get = attrgetter(*keys)
    out = []
    for r in projects:
        vals = list(get(r))
        for i, seen, name in named:
            v = vals[i]
            shown = seen.get(v) if v.__class__ is str else None
            if shown is None:
                shown = name(v)
                if v.__class__ is str:
                    seen[v] = shown
            vals[i] = shown
        out.append(dict(zip(keys, vals)))
    return out


def _krm3_cell(c, r, lang: str, period: str):
    """A KRM-3 cell of a project row: codes shown as names (activity, district), the rest as the model holds it."""
    if c.type == ColType.ACTIVITY:
        return _activity_label(r.activity, lang)
    if c.key == "district":
        return _district_label(r.district, lang, period)
    return r.get(c.key)


def _num(v):
    return float(v) if isinstance(v, Decimal) else v


def _control_sheet(o: Output, result: AggregateResult) -> list[list]:
    lang = result.lang
    L = lambda k: f"{UI[k](lang)} / {UI[k]('en')}" if lang != "en" else UI[k]("en")  # noqa: E731
    head = [L("file"), L("form"), L("region"), L("district"), L("rows"), L("plan"), L("fact"), L("allocated"),
            L("disbursed"), L("status")]
    table: list[list] = [head]
    ctl = o.control
    for f, line in zip(o.inputs, ctl.inputs):
        table.append([f.rel, f.form, _name_region(line.region, lang, o.period) if line.region else "",
                      _district_label(line.district, lang, o.period) if line.district else "", line.rows,
                      line.plan, line.fact, _num(line.allocated), _num(line.disbursed),
                      f.note or STATUS["accepted"](lang)])
    table.append([])
    for label, t in ((L("inputs_total"), ctl.input_total), (L("output_total"), ctl.output_total)):
        table.append([label, "", "", "", t.rows, t.plan, t.fact, _num(t.allocated), _num(t.disbursed), ""])
    d = [getattr(ctl.input_total, m) - getattr(ctl.output_total, m) for m in rollup.MEASURES]
    table.append([L("difference"), "", "", "", ctl.input_total.rows - ctl.output_total.rows, d[0], d[1],
                  _num(d[2]), _num(d[3]), ""])
    table.append([L("balanced"), (UI["yes"] if ctl.balanced else UI["no"])(lang)] +
                 (["; ".join(ctl.problems)] if ctl.problems else []))
    # files of this output's group that were not counted, and unreadable files that may belong here
    nc = [f for f in _not_counted(result) if _belongs(f, o)]
    if nc:
        table += [[], [L("not_counted")], [L("file"), L("form"), L("status"), L("reason")]]
        for f in nc:
            table.append([f.rel, f.form or "?", STATUS.get(f.status, T(f.status, f.status, f.status))(lang), f.note])
            if f.status == "excluded":
                for x in [x for x in f.findings if x.severity == "error"][:10]:
                    table.append(["", "", x.code, _finding_line(x)])
    if o.form in PLAN_FORMS:
        table += [[], [PLAN_NOTES[o.form](lang)]]
    comp = [c for c in result.completeness if _completeness_belongs(c, o)]
    if comp:
        table += [[], [L("completeness")], [L("region"), L("form"), L("expected"), L("received"), L("percent"),
                                             L("missing"), L("not_counted")]]
        for c in comp:
            table.append([_name_region(c.region, lang, c.period) if c.region else "", c.form, c.expected, c.received,
                          c.percent, "; ".join(c.missing), "; ".join(c.not_counted)])
    return table


def _not_counted(result: AggregateResult) -> list[InputFile]:
    """The inputs left out (errors, conflicts, older duplicates), in input order.

    Found once per run (statuses are final once conflicts are resolved), not once per output.
    """
    cached = result.__dict__.get("_not_counted")
    if cached is None:
        cached = result.__dict__["_not_counted"] = [f for f in result.inputs
                                                    if f.status in ("excluded", "conflict", "superseded")]
    return cached


def _belongs(f: InputFile, o: Output) -> bool:
    s = f.submission
    if s is None:
        return True  # unreadable: its header is unknown, so it is listed on every control sheet
    if o.form in PLAN_FORMS:
        return forms.yearly(s.form) and s.period == o.period and (s.programme or "") == o.programme
    if forms.yearly(s.form) or s.period != o.period or (s.programme or "") != o.programme:
        return False
    if forms.level(o.form) == "region":
        return forms.kind(s.form) == "district" and rollup.region_of(s) == o.region
    return True


def _completeness_belongs(c: Completeness, o: Output) -> bool:
    if o.form in PLAN_FORMS:
        return forms.yearly(c.form) and c.period == o.period
    if c.period != o.period:
        return False
    if forms.level(o.form) == "region":
        return forms.kind(c.form) == "district" and c.region == o.region
    return forms.kind(c.form) == "district" or (forms.level(c.form) == "region" and c.programme == o.programme)


def _sum(rows, c):
    """A measure's sum over rows (blank where no row has it: a column an older edition lacks)."""
    vals = [v for v in (r.get(c.key) for r in rows) if v is not None]
    if not vals and rows:
        return ""
    return _num(sum(vals, Decimal(0) if c.type == ColType.MONEY else 0))
