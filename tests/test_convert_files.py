"""krm convert: workbooks made outside the template written into krm's template, with their findings
as an annotated copy and a link to the source; never overwriting; exit codes as README."""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

import annex
from krm.cli import app
from krm.validate import validate_file

TODAY = dt.date(2019, 7, 1)
runner = CliRunner()


def _issue_file(tmp_path) -> tuple[annex.Case, Path]:
    """The Annex-2 file of issue 14: numbers 1-9, one column 5, grouped rows, header as text lines."""
    d = annex.districts_2019(1)[0]
    c = annex.Case("issue", region=d.region_kato, district=d.kato, rows=annex.data(11), total="none")
    src = tmp_path / "in"
    src.mkdir()
    return c, annex.write(c, src / "Сарыағаш-мамыр.xlsx")


def _convert(*args) -> tuple[int, str]:
    r = runner.invoke(app, ["convert", *map(str, args), "--as-of", TODAY.isoformat()], catch_exceptions=False)
    return r.exit_code, r.output


def _projects(rep):
    return sorted((p.project, p.bin, p.activity, p.start, p.end, p.plan, p.fact, p.allocated, p.disbursed)
                  for p in rep.submission.projects)


def test_the_annex2_file_converts_to_a_clean_template_with_the_same_figures(tmp_path):
    c, src = _issue_file(tmp_path)
    code, out = _convert(src, "--out", tmp_path / "out")
    assert code == 0, out
    conv = tmp_path / "out" / "Сарыағаш-мамыр.krm.xlsx"
    after = validate_file(conv, today=TODAY)
    assert after.findings == [], [(f.code, f.cell) for f in after.findings]
    before = validate_file(src, today=TODAY)
    assert [f.code for f in before.findings] == ["KRM-W033"]
    assert _projects(after) == _projects(before)
    for k in ("period", "programme", "region", "district", "basis"):
        assert getattr(after.submission, k) == getattr(before.submission, k)
    # the link to the source
    with zipfile.ZipFile(conv) as z:
        custom = z.read("docProps/custom.xml").decode()
    assert f">{src}<" in custom and hashlib.sha256(src.read_bytes()).hexdigest() in custom
    assert 'name="krm_form"><vt:lpwstr>KRM-2' in custom
    # the annotated copy: the source with its findings sheet
    wb = openpyxl.load_workbook(tmp_path / "out" / "Сарыағаш-мамыр.findings.xlsx")
    assert wb.worksheets[0]["A2"].value == "KRM-W033"


def test_converted_rolls_up_to_the_same_figures_as_the_template(tmp_path):
    from krm.aggregate import aggregate

    c, src = _issue_file(tmp_path)
    assert _convert(src, "--out", tmp_path / "conv")[0] == 0
    (tmp_path / "tmpl").mkdir()
    annex.write_template(c, tmp_path / "tmpl" / "t.xlsx")
    a = aggregate(tmp_path / "conv", tmp_path / "a", today=TODAY, write=False, cache=False, jobs=1)
    b = aggregate(tmp_path / "tmpl", tmp_path / "b", today=TODAY, write=False, cache=False, jobs=1)
    ta = {(o.form, o.region): o.totals() for o in a.outputs}
    tb = {(o.form, o.region): o.totals() for o in b.outputs}
    assert ta and ta == tb


def test_never_overwrites_and_writes_the_same_bytes(tmp_path):
    c, src = _issue_file(tmp_path)
    before = src.read_bytes()
    assert _convert(src, "--out", tmp_path / "out")[0] == 0
    conv = tmp_path / "out" / "Сарыағаш-мамыр.krm.xlsx"
    first = conv.read_bytes()
    code, out = _convert(src, "--out", tmp_path / "out")
    assert code == 2 and "exists" in out
    assert conv.read_bytes() == first
    assert _convert(src, "--out", tmp_path / "out", "--force")[0] == 0
    assert conv.read_bytes() == first  # same input, same bytes
    assert src.read_bytes() == before  # the source is only read
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_source_with_errors_is_converted_and_marked(tmp_path):
    c, src = _issue_file(tmp_path)
    wb = openpyxl.load_workbook(src)
    ws = wb.active
    cell = next(r[5] for r in ws.iter_rows() if isinstance(r[1].value, str) and r[1].value.isdigit())
    cell.value = -3
    wb.save(src)
    code, out = _convert(src, "--out", tmp_path / "out")
    assert code == 1, out
    after = validate_file(tmp_path / "out" / "Сарыағаш-мамыр.krm.xlsx", today=TODAY)
    assert "KRM-E021" in {f.code for f in after.findings}  # carried over, not hidden
    fs = openpyxl.load_workbook(tmp_path / "out" / "Сарыағаш-мамыр.findings.xlsx").worksheets[0]
    assert "KRM-E021" in [r[0].value for r in fs.iter_rows()]


def test_an_unreadable_source_is_exit_2_and_writes_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.xlsx").write_bytes(b"not a workbook")
    code, out = _convert(tmp_path / "in", "--out", tmp_path / "out", "--format", "json")
    assert code == 2
    assert not (tmp_path / "out" / "bad.krm.xlsx").exists()
    assert '"status": "unreadable"' in out


def test_sources_with_one_stem_get_their_own_outputs(tmp_path):
    from krm.convert_files import targets

    a, b = tmp_path / "d" / "x.xls", tmp_path / "d" / "x.ods"
    t = targets([a, b], [tmp_path], tmp_path / "out")
    assert t[a][0] == tmp_path / "out" / "d" / "x-xls.krm.xlsx" and t[b][0].name == "x-ods.krm.xlsx"
