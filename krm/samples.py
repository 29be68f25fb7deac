"""A realistic, deterministic sample reporting month: `krm samples`.

Everything is derived from one integer seed.  Each (district, programme) slot has
its own random stream seeded by the text ``"{seed}:{district}:{programme}"``, so
the same seed gives the same workbooks byte for byte (write_form fixes the
document's other timestamps; the "modified" time is the simulated submission
time, drawn from the same stream).

Layout written under ``OUT`` (see docs/samples.md):

    OUT/<YYYY>/<region kato>-<region-en>/KRM-1_<district kato>_<PROGRAMME>.xlsx   yearly plans
    OUT/<YYYY-MM>/<region kato>-<region-en>/KRM-2_<district kato>_<PROGRAMME>.xlsx monthly facts
    OUT/<YYYY-MM>/faulty.json      the intentionally faulty workbooks -> intended finding
    OUT/<YYYY-MM>/samples.json     every file written, with the seed and the command

The model: a district (or city) administers a few programmes; under each it has a
yearly plan (KRM-1) of projects, and its KRM-2 for the month lists the projects of
that plan that have started by the end of the month, with cumulative facts.
Sizes are log-normal (many small projects, a few large ones).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import re
import shutil
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from krm import forms, reference
from krm.ids import check_digit

GENERATOR_VERSION = "1"
DEFAULT_SEED = 2019
MILLI = Decimal("0.001")


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


# ------------------------------------------------------------------ vocabularies
# (kk, ru, capacities or None)
PROJECTS: dict[str, list[tuple[str, str, tuple | None]]] = {
    "1": [
        ("{n} басқа арналған сүт-тауарлы фермасын салу", "Строительство молочно-товарной фермы на {n} голов",
         (100, 200, 400, 600, 1200)),
        ("Жылыжай кешенін салу ({n} га)", "Строительство тепличного комплекса площадью {n} га", (1, 2, 3, 5, 10)),
        ("{n} басқа арналған бордақылау алаңын салу", "Строительство откормочной площадки на {n} голов КРС",
         (500, 1000, 3000, 5000)),
        ("Құс фабрикасын кеңейту", "Расширение птицефабрики", None),
        ("Қой шаруашылығын дамыту", "Развитие овцеводства", None),
        ("Тамшылатып суару жүйесін енгізу ({n} га)", "Внедрение системы капельного орошения на {n} га",
         (50, 120, 300)),
        ("Балық өсіру шаруашылығын құру", "Создание рыбоводческого хозяйства", None),
        ("Қарқынды жеміс бағын отырғызу ({n} га)", "Закладка интенсивного сада ({n} га)", (10, 25, 50)),
        ("Мал шаруашылығы кешенін жаңғырту", "Модернизация животноводческого комплекса", None),
        ("Ара шаруашылығын дамыту", "Развитие пчеловодства", None),
        ("Жылқы шаруашылығын дамыту", "Развитие табунного коневодства", None),
    ],
    "2": [
        ("Сүт өңдеу цехын салу", "Строительство цеха по переработке молока", None),
        ("Ет өңдеу кешенін салу", "Строительство мясоперерабатывающего комплекса", None),
        ("Құрылыс материалдары зауытын салу", "Строительство завода строительных материалов", None),
        ("Тігін цехын ашу", "Открытие швейного цеха", None),
        ("Нан-тоқаш өнімдерін өндіру", "Производство хлебобулочных изделий", None),
        ("Пластик құбырлар өндірісін ұйымдастыру", "Организация производства пластиковых труб", None),
        ("Жиһаз цехын ашу", "Открытие мебельного цеха", None),
        ("Күн электр станциясын салу ({n} МВт)", "Строительство солнечной электростанции мощностью {n} МВт",
         (2, 5, 10, 50)),
        ("Газоблок зауытын салу", "Строительство завода газобетонных блоков", None),
        ("Құрама жем өндіру цехын салу", "Строительство цеха по производству комбикормов", None),
        ("Өсімдік майын өндіру зауытын кеңейту", "Расширение завода по производству растительного масла", None),
    ],
    "3": [
        ("{n} пәтерлі тұрғын үй салу", "Строительство {n}-квартирного жилого дома", (24, 45, 60, 80, 120)),
        ("{n} орындық мектеп салу", "Строительство школы на {n} мест", (300, 600, 900, 1200)),
        ("{n} орындық балабақша салу", "Строительство детского сада на {n} мест", (90, 140, 280, 320)),
        ("Ауылішілік жолдарды орташа жөндеу", "Средний ремонт внутрипоселковых дорог", None),
        ("Су құбыры желілерін қайта жаңарту", "Реконструкция водопроводных сетей", None),
        ("Дене шынықтыру-сауықтыру кешенін салу", "Строительство физкультурно-оздоровительного комплекса", None),
        ("Жылу желілерін қайта жаңарту", "Реконструкция тепловых сетей", None),
        ("Мәдениет үйін күрделі жөндеу", "Капитальный ремонт дома культуры", None),
        ("Инженерлік-коммуникациялық инфрақұрылым салу", "Строительство инженерно-коммуникационной инфраструктуры",
         None),
    ],
    "4": [
        ("Логистикалық орталық салу", "Строительство логистического центра", None),
        ("{n} тонналық көкөніс сақтау қоймасын салу", "Строительство овощехранилища на {n} тонн",
         (1000, 3000, 5000)),
        ("Жолаушылар тасымалы автопаркін жаңарту", "Обновление автопарка пассажирских перевозок", None),
        ("Жүк тасымалдау қызметін ұйымдастыру", "Организация грузоперевозок", None),
        ("Астық қоймасын жаңғырту", "Модернизация зернохранилища", None),
    ],
    "5": [
        ("Сауда үйін салу", "Строительство торгового дома", None),
        ("Азық-түлік дүкенін ашу", "Открытие продуктового магазина", None),
        ("Көтерме-тарату орталығын салу", "Строительство оптово-распределительного центра", None),
        ("Базарды қайта жаңарту", "Реконструкция рынка", None),
        ("Құрылыс материалдары дүкенін ашу", "Открытие магазина строительных материалов", None),
    ],
    "6": [
        ("Автокөлікке техникалық қызмет көрсету станциясын ашу", "Открытие станции технического обслуживания",
         None),
        ("Автокөлік жуу орнын ашу", "Открытие автомойки", None),
        ("Шиномонтаж шеберханасын ашу", "Открытие шиномонтажной мастерской", None),
        ("Автокөлік жөндеу шеберханасын кеңейту", "Расширение авторемонтной мастерской", None),
    ],
    "7": [
        ("Жекеменшік балабақша ашу", "Открытие частного детского сада", None),
        ("Оқу орталығын ашу", "Открытие учебного центра", None),
        ("Балалар шығармашылық орталығын ашу", "Открытие центра детского творчества", None),
        ("Тіл үйрету курстарын ашу", "Открытие курсов изучения языков", None),
    ],
    "8": [
        ("Дәрігерлік амбулатория салу", "Строительство врачебной амбулатории", None),
        ("Фельдшерлік-акушерлік пункт салу", "Строительство фельдшерско-акушерского пункта", None),
        ("Жекеменшік медициналық орталық ашу", "Открытие частного медицинского центра", None),
        ("Стоматологиялық клиника ашу", "Открытие стоматологической клиники", None),
        ("Қарттарға арналған күндізгі күтім орталығын ашу", "Открытие центра дневного ухода за пожилыми", None),
    ],
    "9": [
        ("Қонақ үй салу", "Строительство гостиницы", None),
        ("Шаштараз ашу", "Открытие парикмахерской", None),
        ("Кафе ашу", "Открытие кафе", None),
        ("IT-орталық ашу", "Открытие IT-центра", None),
        ("Туристік демалыс базасын салу", "Строительство туристической базы отдыха", None),
        ("Химиялық тазалау қызметін ұйымдастыру", "Организация услуг химчистки", None),
        ("Фитнес-орталық ашу", "Открытие фитнес-центра", None),
        ("Тұрмыстық қызмет көрсету орталығын ашу", "Открытие центра бытовых услуг", None),
    ],
}

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

# programme -> (median allocated mln tenge, sigma, median jobs, rows min, rows max, activity weights)
PROGRAMME_MODEL: dict[str, tuple[float, float, float, int, int, dict[str, int]]] = {
    "ENBEK": (6.0, 0.8, 2.0, 5, 14, {"1": 5, "5": 2, "6": 1, "9": 3, "2": 1}),
    "AIC": (120.0, 1.1, 9.0, 3, 10, {"1": 8, "2": 2}),
    "DKB2020": (70.0, 1.1, 7.0, 4, 12, {"1": 2, "2": 3, "4": 1, "5": 2, "6": 1, "7": 1, "8": 1, "9": 3}),
    "REGDEV": (150.0, 0.9, 12.0, 2, 7, {"3": 6, "9": 1, "4": 1}),
    "NURLY_ZHER": (700.0, 0.8, 35.0, 2, 6, {"3": 1}),
    "INFRA": (900.0, 1.0, 40.0, 1, 5, {"3": 3, "4": 2}),
    "GPIIR": (1500.0, 1.1, 60.0, 1, 5, {"2": 1}),
    "INVEST": (2500.0, 1.2, 80.0, 1, 4, {"2": 3, "1": 1, "4": 1, "9": 1}),
    "SERVICES2020": (60.0, 0.9, 7.0, 3, 9, {"5": 2, "6": 1, "9": 3, "4": 1}),
    "SME": (35.0, 1.0, 5.0, 3, 10, {"5": 2, "2": 2, "9": 2}),
    "DIGITAL_KZ": (50.0, 0.9, 6.0, 1, 4, {"9": 1}),
    "EDU": (250.0, 0.8, 18.0, 1, 4, {"7": 1}),
    "DENSAULYK": (300.0, 0.8, 20.0, 1, 4, {"8": 1}),
}

# which programmes a unit administers: (primary weights, extra programmes, probability of each extra)
PROGRAMME_POOLS = {
    "district": ({"ENBEK": 6, "AIC": 4, "REGDEV": 2, "DKB2020": 1},
                 ("ENBEK", "AIC", "DKB2020", "REGDEV", "INFRA", "DENSAULYK", "EDU"), 0.006),
    "city of oblast significance": ({"DKB2020": 3, "ENBEK": 2, "GPIIR": 2, "NURLY_ZHER": 2, "SERVICES2020": 1},
                                    ("DKB2020", "ENBEK", "GPIIR", "NURLY_ZHER", "INVEST", "INFRA", "SME",
                                     "SERVICES2020", "DIGITAL_KZ"), 0.03),
    "city district": ({"NURLY_ZHER": 2, "DKB2020": 2, "SERVICES2020": 2, "SME": 1},
                      ("NURLY_ZHER", "DKB2020", "SERVICES2020", "SME", "INVEST", "GPIIR", "DIGITAL_KZ", "ENBEK"),
                      0.04),
}

FAULT_KINDS = ("bad-bin-check-digit", "disbursed-above-allocated", "missing-activity", "text-in-number-cell",
               "duplicate-submission", "district-not-valid-for-period", "end-before-start", "negative-number",
               "unknown-activity", "missing-project-name", "bad-date")


# ------------------------------------------------------------------ data
@dataclass
class Project:
    activity: str
    name_kk: str
    name_ru: str
    bin: str
    enterprise: str
    start: dt.date
    end: dt.date
    plan: int
    fact: int
    allocated: Decimal
    disbursed: Decimal
    rb: Decimal
    lb: Decimal

    def name(self, lang: str) -> str:
        return self.name_kk if lang == "kk" else self.name_ru


@dataclass
class Slot:
    """One district's reporting under one programme for the year (KRM-1) and the month (KRM-2)."""

    region: str  # 2-digit KATO
    district: str  # 9-digit KATO
    programme: str
    lang: str
    projects: list[Project]
    signature: dict
    krm1_time: dt.datetime
    krm2_time: dt.datetime | None  # None: the KRM-2 did not arrive
    overfulfilled: bool = False  # some row has fact > plan (a realistic warning, not a fault)

    def month_projects(self, month_end: dt.date) -> list[Project]:
        return [p for p in self.projects if p.start <= month_end]


