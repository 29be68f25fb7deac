"""The seven KRM forms of Order No. 189 (2019), one declarative spec each.

Kazakh texts are the regulation's words (broken PDF lines rejoined); Russian texts
are our translation; English is for developers and the JSON report.
"""

from __future__ import annotations

from krm.codes import E030, E031, E032, E033, E034, E035, E036, W010
from krm.rules.relations.date_order import DateOrder
from krm.rules.relations.duplicates import Duplicates
from krm.rules.relations.fixed_rows import FixedRows
from krm.rules.relations.not_greater import NotGreater
from krm.rules.relations.sum_of import ACTIVITIES, SumOf
from krm.rules.relations.total_row import TotalRow
from krm.spec import (
    FACT,
    PLAN,
    ColType,
    Column,
    Deadline,
    FormSpec,
    HeaderField,
    Rows,
    SignatureField,
    T,
    Text,
)

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


def _plan(n: str) -> Column:
    return Column(key="plan", number=n, title=PLAN, type=ColType.JOBS, group=JOBS_GROUP, unit=JOBS_UNIT, width=11,
                  role="measure")


def _fact(n: str) -> Column:
    return Column(key="fact", number=n, title=FACT, type=ColType.JOBS, group=JOBS_GROUP, unit=JOBS_UNIT, width=11,
                  role="measure")


def _allocated(n: str) -> Column:
    return Column(key="allocated", number=n, title=T("Бөлінген сома (млн теңге)", "Выделенная сумма (млн тенге)",
                                                     "Allocated (mln tenge)"), type=ColType.MONEY, unit=MLN, width=14,
                  role="measure")


def _disbursed(n: str, kk: str = "Игерілген күні (млн теңге)") -> Column:
    # KRM-2 and KRM-3 print "Игерілген күні" (sic); the explanation says the sum disbursed to the reporting date.
    return Column(key="disbursed", number=n, title=T(kk, "Освоенная сумма (млн тенге)", "Disbursed (mln tenge)"),
                  type=ColType.MONEY, unit=MLN, width=14, role="measure")


def _activity_col(n: str) -> Column:
    return Column(key="activity", number=n, title=T("Экономикалық қызмет түрлері", "Виды экономической деятельности",
                                                    "Economic activity"), type=ColType.ACTIVITY, required=True,
                  width=30, role="dimension")


def _project_col(n: str) -> Column:
    return Column(key="project", number=n, title=T("Жобаның атауы", "Наименование проекта", "Project name"),
                  type=ColType.TEXT, required=True, width=36, role="dimension")


PERIOD_GROUP = T("Жобаны іске асыру кезеңі", "Период реализации проекта", "Project implementation period")


def _start(n: str, official: bool = True) -> Column:
    return Column(key="start", number=n, title=T("басталуы", "начало", "start"), type=ColType.DATE,
                  group=PERIOD_GROUP, official=official, width=12, role="dimension")


def _end(n: str, official: bool = True) -> Column:
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
TOTAL = T("Барлығы", "Всего", "Total")

