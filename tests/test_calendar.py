"""The reporting calendar: dates pinned against Kazakhstan's 2019 working-day calendar."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from krm import deadlines as cal
from krm.cli import app

D = dt.date


def by_key(items, key, period=None):
    hits = [d for d in items if d.key == key and (period is None or d.period == period)]
    assert len(hits) == 1, (key, period, hits)
    return hits[0]


def test_working_days_may_2019():
    assert cal.is_working_day(D(2019, 5, 4))  # a working Saturday (transferred)
    assert not cal.is_working_day(D(2019, 5, 10))  # the transferred day off
    assert not cal.is_working_day(D(2019, 5, 9))  # Victory Day
    assert not cal.is_working_day(D(2019, 5, 5))  # Sunday
    assert cal.is_working_day(D(2019, 5, 8))
    assert cal.last_working_day(D(2019, 5, 5)) == D(2019, 5, 4)
    assert cal.last_working_day(D(2019, 5, 10)) == D(2019, 5, 8)
    assert cal.working_days_after(D(2019, 5, 10), 1) == D(2019, 5, 13)
    assert cal.working_days_after(D(2019, 5, 13), 2) == D(2019, 5, 15)
    assert cal.working_days_after(D(2019, 5, 3), 1) == D(2019, 5, 4)
    assert cal.working_days_after(D(2019, 5, 6), 0) == D(2019, 5, 6)
    with pytest.raises(ValueError):
        cal.working_days_after(D(2019, 5, 6), -1)


def test_deadlines_due_in_may_2019():
    items = cal.deadlines(month="2019-05")
    assert all(D(2019, 5, 1) <= d.due <= D(2019, 5, 31) for d in items)
    k2 = by_key(items, "KRM-2")
    assert (k2.period, k2.due, k2.last_working_day, k2.rule) == ("2019-04", D(2019, 5, 5), D(2019, 5, 4), "8")
    rec = by_key(items, "KRM-2-reconcile")
    assert (rec.due, rec.last_working_day) == (D(2019, 5, 10), D(2019, 5, 8))
    # correction windows, dated for an error found on the last day of reconciliation
    assert by_key(items, "KRM-2-return").due == D(2019, 5, 9 + 0) + dt.timedelta(days=4)  # Mon 13 May
    assert by_key(items, "KRM-2-correct").due == D(2019, 5, 15)
    k3 = by_key(items, "KRM-3")
    assert (k3.due, k3.last_working_day, k3.moved) == (D(2019, 5, 15), D(2019, 5, 15), False)
    assert by_key(items, "note-monthly").due == D(2019, 5, 15)
    for k in ("KRM-4", "KRM-5"):
        d = by_key(items, k)
        assert (d.due, d.last_working_day) == (D(2019, 5, 25), D(2019, 5, 24))  # Saturday -> Friday
    for k in ("KRM-6", "KRM-7"):
        assert by_key(items, k).due == D(2019, 5, 30)
    assert not any(d.form == "KRM-1" for d in items)
    assert [d.due for d in items] == sorted(d.due for d in items)


def test_december_deadlines():
    dec = cal.deadlines(month="2019-12")
    k1 = by_key(dec, "KRM-1")
    assert (k1.period, k1.due, k1.last_working_day, k1.rule) == ("2020", D(2019, 12, 5), D(2019, 12, 5), "7")
    assert by_key(dec, "KRM-1-reconcile").due == D(2019, 12, 10)
    assert by_key(dec, "KRM-1-return", "2020").due == D(2019, 12, 11)
    assert by_key(dec, "KRM-1-correct", "2020").due == D(2019, 12, 13)
    assert by_key(dec, "plan-summary").due == D(2019, 12, 25)
    k3 = by_key(dec, "KRM-3")  # 15 Dec 2019 is a Sunday
    assert (k3.period, k3.due, k3.last_working_day) == ("2019-11", D(2019, 12, 15), D(2019, 12, 13))
    # the plan for 2019 was due on 5 December 2018
    assert cal.form_due("KRM-1", "2019") == D(2018, 12, 5)
    # a December deadline across Independence Day: KRM-2 for November 2021 due 5 Dec (Sun) -> Fri 3 Dec
    k2 = by_key(cal.deadlines(month="2021-12"), "KRM-2")
    assert (k2.due, k2.last_working_day) == (D(2021, 12, 5), D(2021, 12, 3))


def test_period_view_february_and_quarters():
    may = cal.deadlines_for_period("2019-05")
    assert by_key(may, "KRM-2").due == D(2019, 6, 5)
    k6 = by_key(may, "KRM-6")
    assert (k6.due, k6.last_working_day) == (D(2019, 6, 30), D(2019, 6, 28))
    assert not any(d.key == "note-quarterly" for d in may)
    # "by the 30th" in February: the last day of the month
    assert by_key(cal.deadlines_for_period("2019-01"), "KRM-7").due == D(2019, 2, 28)
    assert by_key(cal.deadlines_for_period("2020-01"), "KRM-6").due == D(2020, 2, 29)
    q = by_key(cal.deadlines_for_period("2019-03"), "note-quarterly")
    assert (q.period, q.due, q.rule) == ("2019-Q1", D(2019, 4, 10), "14")
    q4 = by_key(cal.deadlines_for_period("2019-12"), "note-quarterly")
    assert q4.due == D(2020, 1, 10)
    assert by_key(cal.deadlines_for_period("2019"), "yearly-info").due == D(2020, 3, 31)


def test_year_listing_is_complete_and_unique():
    y = cal.deadlines(year=2019)
    assert len({d.uid for d in y}) == len(y)
    assert sum(d.key == "KRM-2" for d in y) == 12  # Dec 2018 … Nov 2019 reports
    assert sum(d.key == "note-quarterly" for d in y) == 4
    assert sum(d.key == "KRM-1" for d in y) == 1
    assert by_key(y, "yearly-info").period == "2018"
    with pytest.raises(ValueError):
        cal.deadlines(month="2019-13")
    with pytest.raises(ValueError):
        cal.deadlines()


def test_ics_is_rfc5545_shaped_and_deterministic():
    items = cal.deadlines(month="2019-05")
    text = cal.to_ics(items, lang="ru")
    assert text == cal.to_ics(cal.deadlines(month="2019-05"), lang="ru")
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.split(b"\r\n")[:-1]
    assert all(len(x) <= 75 for x in lines)
    unfolded = text.replace("\r\n ", "").split("\r\n")
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-2] == "END:VCALENDAR"
    assert sum(x == "BEGIN:VEVENT" for x in unfolded) == len(items)
    uids = [x for x in unfolded if x.startswith("UID:")]
    assert len(set(uids)) == len(items)
    assert "DTSTART;VALUE=DATE:20190504" in unfolded  # KRM-2 for April: act on the working Saturday
    assert "DTEND;VALUE=DATE:20190505" in unfolded
    assert all(x == "DTSTAMP:" + cal.ICS_STAMP for x in unfolded if x.startswith("DTSTAMP"))
    summary = next(x for x in unfolded if x.startswith("SUMMARY:КРМ-2"))
    assert "[2019-04]" in summary
    assert any("Срок: 2019-05-05 (выходной" in x for x in unfolded if x.startswith("DESCRIPTION"))
    # commas and semicolons are escaped in TEXT values
    assert all(("," not in x.split(":", 1)[1].replace("\\,", "")) for x in unfolded
               if x.startswith(("SUMMARY", "DESCRIPTION")))


def test_ics_folding_never_splits_a_character():
    from krm.deadlines import _fold

    line = "SUMMARY:" + "Қазақстан" * 30
    folded = _fold(line).encode("utf-8")
    for part in folded.split(b"\r\n"):
        assert len(part) <= 75
        part.decode("utf-8")  # raises if a character was split
    assert _fold(line).replace("\r\n ", "") == line


def test_cli_json_table_and_ics(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["calendar", "--month", "2019-05", "--format", "json", "--lang", "en"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)["deadlines"]
    k2 = next(d for d in data if d["key"] == "KRM-2")
    assert k2 == {**k2, "due": "2019-05-05", "last_working_day": "2019-05-04", "moved": True, "form": "KRM-2",
                  "period": "2019-04"}
    assert k2["who"].startswith("enterprises")
    r = runner.invoke(app, ["calendar", "--year", "2019", "--lang", "ru"])
    assert r.exit_code == 0 and "2019-12-05" in r.output
    ics = tmp_path / "krm.ics"
    r = runner.invoke(app, ["calendar", "--period", "2019-05", "--ics", str(ics), "--format", "json"])
    assert r.exit_code == 0 and ics.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    r = runner.invoke(app, ["calendar", "--period", "2019-05", "--ics", str(ics)])
    assert r.exit_code == 2 and "--force" in r.output
    r = runner.invoke(app, ["calendar", "--month", "May"])
    assert r.exit_code == 2 and "YYYY-MM" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["calendar"])
    assert r.exit_code == 2
