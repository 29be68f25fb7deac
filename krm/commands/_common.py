"""Helpers shared by the commands: one-line errors, the usage exit code."""

from __future__ import annotations

import typer

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2


#: the width of a command's output when it goes to a file or a pipe: long enough that no line is wrapped
PIPE_WIDTH = 1000


#: ``--lang`` on every command: what is shown (messages, tables) in kk, ru or en; what is written (forms, notes) in
#: kk (the regulation's wording) or ru (our translation), a comma list writing each (``--lang kk,ru``)
SHOWN_LANGS = ("kk", "ru", "en")
OUTPUT_LANGS = ("kk", "ru")


def shown_lang(value: str, *, extra: tuple[str, ...] = ()) -> str:
    """``--lang`` of a command that shows text: kk, ru or en (and ``extra``, e.g. validate's auto)."""
    v = (value or "").strip().lower()
    if v not in SHOWN_LANGS + extra:
        fail(f"--lang {value!r}: use {', '.join(SHOWN_LANGS[:-1] + extra)} or {SHOWN_LANGS[-1]}"
             if not extra else f"--lang {value!r}: use {', '.join(SHOWN_LANGS + extra[:-1])} or {extra[-1]}")
    return v


def output_langs(value: str, *, single: bool = False) -> list[str]:
    """``--lang`` of a command that writes forms or notes: kk or ru, or a comma list (``kk,ru``) unless ``single``."""
    langs = [x.strip().lower() for x in (value or "").split(",") if x.strip()]
    bad = [x for x in langs if x not in OUTPUT_LANGS]
    if not langs or bad:
        fail(f"--lang {value!r}: forms and notes are written in kk or ru" + ("" if single else " (kk,ru: both)")
             + ("; en is for what krm shows (validate, calendar)" if "en" in bad else ""))
    if single and len(langs) > 1:
        fail(f"--lang {value!r}: this command writes one language at a time (kk or ru)")
    return list(dict.fromkeys(langs))


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
    file names and cell text (ESC sequences …) escaped, undecodable bytes as \\xNN.  On a terminal it takes the
    terminal's width; piped to a file or another program, lines are never wrapped (rich would wrap at 80)."""
    import sys

    from rich.console import Console

    from krm.textsafe import terminal

    class SafeConsole(Console):
        def render_str(self, text, *args, **kwargs):
            return super().render_str(terminal(text), *args, **kwargs)

    kw.setdefault("highlight", False)
    if not kw.get("stderr"):
        kw.setdefault("width", None if sys.stdout.isatty() else PIPE_WIDTH)
    return SafeConsole(**kw)


def dumps(obj, **kw) -> str:
    """JSON of ``obj`` with every string writable as UTF-8 (:func:`krm.textsafe.clean`)."""
    import json

    from krm.textsafe import clean

    return json.dumps(clean(obj), ensure_ascii=False, **kw)


REGISTER_HELP = ("The register of submissions to read through and record into: a file path or "
                 "postgresql://… (default: KRM_REGISTER, else the user's data folder; see docs/register.md).")
NO_REGISTER_HELP = ("Run without the register: read every workbook again and record nothing "
                    "(KRM_REGISTER=off does the same; --no-cache is the old name).")


def use_register(register: str | None, no_register: bool) -> None:
    """Make ``--register PATH`` / ``--no-register`` the configuration of this process (as KRM_REGISTER)."""
    import os

    if no_register:
        os.environ["KRM_REGISTER"] = "off"
    elif register:
        os.environ["KRM_REGISTER"] = register


def as_of_date(as_of: str | None):
    """``--as-of YYYY-MM-DD`` as a date (None if not given); a bad value is a usage error."""
    import datetime as dt

    if not as_of:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"--as-of {as_of!r}: use YYYY-MM-DD")
