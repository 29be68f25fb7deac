"""KRM-6 and KRM-7: the Labour Resources Development Centre's reports (Annexes 6-7)."""

from __future__ import annotations

from krm.forms.pieces import (
    FACT_NOT_ABOVE_PLAN,
    FACT_NOT_ABOVE_PLAN_BY_PROGRAMME,
    FIXED_ROWS,
    H_BASIS,
    H_MONTH,
    KIND_LINE,
    MONTHLY,
    REGION_COL,
    SEQ,
    SIGNED,
    TOTAL,
    TOTAL_IS_SUM_OF_ROWS,
    annex,
)
from krm import editions
from krm.spec import ColType, Column, Deadline, FACT, FormSpec, PLAN, Rows, T

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

_KRM6_1 = FormSpec(  # edition 1: № 1, region 2, the programmes numbered from 3
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
        SIGNED,
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

#: edition 2 (krm's, the regulation unchanged): the columns numbered as the annex's table numbers them — the region
#: 1, the fifteen programmes 2-16, each plan/fact pair under its programme's number; krm's row number "№" is not one
#: of the annex's numbered columns.  Workbooks of edition 1 (krm_spec_version "1") still read as written.
KRM6 = _KRM6_1.revised(
    "2", _KRM6_1.valid_from, programme_numbers_from=2,
    columns=(SEQ.model_copy(update={"number": "№"}), REGION_COL.model_copy(update={"number": "1"})),
    explanation=_KRM6_1.explanation[:-1] + (
        T("krm шешімі: бағандар ереже кестесіндегідей нөмірленеді — өңірлердің аталуы 1, он бес бағдарлама 2-16 "
          "(әр бағдарламаның «жоспар / факт» жұбы бір нөмірмен); «№» — krm қосқан жолдың реттік нөмірі. "
          "Түсіндірмедегі «1 №, 2 атауы, 3-16» нөмірлеуінде он бес бағдарламаға он төрт нөмір ғана қалады, "
          "сондықтан кестенің нөмірлеуі алынды.",
          "Решение krm: графы нумеруются как в таблице Правил — наименование региона 1, пятнадцать программ 2-16 "
          "(пара «план / факт» каждой программы под одним номером); «№» — порядковый номер строки, добавленный "
          "krm. В пояснении («1 №, 2 наименование, 3-16») на пятнадцать программ остается четырнадцать номеров, "
          "поэтому принята нумерация таблицы.",
          "krm decision: columns numbered as the annex's table: region 1, the fifteen programmes 2-16 (each "
          "plan/fact pair under one number); № is krm's row number. The explanation's 1 №, 2 name, 3-16 leaves "
          "fourteen numbers for fifteen programmes, so the table's numbering is used."),))
editions.PAST.append(_KRM6_1)

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
        SIGNED,
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
