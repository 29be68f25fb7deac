"""Editions: a new edition of a form is one edit to its spec, and old workbooks keep working.

A temporary edition "2" adds a column "of which women" to KRM-2 (and to KRM-3, where the roll-up carries
it).  The column reaches the template, the findings (and their JSON), and the aggregate's KRM-3; the
committed samples (edition 1, declared in their document properties) still validate as before and roll
up to the same figures.
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


def _new_editions():
    """The one edit per form: KRM-2 gets the column after 'disbursed' (number 10), KRM-3 after its 'disbursed'."""
    return (forms.KRM2.revised("2", SINCE, add={"disbursed": WOMEN}),
            forms.KRM3.revised("2", SINCE, add={"disbursed": WOMEN.model_copy(update={"number": "8"})}))


def _rows(women):
    return [{**r, "jobs_women": w} for r, w in zip(fill.rows("KRM-2"), women)]


def test_a_new_column_reaches_template_findings_json_and_krm3(tmp_path):
    with editions.edition_in_force(*_new_editions()):
        # the template, regenerated: the column, its number and the edition in the document properties
        (tmp_path / "templates").mkdir()
        tpl = write_template(forms.get("KRM-2"), "kk", tmp_path / "templates")
        pf = read(tpl)
        assert pf.spec.edition == pf.spec_version == "2"
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
        assert all(o.control is None or o.control.balanced for o in res.outputs)


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
    old = fill.filled("KRM-2", tmp_path, name="old.xlsx")  # edition 1, before the new one exists
    plain = fill.edit(old, {}, tmp_path / "no-version.xlsx", ops=_version(None))
    with editions.edition_in_force(*_new_editions()):
        assert read(old).spec.edition == "1"
        pf = read(plain)
        assert pf.spec_version is None and pf.spec.edition == "1" and "jobs_women" not in pf.colmap
        assert not validate_file(plain, today=fill.TODAY).findings
        assert read(fill.filled("KRM-2", tmp_path, name="new.xlsx", rows_over=_rows([1, 1, 1]))).spec.edition == "2"


def test_an_unknown_edition_is_still_a_foreign_template(tmp_path):
    path = fill.edit(fill.filled("KRM-2", tmp_path, name="x.xlsx"), {}, tmp_path / "v9.xlsx", ops=_version("9"))
    rep = validate_file(path, today=fill.TODAY)
    assert [f.code for f in rep.findings] == ["KRM-W033"]
    assert rep.findings[0].params["detail"] == "spec version 9, current 1"


@pytest.mark.parametrize("form", sorted(forms.FORMS))
def test_every_form_has_one_current_edition(form):
    eds = editions.all_of(form)
    # every form in its first edition, but KRM-6 in krm's second (its annex's column numbers); 1 is still known
    assert eds[0] is forms.FORMS[form] and eds[0].edition == ("2" if form == "KRM-6" else "1")
    assert editions.known(form, "1") and len({s.edition for s in eds}) == len(eds)
    assert editions.spec(form, None) is editions.spec(form, "unknown") is forms.FORMS[form]


def test_every_column_has_its_role_in_the_chain():
    """A figure is a measure, the row number has no role, every other column is a dimension; each is
    carried to the next level under its own key unless it names another (KRM-1's into the plan summary)."""
    for spec in forms.FORMS.values():
        for c in spec.columns_for():
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
