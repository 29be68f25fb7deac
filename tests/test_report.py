"""krm report: KRM-6/KRM-7 figures against hand-computed totals, the cross-form checks, missing-data wording."""

from __future__ import annotations

import hashlib
from decimal import Decimal as D
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from krm import forms, reference, report
from krm.model import ProjectRow, RegionRow, Submission

MONTH = "2019-05"


def build(subs, month=MONTH, **kw):
    return report.build(subs, month, root=Path("in"), **kw)


def district(region: str, i: int = 0) -> str:
    return reference.districts(region, MONTH)[i].kato


def k2(name, programme, region, d, rows, period=MONTH, basis="cumulative"):
    return Submission(Path(f"in/{name}.xlsx"), "KRM-2", period, programme, region=region, district=d,
                      basis=basis, projects=rows)


def k3(name, programme, region, rows, period=MONTH):
    return Submission(Path(f"in/{name}.xlsx"), "KRM-3", period, programme, region=region, projects=rows)


def k4(name, programme, rows, period=MONTH):
    return Submission(Path(f"in/{name}.xlsx"), "KRM-4", period, programme, regions=rows)


def k5(name, programme, rows, period=MONTH):
    return Submission(Path(f"in/{name}.xlsx"), "KRM-5", period, programme, regions=rows)


def pr(activity, plan, fact, alloc="0", disb="0", name=None):
    return ProjectRow(activity=activity, project=name or f"p{activity}{plan}{fact}", plan=plan, fact=fact,
                      allocated=D(alloc), disbursed=D(disb))


@pytest.fixture
def inputs():
    """ENBEK from two KRM-2 districts of Akmola (11) + a KRM-3 of Almaty city (75);
    INFRA from a KRM-4 + KRM-5 (regions 11 and 79); a superseded KRM-3 of INFRA for 11."""
    return [
        k2("enbek-akm-1", "ENBEK", "11", district("11", 0), [pr("1", 10, 4, "5.5", "2"), pr("3", 5, 5, "1", "1")]),
        k2("enbek-akm-2", "ENBEK", "11", district("11", 1), [pr("1", 7, 7, "2", "0.5")]),
        k3("enbek-alm", "ENBEK", "75", [pr("5", 20, 10, "3", "1"), pr("9", 3, 0)]),
        k4("infra-k4", "INFRA", [RegionRow("11", plan=30, fact=12, allocated=D("7"), disbursed=D("3")),
                                 RegionRow("79", plan=8, fact=9)]),
        k5("infra-k5", "INFRA", [RegionRow("11", fact=12, by_activity={"2": 2, "3": 10}),
                                 RegionRow("79", fact=9, by_activity={"3": 9})]),
        k3("infra-akm-k3", "INFRA", "11", [pr("3", 999, 999)]),  # must not be counted: the KRM-4 covers 11
    ]


def col(rows, key):
    return [r.get(key) for r in rows]


def test_krm6_by_region_and_programme_hand_computed(inputs):
    rep = build(inputs, MONTH)
    by_region = {r["region"]: r for r in rep.rows6}
    assert by_region["11"]["ENBEK_plan"] == 10 + 5 + 7 and by_region["11"]["ENBEK_fact"] == 4 + 5 + 7
    assert by_region["75"]["ENBEK_plan"] == 23 and by_region["75"]["ENBEK_fact"] == 10
    assert by_region["11"]["INFRA_plan"] == 30 and by_region["11"]["INFRA_fact"] == 12  # KRM-4, not the 999 KRM-3
    assert by_region["79"]["INFRA_plan"] == 8 and by_region["79"]["INFRA_fact"] == 9
    # a region nobody reported for a programme is blank, never zero
    assert "ENBEK_plan" not in by_region["79"] and "INFRA_fact" not in by_region["75"]
    assert by_region["15"] == {"region": "15"}
    sources = {s.path: s for s in rep.data.sources}
    assert sources["infra-akm-k3.xlsx"].status == "superseded"
    assert all(s.status == "used" for p, s in sources.items() if p != "infra-akm-k3.xlsx")