# ------------------------------------------------------------------ KRM-1
KRM1 = FormSpec(
    id="KRM-1", number=1, annex=annex(1), kind_line=KIND_LINE,
    title=T(f"{PROGRAMMES_KK[0].upper()}{PROGRAMMES_KK[1:]} шеңберінде іске асырылатын жобаларда жұмыс орындарын "
            "құру жөніндегі жоспарлы көрсеткіштер туралы мәліметтер",
            f"Сведения о плановых показателях по созданию рабочих мест в проектах, реализуемых в рамках "
            f"{PROGRAMMES_RU}",
            "Planned job-creation indicators of projects under state programmes, territorial development "
            "programmes, investment projects and SME stimulation programmes"),
    unit_caption=T("(ауданның/қаланың/облыстың аталуы)", "(наименование района/города/области)",
                   "(district / city / oblast)"),
    periodicity=YEARLY, period_kind="year",
    submitter=T("мемлекеттік бағдарламаларды іске асыруға жауапты жергілікті атқарушы орган (бағдарлама әкімшісі)",
                "местный исполнительный орган, ответственный за реализацию государственных программ "
                "(администратор программы)",
                "the local executive body responsible for the programme (programme administrator)"),
    recipient=T("\"Еңбек биржасы\" интернет-ресурсында жұмыс орындарын құрудың интеграцияланған картасына",
                "на интегрированную карту создания рабочих мест интернет-ресурса \"Биржа труда\"",
                "the integrated job-creation map of the \"Enbek birzhasy\" web resource"),
    deadline=Deadline(kind="yearly", day=5, month=12, rule="7",
                      text=T("жыл сайын ағымдағы жылғы 5 желтоқсанға дейін", "ежегодно до 5 декабря текущего года",
                             "yearly, by 5 December of the current year")),
    level="district",
    header=(H_REGION, H_DISTRICT, H_YEAR, H_PROGRAMME),
    columns=(
        Column(key="seq", number="1", title=T("№", "№", "No."), type=ColType.SEQ, width=5),
        Column(key="project", number="а", title=T("Жобаның атауы", "Наименование проекта", "Project name"),
               type=ColType.TEXT, required=True, width=34),
        Column(key="start", number="б", title=T("Жобаны іске асыруды бастау (жылы, айы, күні)",
                                                 "Начало реализации проекта (год, месяц, день)", "Project start"),
               type=ColType.DATE, required=True, width=13),
        Column(key="end", number="в", title=T("Жобаның аяқталу мерзімі (жылы, айы, күні)",
                                               "Срок завершения проекта (год, месяц, день)", "Project completion"),
               type=ColType.DATE, required=True, width=13),
        Column(key="rb", number="г", title=T("РБ-дан бөлінген сома (млн.теңге)",
                                              "Сумма, выделенная из РБ (млн тенге)",
                                              "Allocated from the republican budget (mln tenge)"),
               type=ColType.MONEY, unit=MLN, width=13, feeds="allocated"),
        Column(key="lb", number="д", title=T("ЖБ-дан бөлінген сома (млн.теңге)",
                                              "Сумма, выделенная из МБ (млн тенге)",
                                              "Allocated from the local budget (mln tenge)"),
               type=ColType.MONEY, unit=MLN, width=13, feeds="allocated"),
        Column(key="total", number="1.",
               title=T("Жұмыс орындарын құру, оның ішінде экономикалық қызмет түрлері бойынша:",
                       "Создание рабочих мест, в том числе по видам экономической деятельности:",
                       "Jobs to be created, of which by economic activity:"),
               type=ColType.JOBS, unit=JOBS_UNIT, width=14, feeds="plan",
               group=T("Мақсатты бағыты / Өлшем бірлігі (саны)", "Целевое направление / Единица измерения (количество)",
                       "Target direction / unit (count)")),
    ),  # the nine activity columns 1.1 … 1.9 are added below from the reference list
    rows=Rows.FREE, spare_rows=100,
    relations=(SumOf("total", ACTIVITIES, E030, "jobs 1. = sum of 1.1-1.9"), START_NOT_AFTER_END,
               ONE_ROW_PER_PROJECT),
    footnote=T("* жоспарлы мақсатты индикатор экономикалық қызметтің әрбір түрі бойынша толтырылады.",
               "* плановый целевой индикатор заполняется по каждому виду экономической деятельности.",
               "* the planned target is filled for each kind of economic activity."),
    explanation=(
        T("Нысанның мекен-жай бөлігінде ауданның/қаланың/облыстың/республикалық маңызы бар қаланың/астананың "
          "атауы көрсетіледі.",
          "В адресной части формы указывается наименование района/города/области/города республиканского "
          "значения/столицы.", "The address part gives the district / city / oblast."),
        T("Көрсеткіштерді бағдарлама әкімшісі жыл сайын ағымдағы жылғы 5 желтоқсанға дейін алдағы есепті жылға "
          "арналған \"Еңбек биржасы\" интернет-ресурсында жұмыс орындарын құрудың интеграцияланған картасына "
          "орналастырады.",
          "Показатели администратор программы ежегодно до 5 декабря текущего года размещает на интегрированной "
          "карте создания рабочих мест интернет-ресурса \"Биржа труда\" на предстоящий отчетный год.",
          "The programme administrator posts the indicators for the coming year by 5 December."),
        T("Мәліметтерге жергілікті атқарушы органның (бағдарлама әкімшісінің) бірінші басшысы немесе оның "
          "міндетін атқарушы адам қол қояды.",
          "Сведения подписываются первым руководителем местного исполнительного органа (администратора "
          "программы) или лицом, исполняющим его обязанности.",
          "The data are signed by the first head or the acting head."),
        T("1-бағанда жобаның реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер проекта.",
          "Column 1: the project's sequence number."),
        T("2-бағанда экономикалық қызмет түрлері бойынша жобаның нысаналы мақсаты көрсетіледі.",
          "В графе 2 указывается целевое назначение проекта по видам экономической деятельности.",
          "Column 2: the project's target direction by economic activity."),
        T("3-бағанда алдағы есепті жылға арналған сандық көріністе жұмыс орындарын құру жөніндегі жоспарлы "
          "көрсеткіштер көрсетіледі.",
          "В графе 3 указываются плановые показатели по созданию рабочих мест в количественном выражении на "
          "предстоящий отчетный год.",
          "Column 3: the planned number of jobs for the coming year."),
    ),
)

