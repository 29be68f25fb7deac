"""The annexes' own words around each form's table: header labels, footnotes, the explanation's title and chapters.

Each annex of Order No. 189 labels its header lines in its own words ("Тапсыру мерзімі" on KRM-1, "Ұсыну
мерзімі" on the others; "Ұсынады" / "Ұсынылады"), ends with a footnote ("Ескертпе: …") where it has one, and
is followed by its explanation ("… нысанды толтыру бойынша түсіндірме") in two chapters, the first opening
with a sentence that names who submits what.  The Kazakh texts are the regulation's (broken PDF lines
rejoined; tests check them against ``docs/regulation/order-189-2019.kk.txt``); Russian and English are ours.
The form's own explanation paragraphs stay in its spec (:attr:`krm.spec.FormSpec.explanation`).
"""

from __future__ import annotations

from krm.spec import FormSpec, T, Text

# ------------------------------------------------------------------ header labels
_SUBMITS = T("Ұсынады", "Представляют", "Submitted by")
_SUBMITS_ONE = T("Ұсынады", "Представляет", "Submitted by")  # one administrator
_IS_SUBMITTED = T("Ұсынылады", "Представляют", "Submitted by")  # KRM-4: the central bodies
_IS_SUBMITTED_ONE = T("Ұсынылады", "Представляет", "Submitted by")  # KRM-6/7: the centre
_WHERE_FORM = T("Нысан қайда ұсынылады", "Куда представляется форма", "Submitted to")
_WHERE = T("Қайда ұсынылады", "Куда представляется", "Submitted to")
_DEADLINE = T("Ұсыну мерзімі", "Срок представления", "Deadline")

#: who submits, to whom, by when: each annex's labels (Kazakh: its words; Russian: the verb agrees with the
#: subject, one administrator or one centre "Представляет", several bodies "Представляют")
BANNER_LABELS: dict[int, tuple[Text, Text, Text]] = {
    1: (_SUBMITS_ONE, _WHERE_FORM, T("Тапсыру мерзімі", "Срок сдачи", "Deadline")),
    2: (_SUBMITS, _WHERE_FORM, _DEADLINE),
    3: (_SUBMITS, _WHERE, _DEADLINE),
    4: (_IS_SUBMITTED, _WHERE, _DEADLINE),
    5: (_SUBMITS, _WHERE, _DEADLINE),
    6: (_IS_SUBMITTED_ONE, _WHERE, _DEADLINE),
    7: (_IS_SUBMITTED_ONE, _WHERE, _DEADLINE),
}


def banner_labels(spec: FormSpec) -> tuple[Text, Text, Text]:
    return BANNER_LABELS.get(spec.number, (_SUBMITS, _WHERE_FORM, _DEADLINE))


# ------------------------------------------------------------------ programme headings of KRM-6/7
_ENBEK = ("Нәтижелі жұмыспен қамтуды және жаппай кәсіпкерлікті дамытудың 2017 – 2021 жылдарға арналған \"Еңбек\" "
          "мемлекеттік бағдарламасы")
#: where an annex heads a programme column otherwise than the programme list names it (Kazakh): the 2019 list's
#: name -> the annex's heading.  KRM-6/7 head Еңбек with the title of the decree that approved it; KRM-7 heads
#: the regions programme to 2020 by its short name.  Other languages keep the list's name.
PROGRAMME_HEADINGS: dict[int, dict[str, str]] = {
    6: {_ENBEK: f"{_ENBEK}н бекіту туралы"},
    7: {_ENBEK: f"{_ENBEK}н бекіту туралы",
        "Өңірлерді 2020 жылға дейін дамыту бағдарламасы (2015-2019 жж.)":
            "Өңірлерді дамыту бағдарламасы (2015-2019 ж.ж)"},
}


def programme_heading(spec_number: int, name: Text) -> Text:
    """The heading of a programme's plan/fact pair on form ``spec_number``."""
    kk = PROGRAMME_HEADINGS.get(spec_number, {}).get(name.kk)
    return name if kk is None else T(kk, name.ru, name.en)


