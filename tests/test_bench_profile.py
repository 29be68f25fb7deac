"""bench/profile.py's summary of py-spy's raw stacks: samples by process (a forked worker's stack starts with its
parent's frames), inclusive shares counted once a stack, the CLI's plumbing left out, own lines kept."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _profile_module():
    spec = importlib.util.spec_from_file_location("krm_bench_profile", ROOT / "bench" / "profile.py")
    mod = importlib.util.module_from_spec(spec)
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return mod


def test_summary_by_process_inclusive_and_own(tmp_path):
    p = _profile_module()
    site = "/v/lib/python3.11/site-packages"
    parent = 'process 10:"/v/bin/python3 /v/bin/krm validate in"'
    worker = 'process 11:"/v/bin/python3 /v/bin/krm validate in"'
    main = f"<module> (/v/bin/krm:8);run ({site}/krm/cli.py:40);main ({site}/typer/main.py:9)"
    raw = tmp_path / "x.raw"
    raw.write_text(
        f"{parent};{main};validate_paths ({site}/krm/validate.py:300);select (/v/lib/python3.11/selectors.py:415) 10\n"
        f"{parent};{main};validate_paths ({site}/krm/validate.py:300);{worker};read ({site}/krm/workbook/reader/"
        f"load.py:48);read ({site}/krm/workbook/reader/load.py:60) 30\n"
        f"{parent};{main};validate_paths ({site}/krm/validate.py:300);{worker};_open ({site}/krm/workbook/reader/"
        f"zipparts.py:32) 60\n", encoding="utf-8")
    text = p.summarise(raw, top=10)
    assert "100 samples; by process: parent 10%, worker 90%" in text
    inclusive = text.split("inclusive")[1].split("own")[0]
    assert "100.0%  validate_paths (krm/validate.py)" in inclusive
    assert " 30.0%  read (krm/workbook/reader/load.py)" in inclusive  # a recursive frame counted once a stack
    assert "typer" not in inclusive and "cli.py" not in inclusive and "selectors" not in inclusive
    own = text.split("own (the line running when sampled):")[1]
    assert own.index("_open (krm/workbook/reader/zipparts.py):32") < own.index("read (krm/workbook/reader/load.py):60")
    assert " 60.0%  _open (krm/workbook/reader/zipparts.py):32" in own


def test_no_samples(tmp_path):
    raw = tmp_path / "empty.raw"
    raw.write_text("", encoding="utf-8")
    assert "no samples" in _profile_module().summarise(raw)