# ------------------------------------------------------------------ KRM-2
KRM2 = FormSpec(
    id="KRM-2", number=2, annex=annex(2), kind_line=KIND_LINE,
    title=T("Мемлекеттік бағдарламаларды іске асыруға жауапты жергілікті атқарушы органның (бағдарлама "
            f"әкімшісінің) {PROGRAMMES_KK} шеңберінде жобаларды іске асыруға қатысатын кәсіпорындар мен ұйымдардағы "
            "құрылған жұмыс орындары туралы мәліметтері",
            "Сведения местного исполнительного органа, ответственного за реализацию государственных программ "
            "(администратора программы), о рабочих местах, созданных на предприятиях и в организациях, "
            f"участвующих в реализации проектов в рамках {PROGRAMMES_RU}",
            "Jobs created at enterprises and organisations taking part in projects under state programmes "
            "(programme administrator's report)"),
    unit_caption=T("ауданның/қаланың/облыстың/республикалық маңызы бар қаланың/астананың атауы",
                   "наименование района/города/области/города республиканского значения/столицы",
                   "district / city / oblast / city of republican significance / capital"),
    periodicity=MONTHLY, period_kind="month",
    submitter=T(f"{PROGRAMMES_KK[0].upper()}{PROGRAMMES_KK[1:]} шеңберінде жобаларды іске асыруға қатысатын "
                "кәсіпорындар мен ұйымдар",
                f"предприятия и организации, участвующие в реализации проектов в рамках {PROGRAMMES_RU}",
                "enterprises and organisations taking part in the projects"),
    recipient=T("мемлекеттік бағдарламаларды іске асыруға жауапты жергілікті атқарушы органға (бағдарлама әкімшісі)",
                "местному исполнительному органу, ответственному за реализацию государственных программ "
                "(администратору программы)",
                "the local executive body responsible for the programme (programme administrator)"),
    deadline=Deadline(kind="next-month-day", day=5, rule="8",
                      text=T("ай сайын, есепті кезеңнен кейінгі айдың 5-күнінен кешіктірмей",
                             "ежемесячно, не позднее 5 числа месяца, следующего за отчетным периодом",
                             "monthly, not later than the 5th of the next month")),
    level="district",
    header=(H_REGION, H_DISTRICT, H_MONTH, H_PROGRAMME, H_BASIS),
    columns=(
        SEQ,
        Column(key="bin", number="2", title=T("Кәсіпорынның БСН (ЖСН)", "БИН (ИИН) предприятия",
                                              "Enterprise BIN (IIN)"), type=ColType.ID, required=True, width=15,
               role="dimension"),
        _activity_col("3"), _project_col("4"), _start("5"), _end("5"),
        _plan("6"), _fact("7"), _allocated("8"), _disbursed("9"),
        Column(key="enterprise", number="к1", title=T("Кәсіпорынның атауы", "Наименование предприятия",
                                                      "Enterprise name"),
               type=ColType.TEXT, official=False, width=26, role="dimension"),
    ),
    rows=Rows.FREE, spare_rows=300,
    relations=(DISBURSED_NOT_ABOVE_ALLOCATED, FACT_NOT_ABOVE_PLAN, START_NOT_AFTER_END, ONE_ROW_PER_PROJECT),
    explanation=(
        T("Нысанның мекен-жай бөлігінде кәсіпорынның немесе ұйымның атауы, тіркелген орны (мекен-жайы), нақты "
          "орналасқан жерінің мекен-жайы көрсетіледі.",
          "В адресной части формы указываются наименование предприятия или организации, место регистрации "
          "(адрес), адрес фактического местонахождения.",
          "The address part gives the enterprise's name, registered address and actual address."),
        T("Көрсеткіштер нақты деректер бойынша ай сайын есепті кезеңнен кейінгі айдың 5-күнінен кешіктірілмей "
          "қалыптастырылады.",
          "Показатели формируются по фактическим данным ежемесячно не позднее 5 числа месяца, следующего за "
          "отчетным периодом.", "Figures are actual data, monthly, by the 5th of the next month."),
        T("Мәліметтерге бірінші басшы немесе оның міндетін атқарушы адам қол қояды.",
          "Сведения подписываются первым руководителем или лицом, исполняющим его обязанности.",
          "The data are signed by the first head or the acting head."),
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.",
          "Column 1: sequence number."),
        T("2-бағанда жобаларды іске асыруға қатысатын кәсіпорынның немесе ұйымның БСН (ЖСН) көрсетіледі.",
          "В графе 2 указывается БИН (ИИН) предприятия или организации, участвующей в реализации проектов.",
          "Column 2: the BIN (IIN) of the enterprise."),
        T("3-бағанда жұмыс орындарын құруды көздейтін экономикалық қызмет түрі көрсетіледі.",
          "В графе 3 указывается вид экономической деятельности, предусматривающий создание рабочих мест.",
          "Column 3: the economic activity."),
        T("4-бағанда жобаның атауы көрсетіледі.", "В графе 4 указывается наименование проекта.",
          "Column 4: the project name."),
        T("5-бағанда жобаны іске асыру кезеңі көрсетіледі.", "В графе 5 указывается период реализации проекта.",
          "Column 5: the project implementation period."),
        T("6-бағанда жоба бойынша жұмыс орындарын құру туралы жоспарлы көрсеткіш көрсетіледі.",
          "В графе 6 указывается плановый показатель создания рабочих мест по проекту.",
          "Column 6: planned jobs."),
        T("7-бағанда жоба бойынша жұмыс орындарын құру туралы нақты көрсеткіш көрсетіледі.",
          "В графе 7 указывается фактический показатель создания рабочих мест по проекту.",
          "Column 7: jobs actually created."),
        T("8-бағанда жобаны іске асыруға бөлінген сома (млн теңге) көрсетіледі.",
          "В графе 8 указывается сумма, выделенная на реализацию проекта (млн тенге).",
          "Column 8: the sum allocated (mln tenge)."),
        T("9-бағанда есепті күнге жоба бойынша игерілген сома (млн теңге) көрсетіледі.",
          "В графе 9 указывается сумма, освоенная по проекту на отчетную дату (млн тенге).",
          "Column 9: the sum disbursed to the reporting date (mln tenge)."),
    ),
)

