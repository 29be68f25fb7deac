"""What the portal's pages say, in Kazakh, Russian and English (one entry per phrase)."""

from __future__ import annotations

LANGS = ("kk", "ru", "en")

W: dict[str, tuple[str, str, str]] = {
    "title": ("КРМ: есептерді қабылдау порталы", "КРМ: портал приёма отчётов", "KRM: submission portal"),
    "login": ("Кіру", "Войти", "Sign in"),
    "logout": ("Шығу", "Выйти", "Sign out"),
    "user": ("Логин", "Логин", "Login"),
    "password": ("Құпиясөз", "Пароль", "Password"),
    "bad_login": ("Логин немесе құпиясөз қате", "Неверный логин или пароль", "Wrong login or password"),
    "blocked": ("Тым көп сәтсіз әрекет: 15 минуттан кейін қайталаңыз",
                "Слишком много неудачных попыток: повторите через 15 минут",
                "Too many failed attempts: try again in 15 minutes"),
    "upload": ("Жүктеу", "Загрузить", "Upload"),
    "upload_help": ("Бір немесе бірнеше жұмыс кітабын таңдаңыз немесе осында сүйреңіз",
                    "Выберите одну или несколько книг Excel или перетащите их сюда",
                    "Choose one or several workbooks, or drop them here"),
    "limits": ("Ең көбі {n} файл, әрқайсысы {mb} МБ-қа дейін", "Не более {n} файлов, каждый до {mb} МБ",
               "At most {n} files, each up to {mb} MB"),
    "results": ("Тексеру нәтижесі", "Результат проверки", "Check results"),
    "file": ("Файл", "Файл", "File"),
    "sheet": ("Парақ", "Лист", "Sheet"),
    "cell": ("Ұяшық", "Ячейка", "Cell"),
    "code": ("Код", "Код", "Code"),
    "severity": ("Түрі", "Вид", "Severity"),
    "message": ("Хабар", "Сообщение", "Message"),
    "fix": ("Қалай түзету", "Как исправить", "How to fix"),
    "error": ("қате", "ошибка", "error"),
    "warning": ("ескерту", "предупреждение", "warning"),
    "no_findings": ("Ескертулер жоқ: файл қабылданды", "Замечаний нет: файл принят", "No findings: the file is accepted"),
    "annotated": ("Белгіленген көшірмесін жүктеп алу", "Скачать размеченную копию", "Download the annotated copy"),
    "original": ("Жіберілген файл", "Отправленный файл", "The file as sent"),
    "history": ("Жіберілгендер тарихы", "История отправок", "History of submissions"),
    "state": ("Күйі", "Состояние", "State"),
    "version": ("Нұсқа", "Версия", "Version"),
    "period": ("Кезең", "Период", "Period"),
    "form": ("Нысан", "Форма", "Form"),
    "programme": ("Бағдарлама", "Программа", "Programme"),
    "district": ("Аудан", "Район", "District"),
    "region": ("Облыс", "Область", "Region"),
    "received_at": ("Қабылданды", "Получено", "Received"),
    "errors": ("Қателер", "Ошибки", "Errors"),
    "warnings": ("Ескертулер", "Предупреждения", "Warnings"),
    "deadlines": ("Мерзімдер", "Сроки", "Deadlines"),
    "due": ("Мерзімі", "Срок", "Due"),
    "audit": ("Күй өзгерістері", "Изменения состояния", "Changes of state"),
    "by": ("Кім", "Кто", "By"),
    "reason": ("Себебі", "Причина", "Reason"),
    "at": ("Уақыты", "Время", "At"),
    "month": ("Ай", "Месяц", "Month"),
    "show": ("Көрсету", "Показать", "Show"),
    "inbox": ("Айдың кіріс жәшігі", "Входящие за месяц", "The month's inbox"),
    "who_sent": ("Жібергендер", "Кто прислал", "Who sent"),
    "late": ("кешікті", "с опозданием", "late"),
    "on_time": ("мерзімінде", "в срок", "on time"),
    "missing": ("Жібермегендер", "Не прислали", "Missing"),
    "not_counted": ("Есепке алынбағандар (қателер)", "Не учтены (ошибки)", "Not counted (errors)"),
    "completeness": ("Толықтығы", "Полнота", "Completeness"),
    "return": ("Қайтару", "Вернуть", "Return"),
    "accept": ("Қабылдау", "Принять", "Accept"),
    "confirm": ("Қолтаңбамен растау", "Подтвердить подписью", "Confirm with a signature"),
    "signature_file": ("CMS қолтаңба файлы (NCALayer)", "Файл подписи CMS (NCALayer)", "CMS signature file (NCALayer)"),
    "confirmed_ok": ("Қолтаңба расталды", "Подпись подтверждена", "Signature verified"),
    "confirmed_bad": ("Қолтаңба расталмады", "Подпись не подтверждена", "Signature not verified"),
    "download_krm3": ("Облыстың КРМ-3 жүктеп алу", "Скачать КРМ-3 области", "Download the region's KRM-3"),
    "outputs": ("Айдың жиынтықтары", "Сводные формы месяца", "The month's roll-ups"),
    "note": ("Талдамалық жазба", "Аналитическая записка", "Analytical note"),
    "status_regions": ("Облыстар бойынша жағдай", "Состояние по областям", "Status across regions"),
    "accounts": ("Есептік жазбалар", "Учётные записи", "Accounts"),
    "role": ("Рөлі", "Роль", "Role"),
    "unit": ("Бөлімше", "Подразделение", "Unit"),
    "create": ("Құру", "Создать", "Create"),
    "name": ("Атауы", "Название", "Name"),
    "language": ("Тіл", "Язык", "Language"),
    "refused": ("Қабылданбады", "Не принят", "Refused"),
    "unreadable": ("Оқылмайды", "Не читается", "Unreadable"),
    "unplaced": ("Тақырыбы толық емес", "Заголовок неполон", "Header incomplete"),
    "nothing": ("Әзірге ештеңе жоқ", "Пока ничего нет", "Nothing yet"),
    "too_many": ("Тым көп файл: ең көбі {n}", "Слишком много файлов: не более {n}", "Too many files: at most {n}"),
    "too_big": ("Файл тым үлкен: ең көбі {mb} МБ", "Файл слишком большой: не более {mb} МБ",
                "File too large: at most {mb} MB"),
    "no_files": ("Файл таңдалмады", "Файл не выбран", "No file chosen"),
    "not_allowed": ("Бұл әрекетке рұқсат жоқ", "Это действие не разрешено", "This action is not allowed"),
    "not_available": ("Жиынтық әлі жоқ: қабылданған есептер жоқ", "Сводной пока нет: нет принятых отчётов",
                      "No roll-up yet: no accepted submissions"),
    "need_reason": ("Себебін жазыңыз", "Укажите причину", "Give a reason"),
    "for_other_district": ("Жұмыс кітабы {district} ауданына арналған, сіздікі {mine} емес",
                           "Книга относится к району {district}, а не к вашему {mine}",
                           "The workbook is for district {district}, not yours ({mine})"),
    "not_district_form": ("{form} аудан тапсыратын нысан емес", "{form} — не форма, которую сдаёт район",
                          "{form} is not a form a district files"),
    "no_header": ("Тақырыпта нысан, аудан немесе кезең жоқ", "В заголовке нет формы, района или периода",
                  "No form, district or period in the header"),
    "not_workbook_name": ("Жұмыс кітабының атауы емес (.xlsx, .xlsm, .xls, .ods, .xlsb)",
                          "Не имя книги Excel (.xlsx, .xlsm, .xls, .ods, .xlsb)",
                          "Not a workbook name (.xlsx, .xlsm, .xls, .ods, .xlsb)"),
    "explanations": ("Ескертулерге түсініктемелер", "Пояснения к предупреждениям", "Explanations of warnings"),
    "explanation_accepted": ("түсініктеме қабылданды", "пояснение принято", "explanation accepted"),
    "counted": ("Есепке алынады", "Учитывается", "Counted"),
    "jobs_plan": ("Жұмыс орны, жоспар", "Рабочие места, план", "Jobs, plan"),
    "jobs_fact": ("Жұмыс орны, нақты", "Рабочие места, факт", "Jobs, fact"),
    "home": ("Басты бет", "Главная", "Home"),
}

