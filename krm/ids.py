"""BIN / IIN: Kazakhstan's 12-digit identification numbers (``../shared/reference/bin_iin.md``).

* check digit: weights 1..11 mod 11, a second pass with weights 3..11,1,2 when the first
  gives 10; a prefix where both give 10 is never issued;
* IIN (individual): YYMMDD birth date, 7th digit century + sex (1-6);
* BIN (legal entity): YYMM registration, 5th digit type (4 resident, 5 non-resident,
  6 joint individual entrepreneurship), 6th digit attribute (0 head, 1 branch,
  2 representative office, 3 peasant farm).

An IIN and a BIN are told apart by the 5th digit: 4-9 cannot be the tens of a birth day,
so such a number is read as a BIN.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from operator import mul

W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURY = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
BIN_TYPES = {4: "resident legal entity", 5: "non-resident legal entity", 6: "joint individual entrepreneurship"}
BIN_ATTRIBUTES = {0: "head unit", 1: "branch", 2: "representative office", 3: "peasant farm"}
_W1_48, _W2_48 = 48 * sum(W1), 48 * sum(W2)


def check_digit(first11: str) -> int | None:
    """The 12th digit for these 11 digits, or None when no valid number has this prefix."""
    d = [c - 48 for c in first11.encode()] if first11.isascii() and first11.isdigit() else [int(c) for c in first11]
    c = sum(map(mul, W1, d)) % 11
    if c == 10:
        c = sum(map(mul, W2, d)) % 11
        if c == 10:
            return None
    return c


def checksum_ok(num: str) -> bool:
    if len(num) != 12 or not num.isdigit():
        return False
    c = check_digit(num[:11])
    return c is not None and c == int(num[11])


@dataclass(frozen=True)
class IdCheck:
    number: str
    kind: str | None  # "IIN" | "BIN" | None (not 12 digits)
    problem: str | None  # None | "format" | "checksum" | "iin-structure" | "bin-structure"
    detail: str = ""
    date: dt.date | None = None  # IIN: birth date; BIN: first day of the registration month

    @property
    def ok(self) -> bool:
        return self.problem is None


def _structure(num: str) -> tuple[str, str | None, str, dt.date | None]:
    yy, mm = int(num[0:2]), int(num[2:4])
    fifth = int(num[4])
    if fifth >= 4:  # BIN
        if not 1 <= mm <= 12:
            return "BIN", "bin-structure", f"registration month {num[2:4]}", None
        if fifth not in BIN_TYPES:
            return "BIN", "bin-structure", f"type digit {fifth} (5th digit must be 4, 5 or 6)", None
        attr = int(num[5])
        if attr not in BIN_ATTRIBUTES:
            return "BIN", "bin-structure", f"attribute digit {attr} (6th digit must be 0-3)", None
        year = 2000 + yy if yy <= 89 else 1900 + yy  # BINs exist since the 1990s
        return "BIN", None, f"{BIN_TYPES[fifth]}, {BIN_ATTRIBUTES[attr]}", dt.date(year, mm, 1)
    century = CENTURY.get(int(num[6]))
    if century is None:
        return "IIN", "iin-structure", f"century/sex digit {num[6]} (7th digit must be 1-6)", None
    try:
        born = dt.date(century + yy, mm, int(num[4:6]))
    except ValueError:
        return "IIN", "iin-structure", f"birth date {num[4:6]}.{num[2:4]}.{century + yy} does not exist", None
    return "IIN", None, f"born {born.isoformat()}", born


def inspect(num: str, today: dt.date | None = None) -> IdCheck:
    """Check a 12-digit BIN/IIN string (already normalised with :func:`normalise`)."""
    if len(num) != 12 or not num.isdigit():
        return IdCheck(num, None, "format", f"{len(num)} characters" if num.isdigit() else "not only digits")
    kind, problem, detail, date = _structure(num)
    if problem is None and kind == "IIN" and date and date > (today or dt.date.today()):
        problem, detail = "iin-structure", f"birth date {date.isoformat()} lies in the future"
    if problem is None and not checksum_ok(num):
        c = check_digit(num[:11])
        detail = (f"check digit should be {c}" if c is not None
                  else "no valid number starts with these 11 digits")
        return IdCheck(num, kind, "checksum", detail, date)
    return IdCheck(num, kind, problem, detail, date)


def valid(num: str, today: dt.date | None = None) -> bool:
    """``inspect(num, today).ok``, without building the details (the common case: a correct number)."""
    if len(num) != 12 or not num.isdigit():
        return False
    if num.isascii():  # bytes of "0"…"9" are 48…57: the weighted sums of the bytes, less 48 × the weights
        d = num.encode()
        c = (sum(map(mul, W1, d)) - _W1_48) % 11  # check_digit(num[:11]): W1 has 11 weights
        if c == 10:
            c = (sum(map(mul, W2, d)) - _W2_48) % 11
            if c == 10:
                return False
        d = [x - 48 for x in d]
    else:
        d = [int(x) for x in num]
        c = sum(map(mul, W1, d)) % 11
        if c == 10:
            c = sum(map(mul, W2, d)) % 11
            if c == 10:
                return False
    if c != d[11]:
        return False
    mm, fifth = d[2] * 10 + d[3], d[4]
    if fifth >= 4:  # BIN (_structure)
        return 1 <= mm <= 12 and fifth in BIN_TYPES and d[5] in BIN_ATTRIBUTES
    century = CENTURY.get(d[6])
    if century is None:
        return False
    try:
        born = dt.date(century + d[0] * 10 + d[1], mm, d[4] * 10 + d[5])
    except ValueError:
        return False
    return not born > (today or dt.date.today())


_SEP = re.compile(r"[\s\u00a0\-]")


def normalise(v: object) -> tuple[str | None, str | None]:
    """A BIN/IIN cell value as a digit string: (digits, note).

    note: None (text of 12 digits), "as-number" (a number cell: zeros restored to 12
    digits), "invalid" (not digits; the raw text is returned for the message).
    """
    if v is None:
        return None, None
    if type(v) is str and v.isdigit():  # the common case: digits only, nothing to strip
        return v, None
    if isinstance(v, bool):
        return str(v), "invalid"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf")) or not v.is_integer()):
            return str(v), "invalid"
        n = int(v)
        if n < 0:
            return str(n), "invalid"
        s = str(n)
        return (s.zfill(12), "as-number") if len(s) <= 12 else (s, "invalid")
    s = _SEP.sub("", str(v).strip())
    if s == "":
        return None, None
    if s.isdigit():
        return s, None
    return str(v).strip(), "invalid"
