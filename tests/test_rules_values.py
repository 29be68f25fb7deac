"""krm.values: cell parsing in kk/ru/en number formats, dates and periods."""

import datetime as dt
from decimal import Decimal

import pytest

from krm import values as V


@pytest.mark.parametrize("raw,want,note", [
    (None, None, None), ("", None, None), ("  ", None, None), (5.0, Decimal("5"), None), (0.1, Decimal("0.1"), None),
    ("1 234,5", Decimal("1234.5"), "text-number"), ("1\u00a0234,5", Decimal("1234.5"), "text-number"),
    ("1,234.5", Decimal("1234.5"), "text-number"), ("1.234,5", Decimal("1234.5"), "text-number"),
    ("1,234,567", Decimal("1234567"), "text-number"), ("1,234", Decimal("1.234"), "text-number"),
    ("12.0", Decimal("12.0"), "text-number"), ("\u22125", Decimal("-5"), "text-number"),
    ("abc", None, "invalid"), ("1 чел.", None, "invalid"), (float("nan"), None, "invalid"),
    (float("inf"), None, "invalid"), (True, None, "invalid"), (dt.date(2019, 1, 1), None, "invalid"),
])
def test_parse_money(raw, want, note):
    assert V.parse_money(raw) == (want, note)


@pytest.mark.parametrize("raw,want,note", [
    (7.0, 7, None), ("12.0", 12, "text-number"), ("1 234", 1234, "text-number"), (2.5, None, "invalid"),
    ("2,5", None, "invalid"), (-3.0, -3, None), ("", None, None),
])
def test_parse_int(raw, want, note):
    assert V.parse_int(raw) == (want, note)


def test_decimals():
    assert V.decimals(Decimal("1.500")) == 1 and V.decimals(Decimal("0.1234")) == 4 and V.decimals(Decimal(5)) == 0


@pytest.mark.parametrize("raw,want,note", [
    (dt.datetime(2019, 5, 1, 0, 0), dt.date(2019, 5, 1), None), (43586.0, dt.date(2019, 5, 1), None),
    ("2019-05-01", dt.date(2019, 5, 1), "text-number"), ("01.05.2019", dt.date(2019, 5, 1), "text-number"),
    ("01.05.2019 ж.", dt.date(2019, 5, 1), "text-number"), ("31.02.2019", None, "invalid"),
    ("кейін", None, "invalid"), (12.0, None, "invalid"), (None, None, None),
])
def test_parse_date(raw, want, note):
    assert V.parse_date(raw) == (want, note)


@pytest.mark.parametrize("raw,kind,want", [
    ("2019-05", "month", "2019-05"), ("05.2019", "month", "2019-05"), ("2019 ж. мамыр", "month", "2019-05"),
    ("май 2019 г.", "month", "2019-05"), ("May 2019", "month", "2019-05"), (dt.date(2019, 5, 17), "month", "2019-05"),
    (43586.0, "month", "2019-05"), ("2019-13", "month", None), ("май", "month", None), ("2019", "month", None),
    ("2019", "year", "2019"), (2019.0, "year", "2019"), ("2019 жыл", "year", "2019"), ("2019 г.", "year", "2019"),
    ("2019-05", "year", None), ("1812", "year", None),
])
def test_parse_period(raw, kind, want):
    got, note = V.parse_period(raw, kind)
    assert got == want and note == (None if want else "invalid")