STATE = {
    "received": ("алынды", "получен", "received"),
    "checked": ("тексерілді", "проверен", "checked"),
    "accepted": ("қабылданды", "принят", "accepted"),
    "returned": ("қайтарылды", "возвращён", "returned"),
    "confirmed": ("расталды", "подтверждён", "confirmed"),
    "superseded": ("ауыстырылды", "заменён", "superseded"),
}

ROLE = {
    "district": ("аудан әкімдігі", "акимат района", "district akimat"),
    "oblast": ("облыс әкімдігі", "акимат области", "oblast akimat"),
    "central": ("орталық мемлекеттік орган", "центральный госорган", "central state body"),
    "centre": ("Еңбек ресурстарын дамыту орталығы", "Центр развития трудовых ресурсов",
               "Labour Resources Development Centre"),
    "admin": ("әкімші", "администратор", "administrator"),
}


def translator(lang: str):
    """``t(key, **params)`` in ``lang`` (an unknown key shows itself, so a missing phrase is visible)."""
    i = LANGS.index(lang) if lang in LANGS else 0

    def t(key: str, **params) -> str:
        for table in (W, STATE, ROLE):
            if key in table:
                text = table[key][i]
                return text.format(**params) if params else text
        return key

    t.state = lambda s: STATE.get(s, (s, s, s))[i]  # type: ignore[attr-defined]
    t.role = lambda r: ROLE.get(r, (r, r, r))[i]  # type: ignore[attr-defined]
    t.lang = LANGS[i]  # type: ignore[attr-defined]
    return t