@dataclass
class Fault:
    kind: str
    file: str  # path relative to the month folder
    code: str | None  # the finding code validation should give (None: not a per-file finding)
    scope: str  # "file" | "aggregate"
    cell: str | None = None
    note: str = ""
    duplicate_of: str | None = None
    aggregate: str | None = None  # what `krm aggregate` should mark the file as ("conflict")


@dataclass
class SampleResult:
    out: Path
    month: str
    seed: int
    krm1: list[Path] = field(default_factory=list)
    krm2: list[Path] = field(default_factory=list)
    faulty: list[Fault] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "district/programme" slots with no KRM-2

    @property
    def files(self) -> list[Path]:
        return self.krm1 + self.krm2


def _stream(seed: int, *parts: str) -> random.Random:
    return random.Random(":".join([str(seed), *parts]))


def _choice_w(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _q(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(MILLI, rounding=ROUND_HALF_UP)


def slug(text: str) -> str:
    """ASCII-safe file-name part."""
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")
    return s or "x"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    from krm.values import month_arg

    month = month_arg(month)
    y, m = int(month[:4]), int(month[5:])
    first = dt.date(y, m, 1)
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


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


def _project_name(rng: random.Random, activity: str) -> tuple[str, str]:
    kk, ru, caps = rng.choice(PROJECTS[activity])
    if caps:
        n = rng.choice(caps)
        return kk.format(n=n), ru.format(n=n)
    return kk, ru


def _projects(rng: random.Random, programme: str, region: str, year: int, month_end: dt.date,
              lang: str) -> tuple[list[Project], bool]:
    med_alloc, sigma, med_jobs, nmin, nmax, acts = PROGRAMME_MODEL[programme]
    n = rng.randint(nmin, nmax)
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: list[Project] = []
    seen: set[str] = set()
    over = False
    for i in range(n):
        act = _choice_w(rng, acts)
        kk, ru = _project_name(rng, act)
        tries = 0
        while (kk in seen or ru in seen) and tries < 5:
            kk, ru = _project_name(rng, act)
            tries += 1
        if kk in seen or ru in seen:
            kk, ru = f"{kk} ({i + 1}-кезең)", f"{ru} ({i + 1}-я очередь)"
        seen.update((kk, ru))
        allocated = _q(max(0.3, med_alloc * math.exp(rng.gauss(0, sigma))))
        scale = (float(allocated) / med_alloc) ** 0.5
        plan = max(1, round(med_jobs * scale * math.exp(rng.gauss(0, 0.5))))
        # implementation period: started between early 2017 and the plan year, ends in or after the plan year
        if i == 0 or rng.random() < 0.8:  # most of the plan has started by the reporting month
            start = year_start - dt.timedelta(days=rng.randint(-(month_end - year_start).days, 700))
        else:
            # not started yet: later this year, or early next year when the month is December
            later = (year_end - month_end).days - 20
            start = month_end + dt.timedelta(days=rng.randint(5, later if later >= 5 else 60))
        length = rng.randint(90, 900) if programme not in ("ENBEK", "SME") else rng.randint(60, 400)
        end = max(start + dt.timedelta(days=length), year_start + dt.timedelta(days=rng.randint(30, 200)))
        # progress by the end of the reporting month (cumulative)
        if start > month_end:
            share = 0.0
        elif end <= month_end:
            share = 1.0
        else:
            share = (month_end - start).days / max((end - start).days, 1)
        fact = min(plan, round(plan * share * rng.uniform(0.55, 1.05)))
        if share > 0.5 and rng.random() < 0.015:
            fact = plan + rng.randint(1, max(1, plan // 5))  # over-fulfilment happens
            over = True
        spent = min(1.0, share * rng.uniform(0.7, 1.15)) if share > 0 else 0.0
        disbursed = _q(float(allocated) * spent)
        if disbursed > allocated:
            disbursed = allocated
        rb_share = rng.choice((0.0, 0.5, 0.7, 0.8, 1.0)) if programme not in ("INVEST",) else 0.0
        rb = _q(float(allocated) * rb_share)
        lb = allocated - rb
        ident, ent = _enterprise(rng, act, lang, programme, big=allocated > Decimal(med_alloc * 3))
        out.append(Project(act, kk, ru, ident, ent, start, end, plan, fact, allocated, disbursed, rb, lb))
    out.sort(key=lambda p: (int(p.activity), p.start, p.name_kk))
    return out, over


def _submission_time(rng: random.Random, due: dt.date, late_share: float, earliest: dt.date) -> dt.datetime:
    """When a report was sent: mostly in the last days before the due date, some late; on a weekday,
    never before ``earliest`` (the day after the reporting period ends)."""
    if rng.random() < late_share:
        day = due + dt.timedelta(days=rng.randint(1, 9))
    else:
        day = max(earliest, due - dt.timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 5))))
    back = day
    while back.weekday() >= 5:  # offices send on weekdays
        back -= dt.timedelta(days=1)
    if back >= earliest:
        day = back
    else:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59))


