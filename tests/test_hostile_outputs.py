"""Issue 15, outputs: names and text from outside never break or hijack an output, and --annotate is
bounded and writes values, never formulas.

* a file name that is not valid UTF-8 and holds a terminal escape sequence goes through validate (text
  and JSON), status, aggregate and report: no traceback, every output valid UTF-8, the odd byte shown
  as ``\\xff`` everywhere, no raw ESC on the terminal;
* cell text with escape sequences is shown escaped by validate;
* ``--annotate`` runs in a worker (a timeout leaves nothing behind) and writes stored values in place
  of formulas (a DDE formula is not carried into the copy).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from make_bad_corpus import SHEET, col_letter, edit, first_data_row, good_bytes, inline, set_cell  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REGION = ROOT / "samples" / "2019-05" / "31-Zhambyl-Region"
KRM = [sys.executable, "-c", "from krm.cli import run; run()"]
ODD = b"a\xff\x1b[31m\x1b]0;pwned\x07.xlsx"  # not UTF-8, a colour and a window-title sequence


def krm(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KRM_CACHE": "off", "COLUMNS": "200"}
    return subprocess.run(KRM + [os.fsdecode(a) if isinstance(a, bytes) else str(a) for a in args],
                          capture_output=True, timeout=300, env=env, cwd=cwd)


def _safe(out: bytes) -> str:
    assert b"\x1b" not in out and b"\x07" not in out, out[-500:]
    return out.decode("utf-8")  # raises if an undecodable byte got through


@pytest.fixture(scope="module")
def odd_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("odd") / "in"
    shutil.copytree(REGION, root / REGION.name)
    first = sorted((root / REGION.name).iterdir())[0]
    os.rename(first, os.path.join(os.fsencode(first.parent), ODD))
    return root


def test_odd_file_name_validate(odd_folder):
    for args in (["--format", "json"], []):
        p = krm("validate", odd_folder, *args)
        assert p.returncode in (0, 1) and b"Traceback" not in p.stderr, p.stderr[-1500:]
        out = _safe(p.stdout)
        _safe(p.stderr)
        assert "a\\xff\\x1b[31m" in out if not args else "a\\\\xff" in out
    data = json.loads(krm("validate", odd_folder, "--format", "json").stdout)
    assert any(f["path"].endswith("a\\xff\x1b[31m\x1b]0;pwned\x07.xlsx") for f in data["files"])


def test_odd_file_name_status_aggregate_report(odd_folder, tmp_path):
    p = krm("status", odd_folder, "--month", "2019-05")
    assert p.returncode == 0 and b"Traceback" not in p.stderr, p.stderr[-1500:]
    _safe(p.stdout)
    p = krm("aggregate", odd_folder, "--out", tmp_path / "agg", "--format", "json")
    assert p.returncode in (0, 1) and b"Traceback" not in p.stderr, p.stderr[-1500:]
    assert "a\\\\xff" in _safe(p.stdout)
    summary = (tmp_path / "agg" / "aggregate-summary.json").read_bytes().decode("utf-8")
    assert "a\\\\xff" in summary
    for x in (tmp_path / "agg").rglob("*.xlsx"):  # the control sheets list the inputs
        with zipfile.ZipFile(x) as zf:
            for n in zf.namelist():
                zf.read(n).decode("utf-8") if n.endswith(".xml") else None
    p = krm("report", "--month", "2019-05", odd_folder, "--out", tmp_path / "rep")
    assert p.returncode == 0 and b"Traceback" not in p.stderr, p.stderr[-1500:]
    _safe(p.stdout)
    _safe(p.stderr)
    assert sorted(x.name for x in (tmp_path / "rep").iterdir())


def test_escape_sequences_in_cell_text_are_shown_escaped(tmp_path):
    r0 = first_data_row()
    data = edit(good_bytes(), SHEET, lambda x: set_cell(x, f"{col_letter('plan')}{r0}",
                                                        inline("\x1b[2J\x1b]0;hi\x07 25"), "inlineStr"))
    p = tmp_path / "esc.xlsx"
    p.write_bytes(data)
    r = krm("validate", p)
    assert r.returncode == 1 and b"KRM-E020" in r.stdout
    assert "\\x1b[2J" in _safe(r.stdout)


def test_annotate_writes_values_not_formulas(tmp_path):
    r0 = first_data_row()
    ref = f"{col_letter('fact')}{r0}"
    src = tmp_path / "dde.xlsx"
    src.write_bytes(edit(good_bytes(), SHEET, lambda x: set_cell(x, ref, "<f>cmd|'/c calc'!A1</f><v>12</v>")))
    before = src.read_bytes()
    out = tmp_path / "dde.checked.xlsx"
    r = krm("validate", src, "--annotate", out)
    assert r.returncode == 1 and b"KRM-E029" in r.stdout and b"Traceback" not in r.stderr
    assert src.read_bytes() == before
    with zipfile.ZipFile(out) as zf:
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any(b"<f>" in s or b"<f " in s for s in sheets)
    form = next(s for s in sheets if f'<c r="{ref}"'.encode() in s)
    assert f'<c r="{ref}"'.encode() in form and b"<v>12</v>" in form.split(f'<c r="{ref}"'.encode())[1][:80]


def test_annotate_is_bounded_and_leaves_nothing(tmp_path):
    from krm.annotate import annotate_isolated
    from krm.validate import validate_file

    src = tmp_path / "a.xlsx"
    src.write_bytes(good_bytes())
    rep = validate_file(src)
    out = tmp_path / "a.checked.xlsx"
    kind, why = annotate_isolated(src, rep.findings, out, timeout_s=0.01)
    assert kind == "failed" and "longer than" in why
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
    assert annotate_isolated(src, rep.findings, out) is None and out.exists()
    assert annotate_isolated(src, rep.findings, out)[0] == "exists"