# ------------------------------------------------------------------ footnotes
NOTE = T("Ескертпе", "Примечание", "Note")
_SEE_ANNEX = T("әкімшілік деректерді жинақтауға арналған нысанды толтыру бойынша түсіндірме осы нысанға "
               "қосымшада келтірілген.",
               "пояснение по заполнению формы, предназначенной для сбора административных данных, приведено в "
               "приложении к настоящей форме.",
               "the explanation for filling the form is given in the annex to this form.")
_EACH_ACTIVITY = T("* жоспарлы мақсатты индикатор экономикалық қызметтің әрбір түрі бойынша толтырылады.",
                   "* плановый целевой индикатор заполняется по каждому виду экономической деятельности.",
                   "* the planned target is filled for each kind of economic activity.")
#: the footnote each annex prints under its signature block (KRM-1's is its spec's); KRM-2 prints KRM-1's
#: asterisk note although its table has no asterisk — the annex's text, kept
FOOTNOTES: dict[int, Text] = {2: _EACH_ACTIVITY, 3: _SEE_ANNEX, 5: _SEE_ANNEX}


def footnote(spec: FormSpec) -> Text | None:
    """The form's footnote without its "Ескертпе:" label (None: the annex prints none)."""
    return spec.footnote if spec.footnote is not None else FOOTNOTES.get(spec.number)


def footnote_line(spec: FormSpec, lang: str) -> str | None:
    """The footnote as printed: "Ескертпе: …"."""
    f = footnote(spec)
    return None if f is None else f"{NOTE(lang)}: {f(lang)}"


def footnote_texts() -> set[str]:
    """Every footnote line a krm workbook may carry below its table, in every language, with and without the
    label (workbooks written before the label was printed have the bare text)."""
    from krm import forms

    out: set[str] = set()
    for spec in forms.FORMS.values():
        f = footnote(spec)
        if f is not None:
            for lang in ("kk", "ru", "en"):
                out.update((f(lang), f"{NOTE(lang)}: {f(lang)}"))
    return out


# ------------------------------------------------------------------ the explanation
_EXPLAINS = "нысанды толтыру бойынша түсіндірме"
#: the explanation's title, as each annex's appendix prints it
EXPLANATION_TITLES: dict[int, str] = {
    1: "Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта "
       "кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде іске асырылатын жобаларда жұмыс "
       "орындарын құру жөніндегі жоспарлы көрсеткіштер туралы жергілікті атқарушы орган ұсынған әкімшілік "
       f"деректерді жинауға арналған {_EXPLAINS}",
    2: "Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта "
       "кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде жобаларды іске асыруға қатысатын "
       "кәсіпорындар мен ұйымдардағы құрылған жұмыс орындары туралы әкімшілік деректерді жинауға арналған "
       f"{_EXPLAINS}",
    3: "Экономикалық қызмет түрлері бойынша мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, "
       "инвестициялық жобалар, шағын және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар "
       "шеңберінде іске асырылатын жобаларда жұмыс орындарын құру туралы әкімшілік деректерді жинауға арналған "
       f"{_EXPLAINS}",
    4: "Облыстардың, республикалық маңызы бар қалалардың және астананың бөлінісінде мемлекеттік бағдарламалар, "
       "аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта кәсіпкерлікті дамытуды "
       "ынталандыру жөніндегі бағдарламалар шеңберінде іске асырылатын жобаларда жұмыс орындарын құру туралы "
       f"әкімшілік деректерді жинауға арналған {_EXPLAINS}",
    5: "Облыстар, республикалық маңызы бар қалалар және астана бөлінісінде және экономикалық қызмет түрлері "
       "бойынша Мемлекеттік бағдарламалар шеңберінде жұмыс орындарын құру туралы әкімшілік деректерді жинауға "
       f"арналған {_EXPLAINS}",
    6: "Облыстар, республикалық маңызы бар қалалар, астана бөлінісінде және республика бойынша мемлекеттік "
       "бағдарламаларды іске асыруға жауапты орталық және жергілікті атқарушы органдардың жұмыс орындарын құру "
       f"мониторингінің нәтижелері туралы әкімшілік деректерді жинауға арналған {_EXPLAINS}",
    7: "Экономикалық қызмет түрлері бойынша мемлекеттік бағдарламаларды іске асыруға жауапты орталық және "
       "жергілікті атқарушы органдардың жұмыс орындарын құру мониторингінің нәтижелері туралы Әкімшілік "
       f"деректерді жинауға арналған {_EXPLAINS}",
}

