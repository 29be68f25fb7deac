"""BIN/IIN checks against the examples of ../shared/reference/bin_iin.md."""

import datetime as dt

import pytest

from krm import ids

VALID = [("900515300127", "IIN", dt.date(1990, 5, 15)), ("950308300204", "IIN", dt.date(1995, 3, 8)),
         ("120229600049", "IIN", dt.date(2012, 2, 29)), ("190540012345", "BIN", dt.date(2019, 5, 1)),
         ("220943000427", "BIN", dt.date(2022, 9, 1)), ("851224400569", "IIN", dt.date(1985, 12, 24)),
         ("050607512342", "IIN", dt.date(2005, 6, 7)), ("200641056787", "BIN", dt.date(2020, 6, 1)),
         ("180560001119", "BIN", dt.date(2018, 5, 1)), ("151152012341", "BIN", dt.date(2015, 11, 1)),
         # valery1707/kaz-person-id fixtures
         ("871008401427", "IIN", None), ("760212350620", "IIN", None), ("800416300257", "IIN", None),
         ("680503450037", "IIN", None), ("940140000385", "BIN", None), ("950341000052", "BIN", None),
         ("961141000023", "BIN", None), ("070941024691", "BIN", None)]


@pytest.mark.parametrize("num,kind,date", VALID)
def test_valid_numbers(num, kind, date):
    r = ids.inspect(num, today=dt.date(2024, 1, 1))
    assert r.ok, r
    assert r.kind == kind
    if date:
        assert r.date == date


@pytest.mark.parametrize("num,problem", [
    ("900515300128", "checksum"), ("900515300172", "checksum"), ("950308300230", "checksum"),
    ("191340012340", "bin-structure"), ("900515700122", "iin-structure"), ("94014000038", "format"),
    ("000813159890", "checksum"), ("12345678901a", "format"),
])
def test_invalid_numbers(num, problem):
    assert ids.inspect(num, today=dt.date(2024, 1, 1)).problem == problem


def test_pass_two_check_digit():
    # the pitfall of py-kz-validators: pass-2 weights must keep their order
    assert ids.check_digit("95030830020") == 4
    assert ids.check_digit("95030830023") is None


def test_impossible_birth_date_and_future_birth():
    # 30 February 1990 with a correct check digit
    first = "9002303001"
    for last in "0123456789":
        c = ids.check_digit(first + last)
        if c is not None:
            num = first + last + str(c)
            break
    r = ids.inspect(num)
    assert r.problem == "iin-structure" and "does not exist" in r.detail
    future = "300101500000"[:11]
    c = ids.check_digit(future)
    if c is not None:
        assert ids.inspect(future + str(c), today=dt.date(2024, 1, 1)).problem == "iin-structure"


def test_bin_type_and_attribute_digits():
    for first, why in (("19057001234", "type digit 7"), ("19054501234", "attribute digit 5")):
        c = ids.check_digit(first)
        num = first + str(c if c is not None else 0)
        r = ids.inspect(num)
        assert r.problem == "bin-structure" and why in r.detail


def test_normalise_cell_values():
    assert ids.normalise("190540012345") == ("190540012345", None)
    assert ids.normalise(" 1905 4001 2345 ") == ("190540012345", None)
    assert ids.normalise(70941024691.0) == ("070941024691", "as-number")
    assert ids.normalise(None) == (None, None)
    assert ids.normalise("   ") == (None, None)
    assert ids.normalise("ИП Ахметов")[1] == "invalid"
    assert ids.normalise(1.5)[1] == "invalid"
