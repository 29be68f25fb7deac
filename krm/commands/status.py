"""krm status — who was expected to submit, what arrived, who is late."""

from __future__ import annotations

from functools import lru_cache

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import (NO_REGISTER_HELP, REGISTER_HELP, console, dumps, fail, shown_lang,
                                  use_register)


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
    lang: str = typer.Option("en", "--lang", help="Language of the table: kk, ru or en (JSON keys stay English)."),
) -> None:
    """Expected submissions, arrivals, lateness and reporting rates per region (DHIS2-style)."""
    from krm import status as lib

    lang = shown_lang(lang)
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
    _print(rep, limit, lang)


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


#: the table's words (the figures and file names are the same in every language)
@lru_cache(maxsize=None)
def words() -> dict:
    """The words by key (built when first used: krm.spec loads pydantic, which a command that shows none of them
    need not pay for)."""
    from krm.spec import T

    return {
        "title": T("КРМ мәртебесі {month}, {date} күнгі жағдай", "Статус КРМ {month} на {date}",
                   "KRM status {month}, as of {date}"),
        "Form": T("Нысан", "Форма", "Form"), "Level": T("Деңгей", "Уровень", "Level"),
        "Period": T("Кезең", "Период", "Period"), "Due": T("Мерзімі", "Срок", "Due"),
        "Expected": T("Күтілген", "Ожидалось", "Expected"), "Received": T("Келді", "Поступило", "Received"),
        "On time": T("Уақытында", "В срок", "On time"), "Late": T("Кешікті", "С опозданием", "Late"),
        "Missing": T("Жоқ", "Нет", "Missing"), "Overdue": T("Мерзімі өтті", "Просрочено", "Overdue"),
        "Completeness": T("Толықтығы", "Полнота", "Completeness"),
        "Timeliness": T("Уақтылығы", "Своевременность", "Timeliness"),
        "district": T("аудан", "район", "district"), "region": T("өңір", "регион", "region"),
        "programme": T("бағдарлама", "программа", "programme"), "nation": T("республика", "республика", "nation"),
        "Region": T("Өңір", "Регион", "Region"), "Total": T("Барлығы", "Всего", "Total"),
        "act_by": T("{d} дейін", "до {d}", "act by {d}"),
        "expected_from": T("КРМ-2 кімнен күтіледі: {rule}", "От кого ожидается КРМ-2: {rule}", "Expected KRM-2 from: {rule}"),
        "rule_plans": T("КРМ-1 жоспарлары", "планы КРМ-1", "KRM-1 plans"),
        "rule_fallback": T("; жоспары жоқ өңірлерде — өңірдің әр ауданы ({regions})",
                           "; в регионах без планов — каждый район региона ({regions})",
                           "; regions without plans: every district of the region ({regions})"),
        "by_region": T("КРМ-2 {month} өңірлер бойынша (есеп беру деңгейі, DHIS2 үлгісімен)",
                       "КРМ-2 {month} по регионам (уровень отчетности, как в DHIS2)",
                       "KRM-2 {month} by region (reporting rate, DHIS2-style)"),
        "missing": T("жоқ", "нет", "missing"), "late": T("кешікті", "с опозданием", "late"),
        "arrived": T("келді {when} ({days} күн {due} кейін)", "поступил {when} (через {days} дн. после {due})",
                     "arrived {when} ({days} d after {due})"),
        "more": T("… тағы {n} (барлығы: --limit 0 немесе --format json)", "… еще {n} (все: --limit 0 или --format json)",
                  "… {n} more (--limit 0 or --format json for all)"),
        "unexpected": T("Күтілмеген", "Не ожидались", "Not expected"),
        "duplicates": T("Бірнеше рет жіберілген", "Отправлены более одного раза", "Sent more than once"),
        "counts": T("{path} есепке алынады (--prefer newest)", "учитывается {path} (--prefer newest)",
                    "{path} counts (--prefer newest)"),
        "neither": T("ешқайсысы есепке алынбайды (ең жаңасы үшін --prefer newest)",
                     "не учитывается ни один (самый новый: --prefer newest)",
                     "neither counts (use --prefer newest to count the newest)"),
        "repeats": T("{b} {a} файлын қайталайды: {how}", "{b} повторяет {a}: {how}", "{b} repeats {a}: {how}"),
        "excluded": T("Алынып тасталды: қателер", "Исключены: ошибки", "Excluded: errors"),
        "unreadable": T("Оқылмайды", "Не читаются", "Unreadable"),
        "other_periods": T("Басқа кезеңдердің {n} жұмыс кітабы ескерілмеді.", "Книг за другие периоды не учтено: {n}.",
                           "{n} workbook(s) for other periods ignored."),
    }


