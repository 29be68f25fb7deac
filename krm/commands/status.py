"""krm status — who was expected to submit, what arrived, who is late."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import NO_REGISTER_HELP, REGISTER_HELP, console, dumps, fail, use_register


@app.command()
def status(
    paths: list[Path] = typer.Argument(..., help="Folders (or files) holding the submitted workbooks."),
    month: str = typer.Option(..., "--month", help="Reporting month YYYY-MM."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Status as on this date (YYYY-MM-DD; default today)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="Worker processes for reading the files."),
    prefer: Optional[str] = typer.Option(None, "--prefer", help="newest: of duplicates, count the newest (as "
                                         "aggregate and report do); default: none of them counts."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
    no_register: bool = typer.Option(False, "--no-register", help=NO_REGISTER_HELP),
    limit: int = typer.Option(30, "--limit", min=0, help="Rows of each list (missing, late …) in the table; 0: all."),
) -> None:
    """Expected submissions, arrivals, lateness and reporting rates per region (DHIS2-style)."""
    from krm import status as lib

    use_register(register, no_register)

    from krm.values import month_arg

    try:
        month = month_arg(month)
    except ValueError as e:
        fail(f"--month: {e}")
    when = None
    if as_of is not None:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            fail(f"--as-of must be YYYY-MM-DD, not {as_of!r}")
    if prefer not in (None, "newest"):
        fail(f"--prefer {prefer!r}: the only choice is 'newest'")
    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}: use table or json")
    for p in paths:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    rep = lib.status(paths, month, as_of=when, jobs=jobs, prefer=prefer)
    if fmt == "json":
        typer.echo(dumps(rep.to_dict(), indent=1))
        return
    _print(rep, limit)


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _print(rep, limit: int) -> None:
    from rich.table import Table

    from krm import reference

    con = console()
    t = Table(title=f"KRM status {rep.month}, as of {rep.as_of.isoformat()}")
    for c in ("Form", "Level", "Period", "Due", "Expected", "Received", "On time", "Late", "Missing",
              "Overdue", "Completeness", "Timeliness"):
        t.add_column(c, justify="right" if c not in ("Form", "Level", "Period", "Due") else "left")
    for s in rep.levels:
        due = s.due.isoformat() + ("" if s.due == s.last_working_day else f" (act by {s.last_working_day:%d.%m})")
        t.add_row(s.form, s.level, s.period, due, str(s.expected), str(s.received), str(s.on_time), str(s.late),
                  str(s.missing), str(s.overdue), _pct(s.completeness), _pct(s.timeliness))
    con.print(t)
    con.print(f"Expected KRM-2 from: {rep.rule}")
    k2 = rep.level("KRM-2")
    r = Table(title=f"KRM-2 {rep.month} by region (reporting rate, DHIS2-style)")
    for c in ("Region", "Expected", "Received", "On time", "Late", "Missing", "Completeness", "Timeliness"):
        r.add_column(c, justify="left" if c == "Region" else "right")
    for row in k2.by_region:
        r.add_row(f"{row['region']} {row['name']}", str(row["expected"]), str(row["received"]), str(row["on_time"]),
                  str(row["late"]), str(row["missing"]), _pct(row["completeness"]), _pct(row["timeliness"]))
    r.add_row("[bold]Total[/bold]", str(k2.expected), str(k2.received), str(k2.on_time), str(k2.late),
              str(k2.missing), _pct(k2.completeness), _pct(k2.timeliness))
    con.print(r)

    def dname(kato: str) -> str:
        d = reference.district_any(kato)
        return f"{d.name_ru} ({kato})" if d else kato

    for form in ("KRM-1", "KRM-2"):
        for state in ("missing", "late"):
            items = [e for e in rep.slots if e.form == form and e.state == state]
            if not items:
                continue
            shown = items if limit == 0 else items[:limit]
            con.print(f"[bold]{form} {state}[/bold] ({len(items)}):")
            for e in shown:
                extra = ""
                if e.arrived is not None and e.arrived.when is not None:
                    days = (e.arrived.when.date() - e.due).days
                    extra = f"  arrived {e.arrived.when:%Y-%m-%d %H:%M} ({days} d after {e.due:%d.%m})"
                con.print(f"  {e.region}  {dname(e.key[0])}  {e.key[1]}{extra}")
            if len(shown) < len(items):
                con.print(f"  … {len(items) - len(shown)} more (--limit 0 or --format json for all)")
    if rep.unexpected:
        con.print(f"[bold]Not expected[/bold] ({len(rep.unexpected)}):")
        for a in rep.unexpected[: limit or None]:
            con.print(f"  {a.path}: {a.problem}")
    if rep.duplicates:
        con.print(f"[bold]Sent more than once[/bold] ({len(rep.duplicates)}):")
        for a, b in rep.duplicates[: limit or None]:
            how = f"{a.path} counts (--prefer newest)" if a.status == "accepted" else \
                "neither counts (use --prefer newest to count the newest)"
            con.print(f"  {b.path} repeats {a.path}: {how}")
    if rep.excluded:
        con.print(f"[bold]Excluded: errors[/bold] ({len(rep.excluded)}):")
        for a in rep.excluded[: limit or None]:
            con.print(f"  {a.path}: {a.problem}")
    if rep.unreadable:
        con.print(f"[bold]Unreadable[/bold] ({len(rep.unreadable)}):")
        for a in rep.unreadable[: limit or None]:
            con.print(f"  {a.path}: {a.problem}")
    if rep.other_periods:
        con.print(f"{rep.other_periods} workbook(s) for other periods ignored.")
