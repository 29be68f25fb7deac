"""krm's plain option coercion (krm/cli_types.py) gives what typer's own (pydantic) coercion gives: the same
values, and for anything else the same error, on every parameter of every command."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter
from typer.main import get_command

from krm.cli import app
from krm.cli_types import Plain

VALUES = ["", " ", "0", "4", "-1", "007", "1.5", "-2.25", "1e3", "4.0", " 4", "4 ", "abc", "kk", "2019-05", "samples",
          "samples/2019-05", "no/such/folder", "./x.xlsx", "-", "nul\0l", "1_000", "٣", "+3", "0x10", "inf", "nan"]


def _params():
    group = get_command(app)
    ctx = Context(group)
    for name, cmd in sorted(group.commands.items()):
        subs = getattr(cmd, "commands", None)
        for sub_name, sub in sorted((subs or {name: cmd}).items()):
            for p in sub.params:
                if isinstance(p, _TyperParameter):
                    yield f"{name} {sub_name if subs else ''} {p.name}".strip(), p, Context(sub, parent=ctx)


def _outcome(rt, value, param, ctx):
    try:
        got = rt.coerce(value, param=param, ctx=ctx)
        return "ok", type(got), repr(got)
    except BadParameter as e:
        return "error", e.format_message()


@pytest.mark.parametrize("name, param, ctx", list(_params()), ids=lambda x: x if isinstance(x, str) else "")
def test_plain_coercion_is_typers(name, param, ctx, monkeypatch):
    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parent.parent)
    param._runtime_param = None
    mine, theirs = param.get_runtime_param(), build_runtime_param(param.type_descriptor)
    values = VALUES if not (param.multiple or param.nargs == -1) else [tuple(VALUES[i:i + 3]) for i in range(0, 27, 3)]
    for v in values + [None]:
        assert _outcome(mine, v, param, ctx) == _outcome(theirs, v, param, ctx), (name, v)


def test_plain_options_are_most_of_them():
    plain = [n for n, p, _ in _params() if isinstance(p.get_runtime_param(), Plain)]
    assert len(plain) > 100


def test_a_command_run_loads_no_pydantic(tmp_path):
    """`krm validate` parses its options without pydantic (typer 0.29 would load it for them): here it stops at
    the missing folder, before anything else could load it."""
    probe = (f"import sys; sys.argv = ['krm', 'validate', {str(tmp_path / 'none')!r}, '--format', 'json', '-j', '2']\n"
             "from krm.cli import run\ntry:\n    run()\nexcept SystemExit:\n    pass\n"
             "print('pydantic' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert r.stderr.strip().splitlines()[-1] == "False", r.stderr
