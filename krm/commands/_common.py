"""Helpers shared by the commands: one-line errors, the usage exit code."""

from __future__ import annotations

import typer

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print one line to stderr and exit with ``code`` (no traceback)."""
    say(f"krm: {message}", err=True)
    raise typer.Exit(code)


def say(message: object, err: bool = False) -> None:
    """One line of plain output; names and text from outside shown safely (:func:`krm.textsafe.terminal`)."""
    from krm.textsafe import terminal

    typer.echo(terminal(message, one_line=True), err=err)


def console(**kw):
    """A rich Console whose every string (table cells included) is shown safely: control characters of
    file names and cell text (ESC sequences …) escaped, undecodable bytes as \\xNN."""
    from rich.console import Console

    from krm.textsafe import terminal

    class SafeConsole(Console):
        def render_str(self, text, *args, **kwargs):
            return super().render_str(terminal(text), *args, **kwargs)

    return SafeConsole(**kw)


def dumps(obj, **kw) -> str:
    """JSON of ``obj`` with every string writable as UTF-8 (:func:`krm.textsafe.clean`)."""
    import json

    from krm.textsafe import clean

    return json.dumps(clean(obj), ensure_ascii=False, **kw)


def as_of_date(as_of: str | None):
    """``--as-of YYYY-MM-DD`` as a date (None if not given); a bad value is a usage error."""
    import datetime as dt

    if not as_of:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"--as-of {as_of!r}: use YYYY-MM-DD")
