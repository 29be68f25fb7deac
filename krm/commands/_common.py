"""Helpers shared by the commands: one-line errors, the usage exit code."""

from __future__ import annotations

import typer

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print one line to stderr and exit with ``code`` (no traceback)."""
    typer.echo(f"krm: {message}", err=True)
    raise typer.Exit(code)

