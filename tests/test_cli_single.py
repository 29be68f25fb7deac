"""`krm CMD …` builds only CMD (issue 16: start-up): what it accepts, prints and exits with is exactly what the
whole `krm` application (every command built, as for `krm --help`) gives for the same command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from test_startup import PROBE

#: ``krm CMD …`` as the installed ``krm`` program starts it (argv[0] "krm" when krm.cli is imported: only CMD is
#: built), then test_startup's probe (which, started by ``python -c``, builds every command) runs the command line
ONE = """
import json, sys
_argv = sys.argv
sys.argv = ["krm", *json.loads(_argv[1])]
import krm.cli
sys.argv = _argv
"""


def _run(argv: list[str], how: str, tmp_path) -> tuple[str, str, object, list]:
    env = {**os.environ, "COLUMNS": "100", "KRM_REGISTER": str(tmp_path / "register.sqlite"), "NO_COLOR": "1"}
    code = (ONE if how == "one" else "") + PROBE
    r = subprocess.run([sys.executable, "-c", code, json.dumps(argv)], capture_output=True, text=True,
                       timeout=300, env=env, cwd=tmp_path)
    out, _, tail = r.stdout.rpartition("\n@@")
    got = json.loads(tail)
    built = [m.rsplit(".", 1)[1] for m in got["mods"] if m.startswith("krm.commands.") and ".commands._" not in m]
    return out, r.stderr, got["code"], built


@pytest.mark.parametrize("argv,code", [
    (["validate", "--help"], 0), (["aggregate", "--help"], 0), (["report", "--help"], 0), (["register", "--help"], 0),
    (["validate"], 2),  # missing argument
    (["validate", "{d}", "--format", "yaml"], 2),  # a value not offered
    (["validate", "{d}", "--jobs", "two"], 2),  # not a number
    (["validate", "{d}", "--nonsense"], 2),  # no such option
    (["aggregate", "{d}", "--out"], 2),  # option without its value
    (["report", "--month", "2019-13", "{d}", "--out", "{o}"], 2),
    (["validate", "{missing}", "--format", "json"], 2),
    (["validate", "{d}", "--format", "json"], 2),  # a folder without workbooks
])
def test_one_command_built_says_what_all_commands_say(argv, code, tmp_path):
    d, o = tmp_path / "month", tmp_path / "out"
    d.mkdir()
    argv = [a.format(d=d, o=o, missing=tmp_path / "nowhere") for a in argv]
    one = _run(argv, "one", tmp_path)
    every = _run(argv, "all", tmp_path)
    assert one[3] == [argv[0]]  # only the invoked command was built …
    assert len(every[3]) >= 8 and argv[0] in every[3]  # … where the whole application has them all
    assert one[:3] == every[:3]
    assert one[2] == code
    assert "Traceback" not in one[1]
    if code == 0:
        assert f"Usage: krm {argv[0]}" in one[0]
    else:
        assert one[1].strip()  # said why, on stderr
