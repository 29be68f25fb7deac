"""The reporting calendar of the Rules (Order No. 189 of 2019), with Kazakhstan's working days.

Two ways to ask:

* :func:`deadlines` ``(month="2019-05")`` — every deadline that falls **due in** that calendar
  month (what an official has to do this month), or ``(year=2019)`` — every deadline due in
  that year.  Each deadline names the reporting period it concerns.
* :func:`deadlines_for_period` ``("2019-05")`` — every deadline **of** one reporting period
  (the May report: KRM-2 by 5 June … KRM-6/7 by 30 June); ``("2020")`` for a plan year.

Decisions (docs/calendar.md):

* The Rules say "not later than": the due date stays the calendar date; when it is a day off,
  :attr:`Deadline.last_working_day` is the last working day on or before it (the day to act).
* "by the 30th" in a month without a 30th (February) is the last day of that month.
* The correction windows (Rule 9: return within 1 working day of finding an error; Rule 10:
  correct within 2 working days of the return) are dated for the latest case: the error found
  on the last working day of the reconciliation deadline.
* "the first quarter of the next year" (Rule 15) is dated 31 March.
* Working days: the ``holidays`` package, country KZ, including transferred days off and
  working weekend days (``weekend_workdays``).
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from krm.spec import T, Text


# ------------------------------------------------------------------ working days
#: krm's languages -> the ``holidays`` package's for KZ (it has kk, en_US and uk, no Russian: Russian names come
#: from krm/data/holidays-kz.ru.csv, translated from the package's English ones)
HOLIDAY_LANGUAGES = {"kk": "kk", "ru": "en_US", "en": "en_US"}
WEEKEND = T("демалыс күні", "выходной", "weekend")


@lru_cache(maxsize=64)
def _kz(year: int, language: str = "kk"):
    import holidays

    return holidays.country_holidays("KZ", years=range(year - 1, year + 2), language=language)


@lru_cache(maxsize=1)
def _ru_names() -> tuple[dict[str, str], list[tuple[re.Pattern, str]]]:
    """The Russian names: exact ones, and patterns ("{name} (observed)", "Day off (substituted from {date})")."""
    from krm.reference import _rows

    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern, str]] = []
    for row in _rows("holidays-kz.ru.csv"):
        en, ru = row["en_US"], row["ru"]
        if "{" not in en:
            exact[en] = ru
            continue
        rx = re.escape(en).replace(r"\{name\}", "(?P<name>.+)").replace(r"\{date\}", r"(?P<date>\d\d/\d\d/\d{4})")
        patterns.append((re.compile(rx + "$"), ru))
    return exact, patterns


def russian_holiday_name(en: str) -> str | None:
    """The Russian name of a KZ holiday from its English name in ``holidays`` (None if the table lacks it)."""
    exact, patterns = _ru_names()
    if en in exact:
        return exact[en]
    for rx, ru in patterns:
        m = rx.match(en)
        if m is None:
            continue
        parts = m.groupdict()
        if "name" in parts:
            inner = russian_holiday_name(parts["name"])
            if inner is None:
                return None
            parts["name"] = inner
        if "date" in parts:  # 05/04/2019 (month/day/year in the package's English) -> 04.05.2019
            mm, dd, yyyy = parts["date"].split("/")
            parts["date"] = f"{dd}.{mm}.{yyyy}"
        return ru.format(**parts)
    return None


def holiday_name(day: dt.date, lang: str = "kk") -> str | None:
    """The public holiday or day off on ``day`` in ``lang`` (kk, ru, en; see :data:`HOLIDAY_LANGUAGES`), or None.

    A name the Russian table lacks (a holiday added by a newer ``holidays`` release) is given in Kazakh, the
    state language, rather than in English."""
    name = _kz(day.year, HOLIDAY_LANGUAGES.get(lang, "kk")).get(day)
    if name is None or lang != "ru":
        return name
    return russian_holiday_name(name) or _kz(day.year, "kk").get(day)


def is_working_day(day: dt.date) -> bool:
    """Mon-Fri that is not a public holiday or transferred day off, or a working Saturday/Sunday."""
    cal = _kz(day.year)
    if day.weekday() >= 5:
        return day in cal.weekend_workdays
    return day not in cal


def last_working_day(day: dt.date) -> dt.date:
    """``day`` itself if it is a working day, else the last working day before it."""
    d = day
    while not is_working_day(d):
        d -= dt.timedelta(days=1)
    return d


def working_days_after(day: dt.date, n: int) -> dt.date:
    """The n-th working day after ``day`` (``day`` itself not counted); n=0 gives ``day``."""
    if n < 0:
        raise ValueError("n must be >= 0")
    d = day
    while n > 0:
        d += dt.timedelta(days=1)
        if is_working_day(d):
            n -= 1
    return d


# ------------------------------------------------------------------ the deadlines
@dataclass(frozen=True)
class Deadline:
    key: str  # stable id of the rule's step, e.g. "KRM-2", "KRM-2-reconcile"
    form: str | None  # "KRM-2" … or None for notes
    step: str  # submit | reconcile | return | correct | note | summary | publish
    period: str  # the reporting period it concerns: "2019-04", "2019-Q1", "2020" (plan year), "2018" (year)
    due: dt.date  # the calendar date the Rules give
    last_working_day: dt.date  # due, or the last working day before it
    rule: str
    title: Text
    who: Text
    to: Text | None = None

    @property
    def moved(self) -> bool:
        return self.last_working_day != self.due

    @property
    def uid(self) -> str:
        return f"{self.key}-{self.period}-{self.due:%Y%m%d}@krm.calendar"

    def to_dict(self, lang: str = "en") -> dict:
        return {
            "key": self.key, "form": self.form, "step": self.step, "period": self.period,
            "due": self.due.isoformat(), "due_weekday": self.due.strftime("%a"),
            "last_working_day": self.last_working_day.isoformat(), "moved": self.moved,
            "day_off": holiday_name(self.due, lang) or (WEEKEND(lang) if self.moved else None),
            "rule": self.rule, "title": self.title(lang), "who": self.who(lang),
            "to": self.to(lang) if self.to else None,
        }


ADMIN = T("бағдарлама әкімшісі (аудан / қала әкімдігі)", "администратор программы (акимат района / города)",
          "programme administrator (district / city akimat)")
ENTERPRISES = T("кәсіпорындар → бағдарлама әкімшісі", "предприятия → администратор программы",
                "enterprises → programme administrator")
REGION = T("облыс / республикалық маңызы бар қала / астана әкімдігі",
           "акимат области / города республиканского значения / столицы",
           "oblast / city akimat")
CENTRAL = T("орталық мемлекеттік орган", "центральный государственный орган", "central state body")
LRDC = T("Еңбек ресурстарын дамыту орталығы", "Центр развития трудовых ресурсов",
         "Labour Resources Development Centre")
AUTH = T("халықты жұмыспен қамту жөніндегі уәкілетті орган", "уполномоченный орган по вопросам занятости",
         "authorised body for employment")


@dataclass(frozen=True)
class _Rule:
    key: str
    form: str | None
    step: str
    day: int  # day of the month (30 = "by the 30th": last day of a shorter month)
    rule: str
    title: Text
    who: Text
    to: Text | None = None


# monthly steps: day N of the month after the reporting month
MONTHLY = (
    _Rule("KRM-2", "KRM-2", "submit", 5, "8",
          T("КРМ-2: құрылған жұмыс орындары туралы мәліметтер", "КРМ-2: сведения о созданных рабочих местах",
            "KRM-2: jobs created at enterprises"), ENTERPRISES, ADMIN),
    _Rule("KRM-2-reconcile", "KRM-2", "reconcile", 10, "9.2",
          T("КРМ-2 деректерін салыстыру және ЭЦҚ-мен растау", "Сверка данных КРМ-2 и подтверждение ЭЦП",
            "Reconcile KRM-2 and confirm with a digital signature"), REGION),
    _Rule("KRM-3", "KRM-3", "submit", 15, "11",
          T("КРМ-3: экономикалық қызмет түрлері бойынша мәліметтер", "КРМ-3: сведения по видам экономической "
            "деятельности", "KRM-3: job creation by economic activity"), REGION, CENTRAL),
    _Rule("note-monthly", None, "note", 15, "12.3",
          T("Жоспар мен факт туралы талдамалық анықтама", "Аналитическая справка о плане и факте",
            "Analytical note on plan and fact"), CENTRAL, AUTH),
    _Rule("KRM-4", "KRM-4", "submit", 25, "12.2",
          T("КРМ-4: өңірлер бөлінісінде", "КРМ-4: в разрезе регионов", "KRM-4: by region"), CENTRAL, AUTH),
    _Rule("KRM-5", "KRM-5", "submit", 25, "12.2",
          T("КРМ-5: өңірлер мен қызмет түрлері бойынша", "КРМ-5: по регионам и видам деятельности",
            "KRM-5: by region and activity"), CENTRAL, AUTH),
    _Rule("KRM-6", "KRM-6", "submit", 30, "13",
          T("КРМ-6: өңірлер және республика бойынша нәтижелер", "КРМ-6: результаты по регионам и республике",
            "KRM-6: results by region and for the republic"), LRDC, AUTH),
    _Rule("KRM-7", "KRM-7", "submit", 30, "13",
          T("КРМ-7: экономикалық қызмет түрлері бойынша нәтижелер", "КРМ-7: результаты по видам деятельности",
            "KRM-7: results by economic activity"), LRDC, AUTH),
)
# yearly steps: day N of December of the year before the plan year (the period is the plan year)
YEARLY = (
    _Rule("KRM-1", "KRM-1", "submit", 5, "7",
          T("КРМ-1: алдағы жылға жоспарлы көрсеткіштер", "КРМ-1: плановые показатели на предстоящий год",
            "KRM-1: planned indicators for the coming year"), ADMIN,
          T("«Еңбек биржасы» интеграцияланған картасы", "интегрированная карта «Биржа труда»",
            "integrated job-creation map")),
    _Rule("KRM-1-reconcile", "KRM-1", "reconcile", 10, "9.1",
          T("КРМ-1 деректерін салыстыру", "Сверка данных КРМ-1", "Reconcile KRM-1"), REGION),
    _Rule("plan-summary", None, "summary", 25, "12.1",
          T("Облыстар және қызмет түрлері бойынша жоспарлардың жиынтығы",
            "Свод плановых показателей по областям и видам деятельности",
            "Annual plan summary by oblast and activity"), CENTRAL, AUTH),
)
RETURN = T("Қате деректерді түзетуге қайтару (1 жұмыс күні ішінде)",
           "Возврат неверных данных на доработку (в течение 1 рабочего дня)",
           "Return wrong data for correction (within 1 working day)")
CORRECT = T("Түзетілген деректерді қайта орналастыру (2 жұмыс күні ішінде)",
            "Исправление и повторное размещение данных (в течение 2 рабочих дней)",
            "Correct and re-post the data (within 2 working days of the return)")
QUARTERLY = T("Жұмыс орындарын құру жағдайы туралы тоқсандық талдамалық анықтама",
              "Квартальная аналитическая справка о ситуации с созданием рабочих мест",
              "Quarterly analytical note on job creation")
PUBLISH = T("Жылдық жалпыланған ақпарат", "Обобщенная годовая информация", "Generalised yearly information")


def _day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, _cal.monthrange(year, month)[1]))


def _make(key, form, step, period, due, rule, title, who, to=None) -> Deadline:
    return Deadline(key, form, step, period, due, last_working_day(due), rule, title, who, to)


def _windows(base: Deadline) -> list[Deadline]:
    """Rule 9/10 windows after a reconciliation deadline, dated for an error found on its last working day."""
    ret = working_days_after(base.last_working_day, 1)
    cor = working_days_after(ret, 2)
    form = base.form or ""
    return [_make(f"{form}-return", base.form, "return", base.period, ret, "9", RETURN, REGION, ADMIN),
            _make(f"{form}-correct", base.form, "correct", base.period, cor, "10", CORRECT, ADMIN, REGION)]


def _parse_period(period: str) -> tuple[int, int | None]:
    s = str(period).strip()
    if re.fullmatch(r"\d{4}", s):
        return int(s), None
    from krm.values import month_arg

    s = month_arg(s)
    return int(s[:4]), int(s[5:])


def deadlines_for_period(period: str) -> list[Deadline]:
    """Every deadline of one reporting period: a month "2019-05", or a plan year "2020" (KRM-1 and its steps,
    due in December of the year before, and the Rule 15 yearly information for that year, due next March)."""
    year, month = _parse_period(period)
    out: list[Deadline] = []
    if month is None:
        for r in YEARLY:
            d = _make(r.key, r.form, r.step, str(year), dt.date(year - 1, 12, r.day), r.rule, r.title, r.who, r.to)
            out.append(d)
            if r.step == "reconcile":
                out += _windows(d)
        out.append(_make("yearly-info", None, "publish", str(year), dt.date(year + 1, 3, 31), "15", PUBLISH, AUTH))
        return sorted(out, key=_order)
    ny, nm = (year + 1, 1) if month == 12 else (year, month + 1)
    p = f"{year}-{month:02d}"
    for r in MONTHLY:
        d = _make(r.key, r.form, r.step, p, _day(ny, nm, r.day), r.rule, r.title, r.who, r.to)
        out.append(d)
        if r.step == "reconcile":
            out += _windows(d)
    if month % 3 == 0:
        out.append(_make("note-quarterly", None, "note", f"{year}-Q{month // 3}", dt.date(ny, nm, 10), "14",
                         QUARTERLY, AUTH))
    return sorted(out, key=_order)


def _order(d: Deadline) -> tuple:
    return (d.due, d.period, d.key)


def deadlines(month: str | None = None, year: int | str | None = None) -> list[Deadline]:
    """Every deadline falling due in a calendar month ("2019-05") or a calendar year (2019), in date order."""
    if (month is None) == (year is None):
        raise ValueError("give exactly one of month (YYYY-MM) or year (YYYY)")
    if month is not None:
        from krm.values import month_arg

        y, m = _parse_period(month_arg(month))
        first = dt.date(y, m, 1)
        last = _day(y, m, 31)
    else:
        if not re.fullmatch(r"\d{4}", str(year).strip()):
            raise ValueError(f"year must be YYYY, not {year!r}")
        y = int(str(year).strip())
        first, last = dt.date(y, 1, 1), dt.date(y, 12, 31)
    periods: list[str] = []
    # monthly periods whose deadlines can fall in [first, last]: the month before each month in range
    d = dt.date(first.year, first.month, 1) - dt.timedelta(days=1)
    while d <= last:
        periods.append(f"{d.year}-{d.month:02d}")
        d = _day(d.year + (d.month == 12), d.month % 12 + 1, 1)
    periods += [str(first.year), str(first.year + 1), str(first.year - 1), str(last.year + 1)]
    seen: set[str] = set()
    out = []
    for p in periods:
        for dl in deadlines_for_period(p):
            if first <= dl.due <= last and dl.uid not in seen:
                seen.add(dl.uid)
                out.append(dl)
    return sorted(out, key=_order)


def form_due(form: str, period: str) -> dt.date:
    """The calendar due date of a form's submission for a reporting period (KRM-1: period = plan year)."""
    for d in deadlines_for_period(period):
        if d.key == form and d.step == "submit":
            return d.due
    raise ValueError(f"no deadline for {form} in period {period}")