def plan_month(month: str, seed: int = DEFAULT_SEED, regions: list[str] | None = None) -> list[Slot]:
    """Every (district, programme) slot of the sample month, fully determined by the seed.

    ``regions``: only these region KATO codes (a smaller sample; each district's data do not
    depend on which other regions are generated)."""
    first, month_end = month_bounds(month)
    year = first.year
    from krm.deadlines import form_due

    due2 = form_due("KRM-2", month)
    due1 = form_due("KRM-1", str(year))
    slots: list[Slot] = []
    known = {r.kato for r in reference.regions(month)}
    unknown = sorted(set(regions or ()) - known)
    if unknown:
        raise ValueError(f"no region {', '.join(unknown)} in {month}; known: {', '.join(sorted(known))}")
    for reg in reference.regions(month):
        if regions and reg.kato not in regions:
            continue
        for d in reference.districts(reg.kato, month):
            rng = _stream(seed, d.kato)
            primary, extras, p_extra = PROGRAMME_POOLS.get(d.kind, PROGRAMME_POOLS["district"])
            progs = {_choice_w(rng, primary)}
            for p in extras:
                if p not in progs and rng.random() < p_extra:
                    progs.add(p)
            lang = "ru" if rng.random() < RU_SHARE.get(reg.kato, 0.4) else "kk"
            for code in sorted(progs, key=lambda c: reference.programme(c, month).order):
                srng = _stream(seed, d.kato, code)
                projects, over = _projects(srng, code, reg.kato, year, month_end, lang)
                sig = {"executor": _person(srng, lang), "phone": _phone(srng, reg.kato),
                       "head": _person(srng, lang),
                       "email": f"{code.lower().replace('_', '')}.{slug(d.name_en).lower()}@akimat.example.kz"}
                t1 = _submission_time(srng, due1, 0.06, dt.date(year - 1, 11, 1))
                t2 = _submission_time(srng, due2, 0.08, month_end + dt.timedelta(days=1))
                arrived = srng.random() >= 0.03
                slots.append(Slot(reg.kato, d.kato, code, lang, projects, sig, t1, t2 if arrived else None, over))
    return slots


