"""krm cache — where the per-file validation cache is, how big, and how to empty it."""

from __future__ import annotations

import json

import typer

from krm.cli import app
from krm.commands._common import fail


@app.command()
def cache(
    action: str = typer.Argument("info", help="info (where, how many entries, how big) or clear (remove them all)."),
    fmt: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """The cache that lets validate, aggregate and report read each workbook once (see docs/cache.md).

    Entries are keyed by a workbook's bytes, krm's own code and data, and the validation date, so
    an entry can never stand for a changed file.  Set KRM_CACHE=off (or pass --no-cache to a
    command) to run without it; KRM_CACHE_DIR chooses the folder.
    """
    from krm import cache as c

    if action == "info":
        i = c.info()
        if fmt == "json":
            typer.echo(json.dumps(i, ensure_ascii=False, indent=1))
        else:
            state = "on" if i["enabled"] else "off (KRM_CACHE=off)"
            typer.echo(f"cache {state}: {i['dir']}\n{i['entries']} entries, {i['bytes'] / 1e6:.1f} MB; "
                       f"engine fingerprint {i['fingerprint']}")
    elif action == "clear":
        freed = c.clear()
        typer.echo(f"cache cleared: {freed / 1e6:.1f} MB freed ({c.root()})")
    else:
        fail(f"unknown action {action!r}: use info or clear")
