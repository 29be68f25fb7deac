"""`krm validate` end to end: exit codes, the JSON shape, languages, --summary, --annotate."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import fill
from krm.cli import app

runner = CliRunner()
AS_OF = ["--as-of", "2019-07-01"]


def run(*args):
    return runner.invoke(app, ["validate", *map(str, args), *AS_OF])


def test_clean_folder_exits_0(tmp_path):
    for f in ("KRM-1", "KRM-2", "KRM-4"):
        fill.filled(f, tmp_path)
    r = run(tmp_path, "--summary")
    assert r.exit_code == 0, r.output
    assert r.output.count("  clean\n") == 3 and "3 files, 0 errors, 0 warnings" in r.output


def test_errors_exit_1_and_json_shape(tmp_path):
    p = fill.filled("KRM-2", tmp_path, rows_over=[{**fill.rows("KRM-2")[0], "disbursed": 200}])
    fill.filled("KRM-3", tmp_path, signature={})
    r = run(tmp_path, "--format", "json", "--lang", "ru")
    assert r.exit_code == 1, r.output
    d = json.loads(r.stdout)
    assert d["version"] == 1
    assert d["summary"] == {"files": 2, "errors": 1, "warnings": 3, "by_code": {"KRM-E034": 1, "KRM-W020": 3}}
    assert d["files"][0] == {"path": str(p), "form": "KRM-2", "errors": 1, "warnings": 0}
    f = d["findings"][0]
    assert set(f) == {"code", "severity", "file", "sheet", "cell", "row", "column", "column_title", "value",
                      "related", "form", "message", "hint"}
    assert f["code"] == "KRM-E034" and f["cell"] == "J15" and f["column"] == "9" and f["value"] == 200
    assert f["related"] == ["I15"] and "освоенная сумма" in f["message"]


def test_unreadable_exits_2_but_reports_the_rest(tmp_path):
    fill.filled("KRM-2", tmp_path)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04garbage")
    r = run(tmp_path, "--format", "json")
    assert r.exit_code == 2
    d = json.loads(r.stdout)
    assert [x["form"] for x in d["files"]] == ["KRM-2", None]
    assert d["findings"][0]["code"] == "KRM-E002"


def test_usage_errors_exit_2(tmp_path):
    assert run(tmp_path / "missing.xlsx").exit_code == 2
    assert run(tmp_path, "--lang", "de").exit_code == 2
    (tmp_path / "x.txt").write_text("x")
    r = run(tmp_path)
    assert r.exit_code == 2 and "no workbooks" in r.output


def test_text_report_in_kazakh(tmp_path):
    p = fill.filled("KRM-2", tmp_path, rows_over=[{**fill.rows("KRM-2")[0], "plan": "он"}])
    r = run(p, "--lang", "kk")
    assert r.exit_code == 1
    assert "KRM-E020" in r.output and "G15" in r.output and "сан емес" in r.output


def test_annotate_writes_a_marked_copy_and_keeps_the_original(tmp_path):
    import openpyxl

    p = fill.filled("KRM-2", tmp_path, rows_over=[{**fill.rows("KRM-2")[0], "plan": "=cmd|' /C calc'!A0",
                                                    "disbursed": 200}])
    before = p.read_bytes()
    out = tmp_path / "checked.xlsx"
    r = run(p, "--annotate", out, "--lang", "ru")
    assert r.exit_code == 1, r.output
    assert p.read_bytes() == before
    wb = openpyxl.load_workbook(out)
    fs = wb.worksheets[0]
    assert fs.title == "Замечания"
    codes = [fs.cell(row=i, column=1).value for i in range(2, fs.max_row + 1)]
    assert codes == ["KRM-E020", "KRM-E034"]
    assert fs["C2"].value == "G15" and fs["C2"].hyperlink.location == f"'{wb.sheetnames[1]}'!G15"
    assert fs["E2"].data_type == "s" and fs["E2"].value.startswith("=cmd")  # user text stays text
    form = wb[wb.sheetnames[1]]
    assert form["G15"].comment is not None and "KRM-E020" in form["G15"].comment.text
    assert form["G15"].fill.fgColor.rgb.endswith("FFC7CE")
    assert form["G15"].data_type == "s"  # the user's "=cmd…" is still text, not a formula
    # the marked copy is itself still a KRM-2 that validates to the same findings
    r2 = run(out, "--format", "json")
    assert [f["code"] for f in json.loads(r2.stdout)["findings"]] == ["KRM-E020", "KRM-E034"]
    # never silently overwritten
    r3 = run(p, "--annotate", out)
    assert r3.exit_code == 2 and "--force" in r3.output


def test_annotate_dir(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    fill.filled("KRM-2", src, name="ok.xlsx")
    fill.filled("KRM-4", src, name="bad.xlsx", signature={})
    r = run(src, "--annotate-dir", tmp_path / "out")
    assert r.exit_code == 0  # warnings only
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bad.checked.xlsx"]