# ------------------------------------------------------------------ KRM-3
KRM3 = FormSpec(
    id="KRM-3", number=3, annex=annex(3), kind_line=KIND_LINE,
    title=T(f"Экономикалық қызмет түрлері бойынша {PROGRAMMES_KK} шеңберінде іске асырылатын жобаларда жұмыс "
            "орындарын құру туралы мәліметтер",
            f"Сведения о создании рабочих мест в проектах, реализуемых в рамках {PROGRAMMES_RU}, по видам "
            "экономической деятельности",
            "Job creation in projects under state programmes, by economic activity"),
    unit_caption=T("ауданның/қаланың/облыстың/республикалық маңызы бар қаланың/ астананың атауы",
                   "наименование района/города/области/города республиканского значения/столицы",
                   "oblast / city of republican significance / capital"),
    periodicity=MONTHLY, period_kind="month",
    submitter=T("Облыстардың, республикалық маңызы бар қалалардың және астананың жергілікті атқарушы органдары",
                "местные исполнительные органы областей, городов республиканского значения и столицы",
                "akimats of the oblasts, cities of republican significance and the capital"),
    recipient=T("Мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдарға",
                "центральным государственным органам, ответственным за реализацию государственных программ",
                "the central state bodies responsible for the programmes"),
    deadline=Deadline(kind="next-month-day", day=15, rule="11",
                      text=T("ай сайын есепті кезеңнен кейінгі айдың 15-күнінен кешіктірмей",
                             "ежемесячно не позднее 15 числа месяца, следующего за отчетным периодом",
                             "monthly, not later than the 15th of the next month")),
    level="region",
    header=(H_REGION, H_MONTH, H_PROGRAMME, H_BASIS),
    columns=(
        SEQ, _activity_col("2"), _project_col("3"), _plan("4"), _fact("5"), _allocated("6"), _disbursed("7"),
        Column(key="district", number="к1", title=T("Аудан / қала", "Район / город", "District / city"),
               type=ColType.TEXT, official=False, required=True, width=22, role="dimension"),
        Column(key="bin", number="к2", title=T("Кәсіпорынның БСН (ЖСН)", "БИН (ИИН) предприятия",
                                               "Enterprise BIN (IIN)"), type=ColType.ID, official=False, width=15,
               role="dimension"),
        _start("к3", official=False), _end("к3", official=False),
    ),
    rows=Rows.FREE, spare_rows=600,
    relations=(DISBURSED_NOT_ABOVE_ALLOCATED, FACT_NOT_ABOVE_PLAN, START_NOT_AFTER_END, ONE_ROW_PER_PROJECT),
    explanation=(
        T("Нысанның мекенжай бөлігінде облыстың, астананың немесе республикалық маңызы бар қаланың жергілікті "
          "атқарушы органының атауы көрсетіледі.",
          "В адресной части формы указывается наименование местного исполнительного органа области, столицы "
          "или города республиканского значения.", "The address part gives the oblast / city akimat."),
        T("Көрсеткіштер ай сайын есепті кезеңнен кейінгі айдың 15-күнінен кешіктірілмей қалыптастырылады.",
          "Показатели формируются ежемесячно не позднее 15 числа месяца, следующего за отчетным периодом.",
          "Monthly, by the 15th of the next month."),
        T("Мәліметтерге бірінші басшы немесе оның міндетін атқарушы адам қол қояды.",
          "Сведения подписываются первым руководителем или лицом, исполняющим его обязанности.",
          "The data are signed by the first head or the acting head."),
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.", "Column 1: number."),
        T("2-бағанда жұмыс орындарын құруды көздейтін экономикалық қызмет түрі көрсетіледі.",
          "В графе 2 указывается вид экономической деятельности.", "Column 2: economic activity."),
        T("3-бағанда жобаның атауы көрсетіледі.", "В графе 3 указывается наименование проекта.",
          "Column 3: project name."),
        T("4-бағанда жоба бойынша жұмыс орындарын құру туралы жоспарлы көрсеткіш көрсетіледі.",
          "В графе 4 указывается плановый показатель создания рабочих мест по проекту.", "Column 4: planned jobs."),
        T("5-бағанда жоба бойынша жұмыс орындарын құру туралы нақты көрсеткіш көрсетіледі.",
          "В графе 5 указывается фактический показатель создания рабочих мест по проекту.",
          "Column 5: jobs created."),
        T("6-бағанда жобаны іске асыруға бөлінген сома (млн теңге) көрсетіледі.",
          "В графе 6 указывается сумма, выделенная на реализацию проекта (млн тенге).", "Column 6: allocated."),
        T("7-бағанда есепті күнге жоба бойынша игерілген сома (млн теңге) көрсетіледі.",
          "В графе 7 указывается сумма, освоенная по проекту на отчетную дату (млн тенге).",
          "Column 7: disbursed to the reporting date."),
    ),
)