_SHOWING = "мынадай мәліметтерді көрсете отырып"
#: the sentence that opens paragraph 1 of each explanation (the address part, where there is one, follows it)
LEADS: dict[int, str] = {
    1: "Мемлекеттік бағдарламаларды іске асыруға жауапты жергілікті атқарушы орган (бағдарлама әкімшісі) "
       "\"Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта "
       "кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде жұмыс орындарын құру жөніндегі "
       f"жоспарлы көрсеткіштер туралы мәліметтер\" деген ақпаратты {_SHOWING} ұсынады:",
    2: "Аудандар, аудандық және облыстық маңызы бар қалалар, облыстар, республикалық маңызы бар қалалар және "
       "астана бөлінісінде экономикалық қызмет түрлері бойынша алдағы есепті жылға арналған "
       "әлеуметтік-экономикалық даму болжамын бекіту туралы \"Мемлекеттік бағдарламалар, аумақтарды дамыту "
       "бағдарламалары, инвестициялық жобалар, шағын және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі "
       "бағдарламалар шеңберінде жобаларды іске асыруға қатысатын кәсіпорындар мен ұйымдар аудандар, аудандық "
       "және облыстық маңызы бар қалалар, облыстар, республикалық маңызы бар қалалар және астана бөлінісінде "
       "мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және орта "
       "кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде құрылған жұмыс орындары туралы "
       "мәліметтер\" деген ақпаратты ұсынады:",
    3: "Облыстардың, республикалық маңызы бар қалалардың және астананың жергілікті атқарушы органдары "
       "\"Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, экономикалық "
       "қызмет түрлері бойынша шағын және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар "
       "шеңберінде іске асырылатын жобаларда жұмыс орындарын құру туралы мәліметтер\" деген ақпаратты "
       f"{_SHOWING}, мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдарға ақпарат "
       "ұсынады:",
    4: "Мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдар \"Мемлекеттік "
       "бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, экономикалық қызмет түрлері "
       "бойынша шағын және орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде іске "
       "асырылатын жобаларда жұмыс орындарын құру туралы мәліметтер\" туралы ақпаратты мемлекеттік "
       f"бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдарға {_SHOWING}, ақпарат ұсынады:",
    5: f"Мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдар {_SHOWING}, "
       "мемлекеттік бағдарламаларды іске асыруға жауапты орталық мемлекеттік органдарға \"Облыстар, "
       "республикалық маңызы бар қалалар және астана бөлінісінде және экономикалық қызмет түрлері бойынша "
       "мемлекеттік бағдарламалар шеңберінде жұмыс орындарын құру туралы мәліметтер\" ақпаратын ұсынады:",
    6: "Еңбек ресурстарын дамыту орталығы мемлекеттік бағдарламаларды іске асыруға жауапты орталық және "
       "жергілікті атқарушы органдардың мәліметтері негізінде \"Облыстардың, республикалық маңызы бар "
       "қалалардың, астананың және республика бойынша бөлінісінде мемлекеттік бағдарламаларды іске асыруға "
       "жауапты орталық және жергілікті атқарушы органдардың жұмыс орындарын құру мониторингінің нәтижелері "
       "туралы есеп\" ақпаратты халықты жұмыспен қамту мәселелері жөніндегі уәкілетті органға "
       f"{_SHOWING} ұсынады:",
    7: "Еңбек ресурстарын дамыту орталығы мемлекеттік бағдарламаларды іске асыруға жауапты орталық және "
       "жергілікті атқарушы органдардың мәліметтері негізінде \"Экономикалық қызмет түрлері бойынша мемлекеттік "
       "бағдарламаларды іске асыруға жауапты орталық және жергілікті атқарушы органдардың жұмыс орындарын құру "
       "мониторингінің нәтижелері туралы есеп\" ақпаратты халықты жұмыспен қамту мәселелері жөніндегі уәкілетті "
       f"органға {_SHOWING} ұсынады:",
}
#: KRM-1's paragraph 1 names a second item after the address part: the project's name
_KRM1_PROJECT = T("Мемлекеттік бағдарламалар, аумақтарды дамыту бағдарламалары, инвестициялық жобалар, шағын және "
                  "орта кәсіпкерлікті дамытуды ынталандыру жөніндегі бағдарламалар шеңберінде іске асырылатын "
                  "жобаның атауы.",
                  "Наименование проекта, реализуемого в рамках государственных программ, программ развития "
                  "территорий, инвестиционных проектов, программ по стимулированию развития малого и среднего "
                  "предпринимательства.",
                  "The name of the project.")