def test_krm7_by_activity_hand_computed(inputs):
    rep = build(inputs, MONTH)
    by_act = {r["activity"]: r for r in rep.rows7}
    # ENBEK: plan and fact by activity from the project rows
    assert by_act["1"]["ENBEK_plan"] == 17 and by_act["1"]["ENBEK_fact"] == 11
    assert by_act["3"]["ENBEK_plan"] == 5 and by_act["5"]["ENBEK_plan"] == 20 and by_act["9"]["ENBEK_plan"] == 3
    assert by_act["2"]["ENBEK_plan"] == 0  # the programme reported by activity: zero is a real zero
    # INFRA: facts by activity from KRM-5; no plan by activity at programme level -> blank, not zero
    assert by_act["3"]["INFRA_fact"] == 19 and by_act["2"]["INFRA_fact"] == 2
    assert all(r["INFRA_plan"] is None for r in rep.rows7)
    # republic columns 3-4: fact = sum of programmes; plan unavailable because INFRA has none by activity
    assert by_act["3"]["fact"] == 5 + 19
    assert all(r["plan"] is None for r in rep.rows7)
    assert sum(r["fact"] for r in rep.rows7) == 26 + 21


def test_cross_form_equalities(inputs):
    rep = build(inputs, MONTH)
    checks = {c.what: c for c in rep.checks}
    assert checks["ENBEK plan"].inputs == checks["ENBEK plan"].krm6 == checks["ENBEK plan"].krm7 == 45
    assert checks["ENBEK fact"].krm6 == checks["ENBEK fact"].krm7 == 26
    assert checks["INFRA plan"].krm6 == 38 and checks["INFRA plan"].krm7 is None
    assert checks["INFRA fact"].inputs == checks["INFRA fact"].krm6 == checks["INFRA fact"].krm7 == 21
    assert checks["republic fact"].krm6 == checks["republic fact"].krm7 == 47
    assert checks["republic plan"].krm6 == 83
    assert all(c.ok for c in rep.checks)


def test_failed_control_totals_raise(inputs, monkeypatch):
    real = report.krm6_rows

    def lossy(md):
        rows = real(md)
        rows[0].pop("ENBEK_fact", None)  # Akmola's ENBEK fact gets lost on the way
        return rows

    monkeypatch.setattr(report.assemble, "krm6_rows", lossy)  # where build() looks it up
    with pytest.raises(report.ReportError) as e:
        build(inputs, MONTH)
    assert e.value.code == 1 and "ENBEK fact" in str(e.value)


def _grid(path: Path, sheet: str):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def test_written_workbooks_total_rows(inputs, tmp_path):
    rep = build(inputs, MONTH)
    written = report.write_outputs(rep, tmp_path, ["kk", "ru"])
    assert sorted(p.name for p in written) == sorted(report.output_names(MONTH, None, ["kk", "ru"]))
    progs = reference.programmes(MONTH)
    for lang in ("kk", "ru"):
        k6 = _grid(tmp_path / f"KRM-6-{MONTH}.{lang}.xlsx", "КРМ-6")
        k7 = _grid(tmp_path / f"KRM-7-{MONTH}.{lang}.xlsx", "КРМ-7")
        cols6 = [c.key for c in forms.get("KRM-6").columns_for(progs)]
        cols7 = [c.key for c in forms.get("KRM-7").columns_for(progs)]
        total6 = next(r for r in k6 if r[1] in ("Барлығы", "Всего"))
        total7 = next(r for r in k7 if r[1] in ("Барлығы", "Всего"))
        assert total6[cols6.index("ENBEK_plan")] == 45 and total6[cols6.index("ENBEK_fact")] == 26
        assert total6[cols6.index("INFRA_fact")] == 21 == total7[cols7.index("INFRA_fact")]
        assert total7[cols7.index("fact")] == 47 == sum(total6[cols6.index(f"{p.code}_fact")] or 0 for p in progs)
        assert total7[cols7.index("INFRA_plan")] in ("", None, 0)  # nothing to sum: plan by activity unknown
        # Aktobe (15) reported nothing: its cells are empty, not 0
        akt = next(r for r in k6 if r[1] in ("Ақтөбе облысы", "Актюбинская область"))
        assert all(v == "" for v in akt[2:])
        # the control sheet names every file with its level and status
        ctl = _grid(tmp_path / f"KRM-6-{MONTH}.{lang}.xlsx", "Бақылау" if lang == "kk" else "Контроль")
        files = [r[0] for r in ctl]
        assert "infra-akm-k3.xlsx" in files and "enbek-akm-1.xlsx" in files