# ------------------------------------------------------------------ writing
def region_folder(region_kato: str, on: str) -> str:
    r = next(x for x in reference.all_regions() if x.kato == region_kato and x.valid_on(reference.as_date(on)))
    return f"{r.kato}-{slug(r.name_en)}"


def krm2_name(district: str, programme: str, suffix: str = "") -> str:
    return f"KRM-2_{district}_{programme}{suffix}.xlsx"


def krm1_name(district: str, programme: str) -> str:
    return f"KRM-1_{district}_{programme}.xlsx"


def _header(spec, slot: Slot, period: str, lang: str, district=None) -> dict:
    reg = next(r for r in reference.regions(period if len(period) == 7 else f"{period}-01")
               if r.kato == slot.region)
    d = district or next(x for x in reference.districts(slot.region, period) if x.kato == slot.district)
    h = {"region": reg.name(lang), "district": reference.district_label(d, lang), "period": period,
         "programme": reference.programme(slot.programme, period).name(lang)}
    if spec.header_field("basis") is not None:
        h["basis"] = "cumulative"
    return h


def krm2_rows(projects: list[Project], lang: str) -> list[dict]:
    acts = {a.code: a for a in reference.activities()}
    return [{"bin": p.bin, "activity": acts[p.activity].label(lang), "project": p.name(lang), "start": p.start,
             "end": p.end, "plan": p.plan, "fact": p.fact, "allocated": p.allocated, "disbursed": p.disbursed,
             "enterprise": p.enterprise} for p in projects]