#: the two chapters: Annexes 1-4 number them "1-тарау.", Annexes 5-7 "1."
_CHAPTERS = (T("Жалпы ережелер", "Общие положения", "General provisions"),
             T("Нысанды толтыру бойынша түсіндірме", "Пояснение по заполнению формы",
               "Explanation for filling the form"))


def explanation_title(spec: FormSpec, lang: str) -> str:
    if lang == "kk" and spec.number in EXPLANATION_TITLES:
        return EXPLANATION_TITLES[spec.number]
    return T("", "Пояснение по заполнению формы, предназначенной для сбора административных данных, «{}»",
             "Explanation for filling the administrative data form \"{}\"")(lang).format(spec.title(lang))


def lead(spec: FormSpec, lang: str) -> str:
    if lang == "kk" and spec.number in LEADS:
        return LEADS[spec.number]
    sub = spec.submitter(lang)
    sub = sub[:1].upper() + sub[1:]
    verb = "представляет" if lang == "ru" and BANNER_LABELS.get(spec.number, (_SUBMITS,))[0].ru.endswith("ет") \
        else "представляют"
    return T("", f"{sub} {verb} «{spec.title(lang)}», указывая следующее:",
             f"{sub} submit \"{spec.title(lang)}\", giving the following:")(lang)


def chapter(spec: FormSpec, i: int, lang: str) -> str:
    """Chapter ``i`` (1 or 2) as the annex heads it: "1-тарау. Жалпы ережелер" (Annexes 1-4), "1. Жалпы ережелер"."""
    if spec.number > 4:
        return f"{i}. {_CHAPTERS[i - 1](lang)}"
    return T(f"{i}-тарау.", f"Глава {i}.", f"Chapter {i}.")(lang) + f" {_CHAPTERS[i - 1](lang)}"


def explanation(spec: FormSpec, lang: str) -> list[tuple[str, str]]:
    """The whole explanation as printed lines: ("title" | "chapter" | "para" | "krm", text), paragraphs numbered
    as the annex numbers them (1-3 general provisions, 4 on the columns); krm's own decisions unnumbered."""
    paras = [p(lang) for p in spec.explanation]
    official = [p for p in paras if not p.lower().startswith(("krm", "решение krm"))]
    decisions = [p for p in paras if p not in official]
    # Annexes 1-5 open paragraph 1 with the sentence, then the address part (the spec's first paragraph)
    has_address = spec.number <= 5
    first = [lead(spec, lang)]
    if has_address and official:
        first.append(official.pop(0))
    if spec.number == 1:
        first.append(_KRM1_PROJECT(lang))
    numbered = ["\n".join(first), *official]
    out = [("title", explanation_title(spec, lang)), ("chapter", chapter(spec, 1, lang))]
    for n, p in enumerate(numbered, start=1):
        if n == 4:
            out.append(("chapter", chapter(spec, 2, lang)))
        out.append(("para", f"{n}. {p}"))
    out.extend(("krm", p) for p in decisions)
    return out
