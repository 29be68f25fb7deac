"""`--jobs 2` gives exactly what `--jobs 1` gives (issue 7): same findings, same output bytes.

Correctness only, no timing.  The folder holds 20 filled KRM-2 workbooks written with
``write_form`` (16 clean, 4 with a typical mistake each) plus an empty file and a file
that is not a workbook, so the worker pool has to carry findings, read failures and
submissions back to the parent in input order.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from krm import forms, reference
from krm.workbook.writer import write_form

PERIOD = "2019-05"
KRM = [sys.executable, "-c", "from krm.cli import run; run()"]
FAULTY = {  # file stem -> the mistake planted in its first row
    "f-bad-bin": "bin",
    "f-text-in-number": "plan",
    "f-negative-fact": "fact",
    "f-no-activity": "activity",
}


def _bin(rng: random.Random) -> str:
    """A 12-digit BIN: YYMM, type 4, attribute 0-3, serial, correct check digit (weights 1…11, then 3…11,1,2)."""
    while True:
        first = f"{rng.randrange(0, 19):02d}{rng.randrange(1, 13):02d}4{rng.randrange(0, 4)}{rng.randrange(0, 10**5):05d}"
        d = [int(c) for c in first]
        s = sum(w * x for w, x in zip(range(1, 12), d)) % 11
        if s == 10:
            s = sum(w * x for w, x in zip([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2], d)) % 11
        if s != 10:
            return first + str(s)


def _rows(rng: random.Random, n: int) -> list[dict]:
    acts = reference.activities()
    rows = []
    for k in range(n):
        plan = rng.randrange(2, 40)
        alloc = Decimal(rng.randrange(500, 90_000)) / 1000
        rows.append({"bin": _bin(rng), "activity": acts[k % 9].label("kk"), "project": f"Жоба {k + 1} — цех",
                     "start": dt.date(2018, rng.randrange(1, 13), 1), "end": dt.date(2020, 12, 31),
                     "plan": plan, "fact": rng.randrange(0, plan + 1), "allocated": alloc,
                     "disbursed": (alloc / 2).quantize(Decimal("0.001")), "enterprise": f"ЖШС «Өнім-{k}»"})
    return rows


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("jobs") / "in"
    rng = random.Random(20190517)
    spec = forms.FORMS["KRM-2"]
    dists = reference.districts(on=PERIOD)
    progs = reference.programmes(PERIOD)
    stems = [f"ok-{i:02d}" for i in range(16)] + list(FAULTY)
    for i, stem in enumerate(stems):
        d = dists[(i * 7) % len(dists)]
        reg = next(r for r in reference.regions(PERIOD) if r.kato == d.region_kato)
        prog = progs[i % len(progs)]
        rows = _rows(rng, 5 + i % 4)
        bad = FAULTY.get(stem)
        if bad == "bin":
            rows[0]["bin"] = rows[0]["bin"][:11] + str((int(rows[0]["bin"][11]) + 1) % 10)
        elif bad == "plan":
            rows[0]["plan"] = "двадцать"
        elif bad == "fact":
            rows[0]["fact"] = -3
        elif bad == "activity":
            rows[0]["activity"] = None
        header = {"region": reg.name("kk"), "district": reference.district_label(d, "kk"), "period": PERIOD,
                  "programme": prog.name("kk"), "basis": "cumulative"}
        sub = root / reg.kato
        sub.mkdir(parents=True, exist_ok=True)
        write_form(str(sub / f"{stem}.xlsx"), spec, "kk", header=header, rows=rows, period=PERIOD, spare_rows=3,
                   signature={"executor": "Иванова А.", "head": "Сейітов Б.", "phone": "+7 7172 000000",
                              "email": "a@example.kz"})
    (root / "empty.xlsx").write_bytes(b"")
    (root / "notes.xlsx").write_text("not a workbook\n", encoding="utf-8")
    return root


def _krm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run(KRM + list(args), capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def _has_option(command: str, option: str) -> bool:
    p = _krm(command, "--help")
    return p.returncode == 0 and option in p.stdout


def _errors_by_file(report: dict) -> dict[str, list[str]]:
    """file name -> error codes, from `krm validate --format json` (files + flat findings)."""
    out = {Path(f["path"]).name: [] for f in report["files"]}
    for x in report["findings"]:
        if x["severity"] == "error":
            out[Path(x["file"]).name].append(x["code"])
    for f in report["files"]:  # the per-file counts agree with the findings
        assert f["errors"] == len(out[Path(f["path"]).name]), f
    return out


def test_validate_jobs_2_gives_the_same_findings_as_jobs_1(folder):
    if not _has_option("validate", "--jobs"):
        pytest.skip("krm validate has no --jobs option yet")
    one = _krm("validate", str(folder), "--format", "json", "--jobs", "1", "--as-of", "2019-06-20")
    two = _krm("validate", str(folder), "--format", "json", "--jobs", "2", "--as-of", "2019-06-20")
    assert one.returncode in (1, 2), one.stderr  # the folder has errors and unreadable files
    assert two.returncode == one.returncode, two.stderr
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    assert a == b
    assert one.stdout == two.stdout  # byte for byte, not only equal after parsing

    # the comparison is not vacuous: every input is there, faults are found, clean files are clean
    errs = _errors_by_file(a)
    assert sorted(errs) == sorted([f"ok-{i:02d}.xlsx" for i in range(16)] + [f"{s}.xlsx" for s in FAULTY]
                                  + ["empty.xlsx", "notes.xlsx"])
    for name in [f"{s}.xlsx" for s in FAULTY] + ["empty.xlsx", "notes.xlsx"]:
        assert errs[name], f"{name}: no error reported"
    for i in range(16):
        assert not errs[f"ok-{i:02d}.xlsx"], errs[f"ok-{i:02d}.xlsx"]


def _tree(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_aggregate_jobs_2_writes_the_same_bytes_as_jobs_1(folder, tmp_path):
    if not _has_option("aggregate", "--jobs"):
        pytest.skip("krm aggregate has no --jobs option yet")
    out1, out2 = tmp_path / "one", tmp_path / "two"
    before = _tree(folder)
    r1 = _krm("aggregate", str(folder), "--out", str(out1), "--jobs", "1", "--format", "json")
    r2 = _krm("aggregate", str(folder), "--out", str(out2), "--jobs", "2", "--format", "json")
    assert r1.returncode == r2.returncode, (r1.stderr, r2.stderr)
    assert r1.returncode in (0, 1), r1.stderr
    t1, t2 = _tree(out1), _tree(out2)
    assert t1, f"aggregate wrote nothing: {r1.stderr}"
    assert any(name.endswith(".xlsx") for name in t1), sorted(t1)
    assert sorted(t1) == sorted(t2)
    for name in t1:
        assert t1[name] == t2[name], f"{name} differs between --jobs 1 and --jobs 2"
    # the summaries agree too, once the output folder's name is taken out
    assert r1.stdout.replace(str(out1), "OUT") == r2.stdout.replace(str(out2), "OUT")
    assert _tree(folder) == before  # inputs are never modified