def krm1_rows(projects: list[Project], lang: str) -> list[dict]:
    return [{"project": p.name(lang), "start": p.start, "end": p.end, "rb": p.rb, "lb": p.lb, "total": p.plan,
             f"act{p.activity}": p.plan} for p in projects]


def _write(path: Path, spec, lang: str, header: dict, rows: list[dict], signature: dict, when: dt.datetime,
           force: bool) -> Path:
    from krm.workbook.writer import atomic_write, write_form

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: write_form(tmp, spec, lang, header=header, rows=rows, signature=signature,
                                              spare_rows=SPARE_ROWS, doc_time=when), force=force)
    return path


SPARE_ROWS = 3  # a few empty input rows, as a real filled template has


def _fault_plan(slots: list[Slot], n: int, seed: int, month_end: dt.date) -> list[tuple[str, Slot]]:
    """Pick n (kind, slot) pairs: kinds cycle through FAULT_KINDS, slots are arrived, non-overfulfilled ones."""
    rng = _stream(seed, "faults")
    pool = [s for s in slots if s.krm2_time is not None and not s.overfulfilled
            and len(s.month_projects(month_end)) >= 2]
    rng.shuffle(pool)
    out = []
    used_regions: set[str] = set()
    for i in range(n):
        kind = FAULT_KINDS[i % len(FAULT_KINDS)]
        # spread faults over regions; a wrong-year district where the region has one
        ok = (lambda s: s.region in new_districts(month_end)) if kind == "district-not-valid-for-period" else None
        cand = (next((s for s in pool if ok and ok(s) and s.region not in used_regions), None)
                or next((s for s in pool if s.region not in used_regions), None) or (pool[0] if pool else None))
        if cand is None:
            break
        pool.remove(cand)
        used_regions.add(cand.region)
        out.append((kind, cand))
    return out


