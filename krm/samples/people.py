"""People and enterprises: BIN/IIN identifiers, Kazakh and Russian names, phone numbers,
the language of each region's paperwork."""

from __future__ import annotations

import datetime as dt
import random

from krm.ids import check_digit


# ------------------------------------------------------------------ identifiers
def make_bin(rng: random.Random, kind: str = "4", attribute: str = "0") -> str:
    """A business identification number: YYMM of registration, type (4 resident legal entity),
    attribute (0 head office, 1 branch), a serial and the check digit."""
    while True:
        year = rng.randint(2000, 2018)
        month = rng.randint(1, 12)
        body = f"{year % 100:02d}{month:02d}{kind}{attribute}{rng.randint(0, 99999):05d}"
        c = check_digit(body)
        if c is not None:
            return body + str(c)


def make_iin(rng: random.Random, female: bool) -> str:
    """An individual identification number: birth YYMMDD, century/sex digit, serial, check digit."""
    while True:
        born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randint(0, 12000))
        body = f"{born:%y%m%d}{4 if female else 3}{rng.randint(0, 9999):04d}"
        c = check_digit(body)
        if c is not None:
            return body + str(c)


def wrong_check_digit(s: str) -> str:
    """The same identifier with a wrong (but still a digit) 12th position."""
    good = int(s[11])
    return s[:11] + str((good + 3) % 10 if (good + 3) % 10 != good else (good + 1) % 10)


NAME_ROOTS = ["Береке", "Нұр", "Алтын Дән", "Самал", "Жұлдыз", "Көкше", "Ертіс", "Асыл", "Дала", "Тұран",
              "Арман", "Сарыарқа", "Шапағат", "Жасыл Ел", "Ақжол", "Бәйтерек", "Алатау", "Қазына", "Болашақ",
              "Мерей", "Сункар", "Достық", "Ынтымақ", "Атамекен", "Ақниет", "Greenfield", "Steppe", "Иволга",
              "Северный", "Восток", "Жетісу", "Каспий", "Жайық", "Сыр", "Қаратау", "Шығыс", "Орал", "Есіл"]
NAME_SUFFIX = {"1": ["Агро", "Агрофирма", "Фермер", "Өнім", "Милк"], "2": ["Пром", "Завод", "Өндіріс", "Индастри"],
               "3": ["Құрылыс", "Строй", "СтройИнвест", "Құрылыс-Сервис"], "4": ["Транс", "Логистик", "Көлік"],
               "5": ["Трейд", "Сауда", "Маркет"], "6": ["Авто", "Автосервис", "Моторс"],
               "7": ["Білім", "Оқу орталығы", "Education"], "8": ["Мед", "Медицина", "Денсаулық"],
               "9": ["Сервис", "Туризм", "Групп", "IT"]}
LEGAL = {"kk": ("ЖШС", "ЖК", "ШҚ", "АҚ"), "ru": ("ТОО", "ИП", "КХ", "АО")}

KK_MALE = ["Нұрлан", "Серік", "Бауыржан", "Ерлан", "Асқар", "Дәурен", "Марат", "Қайрат", "Болат", "Ержан",
           "Талғат", "Азамат", "Жандос", "Мұрат", "Бекзат"]
KK_FEMALE = ["Гүлнар", "Айгүл", "Сәуле", "Динара", "Жанар", "Әсем", "Мөлдір", "Айнұр", "Гаухар", "Ақмарал",
             "Назгүл", "Бибігүл", "Perizat".replace("Perizat", "Перизат"), "Ләззат", "Ұлжан"]
KK_SURNAMES = ["Ахметов", "Серікбаев", "Жұмабаев", "Оспанов", "Қасымов", "Нұрланов", "Әбенов", "Тоқтаров",
               "Сейітов", "Мұхамедов", "Бекмұханов", "Ермеков", "Ыбыраев", "Төлегенов", "Қожахметов",
               "Садықов", "Исабеков", "Омаров", "Жақсылықов", "Әлиев"]
