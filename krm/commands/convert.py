"""krm convert — move workbooks made outside the template (the annexes' layout, .xls, .ods …) onto krm's
current template, with their findings as an annotated copy."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from krm.cli import app
from krm.commands._common import EXIT_DATA, EXIT_OK, EXIT_USAGE, as_of_date, dumps, fail, say


def exit_code(results) -> int:
    if any(r.status in ("unreadable", "exists") for r in results):
        return EXIT_USAGE
    return EXIT_DATA if any(f.severity == "error" for r in results for f in r.findings) else EXIT_OK


@app.command()
def convert(
    paths: List[Path] = typer.Argument(..., help="Workbooks, or folders searched for workbooks (never modified)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder for the converted workbooks and annotated copies."),
    force: bool = typer.Option(False, "--force", help="Replace output files that exist."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Language of the template: kk or ru "
                                       "(default: the source's)."),
    fmt: str = typer.Option("table", "--format", help="Summary as 'table' or 'json'."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Validate as on this date (YYYY-MM-DD; default today)."),
) -> None:
    """Write each readable workbook into krm's current template (NAME.krm.xlsx, with a link to its
    source: path and SHA-256 in the document properties) and its findings as an annotated copy
    (NAME.findings.xlsx).

    Exit codes: 0 converted, the sources had no errors; 1 converted, some source has errors (they are
    carried over and marked); 2 wrong usage, a source that cannot be read, or an output that exists
    (without --force).
    """
    from krm.convert_files import convert_paths

    if fmt not in ("table", "json"):
        fail(f"--format {fmt!r}: use table or json")
    if lang not in (None, "kk", "ru"):
        fail(f"--lang {lang!r}: use kk or ru")
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    day = as_of_date(as_of)
    results = convert_paths(paths, out, today=day, force=force, lang=lang)
    if not results:
        fail("no workbooks found")
    if fmt == "json":
        sys.stdout.write(dumps({"version": 1, "files": [r.to_dict() for r in results]}, indent=2) + "\n")
    else:
        for r in results:
            d = r.to_dict()
            if r.status == "converted":
                say(f"{r.source} → {r.out} ({r.form}; source: {d['source_errors']} errors, "
                           f"{d['source_warnings']} warnings; converted: {d['errors_after']} errors, "
                           f"{d['warnings_after']} warnings)")
            else:
                say(f"{r.source}: {r.status}: {r.detail}", err=True)
    raise typer.Exit(exit_code(results))