def generate(out: str | Path, month: str = "2019-05", seed: int = DEFAULT_SEED, faulty: int = 0,
             force: bool = False, krm1: bool = True, progress=None,
             regions: list[str] | None = None) -> SampleResult:
    """Write the sample month (and the year's KRM-1 plans) under ``out``. Returns what was written.

    Raises FileExistsError when a file would be overwritten without ``force``.
    """
    first, month_end = month_bounds(month)
    year = str(first.year)
    out = Path(out)
    slots = plan_month(month, seed, regions)
    faults = _fault_plan(slots, faulty, seed, month_end) if faulty else []
    codes = fault_codes()
    res = SampleResult(out=out, month=month, seed=seed)
    mdir, ydir = out / month, out / year

    # refuse before writing anything if something would be overwritten
    planned = [mdir / region_folder(s.region, month) / krm2_name(s.district, s.programme)
               for s in slots if s.krm2_time is not None]
    if krm1:
        planned += [ydir / region_folder(s.region, month) / krm1_name(s.district, s.programme) for s in slots]
    planned += [mdir / "faulty.json", mdir / "samples.json"]
    if not force:
        clash = next((p for p in planned if p.exists()), None)
        if clash is not None:
            raise FileExistsError(str(clash))
    else:
        _remove_stale(mdir, ydir)

    faulty_slots = {id(s): kind for kind, s in faults}
    ghosts: set[str] = set()
    k2, k1 = forms.get("KRM-2"), forms.get("KRM-1")
    total = len(slots) * (2 if krm1 else 1)
    done = 0
    for s in slots:
        folder = region_folder(s.region, month)
        if krm1:
            p = _write(ydir / folder / krm1_name(s.district, s.programme), k1, s.lang,
                       _header(k1, s, year, s.lang), krm1_rows(s.projects, s.lang), s.signature, s.krm1_time, force)
            res.krm1.append(p)
        done += 1
        if s.krm2_time is None:
            res.missing.append(f"{s.district}/{s.programme}")
        elif id(s) in faulty_slots:
            faults_written, paths = _write_fault(faulty_slots[id(s)], s, mdir, month, seed, codes, force, ghosts)
            res.faulty += faults_written
            res.krm2 += paths
        else:
            rows = krm2_rows(s.month_projects(month_end), s.lang)
            p = _write(mdir / folder / krm2_name(s.district, s.programme), k2, s.lang, _header(k2, s, month, s.lang),
                       rows, s.signature, s.krm2_time, force)
            res.krm2.append(p)
        done += 1
        if progress:
            progress(done, total)
    _write_manifests(res, slots, mdir, force)
    return res


def fault_codes() -> dict[str, str | None]:
    """Intended finding code per fault kind, from krm/catalogue.py (by the check's title)."""
    try:
        from krm.catalogue import CATALOGUE
    except ImportError:
        return {k: None for k in FAULT_KINDS}
    by_title = {c.title: code for code, c in CATALOGUE.items()}
    out: dict[str, str | None] = {}
    for kind in FAULT_KINDS:
        out[kind] = None
        for title in FAULT_TITLES.get(kind, ()):
            if title in by_title:
                out[kind] = by_title[title]
                break
    return out


# fault kind -> catalogue titles that name it (first found wins)
FAULT_TITLES: dict[str, tuple[str, ...]] = {
    "bad-bin-check-digit": ("id-check-digit",),
    "disbursed-above-allocated": ("disbursed-above-allocated",),
    "missing-activity": ("required-missing",),
    "text-in-number-cell": ("not-a-number",),
    "duplicate-submission": ("duplicate-submission", "duplicate-submitter"),
    "district-not-valid-for-period": ("district-not-valid-then",),
    "end-before-start": ("start-after-end",),
    "negative-number": ("negative",),
    "unknown-activity": ("activity-unknown",),
    "missing-project-name": ("required-missing",),
    "bad-date": ("bad-date",),
}