# ------------------------------------------------------------------ KRM-4
_K45_SUBMITTER = T("Мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдар",
                   "центральные государственные органы, ответственные за реализацию государственных программ",
                   "the central state bodies responsible for the programmes")
_K45_DEADLINE = Deadline(kind="next-month-day", day=25, rule="12.2",
                         text=T("ай сайын есепті кезеңнен кейінгі айдың 25-күнінен кешіктірмей",
                                "ежемесячно не позднее 25 числа месяца, следующего за отчетным периодом",
                                "monthly, not later than the 25th of the next month"))
_SIGNED = T("Мәліметтерге бірінші басшы немесе оның міндетін атқарушы адам қол қояды.",
            "Сведения подписываются первым руководителем или лицом, исполняющим его обязанности.",
            "The data are signed by the first head or the acting head.")

KRM4 = FormSpec(
    id="KRM-4", number=4, annex=annex(4), kind_line=KIND_LINE,
    # the regulation's word order (Annex 4 puts "облыстар … бөлінісінде" inside the list of programmes)
    title=T("Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, облыстар, "
            "республикалық маңызы бар қалалар және астана бөлінісінде шағын және орта кәсіпкерлікті дамытуды "
            "ынталандыру жөніндегі бағдарламалар шеңберінде іске асырылатын жобаларда жұмыс орындарын құру туралы "
            "мәліметтер",
            f"Сведения о создании рабочих мест в проектах, реализуемых в рамках {PROGRAMMES_RU}, в разрезе "
            "областей, городов республиканского значения и столицы",
            "Job creation in projects under state programmes, by region"),
    unit_caption=T("(мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік органның атауы)",
                   "(наименование центрального государственного органа, ответственного за реализацию "
                   "государственной программы)", "(central state body)"),
    periodicity=MONTHLY, period_kind="month", submitter=_K45_SUBMITTER,
    recipient=T("Халықты жұмыспен қамту бойынша уәкілетті органға",
                "уполномоченному органу по вопросам занятости населения", "the authorised body for employment"),
    deadline=_K45_DEADLINE, level="programme",
    header=(H_BODY, H_MONTH, H_PROGRAMME, H_BASIS),
    columns=(
        SEQ, REGION_COL,
        Column(key="projects_planned", number="3", title=T("Жоспарланған жобалар саны (бірліктер)",
                                                           "Количество планируемых проектов (единиц)",
                                                           "Planned projects (units)"), type=ColType.COUNT, width=12),
        Column(key="projects_done", number="4", title=T("Олардың ішінде жүзеге асырылған жобалар (бірліктер)",
                                                        "Из них реализовано проектов (единиц)",
                                                        "Of them implemented (units)"), type=ColType.COUNT, width=12),
        _allocated("5"), _disbursed("6", "Игерілген сома (млн. теңге)"),
        Column(key="plan", number="7", title=T("Жұмыс орындарын құру жоспары", "План создания рабочих мест",
                                               "Job-creation plan"), type=ColType.JOBS, width=12),
        Column(key="fact", number="8", title=T("Жұмыс орындарының нақты құрылу саны",
                                               "Фактическое количество созданных рабочих мест",
                                               "Jobs actually created"), type=ColType.JOBS, width=12),
    ),
    rows=Rows.REGIONS, total_label=TOTAL_UPPER,
    relations=(FIXED_ROWS, DONE_NOT_ABOVE_PLANNED, DISBURSED_NOT_ABOVE_ALLOCATED, FACT_NOT_ABOVE_PLAN,
               TOTAL_IS_SUM_OF_ROWS),
    explanation=(
        T("Нысанның мекенжай бөлігінде мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік органның "
          "атауы және мемлекеттік бағдарламаның атауы көрсетіледі.",
          "В адресной части формы указываются наименование центрального государственного органа и "
          "наименование государственной программы.", "The address part gives the central body and the programme."),
        T("Көрсеткіштер ай сайын есепті кезеңнен кейінгі айдың 25-күнінен кешіктірілмей қалыптастырылады.",
          "Показатели формируются ежемесячно не позднее 25 числа месяца, следующего за отчетным периодом.",
          "Monthly, by the 25th of the next month."),
        _SIGNED,
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.", "Column 1: number."),
        T("2-бағанда облыстың, республикалық маңызы бар қаланың немесе астананың атауы көрсетіледі.",
          "В графе 2 указывается наименование области, города республиканского значения или столицы.",
          "Column 2: region."),
        T("3-бағанда жұмыс орындарын құруды көздейтін жоспарланған жобалардың саны көрсетіледі.",
          "В графе 3 указывается количество планируемых проектов.", "Column 3: planned projects."),
        T("4-бағанда жұмыс орындарын құруды көздейтін іске асырылған жобалардың саны көрсетіледі.",
          "В графе 4 указывается количество реализованных проектов.", "Column 4: implemented projects."),
        T("5-бағанда жобаны іске асыруға бөлінген сома (млн теңге) көрсетіледі.",
          "В графе 5 указывается выделенная сумма (млн тенге).", "Column 5: allocated."),
        T("6-бағанда есепті күнге жоба бойынша игерілген сома (млн теңге) көрсетіледі.",
          "В графе 6 указывается освоенная сумма на отчетную дату (млн тенге).", "Column 6: disbursed."),
        T("7-бағанда жұмыс орындарын құрудың жоспарлы көрсеткіші көрсетіледі.",
          "В графе 7 указывается плановый показатель создания рабочих мест.", "Column 7: jobs plan."),
        T("8-бағанда жұмыс орындарын құрудың нақты көрсеткіші көрсетіледі.",
          "В графе 8 указывается фактический показатель создания рабочих мест.", "Column 8: jobs created."),
    ),
)