def _rule(rule: str, w) -> str:
    """The expected-submitters rule (krm.status words it in English) in the table's language."""
    if not rule.startswith("KRM-1 plans"):
        return rule
    regions = rule.partition("(")[2].rstrip(")")
    return w("rule_plans") + (w("rule_fallback", regions=regions) if regions else "")


def _print(rep, limit: int, lang: str = "en") -> None:
    from rich.table import Table

    from krm import reference

    def w(key: str, **kw) -> str:
        return words()[key](lang).format(**kw) if kw else words()[key](lang)

    con = console()
    t = Table(title=w("title", month=rep.month, date=rep.as_of.isoformat()))
    for c in ("Form", "Level", "Period", "Due", "Expected", "Received", "On time", "Late", "Missing",
              "Overdue", "Completeness", "Timeliness"):
        t.add_column(w(c), justify="right" if c not in ("Form", "Level", "Period", "Due") else "left")
    for s in rep.levels:
        due = s.due.isoformat() + ("" if s.due == s.last_working_day else
                                   f" ({w('act_by', d=f'{s.last_working_day:%d.%m}')})")
        t.add_row(s.form, w(s.level) if s.level in words() else s.level, s.period, due, str(s.expected), str(s.received), str(s.on_time), str(s.late),
                  str(s.missing), str(s.overdue), _pct(s.completeness), _pct(s.timeliness))
    con.print(t)
    con.print(w("expected_from", rule=_rule(rep.rule, w)))
    k2 = rep.level("KRM-2")
    r = Table(title=w("by_region", month=rep.month))
    for c in ("Region", "Expected", "Received", "On time", "Late", "Missing", "Completeness", "Timeliness"):
        r.add_column(w(c), justify="left" if c == "Region" else "right")
    for row in k2.by_region:
        reg = reference.region(row["region"], rep.month) if lang != "en" else None
        r.add_row(f"{row['region']} {reg.name(lang) if reg else row['name']}", str(row["expected"]),
                  str(row["received"]), str(row["on_time"]),
                  str(row["late"]), str(row["missing"]), _pct(row["completeness"]), _pct(row["timeliness"]))
    r.add_row(f"[bold]{w('Total')}[/bold]", str(k2.expected), str(k2.received), str(k2.on_time), str(k2.late),
              str(k2.missing), _pct(k2.completeness), _pct(k2.timeliness))
    con.print(r)

    def dname(kato: str) -> str:
        d = reference.district_any(kato)
        return f"{d.name_kk if lang == 'kk' else d.name_ru} ({kato})" if d else kato  # en: as before, Russian

    for form in ("KRM-1", "KRM-2"):
        for state in ("missing", "late"):
            items = [e for e in rep.slots if e.form == form and e.state == state]
            if not items:
                continue
            shown = items if limit == 0 else items[:limit]
            con.print(f"[bold]{form} {w(state)}[/bold] ({len(items)}):")
            for e in shown:
                extra = ""
                if e.arrived is not None and e.arrived.when is not None:
                    days = (e.arrived.when.date() - e.due).days
                    extra = "  " + w("arrived", when=f"{e.arrived.when:%Y-%m-%d %H:%M}", days=days,
                                     due=f"{e.due:%d.%m}")
                con.print(f"  {e.region}  {dname(e.key[0])}  {e.key[1]}{extra}")
            if len(shown) < len(items):
                con.print(w("more", n=len(items) - len(shown)))
    if rep.unexpected:
        con.print(f"[bold]{w('unexpected')}[/bold] ({len(rep.unexpected)}):")
        for a in rep.unexpected[: limit or None]:
            con.print(f"  {a.path}: {a.problem_in(lang)}")
    if rep.duplicates:
        con.print(f"[bold]{w('duplicates')}[/bold] ({len(rep.duplicates)}):")
        for a, b in rep.duplicates[: limit or None]:
            how = w("counts", path=a.path) if a.status == "accepted" else w("neither")
            con.print("  " + w("repeats", a=a.path, b=b.path, how=how))
    if rep.excluded:
        con.print(f"[bold]{w('excluded')}[/bold] ({len(rep.excluded)}):")
        for a in rep.excluded[: limit or None]:
            con.print(f"  {a.path}: {a.problem_in(lang)}")
    if rep.unreadable:
        con.print(f"[bold]{w('unreadable')}[/bold] ({len(rep.unreadable)}):")
        for a in rep.unreadable[: limit or None]:
            con.print(f"  {a.path}: {a.problem_in(lang)}")
    if rep.other_periods:
        con.print(w("other_periods", n=rep.other_periods))
    if rep.approval is not None:
        from krm.commands.status_approval import print_approval

        print_approval(con, rep.approval, limit, lang)
