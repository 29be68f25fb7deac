"""Pure parsing of cell values as python-calamine (or openpyxl) returns them.

Every parser returns ``(value, note)``:

* ``note is None``   - the cell held a proper value of the right type (or was blank);
* ``"text-number"``  - the cell held text that reads as the value ("1 234,5", "12.0",
  "01.05.2019"): the value is returned, and validation reports a warning;
* ``"invalid"``      - the cell cannot be read as that type; the value is ``None``.

Blank cells (``None``, ``""``, only whitespace) give ``(None, None)``: what a blank
*means* (zero, or missing) is decided by the rules, not here (``docs/validate.md``).

Number text is read in the formats analysts type in Kazakh, Russian and English
locales: spaces (also no-break and thin spaces) or apostrophes as thousands
separators, a comma or a point as the decimal separator ("1 234,5", "1234.5",
"1,234.5", "1.234,5"), a Unicode minus.  A single comma is a *decimal* comma
("1,234" is 1.234), as in the kk/ru locales of Excel; two or more commas are
thousands separators ("1,234,567").
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

TEXT = "text-number"
INVALID = "invalid"

_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f'’]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})
_PLAIN = re.compile(r"[+-]?\d+")
_THOUSANDS_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3}){2,}(\.\d+)?")  # 1,234,567(.5)
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3}){2,}(,\d+)?")  # 1.234.567(,5)
_COMMA_POINT = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+")  # 1,234.5
_POINT_COMMA = re.compile(r"[+-]?\d{1,3}(\.\d{3})+,\d+")  # 1.234,5
_DECIMAL = re.compile(r"[+-]?(\d+)?[.,]\d+|[+-]?\d+[.,]")  # 1234.5 / 1234,5 / ,5 / 12.


def is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def number_text(s: str) -> Decimal | None:
    """The number written in ``s`` in a ru/kk/en locale format, else None."""
    t = _SPACES.sub("", s.translate(_MINUS))
    if not t or len(t) > 40:
        return None
    if _PLAIN.fullmatch(t):
        norm = t
    elif _THOUSANDS_COMMA.fullmatch(t) or _COMMA_POINT.fullmatch(t):
        norm = t.replace(",", "")
    elif _THOUSANDS_DOT.fullmatch(t) or _POINT_COMMA.fullmatch(t):
        norm = t.replace(".", "").replace(",", ".")
    elif _DECIMAL.fullmatch(t):
        norm = t.replace(",", ".")
        if norm.endswith("."):
            norm = norm[:-1]
        if norm.startswith((".", "+.", "-.")):
            norm = norm.replace(".", "0.", 1)
    else:
        return None
    try:
        d = Decimal(norm)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _decimal(v: object) -> tuple[Decimal | None, str | None]:
    """Any cell value as an exact Decimal (floats by their shortest repr: 0.1 -> 0.1)."""
    if type(v) is float and v - v == 0:  # the common case first: a finite float
        return Decimal(repr(v)), None
    if is_blank(v):
        return None, None
    if isinstance(v, bool):
        return None, INVALID
    if isinstance(v, int):
        return Decimal(v), None
    if isinstance(v, float):
        if not math.isfinite(v):
            return None, INVALID
        return Decimal(repr(v)), None
    if isinstance(v, Decimal):
        return (v, None) if v.is_finite() else (None, INVALID)
    if isinstance(v, str):
        d = number_text(v)
        return (d, TEXT) if d is not None else (None, INVALID)
    return None, INVALID  # dates, times, errors ...


def parse_money(v: object) -> tuple[Decimal | None, str | None]:
    """A sum (million tenge) as an exact Decimal; sign and decimals are checked by the rules."""
    return _decimal(v)


FLOAT_EXACT = 2.0 ** 53  # below this every whole float is exact, and so is its repr


def parse_int(v: object) -> tuple[int | None, str | None]:
    """A whole number (jobs, project counts). ``2.5`` -> invalid; ``12.0`` and ``"12,0"`` -> 12."""
    t = type(v)
    if t is int:
        return v, None
    if t is float and -FLOAT_EXACT < v < FLOAT_EXACT:  # whole here <=> whole by its repr: no Decimal needed
        return (int(v), None) if v.is_integer() else (None, INVALID)
    d, note = _decimal(v)
    if d is None:
        return None, note
    if d != d.to_integral_value():
        return None, INVALID
    return int(d), note


def decimals(d: Decimal) -> int:
    """Number of significant decimals of a Decimal (1.500 -> 1)."""
    exp = d.as_tuple().exponent
    if isinstance(exp, int) and exp >= 0:
        return 0  # normalising only removes trailing zeros: cannot add decimals
    d = d.normalize()
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


# ------------------------------------------------------------------ dates
EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DMY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s*(?:ж\.?|г\.?|жыл|год)?)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def _mkdate(y: int, m: int, d: int) -> dt.date | None:
    try:
        day = dt.date(y, m, d)
    except ValueError:
        return None
    return day if 1900 <= y <= 2200 else None


def excel_serial(v: float) -> dt.date | None:
    """An Excel 1900-system serial number as a date (only for plausible dates 1950-2200)."""
    if not math.isfinite(v):
        return None
    if not (18264 <= v <= 110_575):  # 1950-01-01 … 2202-09-27
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(v))


#: the first day an Excel date serial means without doubt: serial 60 is 29.02.1900, a day that never was
#: (Excel's 1900 leap-year bug; readers differ on serials 1-60), a NaN serial reads as 30.12.1899
FIRST_DATE = dt.date(1900, 3, 1)


def parse_date(v: object) -> tuple[dt.date | None, str | None]:
    """A date: a date cell, an Excel serial number, or text "2019-05-01" / "01.05.2019" (day first).
    A date cell before :data:`FIRST_DATE` is invalid (a serial of 60 or less, or NaN)."""
    t = type(v)
    if t is dt.date:
        return (v, None) if v >= FIRST_DATE else (None, INVALID)
    if t is dt.datetime:
        return (v.date(), None) if v.date() >= FIRST_DATE else (None, INVALID)
    if is_blank(v):
        return None, None
    if isinstance(v, dt.datetime):
        return (v.date(), None) if v.date() >= FIRST_DATE else (None, INVALID)
    if isinstance(v, dt.date):
        return (v, None) if v >= FIRST_DATE else (None, INVALID)
    if isinstance(v, bool):
        return None, INVALID
    if isinstance(v, (int, float)):
        d = excel_serial(float(v))
        return (d, None) if d else (None, INVALID)
    if isinstance(v, str):
        s = v.strip()
        m = _ISO.fullmatch(s)
        if m:
            d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return (d, TEXT) if d else (None, INVALID)
        m = _DMY.fullmatch(s)
        if m:
            d = _mkdate(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            return (d, TEXT) if d else (None, INVALID)
        return None, INVALID
    return None, INVALID


# ------------------------------------------------------------------ periods
MONTHS: dict[str, int] = {}
for _i, _names in enumerate((
    ("қаңтар", "январь", "января", "january", "jan"),
    ("ақпан", "февраль", "февраля", "february", "feb"),
    ("наурыз", "март", "марта", "march", "mar"),
    ("сәуір", "апрель", "апреля", "april", "apr"),
    ("мамыр", "май", "мая", "may"),
    ("маусым", "июнь", "июня", "june", "jun"),
    ("шілде", "июль", "июля", "july", "jul"),
    ("тамыз", "август", "августа", "august", "aug"),
    ("қыркүйек", "сентябрь", "сентября", "september", "sep", "sept"),
    ("қазан", "октябрь", "октября", "october", "oct"),
    ("қараша", "ноябрь", "ноября", "november", "nov"),
    ("желтоқсан", "декабрь", "декабря", "december", "dec"),
), start=1):
    for _n in _names:
        MONTHS[_n] = _i

_YEAR_WORDS = re.compile(r"\b(ж|жыл|жылы|жылғы|г|год|года|year)\b\.?", re.I)
_YM = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})")
_MY = re.compile(r"(\d{1,2})\s*[-./]\s*(\d{4})")
_Y = re.compile(r"(\d{4})")


def _ok_year(y: int) -> bool:
    return 1990 <= y <= 2200


def parse_period(v: object, kind: str = "month") -> tuple[str | None, str | None]:
    """A reporting period: ``"YYYY-MM"`` (kind="month") or ``"YYYY"`` (kind="year").

    Accepts a date cell, "2019-05", "05.2019", "2019 ж. мамыр", "май 2019", "May 2019";
    for years 2019, "2019", "2019 жыл", "2019 г.".  Whether the period lies in the
    future is for the rules to say (they know today's date).
    """
    if is_blank(v):
        return None, None
    if isinstance(v, bool):
        return None, INVALID
    if isinstance(v, (dt.date, dt.datetime)):
        return (f"{v.year:04d}" if kind == "year" else f"{v.year:04d}-{v.month:02d}"), None
    if isinstance(v, (int, float)):
        if not math.isfinite(v) or v != int(v):
            return None, INVALID
        n = int(v)
        if kind == "year" and _ok_year(n):
            return f"{n:04d}", None
        if kind == "month":
            d = excel_serial(float(n))
            if d:
                return f"{d.year:04d}-{d.month:02d}", None
        return None, INVALID
    if not isinstance(v, str):
        return None, INVALID
    import unicodedata

    s = unicodedata.normalize("NFC", v).strip().casefold().replace("\u00a0", " ")
    s = _YEAR_WORDS.sub(" ", s)
    s = re.sub(r"\s+", " ", s).strip(" .,")
    if kind == "year":
        m = _Y.fullmatch(s)
        if m and _ok_year(int(m.group(1))):
            return m.group(1), None
        return None, INVALID
    y = mo = None
    m = _YM.fullmatch(s)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
    else:
        m = _MY.fullmatch(s)
        if m:
            y, mo = int(m.group(2)), int(m.group(1))
        else:
            d, _ = parse_date(s)
            if d is not None:
                y, mo = d.year, d.month
            else:
                words = re.findall(r"[^\W\d_]+|\d+", s)
                years = [int(w) for w in words if w.isdigit() and len(w) == 4]
                months = [MONTHS[w] for w in words if w in MONTHS]
                rest = [w for w in words if not (w.isdigit() and len(w) == 4) and w not in MONTHS]
                if len(years) == 1 and len(months) == 1 and not rest:
                    y, mo = years[0], months[0]
    if y is None or mo is None or not (1 <= mo <= 12) or not _ok_year(y):
        return None, INVALID
    return f"{y:04d}-{mo:02d}", None


_MONTH_ARG = re.compile(r"(\d{4})-(\d{2})")


def month_arg(s: object, *, year_too: bool = False) -> str:
    """A month given on the command line or to the library, exactly ``YYYY-MM`` (``YYYY`` too with ``year_too``).

    Every command says the same when it is not one: ``2019-13 is not a month: give YYYY-MM, e.g. 2019-05``
    (``ValueError``)."""
    t = str(s if s is not None else "").strip()
    if year_too and re.fullmatch(r"\d{4}", t):
        return t
    m = _MONTH_ARG.fullmatch(t)
    if m and 1 <= int(m.group(2)) <= 12:
        return t
    what = "a month or a year" if year_too else "a month"
    raise ValueError(f"{t or repr(t)} is not {what}: give YYYY-MM{' (or YYYY)' if year_too else ''}, e.g. 2019-05")
