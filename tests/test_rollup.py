"""krm.rollup: exact roll-up math on Submission objects built by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krm import reference
from krm.model import ProjectRow, Submission
from krm.rollup import (
    Digest,
    RollupError,
    annual_plan,
    annual_plan_digests,
    control_totals,
    digest,
    is_implemented,
    krm3_from_krm2,
    period_end,
    programme_level,
    programme_level_digests,
)

AKM = "11"  # Akmola
AKT = "15"  # Aktobe
AKM_D = [d.kato for d in reference.districts(AKM, "2019-05")]
AKT_D = [d.kato for d in reference.districts(AKT, "2019-05")]


def k2(district, rows, region=AKM, period="2019-05", programme="ENBEK", basis="cumulative", path=None):
    return Submission(path=Path(path or f"{district}.xlsx"), form="KRM-2", period=period, programme=programme,
                      region=region, district=district, basis=basis, projects=rows)


def row(act, name, plan, fact, alloc, disb, bin_="123456789012", end=None):
    return ProjectRow(activity=act, project=name, bin=bin_, plan=plan, fact=fact, allocated=D(alloc),
                      disbursed=D(disb), end=end)


def test_period_end_and_implemented():
    assert period_end("2019-02") == dt.date(2019, 2, 28)
    assert period_end("2020-02") == dt.date(2020, 2, 29)
    assert period_end("2019") == dt.date(2019, 12, 31)
    assert is_implemented(dt.date(2019, 5, 31), "2019-05")
    assert not is_implemented(dt.date(2019, 6, 1), "2019-05")
    assert not is_implemented(None, "2019-05")


def test_krm3_hand_computed_totals_and_order():
    a = k2(AKM_D[1], [row("3", "Мектеп", 10, 4, "12.345", "1.005"), row("1", "Ферма", 5, 5, "0.1", "0.1")])
    b = k2(AKM_D[0], [row("3", "Аурухана", 7, 0, "100", "0", bin_="000000000001"),
                      row("9", "=HYPERLINK(\"x\")", 1, 1, "0.001", "0.001")])
    [k3] = krm3_from_krm2([a, b])
    assert (k3.form, k3.region, k3.programme, k3.period) == ("KRM-3", AKM, "ENBEK", "2019-05")
    # activity first, then district, then project
    assert [(r.activity, r.district, r.project) for r in k3.projects] == [
        ("1", AKM_D[1], "Ферма"), ("3", AKM_D[0], "Аурухана"), ("3", AKM_D[1], "Мектеп"),
        ("9", AKM_D[0], "=HYPERLINK(\"x\")")]
    assert k3.totals() == {"plan": 23, "fact": 10, "allocated": D("112.446"), "disbursed": D("1.106")}
    c = control_totals([a, b], [k3])
    assert c.balanced and c.input_total.rows == c.output_total.rows == 4


def test_krm3_groups_by_region_programme_period_and_refuses_duplicates():
    subs = [k2(AKM_D[0], [row("1", "x", 1, 1, "1", "1")]),
            k2(AKT_D[0], [row("1", "x", 2, 2, "2", "2")], region=AKT),
            k2(AKM_D[0], [row("1", "x", 4, 4, "4", "4")], period="2019-04"),
            k2(AKM_D[0], [row("1", "x", 8, 8, "8", "8")], programme="DKB2020")]
    out = krm3_from_krm2(subs)
    assert [(s.period, s.programme, s.region, s.totals()["plan"]) for s in out] == [
        ("2019-04", "ENBEK", AKM, 4), ("2019-05", "DKB2020", AKM, 8), ("2019-05", "ENBEK", AKM, 1),
        ("2019-05", "ENBEK", AKT, 2)]
    with pytest.raises(RollupError, match="two KRM-2"):
        krm3_from_krm2([subs[0], k2(AKM_D[0], [], path="again.xlsx")])
    with pytest.raises(RollupError, match="mix bases"):
        krm3_from_krm2([subs[0], k2(AKM_D[1], [], basis="month")])


def test_programme_level_hand_computed():
    # Akmola: project P counted once though it has two enterprise rows; Q implemented, P not (one row ends June)
    a = k2(AKM_D[0], [row("1", "P", 10, 3, "1.5", "0.5", end=dt.date(2019, 5, 31)),
                      row("2", " p ", 5, 2, "0.25", "0", end=dt.date(2019, 6, 30)),
                      row("2", "Q", 1, 1, "1", "1", bin_="999999999999", end=dt.date(2019, 1, 1))])
    b = k2(AKM_D[1], [row("1", "P", 2, 2, "0.001", "0.001", end=dt.date(2019, 5, 1))])  # same name, other district
    c = k2(AKT_D[0], [row("9", "R", 3, 0, "7", "0")], region=AKT)
    [k4] = programme_level([c, b, a])
    assert [r.region for r in k4.regions] == [AKM, AKT]
    akm, akt = k4.regions
    assert (akm.projects_planned, akm.projects_done) == (3, 2)
    assert (akm.plan, akm.fact, akm.allocated, akm.disbursed) == (18, 8, D("2.751"), D("1.501"))
    assert akm.by_activity["1"] == 5 and akm.by_activity["2"] == 3 and sum(akm.by_activity.values()) == 8
    assert (akt.projects_planned, akt.projects_done, akt.fact, akt.by_activity["9"]) == (1, 0, 0, 0)
    assert control_totals([a, b, c], [k4]).balanced


def test_programme_level_refuses_both_levels_for_one_region():
    a = k2(AKM_D[0], [row("1", "P", 1, 1, "1", "1")])
    [k3] = krm3_from_krm2([a])
    with pytest.raises(RollupError, match="both a KRM-3 and KRM-2"):
        programme_level([a, k3])


def test_months_never_mix():
    a = k2(AKM_D[0], [row("1", "P", 1, 1, "1", "1")], period="2019-04")
    b = k2(AKM_D[0], [row("1", "P", 2, 2, "2", "2")], period="2019-05")
    out = programme_level([a, b])
    assert [(s.period, s.regions[0].plan) for s in out] == [("2019-04", 1), ("2019-05", 2)]


def test_control_totals_detect_a_lost_row():
    a = k2(AKM_D[0], [row("1", "P", 1, 1, "1", "1"), row("2", "Q", 2, 2, "2.5", "2")])
    [k3] = krm3_from_krm2([a])
    k3.projects.pop()
    c = control_totals([a], [k3])
    assert not c.balanced
    assert any(p.startswith("plan") for p in c.problems) and any(p.startswith("rows") for p in c.problems)


def test_annual_plan():
    p1 = Submission(path=Path("p1"), form="KRM-1", period="2020", programme="ENBEK", region=AKM, district=AKM_D[0],
                    projects=[ProjectRow(activity="", project="A", bin=None, plan=7, allocated=D("3.5"),
                                         plan_by_activity={"1": 4, "3": 3}),
                              ProjectRow(activity="", project="B", plan=2, plan_by_activity={"9": 2})])
    p2 = Submission(path=Path("p2"), form="KRM-1", period="2020", programme="ENBEK", region=AKT, district=AKT_D[0],
                    projects=[ProjectRow(activity="", project="C", plan=1, plan_by_activity={"3": 1})])
    [plan] = annual_plan([p2, p1])
    assert [r.region for r in plan.regions] == [AKM, AKT]
    assert plan.regions[0].plan == 9 and plan.regions[0].by_activity["1"] == 4 and plan.regions[0].projects_planned == 2
    assert plan.regions[0].allocated == D("3.5")
    assert control_totals([p1, p2], [plan]).balanced


# ------------------------------------------------------------------ property: level by level = straight through
MONEY = st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)
DISTRICTS = [(AKM, d) for d in AKM_D[:3]] + [(AKT, d) for d in AKT_D[:2]]


@st.composite
def krm2_sets(draw):
    chosen = draw(st.lists(st.sampled_from(DISTRICTS), min_size=1, max_size=5, unique=True))
    subs = []
    for region, district in chosen:
        for programme in draw(st.lists(st.sampled_from(["ENBEK", "DKB2020"]), min_size=1, max_size=2, unique=True)):
            rows = draw(st.lists(st.builds(
                ProjectRow,
                activity=st.sampled_from([str(i) for i in range(1, 10)]),
                project=st.sampled_from(["A", "a ", "B", "Мектеп", "=SUM(1)", "-x"]),
                bin=st.sampled_from(["111111111111", "222222222222", None]),
                end=st.one_of(st.none(), st.dates(dt.date(2019, 1, 1), dt.date(2019, 12, 31))),
                plan=st.integers(0, 10_000), fact=st.integers(0, 10_000), allocated=MONEY, disbursed=MONEY),
                max_size=6))
            subs.append(k2(district, rows, region=region, programme=programme))
    return subs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(krm2_sets())
def test_level_by_level_equals_straight_through(subs):
    straight = programme_level(subs)
    k3s = krm3_from_krm2(subs)
    via = programme_level(k3s)
    assert straight == via
    assert control_totals(subs, k3s).balanced
    assert control_totals(subs, straight).balanced
    assert control_totals(k3s, via).balanced
    # mixing levels region by region gives the same figures too
    mixed = [s for s in subs if s.region == AKT] + [s for s in k3s if s.region == AKM]
    assert programme_level(mixed) == straight


def test_a_project_row_without_end_date_is_not_implemented():
    a = k2(AKM_D[0], [row("1", "P", 1, 1, "1", "1", end=dt.date(2019, 3, 1)),
                      row("1", "P", 1, 1, "1", "1", end=None),
                      row("1", "Q", 1, 1, "1", "1", end=dt.date(2019, 5, 31))])
    [k4] = programme_level([a])
    assert (k4.regions[0].projects_planned, k4.regions[0].projects_done) == (2, 1)


# ------------------------------------------------------------------ digests (streaming aggregate) = the rows
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(krm2_sets())
def test_digests_give_what_the_rows_give(subs):
    """KRM-4/5 summed from per-file digests are the same Submissions as from the rows, both levels, any mix."""
    k3s = krm3_from_krm2(subs)
    for inputs in (subs, k3s, [s for s in subs if s.region == AKT] + [s for s in k3s if s.region == AKM]):
        ds = [digest(s) for s in inputs]
        assert programme_level_digests(ds) == programme_level(inputs)
        # the control totals of a digest are those of its file, line by line
        by_path = lambda s: str(s.path)  # noqa: E731
        assert (control_totals(ds, programme_level(inputs), label=by_path)
                == control_totals(inputs, programme_level(inputs), label=by_path))
    for d, s in zip([digest(s) for s in subs], subs):
        assert d.totals() == s.totals() and d.nrows == len(s.projects) and d.projects == ()


def test_digest_counts_projects_and_activities_per_file():
    a = k2(AKM_D[0], [row("1", "P", 3, 1, "1.5", "1", end=dt.date(2019, 3, 1)),
                      row("1", " p ", 2, 2, "2", "0.5", end=dt.date(2019, 4, 1)),  # the same project (folded name)
                      row("7", "Q", 1, 4, "0.001", "0", end=None),
                      row("x", "R", 0, 5, "0", "0", end=dt.date(2020, 1, 1))])  # an unknown code stays its own
    d = digest(a)
    assert (d.projects_planned, d.projects_done, d.nrows) == (3, 1, 4)
    assert d.by_activity == (("1", 3), ("7", 4), ("x", 5))
    assert d.totals() == {"plan": 6, "fact": 12, "allocated": D("3.501"), "disbursed": D("1.5")}
    assert d.districts == (AKM_D[0],)
    [k4] = programme_level_digests([d])
    assert k4.regions[0].by_activity == {**{str(i): 0 for i in range(1, 10)}, "1": 3, "7": 4, "x": 5}


def test_files_sharing_a_district_are_summed_from_their_rows():
    """Two files whose projects may coincide (one district) cannot be added up: the rows decide."""
    a = Submission(path=Path("a"), form="KRM-3", period="2019-05", programme="ENBEK", region=AKM,
                   projects=[ProjectRow(activity="1", project="P", bin="1", district=AKM_D[0], plan=1, fact=1,
                                        end=dt.date(2019, 1, 1))])
    b = Submission(path=Path("b"), form="KRM-2", period="2019-05", programme="ENBEK", region=AKT,
                   district=AKT_D[0], projects=[ProjectRow(activity="1", project="P", bin="1", plan=1, fact=1)])
    c = Submission(path=Path("c"), form="KRM-2", period="2019-05", programme="ENBEK", region=AKT,
                   district=AKT_D[1], projects=[ProjectRow(activity="1", project="P", bin="1", district=AKT_D[0],
                                                           plan=1, fact=1)])
    ds = [digest(s) for s in (a, b, c)]
    rows = {id(d): s.projects for d, s in zip(ds, (a, b, c))}
    with pytest.raises(TypeError, match="share districts"):
        programme_level_digests(ds)  # b and c both name district AKT_D[0]: one project or two?
    [k4] = programme_level_digests(ds, rows=lambda d: rows[id(d)])
    assert [k4] == programme_level([a, b, c])
    assert k4.regions[1].projects_planned == 1  # the rows say: one project, reported twice


def test_annual_plan_from_digests():
    p1 = Submission(path=Path("p1"), form="KRM-1", period="2020", programme="ENBEK", region=AKM, district=AKM_D[0],
                    projects=[ProjectRow(activity="", project="A", plan=7, allocated=D("3.5"),
                                         plan_by_activity={"1": 4, "3": 3}),
                              ProjectRow(activity="", project="a", plan=2, plan_by_activity={"9": 2})])
    p2 = Submission(path=Path("p2"), form="KRM-1", period="2020", programme="ENBEK", region=AKM, district=AKM_D[1],
                    projects=[ProjectRow(activity="", project="A", plan=1, plan_by_activity={"3": 1})])
    assert annual_plan_digests([digest(p2), digest(p1)]) == annual_plan([p2, p1])
    with pytest.raises(RollupError, match="two KRM-1"):
        annual_plan_digests([digest(p1), digest(p1)])


def test_row_functions_refuse_a_digest():
    d = digest(k2(AKM_D[0], [row("1", "P", 1, 1, "1", "1")]))
    assert isinstance(d, Digest)
    for f in (krm3_from_krm2, programme_level):
        with pytest.raises(TypeError, match="needs the rows"):
            f([d])
    with pytest.raises(RollupError, match="two KRM-2"):
        programme_level_digests([d, d])