def test_no_overwrite_and_byte_identical_reruns(inputs, tmp_path):
    rep = build(inputs, MONTH)
    report.write_outputs(rep, tmp_path, ["kk"])
    first = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    with pytest.raises(report.ReportError) as e:
        report.write_outputs(rep, tmp_path, ["kk"])
    assert e.value.code == 2 and "--force" in str(e.value)
    report.write_outputs(build(inputs, MONTH), tmp_path, ["kk"], force=True)
    again = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    assert first == again
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_missing_data_wording(inputs):
    rep = build(inputs, MONTH)
    kk = report.render_note(rep, "kk")
    ru = report.render_note(rep, "ru")
    # ENBEK: Akmola and Almaty city reported; INFRA: Akmola and Shymkent
    # without KRM-1 plans nobody is "missing" under a programme: who reported is said
    assert "«Еңбек» бойынша 2 / 17 өңір есеп берді." in kk and "бойынша есеп бермеді" not in kk
    assert "По программе «Еңбек» отчитались 2 из 17 регионов." in ru and "не отчитались по программе" not in ru
    assert "Нет никаких данных по 13 программам" in ru
    # plan by activity at programme level: said plainly, not shown as zero
    assert "План по видам деятельности не показан" in ru and "Нұрлы жол" in ru
    assert "14 өңірден деректер мүлдем түспеген" in kk
    # districts of the KRM-2 level are listed; without KRM-1 plans the expected set is said to be unknown
    assert "Отчитались районы" in ru and "в папке нет планов КРМ-1" in ru


def test_krm1_plans_say_who_was_expected(inputs):
    plan = lambda region, d: Submission(Path(f"in/plan-{d}.xlsx"), "KRM-1", "2019", "ENBEK", region=region,
                                        district=d)
    subs = inputs + [plan("11", district("11", 0)), plan("11", district("11", 2)), plan("15", district("15", 0))]
    ru = report.render_note(build(subs), "ru")
    aktobe = reference.region("15", MONTH).name_ru
    # ENBEK expected in the regions with a plan (Akmola, Aktobe) and those that reported (Akmola, Almaty city)
    assert f"1 из 3 регионов не отчитались по программе «Еңбек». Имеют план (КРМ-1), но не отчитались: {aktobe}." in ru
    missing = reference.districts("11", MONTH)[2].name_ru
    assert f"<td>{missing}</td>" in ru  # planned but sent no KRM-2
    assert "есть план (КРМ-1), нет отчёта" in ru


def test_krm4_only_region_without_krm5_has_no_fact_by_activity():
    subs = [k4("k4", "INFRA", [RegionRow("11", plan=30, fact=12)])]
    rep = build(subs, MONTH)
    assert all(r["INFRA_fact"] is None and r["fact"] is None for r in rep.rows7)
    assert {c.what: c for c in rep.checks}["INFRA fact"].krm6 == 12
    assert "Факт по видам деятельности не показан" in report.render_note(rep, "ru")


def test_krm5_krm4_disagreement_is_a_warning_not_a_double_count():
    subs = [k4("k4", "INFRA", [RegionRow("11", plan=30, fact=12)]),
            k5("k5", "INFRA", [RegionRow("11", fact=11, by_activity={"1": 11})])]
    rep = build(subs, MONTH)
    assert rep.rows6[0]["INFRA_fact"] == 12
    assert any("disagree" in w for w in rep.data.warnings)


def test_warnings_are_in_the_notes_language():
    """The note and the control sheet word each warning in their language (kk, ru); stdout keeps English."""
    import pickle

    from krm.report.sheets import control_sheet, texts

    d = district("11")
    subs = [k4("k4", "INFRA", [RegionRow("11", plan=30, fact=12)]),
            k5("k5", "INFRA", [RegionRow("11", fact=11, by_activity={"1": 11})]),
            k2("a", "ENBEK", "11", d, [pr("1", 1, 1)]), k2("b", "ENBEK", "11", d, [pr("1", 2, 2)])]
    rep = build(subs, MONTH)
    english = [str(w) for w in rep.data.warnings]
    assert any("disagree" in w for w in english) and any("none counted" in w for w in english)
    assert [pickle.loads(pickle.dumps(w)).key for w in rep.data.warnings] == [w.key for w in rep.data.warnings]
    for lang, words in (("kk", ("сәйкес келмейді", "ешқайсысы есепке алынбады")),
                        ("ru", ("расходятся по региону 11: создано 12 и 11", "ни один не учтен: a.xlsx, b.xlsx"))):
        note = report.render_note(rep, lang)
        for w in words:
            assert w in note, (lang, w)
        for w in english:
            assert w not in note, (lang, w)
        _, rows = control_sheet(rep.data, rep.checks, texts(lang))
        flat = [str(r[0]) for r in rows if r]
        assert any(words[0] in x for x in flat) and not set(english) & set(flat)