# ------------------------------------------------------------------ KRM-5
KRM5 = FormSpec(
    id="KRM-5", number=5, annex=annex(5), kind_line=KIND_LINE,
    title=T("Облыстар, республикалық маңызы бар қалалар және астана бөлінісінде және экономикалық қызмет түрлері "
            "бойынша мемлекеттік бағдарламалар шеңберінде жұмыс орындарын құру туралы мәліметтер",
            "Сведения о создании рабочих мест в рамках государственных программ в разрезе областей, городов "
            "республиканского значения и столицы и по видам экономической деятельности",
            "Jobs created under a state programme, by region and economic activity"),
    unit_caption=T("(мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік органның атауы)",
                   "(наименование центрального государственного органа, ответственного за реализацию "
                   "государственной программы)", "(central state body)"),
    periodicity=MONTHLY, period_kind="month", submitter=_K45_SUBMITTER,
    recipient=T("Халықты жұмыспен қамту мәселелері жөніндегі уәкілетті органға",
                "уполномоченному органу по вопросам занятости населения", "the authorised body for employment"),
    deadline=_K45_DEADLINE, level="programme",
    header=(H_BODY, H_MONTH, H_PROGRAMME, H_BASIS),
    columns=(
        SEQ, Column(key="region", number="2", title=T("Өңірлер", "Регионы", "Region"), type=ColType.REGION, width=30),
        Column(key="fact", number="3", title=T("Мемлекеттік бағдарламалар шеңберінде құрылған жұмыс орындары",
                                               "Рабочие места, созданные в рамках государственных программ",
                                               "Jobs created under the programme"), type=ColType.JOBS, width=13),
    ),  # columns 4-12: the nine activity groups, added below
    rows=Rows.REGIONS, total_label=TOTAL_UPPER,
    relations=(FIXED_ROWS, SumOf("fact", ACTIVITIES, E031, "jobs (3) = sum of the activities (4-12)"),
               TOTAL_IS_SUM_OF_ROWS),
    explanation=(
        T("Нысанның мекен-жай бөлігінде мемлекеттік бағдарламаны іске асыруға жауапты орталық мемлекеттік "
          "органның атауы және мемлекеттік бағдарламаның атауы көрсетіледі.",
          "В адресной части формы указываются наименование центрального государственного органа и "
          "наименование государственной программы.", "The address part gives the central body and the programme."),
        T("Көрсеткіштер ай сайын есепті кезеңнен кейінгі айдың 25-күнінен кешіктірілмей қалыптастырылады.",
          "Показатели формируются ежемесячно не позднее 25 числа месяца, следующего за отчетным периодом.",
          "Monthly, by the 25th of the next month."),
        _SIGNED,
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.", "Column 1: number."),
        T("2-бағанда облыстың, республикалық маңызы бар қаланың немесе Астананың атауы көрсетіледі.",
          "В графе 2 указывается наименование области, города республиканского значения или столицы.",
          "Column 2: region."),
        T("3-бағанда Мемлекеттік бағдарламалар шеңберінде құрылған жұмыс орындарының нақты саны көрсетіледі.",
          "В графе 3 указывается фактическое количество рабочих мест, созданных в рамках государственных "
          "программ.", "Column 3: jobs created."),
        T("4-тен 12-ке дейінгі бағандарда экономикалық қызмет түрлері бойынша мемлекеттік бағдарламалар "
          "шеңберінде құрылған жұмыс орындарының саны көрсетіледі.",
          "В графах с 4 по 12 указывается количество рабочих мест по видам экономической деятельности.",
          "Columns 4-12: jobs created by economic activity."),
    ),
)

