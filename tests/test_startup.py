"""`krm --help` and `krm CMD --help` start quickly because they load no heavy library (issue 16).

No timing here (timing goals live in bench/): the test checks *what* a help run imports, which is what
makes it slow (SQLAlchemy alone was ~60 % of `krm --help` on an installed package).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["sqlalchemy", "pandas", "openpyxl", "xlsxwriter", "python_calamine", "jinja2", "cryptography",
         "numpy"]  # (pydantic: typer 0.29 loads it itself for option types)

PROBE = """
import json, sys
from krm.cli import run
sys.argv = ["krm", *json.loads(sys.argv[1])]
try:
    run()
except SystemExit as e:
    code = e.code
else:
    code = 0
sys.stdout.flush()
print("\\n@@" + json.dumps({"code": code, "mods": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"], ["aggregate", "--help"],
                                  ["report", "--help"], ["register", "--help"]])
def test_help_loads_no_heavy_library(argv):
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv)], capture_output=True, text=True, timeout=120)
    out = json.loads(r.stdout.rsplit("\n@@", 1)[1])
    assert out["code"] == 0, r.stderr
    assert "Usage" in r.stdout
    loaded = [m for m in HEAVY if m in out["mods"]]
    assert loaded == [], f"krm {' '.join(argv)} imported {loaded}"
    # the forms' specs (pydantic models, about a third of a help run when built) are not built to show help
    assert "krm.spec" not in out["mods"], f"krm {' '.join(argv)} built the form specs"


def test_validate_without_register_loads_no_database_library():
    """`krm validate` with the register off (KRM_REGISTER=off) reads workbooks and nothing else: SQLAlchemy
    (≈ 0.3 s a process) is not imported by the parent, whose modules every forked worker inherits."""
    import os
    from pathlib import Path

    month = Path(__file__).resolve().parent.parent / "samples" / "2019-05"
    env = {**os.environ, "KRM_REGISTER": "off"}
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(["validate", str(month), "--format", "json"])],
                       capture_output=True, text=True, timeout=300, env=env)
    text, _, tail = r.stdout.rpartition("\n@@")
    out = json.loads(tail)
    assert out["code"] == 1, r.stderr  # the samples hold errors on purpose
    assert json.loads(text)["summary"]["files"] > 100
    assert "sqlalchemy" not in out["mods"]


GC_PROBE = """
import gc, json, sys
from krm.cli import run
sys.argv = ["krm", "--version"]
try:
    run()
except SystemExit:
    pass
print("\\n@@" + json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()[0]}))
"""


def test_the_collector_skips_what_start_up_made():
    """A krm run moves what start-up imported out of the collector's passes (gc.freeze), its passes as often as
    CPython makes them; each worker of the pool does not walk what it inherited from the parent."""
    from krm.pool import run_isolated

    r = subprocess.run([sys.executable, "-c", GC_PROBE], capture_output=True, text=True, timeout=120)
    out = json.loads(r.stdout.rsplit("\n@@", 1)[1])
    default = subprocess.run([sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"], capture_output=True,
                             text=True, timeout=60).stdout.strip()
    # the thresholds stay CPython's: a higher one cost the year's aggregate workers 40 MB (krm/cli.py)
    assert out["frozen"] > 10_000 and str(out["threshold"]) == default
    import gc

    before = gc.get_freeze_count()
    [(_, ok, frozen)] = run_isolated(lambda _: gc.get_freeze_count(), [1], jobs=1, isolate=True)
    assert ok and frozen > before and gc.get_freeze_count() == before
