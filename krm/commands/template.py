"""krm template — blank workbooks of the forms."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import fail, output_langs


@app.command()
def template(
    form: Optional[list[str]] = typer.Argument(None, help="Forms to write, e.g. KRM-3 KRM-4 (default: KRM-1 KRM-2)."),
    all_: bool = typer.Option(False, "--all", help="Write all seven forms."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder to write into (created if missing)."),
    lang: str = typer.Option("kk", "--lang", help="kk (the regulation's wording), ru (our translation), or kk,ru "
                             "for both."),
    region: Optional[str] = typer.Option(None, help="Pre-fill the region (name or KATO code)."),
    district: Optional[str] = typer.Option(None, help="Pre-fill the district (name or KATO code)."),
    period: Optional[str] = typer.Option(None, help="Pre-fill the period: YYYY-MM (monthly forms) or YYYY (KRM-1)."),
    programme: Optional[str] = typer.Option(None, help="Pre-fill the programme (code, e.g. ENBEK, or name)."),
    body: Optional[str] = typer.Option(None, help="Pre-fill the central body (KRM-4, KRM-5)."),
    rows: Optional[int] = typer.Option(None, "--rows", help="Input rows of the KRM-1/2/3 table "
                                       "(default: the form's own, see docs/templates.md)."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Write blank form workbooks (named KRM-N.<lang>.xlsx)."""
    from krm import forms
    from krm.templates_api import resolve_header, write_template

    langs = output_langs(lang)
    from krm.templates_api import MAX_ROWS

    if rows is not None and not 1 <= rows <= MAX_ROWS:
        fail(f"--rows must be between 1 and {MAX_ROWS}, not {rows}")
    if all_:
        specs = list(forms.FORMS.values())
    else:
        specs = []
        for f in form or ["KRM-1", "KRM-2"]:
            try:
                specs.append(forms.get(f))
            except KeyError:
                fail(f"unknown form {f!r}: use KRM-1 … KRM-7")
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"cannot create folder {out}: {e.strerror or e}")
    plans = []
    for lang, spec in [(lg, s) for lg in langs for s in specs]:
        try:
            header = resolve_header(spec, region=region if spec.header_field("region") else None,
                                    district=district if spec.header_field("district") else None,
                                    period=period if (period and (len(period) == 4) == (spec.period_kind == "year"))
                                    else (period[:4] if period and spec.period_kind == "year" else period),
                                    programme=programme if spec.header_field("programme") else None,
                                    body=body if spec.header_field("body") else None, lang=lang)
        except ValueError as e:
            fail(str(e))
        plans.append((lang, spec, header))
    for lang, spec, header in plans:
        target = out / f"{spec.id}.{lang}.xlsx"
        if target.exists() and not force:
            fail(f"{target} exists; use --force to overwrite")
    for lang, spec, header in plans:
        try:
            path = write_template(spec, lang, out, header=header, force=force, rows=rows)
        except FileExistsError as e:
            fail(f"{e} exists; use --force to overwrite")
        except OSError as e:
            fail(f"cannot write into {out}: {e.strerror or e}")
        typer.echo(str(path))
