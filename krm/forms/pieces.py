"""The pieces the seven forms share: the annex texts, header fields, signature block, column makers and the
relations declared by name (e.g. ``DISBURSED_NOT_ABOVE_ALLOCATED``).

Kazakh texts are the regulation's words (broken PDF lines rejoined); Russian texts are our translation;
English is for developers and the JSON report."""

from __future__ import annotations

from krm.codes import E032, E033, E034, E035, E036, W010
from krm.rules.relations.date_order import DateOrder
from krm.rules.relations.duplicates import Duplicates
from krm.rules.relations.fixed_rows import FixedRows
from krm.rules.relations.not_greater import NotGreater
from krm.rules.relations.total_row import TotalRow
from krm.spec import ColType, Column, FACT, FormSpec, HeaderField, PLAN, SignatureField, T, Text

# ------------------------------------------------------------------ shared pieces
KIND_LINE = T("Әкімшілік деректерді жинауға арналған нысан",
              "Форма, предназначенная для сбора административных данных",
              "Form for the collection of administrative data")


def annex(n: int) -> Text:
    return T(
        "Мемлекеттік бағдарламаларды іске асыруға жауапты орталық және жергілікті атқарушы органдардың "
        "жұмыс орындарын құруына, жұмыс орындарын құру туралы мәліметтер ұсынуына мониторингті жүзеге "
        f"асыру қағидаларына {n}-қосымша",
        f"Приложение {n} к Правилам мониторинга создания рабочих мест центральными и местными "
        "исполнительными органами, ответственными за реализацию государственных программ, "
        "и представления ими сведений о создании рабочих мест",
        f"Annex {n} to the Rules for monitoring job creation by central and local executive bodies "
        "responsible for state programmes, and their submission of information on job creation",
    )


PROGRAMMES_KK = ("мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, "
                 "шағын және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар")
PROGRAMMES_RU = ("государственных программ, программ развития территорий, инвестиционных проектов, "
                 "программ по стимулированию развития малого и среднего предпринимательства")

MONTHLY = T("ай сайын", "ежемесячно", "monthly")
YEARLY = T("жыл сайын", "ежегодно", "yearly")
MLN = T("млн теңге", "млн тенге", "million tenge")
JOBS_UNIT = T("саны", "единиц", "count")

# header fields (workbook defined names in brackets)
H_REGION = HeaderField(key="region", name="KRM_REGION", type="region",
                       label=T("Облыс / республикалық маңызы бар қала / астана",
                               "Область / город республиканского значения / столица",
                               "Region (oblast / city of republican significance / capital)"))
H_DISTRICT = HeaderField(key="district", name="KRM_DISTRICT", type="district",
                         label=T("Аудан / облыстық маңызы бар қала",
                                 "Район / город областного значения",
                                 "District / city of oblast significance"))
H_MONTH = HeaderField(key="period", name="KRM_PERIOD", type="period",
                      label=T("Есепті кезең (ЖЖЖЖ-АА)", "Отчетный период (ГГГГ-ММ)", "Reporting period (YYYY-MM)"))
H_YEAR = HeaderField(key="period", name="KRM_PERIOD", type="year",
                     label=T("Есепті жыл (ЖЖЖЖ)", "Отчетный год (ГГГГ)", "Reporting year (YYYY)"))
H_PROGRAMME = HeaderField(key="programme", name="KRM_PROGRAMME", type="programme",
                          label=T("Мемлекеттік бағдарламаның атауы", "Наименование государственной программы",
                                  "State programme"))
H_BASIS = HeaderField(key="basis", name="KRM_BASIS", type="basis",
                      label=T("Деректер", "Данные", "Figures are"))
H_BODY = HeaderField(key="body", name="KRM_BODY", type="text",
                     label=T("Мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік органның атауы",
                             "Наименование центрального государственного органа, ответственного за реализацию "
                             "государственной программы",
                             "Central state body responsible for the programme"))

BASIS_VALUES = {
    "cumulative": T("жыл басынан бері жинақталған", "нарастающим итогом с начала года", "cumulative since January"),
    "month": T("тек есепті ай үшін", "только за отчетный месяц", "for the reporting month only"),
}

SIGNATURE = (
    SignatureField(key="email", name="KRM_EMAIL", label=T("Электрондық почта мекенжайы", "Адрес электронной почты",
                                                            "E-mail address"), required=False),
    SignatureField(key="executor", name="KRM_EXECUTOR",
                   label=T("Орындаушы", "Исполнитель", "Executor"),
                   hint=T("тегі, аты және әкесінің аты (бар болса) қолы, телефоны",
                          "фамилия, имя и отчество (при его наличии), подпись, телефон",
                          "surname, name, patronymic (if any), signature, telephone")),
    SignatureField(key="phone", name="KRM_PHONE", label=T("Телефоны", "Телефон", "Telephone")),
    SignatureField(key="head", name="KRM_HEAD",
                   label=T("Басшы немесе оның міндетін атқарушы адам",
                           "Руководитель или лицо, исполняющее его обязанности", "Head or acting head"),
                   hint=T("тегі, аты және әкесінің аты (бар болса) қолы",
                          "фамилия, имя и отчество (при его наличии), подпись",
                          "surname, name, patronymic (if any), signature")),
)
SEAL = T("МО (бар болса)", "Место печати (при наличии)", "Seal (if any)")

