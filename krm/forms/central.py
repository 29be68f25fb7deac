"""KRM-4 and KRM-5: the forms of the central state bodies (Annexes 4-5)."""

from __future__ import annotations

from krm.codes import E031
from krm.forms.pieces import (
    DISBURSED_NOT_ABOVE_ALLOCATED,
    DONE_NOT_ABOVE_PLANNED,
    FACT_NOT_ABOVE_PLAN,
    FIXED_ROWS,
    H_BASIS,
    H_BODY,
    H_MONTH,
    H_PROGRAMME,
    KIND_LINE,
    MONTHLY,
    PROGRAMMES_RU,
    REGION_COL,
    SEQ,
    SIGNED,
    TOTAL_IS_SUM_OF_ROWS,
    TOTAL_UPPER,
    allocated_col,
    annex,
    disbursed_col,
    with_activity_columns,
)
from krm.rules.relations.sum_of import ACTIVITIES, SumOf
from krm.spec import ColType, Column, Deadline, FormSpec, Rows, T

# ------------------------------------------------------------------ KRM-4
_K45_SUBMITTER = T("Мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдар",
                   "центральные государственные органы, ответственные за реализацию государственных программ",
                   "the central state bodies responsible for the programmes")
_K45_DEADLINE = Deadline(kind="next-month-day", day=25, rule="12.2",
                         text=T("ай сайын есепті кезеңнен кейінгі айдың 25-күнінен кешіктірмей",
                                "ежемесячно не позднее 25 числа месяца, следующего за отчетным периодом",
                                "monthly, not later than the 25th of the next month"))

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
        allocated_col("5"), disbursed_col("6"),
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
        SIGNED,
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
        SIGNED,
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



KRM5 = _with_plan_by_activity(with_activity_columns(KRM5, 4, "col"))
#: KRM-5's plan-by-activity column keys (activity code -> key), see _with_plan_by_activity
PLAN_BY_ACTIVITY = {c.key[len("plan_act"):]: c.key for c in KRM5.columns if c.key.startswith("plan_act")}
