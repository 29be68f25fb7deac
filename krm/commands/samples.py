"""krm samples — a realistic, deterministic sample reporting month."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import EXIT_USAGE, fail, output_langs


@app.command()
def samples(
    month: str = typer.Option("2019-05", "--month", help="Reporting month YYYY-MM (KRM-1 plans are for its year)."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write into: OUT/<YYYY-MM>/… and OUT/<YYYY>/…"),
    seed: int = typer.Option(2019, "--seed", help="Random seed: the same seed gives the same files, byte for byte."),
    faulty: int = typer.Option(0, "--faulty", min=0, max=100,
                               help="Add N workbooks with one realistic mistake each (listed in faulty.json)."),
    regions: Optional[str] = typer.Option(None, "--regions",
                                          help="Only these regions, KATO codes separated by commas (e.g. 43,47)."),
    no_plans: bool = typer.Option(False, "--no-plans", help="Do not write the KRM-1 yearly plans."),
    first: Optional[str] = typer.Option(None, "--from", help="Also write the months from this one (YYYY-MM, same "
                                        "year) up to --month, cumulative figures growing consistently; with "
                                        "--faulty, a few cross-period mistakes in the earlier months."),
    lang: str = typer.Option("kk,ru", "--lang", help="Languages of the workbooks: kk,ru (default: each district's "
                             "paperwork in one of them, as in life), kk or ru (all in that language)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files of an earlier run."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Generate a sample month: KRM-2 for every district of the period's regions under a few programmes each,
    and the matching KRM-1 plans, filled into the real forms."""
    from krm import reference, samples as lib

    langs = output_langs(lang)

    try:
        lib.month_bounds(month)
    except ValueError as e:
        fail(str(e))
    if not reference.regions(month):
        fail(f"no regions known for {month}")
    only = [x.strip() for x in regions.split(",") if x.strip()] if regions else None
    known = {r.kato for r in reference.regions(month)}
    bad = sorted(set(only or ()) - known)
    if bad:
        fail(f"no region {', '.join(bad)} in {month}; use KATO codes: {', '.join(sorted(known))}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"cannot create folder {out}: {e.strerror or e}")
    progress = None
    bar = None
    if not quiet:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("writing workbooks", total=None)
        bar.start()

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
    try:
        only_langs = None if set(langs) == {"kk", "ru"} else langs
        if first:
            from krm.samples.history import generate_run

            runs = generate_run(out, first, month, seed=seed, faulty=faulty, force=force, krm1=not no_plans,
                                progress=progress, regions=only, langs=only_langs)
            res = runs[-1]
        else:
            runs = []
            res = lib.generate(out, month, seed=seed, faulty=faulty, force=force, krm1=not no_plans,
                               progress=progress, regions=only, langs=only_langs)
    except ValueError as e:
        fail(str(e))
    except FileExistsError as e:
        fail(f"{e} exists; use --force to overwrite", EXIT_USAGE)
    except OSError as e:
        fail(f"cannot write into {out}: {e.strerror or e}")
    finally:
        if bar is not None:
            bar.stop()
    for r in runs[:-1]:
        typer.echo(f"{len(r.krm2)} KRM-2 workbooks in {out / r.month} ({len(r.faulty)} with a mistake across months)")
    size = sum(p.stat().st_size for p in res.files)
    typer.echo(f"{len(res.krm2)} KRM-2 workbooks in {out / month}")
    if res.krm1:
        typer.echo(f"{len(res.krm1)} KRM-1 plans in {out / month[:4]}")
    typer.echo(f"{len(res.faulty)} faulty (see {out / month / 'faulty.json'}); "
               f"{len(res.missing)} expected KRM-2 not submitted; {size / 1e6:.1f} MB")
