"""krm report end to end: real workbooks on disk -> KRM-6, KRM-7 and the note; and the note in a real browser."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import fill
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from krm import forms, reference
from krm.cli import app

MONTH = fill.PERIOD


@pytest.fixture
def folder(tmp_path):
    """ENBEK: a KRM-4 + KRM-5 (Akmola 11, Zhambyl 31; the other region rows blank), one district's KRM-2 of
    Turkistan (61, not in the KRM-4: counted) and one of Zhambyl (in the KRM-4: superseded, not counted)."""
    d = tmp_path / "in"
    d.mkdir()
    fill.filled("KRM-4", d, name="enbek-k4.xlsx")
    fill.filled("KRM-5", d, name="enbek-k5.xlsx")
    fill.filled("KRM-2", d, name="turkistan-d1.xlsx")
    zh = reference.region("31", MONTH)
    fill.filled("KRM-2", d, name="zhambyl-d1.xlsx", header_over={
        "region": zh.name_kk, "district": reference.district_label(reference.districts("31", MONTH)[0], "kk")})
    return d


def total_row(path: Path, sheet: str, keys: list[str]) -> dict:
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    row = next(r for r in grid if r[1] in ("Барлығы", "Всего"))
    return {k: row[i] for i, k in enumerate(keys)}


def test_cli_writes_krm6_krm7_note_with_hand_computed_totals(folder, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(out), "--lang", "kk,ru"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{f}-{MONTH}.{lang}.xlsx" for f in ("KRM-6", "KRM-7") for lang in ("kk", "ru")) + \
        [f"note-{MONTH}.kk.html", f"note-{MONTH}.ru.html"]
    progs = reference.programmes(MONTH)
    k6 = total_row(out / f"KRM-6-{MONTH}.kk.xlsx", "КРМ-6", [c.key for c in forms.get("KRM-6").columns_for(progs)])
    k7 = total_row(out / f"KRM-7-{MONTH}.ru.xlsx", "КРМ-7", [c.key for c in forms.get("KRM-7").columns_for(progs)])
    # KRM-4 regions: plan 20 + 8, fact 12 + 8; Turkistan's KRM-2: plan 10 + 8 + 2, fact 8 + 3 + 2
    assert k6["ENBEK_plan"] == 48 and k6["ENBEK_fact"] == 33
    assert k7["ENBEK_fact"] == 33 == k7["fact"]
    assert k7["ENBEK_plan"] in ("", None, 0) and k7["plan"] in ("", None, 0)  # no plan by activity in KRM-4/5
    html = (out / f"note-{MONTH}.ru.html").read_text(encoding="utf-8")
    # no KRM-1 plans in the folder: who reported is said, nobody is called missing
    assert "По программе «Еңбек» отчитались 3 из 17 регионов." in html and "не отчитались по программе" not in html
    # the sources by status with counts (every file is on the control sheet): 3 used, 1 superseded by KRM-4/5
    assert re.search(r"<td>использован</td>(<td class=\"n\">\d*</td>)*<td class=\"n\">3</td></tr>", html)
    assert re.search(r"<td>взят более высокий уровень: КРМ-4/5</td>(<td class=\"n\">\d*</td>)*"
                     r"<td class=\"n\">1</td></tr>", html)
    assert "zhambyl-d1.xlsx" not in html  # listed on the control sheet, not in the note
    ctl = CalamineWorkbook.from_path(str(out / f"KRM-6-{MONTH}.ru.xlsx")).get_sheet_by_name("Контроль").to_python()
    assert {"enbek-k4.xlsx", "turkistan-d1.xlsx", "zhambyl-d1.xlsx"} <= {r[0] for r in ctl}
    # a second run does not overwrite; --force gives the same bytes
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(out)])
    assert res.exit_code == 2 and "--force" in res.output
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(out), "--lang", "kk,ru",
                                   "--force"])
    assert res.exit_code == 0, res.output
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}


def test_cli_excluded_file_and_strict(folder, tmp_path):
    fill.filled("KRM-2", folder, name="broken.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "disbursed": 999}],
                header_over={"district": reference.district_label(fill._districts(2)[1], "kk")})
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / f"note-{MONTH}.kk.html").read_text(encoding="utf-8")
    assert "broken.xlsx" in html and "krm validate" in html  # listed as excluded, with the way to fix it
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(tmp_path / "o2"),
                                   "--strict"])
    assert res.exit_code == 1 and "broken.xlsx" in res.output
    assert not (tmp_path / "o2").exists() or not list((tmp_path / "o2").iterdir())


def test_cli_usage_errors(folder, tmp_path):
    r = CliRunner().invoke(app, ["report", "--month", "2019-5x", str(folder), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "YYYY-MM" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(app, ["report", "--month", MONTH, str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "no such folder" in r.output
    r = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(tmp_path / "o"),
                                 "--lang", "en"])
    assert r.exit_code == 2
    r = CliRunner().invoke(app, ["report", "--quarter", "2019Q5", str(folder), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(args: list[str]) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_note_renders_in_chromium_without_console_errors(folder, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(out)])
    assert res.exit_code == 0, res.output
    note = out / f"note-{MONTH}.kk.html"
    r = _chromium(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
                   note.as_uri()])
    assert r.returncode == 0, r.stderr[-2000:]
    dom = r.stdout
    # the map and the charts by region, programme and activity are there, as SVG the browser parsed
    assert len(re.findall(r"<svg\b", dom)) >= 4
    assert dom.count('data-kato="') == len(reference.regions(MONTH))
    assert "Boundaries: Alexander Rodionov, geokz (CC BY 4.0), from OCHA/HDX COD-AB KAZ" in dom
    assert "Uncaught" not in r.stderr and not re.search(r"CONSOLE\(\d+\)", r.stderr)
    assert "ERR_" not in r.stderr  # no network fetches: the page is self-contained
    # A4 PDF: several pages, text extractable
    pdf = tmp_path / "note.pdf"
    r = _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", note.as_uri()])
    assert pdf.exists() and pdf.stat().st_size > 20_000, r.stderr[-2000:]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "pg")], check=True, timeout=120)
        pages = sorted(tmp_path.glob("pg-*.png"))
        assert len(pages) >= 3
        assert all(p.stat().st_size > 1000 for p in pages)


def test_month_without_usable_data_is_refused(tmp_path):
    """A folder with nothing usable for the month: exit 1, one line, nothing written (never a blank 'zero' KRM-6)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "o"
    r = CliRunner().invoke(app, ["report", "--month", "2019-05", str(folder), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert "no usable" in r.output
    assert not out.exists() or not any(out.iterdir())


def test_the_program_leaves_the_collector_nothing_to_walk_at_exit(folder, tmp_path):
    """``krm report`` as its own program moves what it made out of the collector's reach when it is done (and what it
    read once read), so the interpreter's last collection at exit walks nothing (issue 16: ≈ 30 ms at 3,000 files);
    the outputs are the same bytes as the command's in this process, which freezes nothing."""
    import gc
    import os
    import sys

    probe = ("import atexit, gc, sys; sys.argv = ['krm'] + sys.argv[1:]; "
             "atexit.register(lambda: print('tracked', len(gc.get_objects()), file=sys.stderr)); "
             "from krm.cli import run; run()")
    env = {**os.environ, "KRM_REGISTER": "off", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    p = subprocess.run([sys.executable, "-c", probe, "report", "--month", MONTH, str(folder), "--out",
                        str(tmp_path / "one")], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    tracked = int(re.search(r"^tracked (\d+)$", p.stderr, re.M).group(1))
    assert tracked < 200, tracked  # (thousands without the freeze)
    frozen = gc.get_freeze_count()
    res = CliRunner().invoke(app, ["report", "--month", MONTH, str(folder), "--out", str(tmp_path / "two")],
                             env={"KRM_REGISTER": "off"})
    assert res.exit_code == 0, res.output
    assert gc.get_freeze_count() == frozen  # not as a program: nothing frozen
    digest = lambda d: {q.name: hashlib.sha256(q.read_bytes()).hexdigest() for q in d.iterdir()}  # noqa: E731
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