# column building blocks
SEQ = Column(key="seq", number="1", title=T("Р/с №", "№ п/п", "No."), type=ColType.SEQ, width=6)
JOBS_GROUP = T("Құрылатын жұмыс орындарының саны", "Количество создаваемых рабочих мест",
               "Jobs to be created")


def plan_col(n: str) -> Column:
    return Column(key="plan", number=n, title=PLAN, type=ColType.JOBS, group=JOBS_GROUP, unit=JOBS_UNIT, width=11,
                  role="measure")


def fact_col(n: str) -> Column:
    return Column(key="fact", number=n, title=FACT, type=ColType.JOBS, group=JOBS_GROUP, unit=JOBS_UNIT, width=11,
                  role="measure")


def allocated_col(n: str) -> Column:
    return Column(key="allocated", number=n, title=T("Бөлінген сома (млн теңге)", "Выделенная сумма (млн тенге)",
                                                     "Allocated (mln tenge)"), type=ColType.MONEY, unit=MLN, width=14,
                  role="measure")


def disbursed_col(n: str, kk: str = "Игерілген сома (млн теңге)") -> Column:
    # one heading on KRM-2, KRM-3 and KRM-4: their explanations all say "игерілген сома (млн теңге)"; the annexes
    # print "Игерілген күні" (sic: "day") on KRM-2/3 and "(млн. теңге)" on KRM-4
    return Column(key="disbursed", number=n, title=T(kk, "Освоенная сумма (млн тенге)", "Disbursed (mln tenge)"),
                  type=ColType.MONEY, unit=MLN, width=14, role="measure")


def activity_col(n: str) -> Column:
    return Column(key="activity", number=n, title=T("Экономикалық қызмет түрлері", "Виды экономической деятельности",
                                                    "Economic activity"), type=ColType.ACTIVITY, required=True,
                  width=30, role="dimension")


def project_col(n: str) -> Column:
    return Column(key="project", number=n, title=T("Жобаның атауы", "Наименование проекта", "Project name"),
                  type=ColType.TEXT, required=True, width=36, role="dimension")


PERIOD_GROUP = T("Жобаны іске асыру кезеңі", "Период реализации проекта", "Project implementation period")


def start_col(n: str, official: bool = True) -> Column:
    return Column(key="start", number=n, title=T("басталуы", "начало", "start"), type=ColType.DATE,
                  group=PERIOD_GROUP, official=official, width=12, role="dimension")


def end_col(n: str, official: bool = True) -> Column:
    return Column(key="end", number=n, title=T("аяқталуы", "окончание", "end"), type=ColType.DATE,
                  group=PERIOD_GROUP, official=official, width=12, role="dimension")


REGION_COL = Column(key="region", number="2", title=T("Өңірлердің аталуы", "Наименование региона", "Region"),
                    type=ColType.REGION, width=30)
TOTAL_UPPER = T("БАРЛЫҒЫ", "ВСЕГО", "TOTAL")

# relations between columns (krm/rules/relations/): declared once here, used by the forms below
DISBURSED_NOT_ABOVE_ALLOCATED = NotGreater("disbursed", "allocated", E034, "disbursed ≤ allocated")
FACT_NOT_ABOVE_PLAN = NotGreater("fact", "plan", W010, "jobs fact ≤ plan", limit_filled=True)
FACT_NOT_ABOVE_PLAN_BY_PROGRAMME = NotGreater("fact", "plan", W010, "jobs fact ≤ plan, each programme",
                                              limit_filled=True, programmes=True)
DONE_NOT_ABOVE_PLANNED = NotGreater("projects_done", "projects_planned", E033, "implemented ≤ planned projects")
START_NOT_AFTER_END = DateOrder("start", "end", E035, "start ≤ end")
ONE_ROW_PER_PROJECT = Duplicates(E036)
TOTAL_IS_SUM_OF_ROWS = TotalRow(E032)
FIXED_ROWS = FixedRows()
#: the line under KRM-4 to KRM-7's table: who signs
SIGNED = T("Мәліметтерге бірінші басшы немесе оның міндетін атқарушы адам қол қояды.",
            "Сведения подписываются первым руководителем или лицом, исполняющим его обязанности.",
            "The data are signed by the first head or the acting head.")
TOTAL = T("Барлығы", "Всего", "Total")


def with_activity_columns(spec: FormSpec, first: int, numbered: str) -> FormSpec:
    """Append one jobs column per activity group (KRM-1 rows 1.1-1.9, KRM-5 columns 4-12)."""
    from krm import reference

    cols = list(spec.columns)
    for i, a in enumerate(reference.activities()):
        number = f"1.{a.code}" if numbered == "row" else str(first + i)
        group = (T("оның ішінде экономикалық қызмет түрлері бойынша", "в том числе по видам экономической "
                   "деятельности", "of which by economic activity") if numbered == "col" else cols[-1].group)
        cols.append(Column(key=f"act{a.code}", number=number, title=T(a.name_kk, a.name_ru, a.name_en),
                           type=ColType.JOBS, group=group, measure=a.code, width=11,
                           feeds="plan_by_activity" if numbered == "row" else None))
    return spec.model_copy(update={"columns": tuple(cols)})
