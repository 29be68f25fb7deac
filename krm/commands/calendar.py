"""krm calendar — the deadlines of the Rules, with Kazakhstan's working days."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import console, fail, shown_lang

WEEKDAYS = {"kk": ("Дс", "Сс", "Ср", "Бс", "Жм", "Сн", "Жс"), "ru": ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
HEAD = {
    "kk": ("Мерзімі", "Соңғы жұмыс күні", "Нысан / қадам", "Кезең", "Кім", "Қағида"),
    "ru": ("Срок", "Последний рабочий день", "Форма / шаг", "Период", "Кто", "Правило"),
    "en": ("Due", "Last working day", "Form / step", "Period", "Who", "Rule"),
}


@app.command()
def calendar(
    month: Optional[str] = typer.Option(None, "--month", help="Deadlines falling due in this month (YYYY-MM)."),
    year: Optional[str] = typer.Option(None, "--year", help="Deadlines falling due in this year (YYYY)."),
    period: Optional[str] = typer.Option(None, "--period",
                                         help="Deadlines of one reporting period: YYYY-MM, or YYYY (plan year)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    ics: Optional[Path] = typer.Option(None, "--ics",
                                       help="Also write an iCalendar file (Outlook, Google, Thunderbird)."),
    lang: str = typer.Option("kk", "--lang", help="kk, ru or en."),
    force: bool = typer.Option(False, "--force", help="Overwrite the --ics file."),
) -> None:
    """List every deadline of the Rules with its date and, when that is a day off, the last working day before."""
    from krm import deadlines as lib
    from krm.workbook.writer import atomic_write

    if sum(x is not None for x in (month, year, period)) != 1:
        fail("give one of --month YYYY-MM, --year YYYY or --period YYYY-MM|YYYY")
    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}: use table or json")
    lang = shown_lang(lang)
    try:
        if period is not None:
            items = lib.deadlines_for_period(period)
            label = period
        else:
            items = lib.deadlines(month=month, year=year)
            label = month or year
    except ValueError as e:
        fail(str(e))
    if ics is not None:
        text = lib.to_ics(items, lang=lang, name=f"KRM {label}")
        try:
            atomic_write(ics, lambda tmp: Path(tmp).write_bytes(text.encode("utf-8")), force=force)
        except FileExistsError:
            fail(f"{ics} exists; use --force to overwrite")
        except OSError as e:
            fail(f"cannot write {ics}: {e.strerror or e}")
    if fmt == "json":
        typer.echo(json.dumps({"query": {"month": month, "year": year, "period": period},
                               "deadlines": [d.to_dict(lang) for d in items]}, ensure_ascii=False, indent=1))
        return
    from rich.table import Table

    h = HEAD[lang]
    wd = WEEKDAYS[lang]
    t = Table(title=f"КРМ / KRM: {label}", show_lines=False)
    for name in h:
        t.add_column(name, overflow="fold")
    for d in items:
        moved = d.moved
        off = lib.holiday_name(d.due, lang)
        due = f"{d.due.isoformat()} {wd[d.due.weekday()]}"
        if moved:
            due += f" ({off})" if off else ""
        lwd = f"{d.last_working_day.isoformat()} {wd[d.last_working_day.weekday()]}" if moved else "="
        t.add_row(due, f"[bold]{lwd}[/bold]" if moved else lwd, d.title(lang), d.period, d.who(lang), d.rule)
    console().print(t)
    if ics is not None:
        typer.echo(f"wrote {ics}")