def test_duplicates_are_not_counted_unless_newest_preferred():
    import datetime as dt

    d = district("11")
    a = k2("a", "ENBEK", "11", d, [pr("1", 1, 1)])
    b = k2("b", "ENBEK", "11", d, [pr("1", 2, 2)])
    other = k2("c", "ENBEK", "11", district("11", 1), [pr("1", 5, 4)])
    a.modified, b.modified = dt.datetime(2019, 6, 6), dt.datetime(2019, 6, 4)
    rep = build([a, b, other])
    assert rep.rows6[0]["ENBEK_plan"] == 5  # neither duplicate counted, the other district is
    st = {s.path: s for s in rep.data.sources}
    assert st["a.xlsx"].status == st["b.xlsx"].status == "excluded" and "duplicate of b.xlsx" in st["a.xlsx"].note
    assert any("none counted" in w for w in rep.data.warnings)
    rep = build([a, b, other], prefer="newest")
    assert rep.rows6[0]["ENBEK_plan"] == 5 + 1  # a is newer
    assert {s.path: s.status for s in rep.data.sources}["b.xlsx"] == "excluded"


def test_mixed_basis_fails():
    subs = [k2("a", "ENBEK", "11", district("11", 0), [pr("1", 1, 1)]),
            k2("b", "ENBEK", "11", district("11", 1), [pr("1", 2, 2)], basis="month")]
    with pytest.raises(report.ReportError):
        build(subs, MONTH)


def test_change_against_previous_month_is_the_difference_of_cumulative_figures(inputs):
    prev = [k3("enbek-alm-apr", "ENBEK", "75", [pr("5", 20, 4)], period="2019-04")]
    rep = build(inputs + prev, MONTH)
    assert rep.previous is not None
    assert report._change(rep.data, rep.previous) == 10 - 4  # only cells present in both months
    assert report._change(rep.data, rep.previous, region="11") is None
    ru = report.render_note(rep, "ru")
    assert "За месяц создано +6 рабочих мест" in ru


def test_january_has_no_month_on_month_change():
    subs = [k3("jan", "ENBEK", "75", [pr("5", 20, 4)], period="2019-01"),
            k3("dec", "ENBEK", "75", [pr("5", 20, 19)], period="2018-12")]
    rep = build(subs, "2019-01")
    assert rep.previous is None
    assert "Январь: нарастающий итог начинается заново" in report.render_note(rep, "ru")


def test_quarter_note_three_months_side_by_side(inputs):
    june = [k3("enbek-alm-jun", "ENBEK", "75", [pr("5", 20, 15)], period="2019-06")]
    apr = [k3("enbek-alm-apr", "ENBEK", "75", [pr("5", 20, 4)], period="2019-04")]
    rep = build(inputs + june + apr, "2019-06", quarter="2019q2")
    assert [m is not None for m in rep.quarter_months] == [True, True, True]
    html = report.render_note(rep, "ru")
    assert "2 квартал 2019 г." in html and "апрель 2019 г." in html and "май 2019 г." in html
    rep2 = build(inputs + june, "2019-06", quarter="2019Q2")
    assert rep2.quarter_months[0] is None
    assert "нет данных за этот месяц" in report.render_note(rep2, "ru")
    with pytest.raises(report.ReportError) as e:
        build(inputs, MONTH, quarter="2019Q2")
    assert e.value.code == 2


def test_user_text_is_escaped_and_never_a_formula(tmp_path):
    subs = [Submission(Path("in/=HYPERLINK(1)<script>.xlsx"), "KRM-3", MONTH, "ENBEK", region="11",
                       projects=[pr("1", 3, 1)]),
            # excluded (no district): the note lists it by its path, escaped
            Submission(Path("in/<script>x.xlsx"), "KRM-2", MONTH, "ENBEK", region="15", projects=[pr("1", 3, 1)])]
    rep = build(subs, MONTH)
    html = report.render_note(rep, "kk")
    assert "<script>" not in html and "&lt;script&gt;" in html
    report.write_outputs(rep, tmp_path, ["kk"])
    import zipfile

    with zipfile.ZipFile(tmp_path / f"KRM-6-{MONTH}.kk.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any("HYPERLINK" in z.read(n).decode() for n in sheets)  # stored as a shared string


def test_bad_month_and_language():
    with pytest.raises(report.ReportError) as e:
        report.parse_month("2019-13")
    assert e.value.code == 2
    with pytest.raises(report.ReportError) as e:
        report.make_report(Path("."), MONTH, Path("/nonexistent"), langs=["en"])
    assert e.value.code == 2


def test_note_without_any_data_says_so(tmp_path):
    rep = build([], MONTH)
    ru = report.render_note(rep, "ru")
    assert "Нет никаких данных по 15 программам" in ru
    assert all(c.ok for c in rep.checks)
    report.write_outputs(rep, tmp_path, ["ru"])