# ------------------------------------------------------------------ iCalendar
ICS_STAMP = "20190101T000000Z"  # fixed DTSTAMP: the same list gives the same file


def _ics_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding: at most 75 octets per line, never inside a UTF-8 character."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with a space
        if size + n > limit:
            out.append(cur)
            cur, size = "", 0
        cur += ch
        size += n
    out.append(cur)
    return "\r\n ".join(out)


def to_ics(items: list[Deadline], lang: str = "ru", name: str = "KRM") -> str:
    """An iCalendar (RFC 5545) file: one all-day event per deadline, on the day to act (the last working day
    on or before the due date), with the legal due date in the description and a reminder the day before."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//krm//KRM calendar//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_escape(name)}", "X-WR-TIMEZONE:Asia/Almaty"]
    due_word = {"kk": "Мерзімі", "ru": "Срок", "en": "Due"}.get(lang, "Due")
    who_word = {"kk": "Кім", "ru": "Кто", "en": "Who"}.get(lang, "Who")
    per_word = {"kk": "Кезең", "ru": "Период", "en": "Period"}.get(lang, "Period")
    rule_word = {"kk": "Қағида", "ru": "Правило", "en": "Rule"}.get(lang, "Rule")
    moved_word = {"kk": "демалыс күні; соңғы жұмыс күні", "ru": "выходной; последний рабочий день",
                  "en": "a day off; last working day"}.get(lang, "a day off; last working day")
    for d in items:
        day = d.last_working_day
        desc = [f"{due_word}: {d.due.isoformat()}" + (f" ({moved_word} {day.isoformat()})" if d.moved else ""),
                f"{who_word}: {d.who(lang)}", f"{per_word}: {d.period}", f"{rule_word} {d.rule}"]
        summary = f"{d.title(lang)} [{d.period}]"
        lines += [
            "BEGIN:VEVENT", f"UID:{d.uid}", f"DTSTAMP:{ICS_STAMP}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_escape(summary)}", f"DESCRIPTION:{_ics_escape(chr(10).join(desc))}",
            f"CATEGORIES:KRM,{_ics_escape(d.form or d.step)}", "TRANSP:TRANSPARENT", "STATUS:CONFIRMED",
            "BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_ics_escape(summary)}", "TRIGGER:-P1D", "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(x) + "\r\n" for x in lines)
