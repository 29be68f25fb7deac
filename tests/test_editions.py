"""Editions: a new edition of a form is one edit to its spec, and old workbooks keep working.

A temporary next edition adds a column "of which women" to KRM-2 (and to KRM-3 and KRM-4, where the roll-up
carries it).  The column reaches the template, the findings (and their JSON), the aggregate's KRM-3 (its
rows and its grouped sheet) and KRM-4 (the region's sum), with control totals that prove it at every
level; the committed samples (edition 1, declared in their document properties) still validate as before
and roll up to the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import fill
from krm import editions, forms
from krm.aggregate import aggregate
from krm.commands.validate import report_json
from krm.spec import ColType, Column, T
from krm.templates_api import write_template
from krm.validate import validate_file, validate_paths
from krm.workbook.reader import read

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "2019-05"
WOMEN = Column(key="jobs_women", number="10", title=T("оның ішінде әйелдер үшін", "в том числе для женщин",
                                                      "of which for women"),
               type=ColType.JOBS, width=11, role="measure")
SINCE = dt.date(2019, 5, 1)
K2 = forms.KRM2.edition  # KRM-2's current edition (2: the address part); the temporary one is the next
K2_NEXT = str(int(K2) + 1)


def _new_editions():
    """The one edit per form: KRM-2 gets the column after 'disbursed' (number 10), KRM-3 after its 'disbursed'
    (8), KRM-4 after 'fact' (9)."""
    return (forms.KRM2.revised(K2_NEXT, SINCE, add={"disbursed": WOMEN}),
            forms.KRM3.revised("2", SINCE, add={"disbursed": WOMEN.model_copy(update={"number": "8"})}),
            forms.KRM4.revised("2", SINCE, add={"fact": WOMEN.model_copy(update={"number": "9"})}))


def _rows(women):
    return [{**r, "jobs_women": w} for r, w in zip(fill.rows("KRM-2"), women)]


def test_a_new_column_reaches_template_findings_json_and_krm3(tmp_path):
    with editions.edition_in_force(*_new_editions()):
        # the template, regenerated: the column, its number and the edition in the document properties
        (tmp_path / "templates").mkdir()
        tpl = write_template(forms.get("KRM-2"), "kk", tmp_path / "templates")
        pf = read(tpl)
        assert pf.spec.edition == pf.spec_version == K2_NEXT
        assert "jobs_women" in pf.colmap and pf.found_numbers[pf.colmap["jobs_women"]] == "10"
        assert "оның ішінде әйелдер үшін" in {v for row in pf.grid for v in row if isinstance(v, str)}
        assert not {f.code for f in validate_file(tpl, today=fill.TODAY).findings} & {"KRM-E012", "KRM-W033"}
        # the findings: a bad cell of the new column is judged by its type, named by its number and title
        bad = fill.filled("KRM-2", tmp_path, name="bad.xlsx", rows_over=_rows([5, -1, 2]))
        rep = validate_file(bad, today=fill.TODAY)
        assert [(f.code, f.column) for f in rep.findings] == [("KRM-E021", "10")]
        doc = json.loads(json.dumps(report_json([rep], "en"), ensure_ascii=False))
        assert (doc["findings"][0]["column"], doc["findings"][0]["column_title"]) == ("10", WOMEN.title("kk"))
        # KRM-3: a new-edition workbook's column carried, old-edition workbooks' left blank
        good = _rows([5, 1, 2])
        folder = tmp_path / "month"
        shutil.copytree(SAMPLES / "11-Akmola-Region", folder / "11-Akmola-Region")
        fill.filled("KRM-2", folder, name="new-edition.xlsx", rows_over=good)
        res = aggregate(folder, tmp_path / "out", today=fill.TODAY, jobs=1)
        krm3 = {read(p).header.get("region"): read(p) for p in (tmp_path / "out").rglob("KRM-3.*.xlsx")}
        new = next(pf for pf in krm3.values() if any(r.values.get("jobs_women") for r in pf.rows))
        assert new.spec.edition == "2"
        assert sorted(r.values["jobs_women"] for r in new.rows) == [1, 2, 5]
        old = [pf for pf in krm3.values() if pf is not new]
        assert old and all(r.values.get("jobs_women") is None for pf in old for r in pf.rows)
        # the print sheet of that KRM-3 (the annex's layout, grouped under the activities) shows it among the
        # measures: each project's figure, and the sums on the group rows
        printed = _printed_rows(next(p for p in (tmp_path / "out").rglob("KRM-3.*.xlsx") if read(p).rows == new.rows))
        head = next(i for i, r in enumerate(printed) if WOMEN.title("kk") in r)
        col = printed[head].index(WOMEN.title("kk"))
        below = printed[head + 1:]
        assert sorted(r[col] for r in below if isinstance(r[0], (int, float)) and r[col] != "") == [1, 2, 5]
        assert sum(r[col] or 0 for r in below if isinstance(r[0], str) and r[0][:-1].isdigit()) == 8
        # KRM-4: the region's sum under the column's number; the programme's other regions (edition 1) blank
        krm4 = [read(p) for p in (tmp_path / "out").rglob("KRM-4.*.xlsx")]
        carried = [r for pf in krm4 for r in pf.rows if r.values.get("jobs_women") is not None]
        assert [(r.values["region"], r.values["jobs_women"]) for r in carried] == [(new.header["region"], 8)]
        k4 = next(pf for pf in krm4 if carried[0] in pf.rows)
        assert k4.spec.edition == "2" and k4.found_numbers[k4.colmap["jobs_women"]] == "9"
        assert all(o.control is None or o.control.balanced for o in res.outputs)
        assert [r.extra for o in res.outputs if o.form == "KRM-4" for r in o.submission.regions if r.extra] == \
            [{"jobs_women": 8}]


def _printed_rows(path):
    """The print sheet's rows as a program that does not calculate sees them (the formulas' cached values)."""
    from openpyxl import load_workbook

    from krm.workbook.writer import printsheet

    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb[printsheet.sheet_name(forms.get("KRM-3"), "kk")]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _figures(result):
    return [(o.form, o.rel, [(r.region, r.plan, r.fact, str(r.allocated), str(r.disbursed), r.projects_planned,
                              r.projects_done, sorted(r.by_activity.items())) for r in o.submission.regions])
            for o in result.outputs if o.form != "KRM-3"]


def test_old_edition_samples_validate_and_roll_up_as_before(tmp_path):
    before = [(r.path.name, [(f.code, f.cell) for f in r.findings]) for r in
              validate_paths([SAMPLES], jobs=2, today=fill.TODAY, cache=False)]
    figures = _figures(aggregate(SAMPLES, tmp_path / "a", today=fill.TODAY, write=False, cache=False))
    with editions.edition_in_force(*_new_editions()):
        reps = validate_paths([SAMPLES], jobs=2, today=fill.TODAY, cache=False)
        after = [(r.path.name, [(f.code, f.cell) for f in r.findings]) for r in reps]
        assert all(r.submission is None or r.submission.edition == "1" for r in reps)  # read as edition 1
        assert after == before
        assert not any(code in ("KRM-E012", "KRM-W033") for _, fs in after for code, _ in fs)
        assert _figures(aggregate(SAMPLES, tmp_path / "b", today=fill.TODAY, write=False, cache=False)) == figures


def _version(value):
    """fill.edit ops: set (or, with None, remove) the document property krm_spec_version."""
    from openpyxl.packaging.custom import StringProperty

    def ops(ws, wb):
        props = [p for p in wb.custom_doc_props.props if p.name != "krm_spec_version"]
        if value is not None:
            props.append(StringProperty(name="krm_spec_version", value=value))
        wb.custom_doc_props.props = props
    return ops


def test_a_workbook_without_its_edition_is_read_by_the_layout_it_matches(tmp_path):
    """No krm_spec_version (a copy made by another program): the edition whose columns it has."""
    old = fill.filled("KRM-2", tmp_path, name="old.xlsx")  # the current edition, before the next one exists
    plain = fill.edit(old, {}, tmp_path / "no-version.xlsx", ops=_version(None))
    with editions.edition_in_force(*_new_editions()):
        assert read(old).spec.edition == K2
        pf = read(plain)
        assert pf.spec_version is None and pf.spec.edition == K2 and "jobs_women" not in pf.colmap
        assert not validate_file(plain, today=fill.TODAY).findings
        new = fill.filled("KRM-2", tmp_path, name="new.xlsx", rows_over=_rows([1, 1, 1]))
        assert read(new).spec.edition == K2_NEXT


def test_an_unknown_edition_is_still_a_foreign_template(tmp_path):
    path = fill.edit(fill.filled("KRM-2", tmp_path, name="x.xlsx"), {}, tmp_path / "v9.xlsx", ops=_version("9"))
    rep = validate_file(path, today=fill.TODAY)
    assert [f.code for f in rep.findings] == ["KRM-W033"]
    assert rep.findings[0].params["detail"] == f"spec version 9, current {K2}"


@pytest.mark.parametrize("form", sorted(forms.FORMS))
def test_every_form_has_one_current_edition(form):
    eds = editions.all_of(form)
    # every form in its first edition, but KRM-6 in krm's second (its annex's column numbers) and KRM-2 in krm's
    # second (the address part per row); 1 is still known
    assert eds[0] is forms.FORMS[form] and eds[0].edition == ("2" if form in ("KRM-2", "KRM-6") else "1")
    assert editions.known(form, "1") and len({s.edition for s in eds}) == len(eds)
    assert editions.spec(form, None) is editions.spec(form, "unknown") is forms.FORMS[form]


ADDRESS = {("KRM-2", "reg_address"), ("KRM-2", "actual_address")}


def test_every_column_has_its_role_in_the_chain():
    """A figure is a measure, the row number has no role, every other column is a dimension; each is
    carried to the next level under its own key unless it names another (KRM-1's into the plan summary)."""
    for spec in forms.FORMS.values():
        for c in spec.columns_for():
            if (spec.id, c.key) in ADDRESS:  # KRM-2's address part: texts that feed nothing
                assert not c.role and c.carried_as is None and c.type == ColType.TEXT and not c.required
                continue
            assert c.role == (None if c.type == ColType.SEQ else "measure" if c.type.numeric else "dimension"), \
                (spec.id, c.key)
    k1 = {c.key: c.carried_as for c in forms.KRM1.columns}
    assert (k1["rb"], k1["lb"], k1["total"], k1["act3"]) == ("allocated", "allocated", "plan", "plan_by_activity")
    assert [c.carried_as for c in forms.KRM2.columns if c.role] == [c.key for c in forms.KRM2.columns if c.role]
    assert {c.carried_as for c in forms.KRM2.columns if c.role} - {"enterprise"} == \
        {c.key for c in forms.KRM3.columns if c.role} - {"district"}  # KRM-3 adds the district from the header


def test_control_totals_prove_an_added_figure(tmp_path):
    """KRM-3's control totals cover a column a newer edition added: a lost figure is a problem."""
    from krm import rollup
    from krm.convert import to_submission

    with editions.edition_in_force(*_new_editions()):
        sub = to_submission(read(fill.filled("KRM-2", tmp_path, name="n.xlsx", rows_over=_rows([5, 1, 2]))))
        assert rollup.extra_totals(sub) == {"jobs_women": 8} == dict(rollup.digest(sub).extra)
        [k3] = rollup.krm3_from_krm2([sub])
        assert [r.get("jobs_women") for r in k3.projects] and rollup.extra_totals(k3) == {"jobs_women": 8}
        assert rollup.control_totals([rollup.digest(sub)], [k3]).balanced
        k3.projects[0].extra["jobs_women"] -= 1
        assert rollup.control_totals([rollup.digest(sub)], [k3]).problems == ["jobs_women: inputs 8 != output 7"]
        k3.projects[0].extra["jobs_women"] += 1
        # KRM-4/5: the region's sum, the same from the rows (KRM-2 or KRM-3) and from the digests
        [k4] = rollup.programme_level([k3])
        assert k4.regions[0].extra == {"jobs_women": 8} and k4.regions[0].get("jobs_women") == 8
        assert rollup.programme_level([sub]) == [k4] == rollup.programme_level_digests([rollup.digest(sub)])
        assert rollup.control_totals([rollup.digest(sub)], [k4]).balanced
        assert rollup.control_totals([k3], [k4]).balanced
        k4.regions[0].extra["jobs_women"] = 0
        assert rollup.control_totals([rollup.digest(sub)], [k4]).problems == ["jobs_women: inputs 8 != output 0"]


def test_an_added_figure_stops_where_the_next_level_has_no_column(tmp_path):
    """KRM-2 and KRM-3 in their next edition, KRM-4 still in edition 1: KRM-4 has nothing to carry it in, so its rows
    and control totals are the four measures only, as before."""
    from krm import rollup
    from krm.convert import to_submission

    with editions.edition_in_force(*_new_editions()[:2]):
        sub = to_submission(read(fill.filled("KRM-2", tmp_path, name="n.xlsx", rows_over=_rows([5, 1, 2]))))
        [k4] = rollup.programme_level(rollup.krm3_from_krm2([sub]))
        assert k4.regions[0].extra is None and editions.carried_to("KRM-2", K2_NEXT, "programme").get("jobs_women") is None
        assert editions.carried_to("KRM-2", K2_NEXT, "region")["jobs_women"] == "jobs_women"
        assert rollup.control_totals([rollup.digest(sub)], [k4]).balanced


def test_printed_layouts_are_registered_with_the_edition_they_print():
    """The annexes' printed layouts live in the editions registry: each form's, with its edition."""
    got = {(lay.form, lay.edition, lay.name) for f in forms.FORMS for lay in editions.printed(f)}
    assert got == {("KRM-1", "1", "annex-1"), ("KRM-2", "1", "annex-2"), ("KRM-3", "1", "annex-3"),
                   ("KRM-4", "1", "annex-4"), ("KRM-5", "1", "annex-5")}


def test_an_annex_workbook_is_read_against_the_edition_its_layout_prints(tmp_path):
    """Under a new current edition of KRM-2, a workbook drawn as Annex 2 (which prints edition 1) is still read
    against edition 1: the registry's printed layout decides, not the current spec."""
    import annex

    d = annex.districts_2019(1)[0]
    case = annex.Case("a2", region=d.region_kato, district=d.kato, rows=annex.data(4), total="number")
    path = annex.write(case, tmp_path / "annex2.xlsx")
    with editions.edition_in_force(*_new_editions()):
        pf = read(path)
        assert (pf.layout, pf.spec.edition, "jobs_women" in pf.colmap) == ("annex-2", "1", False)
        rep = validate_file(path, today=fill.TODAY)
        assert rep.submission.edition == "1" and not {f.code for f in rep.findings} & {"KRM-E012", "KRM-E065"}
        assert sorted(p.plan for p in rep.submission.projects) == sorted(x["plan"] for x in case.rows)


def test_a_programmes_expected_regions_have_one_definition():
    """The note's completeness per programme: the regions with a KRM-1 plan under it, and those that reported."""
    from krm.intake import completeness

    planned = {("ENBEK", "11", "111000000"), ("ENBEK", "15", "151000000"), ("AIC", "19", "191000000")}
    assert completeness.expected_regions(planned, "ENBEK") == {"11", "15"}
    assert completeness.expected_regions(planned, "ENBEK", ["61"]) == {"11", "15", "61"}
    assert completeness.expected_regions(planned, "DKB2020") == set()


def test_an_added_measure_reaches_krm5_when_krm5_has_the_column(tmp_path):
    """The same design carries the figure to whichever programme-level form has the column: here KRM-5 only
    (after its activity columns, number 13), not KRM-4."""
    women5 = WOMEN.model_copy(update={"number": "13"})
    with editions.edition_in_force(*_new_editions()[:2], forms.KRM5.revised("2", SINCE, add={"act9": women5})):
        folder = tmp_path / "month"
        folder.mkdir()
        fill.filled("KRM-2", folder, name="new-edition.xlsx", rows_over=_rows([5, 1, 2]))
        res = aggregate(folder, tmp_path / "out", today=fill.TODAY, jobs=1)
        [k5] = [read(p) for p in (tmp_path / "out").rglob("KRM-5.*.xlsx")]
        [k4] = [read(p) for p in (tmp_path / "out").rglob("KRM-4.*.xlsx")]
        assert [r.values["jobs_women"] for r in k5.rows if r.values.get("fact")] == [8]
        assert k5.found_numbers[k5.colmap["jobs_women"]] == "13" and "jobs_women" not in k4.colmap
        assert all(o.control is None or o.control.balanced for o in res.outputs)


def test_a_krm4_of_the_new_edition_is_read_with_its_added_measure(tmp_path):
    """A KRM-4 filled from the new edition's template: its added column is read into RegionRow.extra by key."""
    from krm.convert import to_submission

    with editions.edition_in_force(*_new_editions()):
        rows = [{**r, "jobs_women": 3 + i} for i, r in enumerate(fill.rows("KRM-4"))]
        sub = to_submission(read(fill.filled("KRM-4", tmp_path, name="k4.xlsx", rows_over=rows)))
        assert sub.edition == "2" and sorted(r.get("jobs_women") for r in sub.regions if r.get("jobs_women")) == \
            [3 + i for i in range(len(rows))]  # the regions' rows left blank hold 0, as their other figures
    sub1 = to_submission(read(fill.filled("KRM-4", tmp_path, name="k4-1.xlsx")))  # edition 1: nothing added
    assert sub1.edition == "1" and all(r.extra is None for r in sub1.regions)