def _write_fault(kind: str, s: Slot, mdir: Path, month: str, seed: int, codes: dict,
                 force: bool, ghosts: set[str] | None = None) -> tuple[list[Fault], list[Path]]:
    """Write the slot's KRM-2 with one realistic mistake; returns the fault record(s) and the files written."""
    from krm.workbook.writer import layout

    k2 = forms.get("KRM-2")
    _, month_end = month_bounds(month)
    rng = _stream(seed, "fault", s.district, s.programme)
    folder = region_folder(s.region, month)
    projects = s.month_projects(month_end)
    rows = krm2_rows(projects, s.lang)
    header = _header(k2, s, month, s.lang)
    i = rng.randrange(len(rows))
    lay = layout(k2, reference.as_date(month), len(rows) + SPARE_ROWS)
    colidx = {c.key: n for n, c in enumerate(lay.columns)}

    def cell(key: str) -> str:
        from krm.workbook.writer import a1

        return a1(lay.first_data_row + i, colidx[key])

    rel = f"{folder}/{krm2_name(s.district, s.programme)}"
    if kind == "bad-bin-check-digit":
        rows[i]["bin"] = wrong_check_digit(rows[i]["bin"])
        at, note = cell("bin"), "12th digit of the BIN/IIN does not match its check digit"
    elif kind == "disbursed-above-allocated":
        rows[i]["disbursed"] = _q(float(rows[i]["allocated"]) * 1.35 + 0.5)
        at, note = cell("disbursed"), "disbursed (col 9) above allocated (col 8)"
    elif kind == "missing-activity":
        rows[i]["activity"] = None
        at, note = cell("activity"), "the activity (col 3) of a project row is blank"
    elif kind == "text-in-number-cell":
        rows[i]["fact"] = f"{rows[i]['fact']} адам" if s.lang == "kk" else f"{rows[i]['fact']} чел."
        at, note = cell("fact"), "jobs fact (col 7) written as text with a unit"
    elif kind == "end-before-start":
        rows[i]["end"] = rows[i]["start"] - dt.timedelta(days=rng.randint(30, 300))
        at, note = cell("start"), "implementation period ends (col 5, end) before it starts"
    elif kind == "negative-number":
        rows[i]["disbursed"] = -rows[i]["disbursed"] if rows[i]["disbursed"] else Decimal("-1.5")
        at, note = cell("disbursed"), "a negative disbursed sum (a refund typed with a minus)"
    elif kind == "missing-project-name":
        rows[i]["project"] = None
        at, note = cell("project"), "the project name (col 4) is blank"
    elif kind == "unknown-activity":
        rows[i]["activity"] = "10. туризм" if s.lang == "kk" else "10. туризм и отдых"
        at, note = cell("activity"), "an activity group that is not one of the nine"
    elif kind == "bad-date":
        rows[i]["start"] = f"31.06.{rows[i]['start'].year}"
        at, note = cell("start"), "a start date that does not exist (31 June), typed as text"
    elif kind == "district-not-valid-for-period":
        # the slot's own clean KRM-2, and an extra workbook for a district that did not exist that year
        clean = _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
        f = _fault_wrong_district(s, mdir, month, seed, codes, force, ghosts if ghosts is not None else set())
        return [f], [clean, mdir / f.file]
    elif kind == "duplicate-submission":
        # the clean submission, and the same district/programme/period sent again with corrected figures
        _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
        rows2 = [dict(r) for r in rows]
        rows2[i]["fact"] = rows2[i]["fact"] + 1 if rows2[i]["fact"] < rows2[i]["plan"] else rows2[i]["fact"]
        rel2 = f"{folder}/{krm2_name(s.district, s.programme, '_resent')}"
        _write(mdir / rel2, k2, s.lang, header, rows2, s.signature, s.krm2_time + dt.timedelta(days=2, hours=1),
               force)
        return [Fault(kind, rel2, codes.get(kind), "aggregate", None,
                      "same district, programme and period as the file in duplicate_of (a resubmission)",
                      duplicate_of=rel, aggregate="conflict")], [mdir / rel, mdir / rel2]
    else:  # pragma: no cover - FAULT_KINDS is closed
        raise ValueError(kind)
    _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
    return [Fault(kind, rel, codes.get(kind), "file", at, note)], [mdir / rel]


# a district code that only exists in the current (2022+) set: Kosshy became a city of oblast significance in
# Akmola Region later; the 2019 set has no such unit (used when the slot's region has no such district)
WRONG_YEAR_DISTRICT = "111600000"


def new_districts(on: dt.date) -> dict[str, list]:
    """Region -> districts of another KATO set (the current one for 2019) whose code is not in the set
    valid on ``on``: a district that did not exist then."""
    valid = {d.kato for d in reference.districts(None, on)}
    regions_then = {r.kato for r in reference.regions(on)}
    this_set = reference.district_set(on)
    out: dict[str, list] = {}
    for d in reference._all_districts():
        if d.set != this_set and d.kato not in valid and d.region_kato in regions_then:
            out.setdefault(d.region_kato, []).append(d)
    return out


