"""KRM-1, KRM-2 and KRM-3: the forms filled in the districts and regions (Annexes 1-3)."""

from __future__ import annotations

from krm.codes import E030
from krm.forms.pieces import (
    DISBURSED_NOT_ABOVE_ALLOCATED,
    FACT_NOT_ABOVE_PLAN,
    H_BASIS,
    H_DISTRICT,
    H_MONTH,
    H_PROGRAMME,
    H_REGION,
    H_YEAR,
    JOBS_UNIT,
    KIND_LINE,
    MLN,
    MONTHLY,
    ONE_ROW_PER_PROJECT,
    PROGRAMMES_KK,
    PROGRAMMES_RU,
    SEQ,
    START_NOT_AFTER_END,
    YEARLY,
    activity_col,
    allocated_col,
    disbursed_col,
    end_col,
    fact_col,
    plan_col,
    project_col,
    start_col,
    with_activity_columns,
    annex,
)
from krm.rules.relations.sum_of import ACTIVITIES, SumOf
from krm import editions
from krm.spec import ColType, Column, Deadline, FormSpec, Rows, T

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
        T("Көрсеткіштерді мемлекеттік бағдарламаларды іске асыруға жауапты жергілікті атқарушы орган (бағдарлама "
          "әкімшісі) жыл сайын ағымдағы жылғы 5 желтоқсанға дейін экономикалық қызмет түрлері бойынша аудандар, "
          "аудандық және облыстық маңызы бар қалалар, облыстар, республикалық маңызы бар қалалар және астана "
          "бөлінісінде алдағы есепті жылға арналған \"Еңбек биржасы\" интернет-ресурсында жұмыс орындарын "
          "құрудың интеграцияланған картасына орналастырады.",
          "Показатели местный исполнительный орган, ответственный за реализацию государственных программ "
          "(администратор программы), ежегодно до 5 декабря текущего года размещает на интегрированной карте "
          "создания рабочих мест интернет-ресурса \"Биржа труда\" на предстоящий отчетный год по видам "
          "экономической деятельности в разрезе районов, городов районного и областного значения, областей, "
          "городов республиканского значения и столицы.",
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
        activity_col("3"), project_col("4"), start_col("5"), end_col("5"),
        plan_col("6"), fact_col("7"), allocated_col("8"), disbursed_col("9"),
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
        T("2-бағанда Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын "
          "және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде жобаларды іске асыруға "
          "қатысатын кәсіпорынның немесе ұйымның БСН (ЖСН) көрсетіледі.",
          "В графе 2 указывается БИН (ИИН) предприятия или организации, участвующей в реализации проектов в рамках "
          "государственных программ, программ развития территорий, инвестиционных проектов, программ по "
          "стимулированию развития малого и среднего предпринимательства.",
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

#: the annex's address part ("Нысанның мекен-жай бөлігінде кәсіпорынның немесе ұйымның атауы, тіркелген орны
#: (мекен-жайы), нақты орналасқан жерінің мекен-жайы көрсетіледі"): a KRM-2 lists many enterprises, so each row
#: carries its own — the enterprise's name (к1, as in edition 1), its registered and its actual address (к2, к3).
#: Optional texts after the annex's columns 1-9 (which keep their numbers); they feed no total (role none).
ADDRESS_PART = T("Нысанның мекен-жай бөлігі", "Адресная часть формы", "The form's address part")
_ADDRESS = (
    Column(key="reg_address", number="к2", title=T("Тіркелген орны (мекен-жайы)", "Место регистрации (адрес)",
                                                   "Registered address"),
           type=ColType.TEXT, official=False, width=30, role="", group=ADDRESS_PART),
    Column(key="actual_address", number="к3", title=T("Нақты орналасқан жерінің мекен-жайы",
                                                      "Адрес фактического местонахождения", "Actual address"),
           type=ColType.TEXT, official=False, width=30, role="", group=ADDRESS_PART),
)
_KRM2_1 = KRM2
#: edition 2 (krm's, the regulation unchanged): the address part per row.  Edition 1 workbooks (the committed
#: samples, krm_spec_version "1") still read as written; the roll-ups carry neither edition's address.
KRM2 = _KRM2_1.revised(
    "2", _KRM2_1.valid_from,
    columns=_KRM2_1.columns[:-1] + (
        _KRM2_1.columns[-1].model_copy(update={
            "title": T("Кәсіпорынның немесе ұйымның атауы", "Наименование предприятия или организации",
                       "Enterprise or organisation name"), "group": ADDRESS_PART}),) + _ADDRESS,
    explanation=_KRM2_1.explanation + (
        T("krm шешімі: нысанда бірнеше кәсіпорын болғандықтан, мекен-жай бөлігі әр жолда беріледі — к1 кәсіпорынның "
          "немесе ұйымның атауы, к2 тіркелген орны (мекен-жайы), к3 нақты орналасқан жерінің мекен-жайы; толтыру "
          "міндетті емес, олар ешбір жиынтыққа кірмейді, ал 1-9 бағандардың нөмірлері өзгермейді.",
          "Решение krm: в форме несколько предприятий, поэтому адресная часть дается в каждой строке — к1 "
          "наименование предприятия или организации, к2 место регистрации (адрес), к3 адрес фактического "
          "местонахождения; заполнение необязательно, в итоги они не входят, номера граф 1-9 не меняются.",
          "krm decision: a KRM-2 lists several enterprises, so the address part is given per row — к1 the "
          "enterprise's or organisation's name, к2 its registered address, к3 its actual address; optional, they "
          "feed no total, and columns 1-9 keep their numbers."),))
editions.PAST.append(_KRM2_1)

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
        SEQ, activity_col("2"), project_col("3"), plan_col("4"), fact_col("5"), allocated_col("6"), disbursed_col("7"),
        Column(key="district", number="к1", title=T("Аудан / қала", "Район / город", "District / city"),
               type=ColType.TEXT, official=False, required=True, width=22, role="dimension"),
        Column(key="bin", number="к2", title=T("Кәсіпорынның БСН (ЖСН)", "БИН (ИИН) предприятия",
                                               "Enterprise BIN (IIN)"), type=ColType.ID, official=False, width=15,
               role="dimension"),
        start_col("к3", official=False), end_col("к3", official=False),
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


KRM1 = with_activity_columns(KRM1, 0, "row")
