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



def as_of_date(as_of: str | None):
    """``--as-of YYYY-MM-DD`` as a date (None if not given); a bad value is a usage error."""
    import datetime as dt

    if not as_of:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"--as-of {as_of!r}: use YYYY-MM-DD")
