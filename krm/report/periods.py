"""The report's periods, its error and its constants."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal(0)
LANGS = ("kk", "ru")
INPUT_FORMS = ("KRM-2", "KRM-3", "KRM-4", "KRM-5")


class ReportError(Exception):
    """The report cannot be made or failed its own checks; ``code`` is the exit code (1 data, 2 usage/IO)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


# ------------------------------------------------------------------ periods
def parse_month(s: str) -> str:
    from krm.values import month_arg

    try:
        return month_arg(s)
    except ValueError as e:
        raise ReportError(str(e), 2) from None


def parse_quarter(s: str) -> tuple[str, list[str]]:
    """'2019Q2' -> ('2019Q2', ['2019-04', '2019-05', '2019-06'])."""
    t = str(s).strip().upper().replace("-", "")
    if len(t) != 6 or not t[:4].isdigit() or t[4] != "Q" or t[5] not in "1234":
        raise ReportError(f"bad quarter {s!r}: write it as YYYYQn, e.g. 2019Q2", 2)
    y, q = int(t[:4]), int(t[5])
    return f"{y}Q{q}", [f"{y:04d}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def previous_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


# ------------------------------------------------------------------ inputs from disk
def report_periods(month: str, quarter: str | None = None) -> frozenset[str]:
    """The months whose KRM-2 … KRM-5 a report of ``month`` (or ``quarter``) can use: the month, the previous
    month (the month's change) and the quarter's months."""
    months = {month, previous_month(month)}
    if quarter:
        months.update(parse_quarter(quarter)[1])
    return frozenset(months)