def _fault_wrong_district(s: Slot, mdir: Path, month: str, seed: int, codes: dict, force: bool,
                          ghosts: set[str]) -> Fault:
    """An extra workbook for a district that does not exist in that year (the current-set list was used).

    ``ghosts``: the districts already given such a workbook in this run (each fault gets its own).
    """
    k2 = forms.get("KRM-2")
    _, month_end = month_bounds(month)
    others = new_districts(month_end)
    cands = others.get(s.region) or others.get("11") or next(iter(others.values()))
    d = next((x for x in cands if x.kato == WRONG_YEAR_DISTRICT), cands[0])
    if d.kato in ghosts:  # many faults of this kind: the next unused district of the newer list
        free = [x for xs in [cands] + [others[k] for k in sorted(others)] for x in xs if x.kato not in ghosts]
        if free:
            d = free[0]
    ghosts.add(d.kato)
    reg = d.region_kato
    rng = _stream(seed, "fault", d.kato)
    lang = s.lang
    projects, _ = _projects(rng, "DKB2020", reg, month_end.year, month_end, lang)
    projects = [p for p in projects if p.start <= month_end and p.fact <= p.plan] or projects[:1]
    ghost = Slot(reg, d.kato, "DKB2020", lang, projects,
                 {"executor": _person(rng, lang), "phone": _phone(rng, reg), "head": _person(rng, lang),
                  "email": f"dkb2020.{slug(d.name_en).lower()}@akimat.example.kz"},
                 s.krm1_time, s.krm2_time)
    header = _header(k2, ghost, month, lang, district=d)
    rel = f"{region_folder(reg, month)}/{krm2_name(d.kato, 'DKB2020')}"
    _write(mdir / rel, k2, lang, header, krm2_rows(projects, lang), ghost.signature, s.krm2_time, force)
    from krm.workbook.writer import a1, layout

    lay = layout(k2, reference.as_date(month), 1)
    return Fault("district-not-valid-for-period", rel, codes.get("district-not-valid-for-period"), "file",
                 a1(lay.header_rows["district"], lay.value_col),
                 f"district {d.name_ru} ({d.kato}) is in the {d.set} KATO list, not in the one valid in {month}")


def _write_manifests(res: SampleResult, slots: list[Slot], mdir: Path, force: bool) -> None:
    from krm.workbook.writer import atomic_write

    mdir.mkdir(parents=True, exist_ok=True)
    faulty = {
        "month": res.month, "seed": res.seed, "generator": GENERATOR_VERSION,
        "about": "Workbooks written with one intended mistake each. scope=file: `krm validate FILE` gives exactly "
                 "this finding code (and no other); scope=aggregate: the file is clean on its own, the conflict "
                 "shows when the month is rolled up. Every other workbook validates without errors.",
        "files": {f.file: {k: v for k, v in asdict(f).items() if k != "file"} for f in res.faulty},
    }
    rel = lambda p: p.relative_to(res.out).as_posix()  # noqa: E731
    summary = {
        "month": res.month, "seed": res.seed, "generator": GENERATOR_VERSION,
        "command": f"krm samples --month {res.month} --out DIR --seed {res.seed} --faulty {len(res.faulty)}",
        "krm1": sorted(rel(p) for p in res.krm1), "krm2": sorted(rel(p) for p in res.krm2),
        "missing_krm2": sorted(res.missing),
        "slots": len(slots),
    }
    for name, obj in (("faulty.json", faulty), ("samples.json", summary)):
        text = json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(mdir / name, lambda tmp, t=text: Path(tmp).write_text(t, encoding="utf-8"), force=force)


def _remove_stale(mdir: Path, ydir: Path) -> None:
    """With --force: remove the workbooks a previous `krm samples` run listed (never anything else)."""
    man = mdir / "samples.json"
    if not man.is_file():
        return
    try:
        old = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    root = mdir.parent
    for relp in list(old.get("krm1", [])) + list(old.get("krm2", [])):
        p = (root / relp).resolve()
        if root.resolve() in p.parents and p.suffix == ".xlsx" and p.is_file():
            p.unlink()
    for d in (mdir, ydir):
        if d.is_dir():
            for sub in sorted(d.iterdir()):
                if sub.is_dir() and not any(sub.iterdir()):
                    shutil.rmtree(sub)


def digest(paths: list[Path]) -> str:
    """sha256 over the files' bytes in order (for the determinism test and the README)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()
