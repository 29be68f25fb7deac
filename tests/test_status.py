"""krm status: expected vs arrived, on time / late / missing, rates per region."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krm import forms, reference, status
from krm.cli import app
from krm.workbook.writer import write_form

REG = "47"  # Mangystau
DISTS = [d for d in reference.districts(REG, "2019-05")][:3]
ROW = {"bin": "180240012342", "activity": "1", "project": "Жылыжай кешенін салу", "start": dt.date(2019, 1, 10),
       "end": dt.date(2019, 12, 1), "plan": 5, "fact": 2, "allocated": 10, "disbursed": 4}


def put(folder: Path, form: str, district, programme: str, period: str, when: dt.datetime | None,
        name: str | None = None) -> Path:
    spec = forms.get(form)
    reg = next(r for r in reference.regions("2019-05") if r.kato == district.region_kato)
    header = {"region": reg.name("ru"), "district": reference.district_label(district, "ru"), "period": period,
              "programme": reference.programme(programme, "2019").name("ru")}
    if spec.header_field("basis"):
        header["basis"] = "cumulative"
    rows = [dict(ROW)] if form == "KRM-2" else [{"project": "Жылыжай кешенін салу", "start": dt.date(2019, 1, 10),
                                                 "end": dt.date(2019, 12, 1), "total": 5, "act1": 5}]
    path = folder / (name or f"{form}_{district.kato}_{programme}.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_form(path, spec, "ru", header=header, rows=rows, spare_rows=0, doc_time=when)
    return path


@pytest.fixture
def month_dir(tmp_path):
    """Three planned districts under ENBEK: one KRM-2 on time, one late, one missing."""
    for d in DISTS:
        put(tmp_path / "2019", "KRM-1", d, "ENBEK", "2019", dt.datetime(2018, 12, 3, 10))
    put(tmp_path / "2019-05", "KRM-2", DISTS[0], "ENBEK", "2019-05", dt.datetime(2019, 6, 5, 17, 30))  # on time
    put(tmp_path / "2019-05", "KRM-2", DISTS[1], "ENBEK", "2019-05", dt.datetime(2019, 6, 11, 9))  # late
    return tmp_path


def test_on_time_late_missing(month_dir):
    rep = status.status(month_dir, "2019-05", as_of=dt.date(2019, 6, 20), jobs=1)
    k2 = rep.level("KRM-2")
    assert (k2.expected, k2.received, k2.on_time, k2.late, k2.missing, k2.overdue) == (3, 2, 1, 1, 1, 1)
    assert (k2.completeness, k2.timeliness) == (66.7, 33.3)
    assert k2.due == dt.date(2019, 6, 5)
    states = {e.key[0]: e.state for e in rep.slots if e.form == "KRM-2"}
    assert states == {DISTS[0].kato: "on-time", DISTS[1].kato: "late", DISTS[2].kato: "missing"}
    assert k2.by_region == [{"region": REG, "name": "Mangystau Region", "expected": 3, "received": 2, "on_time": 1,
                             "late": 1, "missing": 1, "overdue": 1, "completeness": 66.7, "timeliness": 33.3}]
    k1 = rep.level("KRM-1")  # a plan is expected from every district of a region that sends plans (as aggregate)
    assert (k1.expected, k1.received, k1.on_time) == (len(reference.districts(REG, "2019-05")), 3, 3)
    # higher levels: one KRM-3 per region and programme, one KRM-4/5 per programme, one KRM-6/7
    assert [rep.level(f).expected for f in ("KRM-3", "KRM-4", "KRM-5", "KRM-6", "KRM-7")] == [1, 1, 1, 1, 1]
    assert rep.rule == "KRM-1 plans"
    assert not rep.unexpected and not rep.duplicates and not rep.unreadable


def test_as_of_before_the_deadline(month_dir):
    rep = status.status(month_dir, "2019-05", as_of=dt.date(2019, 6, 5), jobs=1)
    k2 = rep.level("KRM-2")
    # the late file had not arrived yet; nothing is overdue before the due date has passed
    assert (k2.received, k2.on_time, k2.missing, k2.overdue) == (1, 1, 2, 0)
    rep = status.status(month_dir, "2019-05", as_of=dt.date(2019, 6, 6), jobs=1)
    assert rep.level("KRM-2").overdue == 2


def test_fallback_without_plans_and_unexpected_and_duplicates(tmp_path):
    put(tmp_path, "KRM-2", DISTS[0], "AIC", "2019-05", dt.datetime(2019, 6, 3, 10))
    put(tmp_path, "KRM-2", DISTS[0], "AIC", "2019-05", dt.datetime(2019, 6, 7, 10), name="again.xlsx")
    put(tmp_path, "KRM-2", DISTS[1], "ENBEK", "2019-04", dt.datetime(2019, 5, 3, 10))  # another month
    new = next(d for d in reference.districts("71", "2023-01") if d.kato == "711510000")  # Nura, a 2022 district
    put(tmp_path, "KRM-2", new, "AIC", "2019-05", dt.datetime(2019, 6, 3, 10))
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "~$lock.xlsx").write_bytes(b"x")
    rep = status.status(tmp_path, "2019-05", as_of=dt.date(2019, 7, 1), jobs=1)
    k2 = rep.level("KRM-2")
    # no KRM-1 in region 47 (nor in 71, where the 2022 district's file places itself): every district of the
    # region is expected (krm.intake.completeness, as aggregate counts)
    assert k2.expected == len(reference.districts(REG, "2019-05")) + len(reference.districts("71", "2019-05"))
    # the district sent twice: neither copy counts without --prefer newest (as aggregate and report)
    assert (k2.received, k2.on_time) == (0, 0)
    assert "regions without plans" in rep.rule
    first, again = str(tmp_path / f"KRM-2_{DISTS[0].kato}_AIC.xlsx"), str(tmp_path / "again.xlsx")
    assert [(a.path, b.path) for a, b in rep.duplicates] == [(first, again)]
    assert {a.status for a, b in rep.duplicates} | {b.status for a, b in rep.duplicates} == {"conflict"}
    # the file naming a district of 2022 for 2019 has an error: excluded (as aggregate excludes it)
    assert not rep.unexpected
    assert len(rep.excluded) == 1 and "711510000" in rep.excluded[0].problem
    newest = status.status(tmp_path, "2019-05", as_of=dt.date(2019, 7, 1), jobs=1, prefer="newest")
    k2 = newest.level("KRM-2")
    # the newest copy counts; the district's first copy arrived on time, so the district is on time
    assert (k2.received, k2.on_time) == (1, 1)
    assert [(a.path, b.path) for a, b in newest.duplicates] == [(again, first)]
    slot = next(e for e in newest.slots if e.form == "KRM-2" and e.key[0] == DISTS[0].kato)
    assert slot.arrived.path == again and slot.state == "on-time"
    assert [Path(a.path).name for a in rep.unreadable] == ["broken.xlsx"]
    assert rep.other_periods == 1


def test_file_mtime_when_the_document_has_no_time(tmp_path):
    p = put(tmp_path, "KRM-2", DISTS[0], "AIC", "2019-05", None)  # krm's fixed template time
    late = dt.datetime(2019, 6, 12, 12).timestamp()
    os.utime(p, (late, late))
    a = status.read_arrival(p)
    assert a.when_source == "file" and a.when.date() == dt.date(2019, 6, 12)
    rep = status.compute([a], "2019-05", as_of=dt.date(2019, 7, 1))
    assert rep.level("KRM-2").late == 1


def test_cli_json_and_table(month_dir):
    runner = CliRunner()
    r = runner.invoke(app, ["status", str(month_dir), "--month", "2019-05", "--as-of", "2019-06-20",
                            "--format", "json", "--jobs", "1"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    k2 = next(x for x in data["levels"] if x["form"] == "KRM-2")
    assert (k2["expected"], k2["received"], k2["on_time"], k2["late"], k2["missing"]) == (3, 2, 1, 1, 1)
    assert [m["key"][0] for m in data["missing"] if m["form"] == "KRM-2"] == [DISTS[2].kato]
    assert [m["key"][0] for m in data["late"]] == [DISTS[1].kato]
    r = runner.invoke(app, ["status", str(month_dir), "--month", "2019-05", "--as-of", "2019-06-20", "-j", "1"])
    assert r.exit_code == 0 and "Mangystau" in r.output and "66.7%" in r.output and "late" in r.output
    r = runner.invoke(app, ["status", str(month_dir), "--month", "2019-5"])
    assert r.exit_code == 2 and "YYYY-MM" in r.output
    r = runner.invoke(app, ["status", str(month_dir / "nope"), "--month", "2019-05"])
    assert r.exit_code == 2 and "no such" in r.output