# ------------------------------------------------------------------ KRM-6
_LRDC = T("Еңбек ресурстарын дамыту орталығы мемлекеттік бағдарламаларды іске асыруға жауапты орталық және "
          "жергілікті атқарушы органдардың мәліметтері негізінде",
          "Центр развития трудовых ресурсов на основании сведений центральных и местных исполнительных органов, "
          "ответственных за реализацию государственных программ",
          "the Labour Resources Development Centre, from the central and local bodies' data")
_K67_RECIPIENT = T("Халықты жұмыспен қамту мәселелері жөніндегі уәкілетті органға",
                   "уполномоченному органу по вопросам занятости населения", "the authorised body for employment")
_K67_DEADLINE = Deadline(kind="next-month-day", day=30, rule="13",
                         text=T("ай сайын, есепті айдан кейінгі айдың 30-күніне қарай",
                                "ежемесячно, к 30 числу месяца, следующего за отчетным",
                                "monthly, by the 30th of the next month"))

KRM6 = FormSpec(
    id="KRM-6", number=6, annex=annex(6), kind_line=KIND_LINE,
    title=T("Облыстар, республикалық маңызы бар қалалар, астана және республика бойынша мемлекеттік "
            "бағдарламаларды іске асыруға жауапты орталық және жергілікті атқарушы органдардың жұмыс орындарын "
            "құру мониторингінің нәтижелері туралы есеп",
            "Отчет о результатах мониторинга создания рабочих мест центральными и местными исполнительными "
            "органами, ответственными за реализацию государственных программ, по областям, городам "
            "республиканского значения, столице и республике",
            "Job-creation monitoring results by region and for the republic"),
    unit_caption=None, periodicity=MONTHLY, period_kind="month", submitter=_LRDC, recipient=_K67_RECIPIENT,
    deadline=_K67_DEADLINE, level="nation", header=(H_MONTH, H_BASIS),
    columns=(SEQ, REGION_COL), programme_columns=True,
    rows=Rows.REGIONS, total_label=TOTAL,
    relations=(FIXED_ROWS, FACT_NOT_ABOVE_PLAN_BY_PROGRAMME, TOTAL_IS_SUM_OF_ROWS),
    explanation=(
        T("Көрсеткіштер ай сайын есепті айдан кейінгі айдың 30-күніне қарай қалыптастырылады.",
          "Показатели формируются ежемесячно к 30 числу месяца, следующего за отчетным.",
          "Monthly, by the 30th of the next month."),
        _SIGNED,
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.", "Column 1: number."),
        T("2-бағанда Қазақстан Республикасы, облыстың, республикалық маңызы бар қаланың және астананың атауы "
          "көрсетіледі.", "В графе 2 указывается наименование Республики Казахстан, области, города "
          "республиканского значения и столицы.", "Column 2: region."),
        T("3-16-бағандарында мемлекеттік бағдарламалар шеңберінде жұмыс орындарын құру туралы жоспарлы және "
          "нақты көрсеткіштердің саны көрсетіледі.",
          "В графах 3-16 указываются плановые и фактические показатели создания рабочих мест в рамках "
          "государственных программ.", "Columns 3-16: plan and fact per programme."),
        T("krm шешімі: кестеде № және өңір бағандарынан кейін әр бағдарлама үшін «жоспар / факт» жұбы беріледі; "
          "бағдарлама бағандарының нөмірлері 3-тен басталады (ережедегі 1-16 және 3-16 нөмірлеудің "
          "сәйкессіздігі осылай шешілді).",
          "Решение krm: после граф № и региона для каждой программы дается пара «план / факт»; графы программ "
          "нумеруются с 3 (так разрешено расхождение нумерации 1-16 и 3-16 в Правилах).",
          "krm decision: № and region, then a plan/fact pair per programme, numbered from 3."),
    ),
)