RU_MALE = ["Сергей", "Александр", "Андрей", "Виктор", "Дмитрий", "Игорь", "Николай", "Олег"]
RU_FEMALE = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина", "Людмила"]
RU_SURNAMES = ["Иванов", "Петренко", "Ким", "Шевченко", "Кузнецов", "Попов", "Соколов", "Беккер", "Ли",
               "Ковальчук", "Морозов", "Волков"]
RU_FATHERS = ["Петрович", "Викторович", "Николаевич", "Сергеевич", "Александрович", "Иванович"]

# Russian-language share of the paperwork, by region (the rest is in Kazakh)
RU_SHARE = {"11": 0.6, "15": 0.3, "19": 0.15, "23": 0.1, "27": 0.35, "31": 0.1, "35": 0.7, "39": 0.7, "43": 0.05,
            "47": 0.15, "55": 0.75, "59": 0.75, "61": 0.05, "63": 0.6, "71": 0.4, "75": 0.5, "79": 0.15}
AREA_CODES = {"11": "7162", "15": "7132", "19": "7282", "23": "7122", "27": "7112", "31": "7262", "35": "7212",
              "39": "7142", "43": "7242", "47": "7292", "55": "7182", "59": "7152", "61": "72533", "63": "7232",
              "71": "7172", "75": "727", "79": "7252"}



def _person(rng: random.Random, lang: str) -> str:
    female = rng.random() < 0.6
    if lang == "ru" and rng.random() < 0.4:
        sur = rng.choice(RU_SURNAMES)
        if female and sur[-2:] in ("ов", "ев", "ин"):
            sur += "а"
        first = rng.choice(RU_FEMALE if female else RU_MALE)
        father = rng.choice(RU_FATHERS)
        if female:
            father = father[:-2] + "на"
        return f"{sur} {first} {father}"
    sur = rng.choice(KK_SURNAMES)
    if female:
        sur += "а"
    first = rng.choice(KK_FEMALE if female else KK_MALE)
    father_root = rng.choice(KK_MALE)
    if lang == "kk":
        father = father_root + ("қызы" if female else "ұлы")
    else:
        root = father_root.replace("ұ", "у").replace("қ", "к").replace("ә", "а").replace("ө", "о").replace("ң", "н")
        father = root + ("овна" if female else "ович")
    return f"{sur} {first} {father}"


def _phone(rng: random.Random, region: str) -> str:
    code = AREA_CODES.get(region, "7172")
    rest = 10 - len(code)
    digits = f"{rng.randint(2 * 10 ** (rest - 1), 10 ** rest - 1)}"
    if rest == 7:
        local = f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    elif rest == 6:
        local = f"{digits[:2]}-{digits[2:4]}-{digits[4:]}"
    else:
        local = f"{digits[:1]}-{digits[1:3]}-{digits[3:]}"
    return f"8 ({code}) {local}"


def _enterprise(rng: random.Random, activity: str, lang: str, programme: str, big: bool) -> tuple[str, str]:
    """(identifier, name): a BIN for legal entities, an IIN for individual entrepreneurs / farms."""
    legal = LEGAL[lang]
    individual = programme in ("ENBEK", "AIC", "DKB2020") and rng.random() < (0.25 if programme == "ENBEK" else 0.08)
    if individual:
        female = rng.random() < 0.4
        sur = rng.choice(KK_SURNAMES) + ("а" if female else "")
        initials = f"{rng.choice('АБДЕЖКМНСТ')}.{rng.choice('АБДЕЖКМНСТ')}."
        if activity == "1":
            return make_iin(rng, female), f"{legal[2]} \"{rng.choice(NAME_ROOTS)}\""
        return make_iin(rng, female), f"{legal[1]} {sur} {initials}"
    name = f"{rng.choice(NAME_ROOTS)}-{rng.choice(NAME_SUFFIX[activity])}"
    form = legal[3] if big and rng.random() < 0.5 else legal[0]
    return make_bin(rng, "4", "1" if rng.random() < 0.07 else "0"), f"{form} \"{name}\""
