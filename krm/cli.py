"""The `krm` command line: a thin layer over the library.

Each command lives in ``krm/commands/<name>.py``, parses its options and calls a
library function that tests and other programs can call directly.  Heavy
libraries are imported inside the commands, so ``krm --help`` stays fast.

Exit codes (stable, documented in README):
  0  success; for validate: no errors (warnings allowed)
  1  the data has errors (validate), an input was excluded under --strict, or a
     roll-up failed its own control totals
  2  wrong usage, or an input/output that cannot be read or written
"""

from __future__ import annotations

import importlib
import sys

import typer

from krm import __version__
from krm import cli_types as _coercion

app = typer.Typer(
    name="krm",
    help="Templates, validation, roll-ups and reports for the job-creation monitoring forms КРМ-1 … КРМ-7 "
    "(Order No. 260 of 2018 as amended by Order No. 189 of 2019).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

ORDER = ["template", "validate", "convert", "aggregate", "report", "samples", "calendar", "status", "confirm", "outliers",
         "register", "serve"]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"krm {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Show the version and exit.")) -> None:
    """krm — КРМ-1 … КРМ-7."""


def _flags_without_type() -> None:
    """A flag (``--force``) takes no value: the help shows no ``<bool>`` type beside it (typer >= 0.20 would)."""
    from typer import core

    shown = core.TyperOption.display_type_rich
    if getattr(shown, "_krm", False):
        return

    def display_type_rich(self, ctx):
        return None if getattr(self, "is_flag", False) and not getattr(self, "secondary_opts", None) else shown(self, ctx)

    display_type_rich._krm = True
    core.TyperOption.display_type_rich = display_type_rich


_flags_without_type()
_coercion.install()  # plain option values without pydantic (krm/cli_types.py)


def _register() -> None:
    one = _invoked(ORDER)  # one of krm's own commands: its module is all there is to import (no listing)
    if one is not None:
        importlib.import_module(f"krm.commands.{one}")
        return
    import pkgutil

    import krm.commands as pkg

    found = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))
    names = [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]
    one = _invoked(names)
    for name in names if one is None else [one]:
        importlib.import_module(f"krm.commands.{name}")


def _invoked(names: list[str]) -> str | None:
    """The command the ``krm`` program was started for (``krm NAME …``), when nothing else is needed to run it: the
    other commands are then neither imported nor built (issue 16: start-up).  None (all of them) for ``krm``
    alone, ``krm --help``, ``krm --version``, an unknown name, or krm imported by another program."""
    import os

    argv = sys.argv
    if len(argv) < 2 or os.path.basename(argv[0]) != "krm" or argv[1] not in names:
        return None
    return argv[1]


_register()


def run() -> None:
    import gc

    # what start-up imported (modules, classes, functions) lives as long as the process: the collector no longer
    # walks it again at each of its passes.  (Passes less often — a first-generation threshold of 10,000 — took
    # the year's krm aggregate workers from 205 to 246 MB for no time saved: the thresholds stay CPython's.)
    gc.freeze()
    from krm.outfolder import terminate_cleanly

    terminate_cleanly()  # SIGTERM: spools, staging folders and locks are removed as on Ctrl-C
    try:
        app()
    except Exception as e:
        # the register as configured cannot be used: one line, usage exit code.  Its module (and
        # SQLAlchemy behind it) is only loaded by commands that open the register, never by `krm --help`.
        connect = sys.modules.get("krm.register.connect")
        if connect is None or not isinstance(e, connect.RegisterError):
            raise
        typer.echo(f"krm: {e}", err=True)
        raise SystemExit(2) from None
