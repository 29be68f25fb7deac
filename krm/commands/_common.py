"""Helpers shared by the commands: one-line errors, the usage exit code."""

from __future__ import annotations

import typer

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


#: the width of a command's output when it goes to a file or a pipe: long enough that no line is wrapped
PIPE_WIDTH = 1000


def console(**kw):
    """The rich Console a command prints its output with: the terminal's width on a terminal; piped to a file or
    another program, lines are never wrapped (rich would otherwise wrap at 80 columns)."""
    import sys

    from rich.console import Console

    kw.setdefault("highlight", False)
    return Console(width=None if sys.stdout.isatty() else PIPE_WIDTH, **kw)


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print one line to stderr and exit with ``code`` (no traceback)."""
    typer.echo(f"krm: {message}", err=True)
    raise typer.Exit(code)