# ------------------------------------------------------------------ KRM-7
KRM7 = FormSpec(
    id="KRM-7", number=7, annex=annex(7), kind_line=KIND_LINE,
    title=T("Экономикалық қызмет түрлері бойынша мемлекеттік бағдарламаларды іске асыруға жауапты орталық және "
            "жергілікті атқарушы органдардың жұмыс орындарын құру мониторингінің нәтижелері туралы есеп",
            "Отчет о результатах мониторинга создания рабочих мест центральными и местными исполнительными "
            "органами, ответственными за реализацию государственных программ, по видам экономической деятельности",
            "Job-creation monitoring results by economic activity"),
    unit_caption=None, periodicity=MONTHLY, period_kind="month",
    submitter=T("мемлекеттік бағдарламаларды іске асыруға жауапты орталық және жергілікті атқарушы органдардың "
                "мәліметтері негізінде Еңбек ресурстарын дамыту орталығына",
                "Центр развития трудовых ресурсов на основании сведений центральных и местных исполнительных "
                "органов, ответственных за реализацию государственных программ", "the Labour Resources Development Centre"),
    recipient=_K67_RECIPIENT, deadline=_K67_DEADLINE, level="nation", header=(H_MONTH, H_BASIS),
    columns=(
        SEQ,
        Column(key="activity", number="2", title=T("Экономикалық қызмет түрлері", "Виды экономической деятельности",
                                                   "Economic activity"), type=ColType.ACTIVITY, width=30),
        Column(key="plan", number="3", title=PLAN, type=ColType.JOBS, width=10,
               group=T("Құрылып жатқан жұмыс орындар саны", "Количество создаваемых рабочих мест",
                       "Jobs being created in the republic")),
        Column(key="fact", number="4", title=FACT, type=ColType.JOBS, width=10,
               group=T("Құрылып жатқан жұмыс орындар саны", "Количество создаваемых рабочих мест",
                       "Jobs being created in the republic")),
    ),
    programme_columns=True, rows=Rows.ACTIVITIES, total_label=TOTAL,
    relations=(FIXED_ROWS, FACT_NOT_ABOVE_PLAN, FACT_NOT_ABOVE_PLAN_BY_PROGRAMME, TOTAL_IS_SUM_OF_ROWS),
    explanation=(
        T("Көрсеткіштер ай сайын есепті айдан кейінгі айдың 30-күніне қарай қалыптастырылады.",
          "Показатели формируются ежемесячно к 30 числу месяца, следующего за отчетным.",
          "Monthly, by the 30th of the next month."),
        _SIGNED,
        T("1-бағанда реттік нөмірі көрсетіледі.", "В графе 1 указывается порядковый номер.", "Column 1: number."),
        T("2-бағанда Экономикалық қызмет түрлері көрсетіледі.",
          "В графе 2 указываются виды экономической деятельности.", "Column 2: economic activity."),
        T("3 және 4-бағандарда мемлекеттік бағдарламалар шеңберінде Қазақстан Республикасы бойынша жоспарлы және "
          "нақты көрсеткіштердің саны көрсетіледі.",
          "В графах 3 и 4 указываются плановые и фактические показатели по Республике Казахстан.",
          "Columns 3-4: plan and fact for the republic."),
        T("5-тен 34-ке дейінгі бағандарда мемлекеттік бағдарламалар шеңберінде жұмыс орындарын құру туралы "
          "жоспарлы және нақты көрсеткіштердің саны көрсетіледі.",
          "В графах с 5 по 34 указываются плановые и фактические показатели по государственным программам.",
          "Columns 5-34: plan and fact per programme."),
    ),
)


def _with_activity_columns(spec: FormSpec, first: int, numbered: str) -> FormSpec:
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


def _with_plan_by_activity(spec: FormSpec) -> FormSpec:
    """KRM-5's supplementary columns к1-к9: the jobs *plan* by activity group (green, after the annex's columns).

    The annex's KRM-5 has the facts by activity only; KRM-7 (Annex 7) needs the plan by activity too, and KRM-3
    is the last form of the chain that has it.  krm's KRM-5 carries it on, so that KRM-7 made from KRM-4/5 has
    its plan (FORMS.md, "KRM-7's plan by activity"); the printed columns 1-12 are the annex's.  Optional: a
    KRM-5 without them is valid (KRM-7's plan for that programme is then not available)."""
    from krm import reference

    group = T("krm: жұмыс орындарын құру жоспары, экономикалық қызмет түрлері бойынша",
              "krm: план создания рабочих мест по видам экономической деятельности",
              "krm: jobs plan by economic activity")
    cols = list(spec.columns)
    for i, a in enumerate(reference.activities()):
        cols.append(Column(key=f"plan_act{a.code}", number=f"к{i + 1}", title=T(a.name_kk, a.name_ru, a.name_en),
                           type=ColType.JOBS, group=group, official=False, width=11))
    return spec.model_copy(update={"columns": tuple(cols)})


KRM1 = _with_activity_columns(KRM1, 0, "row")
KRM5 = _with_plan_by_activity(_with_activity_columns(KRM5, 4, "col"))
#: KRM-5's plan-by-activity column keys (activity code -> key), see _with_plan_by_activity
PLAN_BY_ACTIVITY = {c.key[len("plan_act"):]: c.key for c in KRM5.columns if c.key.startswith("plan_act")}

FORMS: dict[str, FormSpec] = {f.id: f for f in (KRM1, KRM2, KRM3, KRM4, KRM5, KRM6, KRM7)}


def get(form_id: str) -> FormSpec:
    """The spec for 'KRM-2', 'krm2', 'КРМ-2', '2' …"""
    import re

    s = str(form_id).strip().upper().replace("К", "K").replace("Р", "R").replace("М", "M")
    m = re.fullmatch(r"(?:KRM)?[-_ ]?([1-7])", s)
    if not m:
        raise KeyError(form_id)
    return FORMS[f"KRM-{m.group(1)}"]
