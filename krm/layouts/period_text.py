"""Periods written as words or numbers, as offices type them in the annex's layout.

* the reporting period inside a header line: "Есепті кезең: 2019 жылғы мамыр", "май 2019 г.",
  "05.2019", "2019-05", "2019 жылғы мамыр есепті кезең" (:func:`reporting_periods`);
* a project's implementation period in the annex's single column 5: "2019-2020",
  "01.03.2019 – 31.12.2020", "наурыз 2019 – желтоқсан 2020", "03.2019-12.2020" (:func:`implementation`).

Nothing is guessed: a text with no period, or with two different ones, gives no answer and the caller
reports it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from krm.values import MONTHS

_WORDS = tuple(sorted((m for m in MONTHS if len(m) > 3 or m in ("май", "мая")), key=len, reverse=True))
_MONTH = "|".join(map(re.escape, _WORDS))
_YW = r"(?:\s*(?:жылғы|жылдың|жылы|жыл|ж\.?|года|год|г\.?))?"
# one period token; the alternatives are tried in this order at each position
_TOKEN = re.compile(
    rf"(?P<dmy>\b(?P<d1>\d{{1,2}})[./](?P<m1>\d{{1,2}})[./](?P<y1>\d{{4}})\b)"
    rf"|(?P<iso>\b(?P<y2>\d{{4}})-(?P<m2>\d{{1,2}})-(?P<d2>\d{{1,2}})\b)"
    rf"|(?P<ym>\b(?P<y3>\d{{4}})[-./](?P<m3>\d{{1,2}})\b(?![-./]\d))"
    rf"|(?P<my>\b(?P<m4>\d{{1,2}})[./](?P<y4>\d{{4}})\b)"
    rf"|(?P<yw>\b(?P<y5>\d{{4}}){_YW}\s*(?P<w5>{_MONTH})[а-яәіңғүұқөһa-z]*)"
    rf"|(?P<wy>\b(?P<w6>{_MONTH})[а-яәіңғүұқөһa-z]*\s*(?P<y6>\d{{4}}))"
    rf"|(?P<y>\b(?P<y7>\d{{4}})\b)",
    re.I)


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFC", text).casefold().replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


def _month_of(word: str) -> int | None:
    for m in _WORDS:
        if word.startswith(m):
            return MONTHS[m]
    return None


def _ok(y: int) -> bool:
    return 1990 <= y <= 2200


def tokens(text: str) -> list[tuple[str, int, int | None, int | None]]:
    """The period tokens of a text in order: (kind, year, month or None, day or None)."""
    out = []
    for m in _TOKEN.finditer(_clean(text)):
        g = m.groupdict()
        if g["dmy"]:
            out.append(("day", int(g["y1"]), int(g["m1"]), int(g["d1"])))
        elif g["iso"]:
            out.append(("day", int(g["y2"]), int(g["m2"]), int(g["d2"])))
        elif g["ym"]:
            out.append(("month", int(g["y3"]), int(g["m3"]), None))
        elif g["my"]:
            out.append(("month", int(g["y4"]), int(g["m4"]), None))
        elif g["yw"]:
            out.append(("month", int(g["y5"]), _month_of(g["w5"]), None))
        elif g["wy"]:
            out.append(("month", int(g["y6"]), _month_of(g["w6"]), None))
        else:
            out.append(("year", int(g["y7"]), None, None))
    return out


def _valid(t) -> bool:
    kind, y, m, d = t
    if not _ok(y) or (m is not None and not 1 <= m <= 12):
        return False
    if d is not None:
        try:
            dt.date(y, m, d)
        except ValueError:
            return False
    return True


def reporting_periods(text: str, kind: str = "month") -> list[str]:
    """The distinct reporting periods a header line names ("YYYY-MM", or "YYYY" for kind="year")."""
    out: list[str] = []
    for t in tokens(text):
        if not _valid(t):
            continue
        _, y, m, _d = t
        if kind == "year":
            p = f"{y:04d}"
        elif m is None:
            continue
        else:
            p = f"{y:04d}-{m:02d}"
        if p not in out:
            out.append(p)
    return out


def _bounds(t) -> tuple[dt.date, dt.date]:
    kind, y, m, d = t
    if kind == "day":
        day = dt.date(y, m, d)
        return day, day
    if kind == "month":
        return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def implementation(value) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) of a period written in one cell; (None, None) when it cannot be read for sure.

    Two periods give the first one's first day and the second one's last day; a single year or month
    gives its first and last day.  A lone date cannot tell start from end: it is not read.
    """
    if isinstance(value, (dt.date, dt.datetime)) or not isinstance(value, (str, int, float)):
        return None, None
    if isinstance(value, float):
        if not value.is_integer():
            return None, None
        value = int(value)
    text = str(value)
    ts = tokens(text)
    if not ts or len(ts) > 2 or not all(_valid(t) for t in ts):
        return None, None
    rest = _TOKEN.sub(" ", _clean(text))
    rest = re.sub(r"\b(?:жылғы|жылдың|жылы|жыл|жж|ж|годы|года|год|гг|г|бастап|дейін|бері|с|по|до|from|to)\b\.?",
                  " ", rest)
    if re.search(r"[^\s\-–—.,/:()]", rest):
        return None, None  # words beside the dates: not a plain period
    if len(ts) == 1:
        if ts[0][0] == "day":
            return None, None
        return _bounds(ts[0])
    return _bounds(ts[0])[0], _bounds(ts[1])[1]
