"""krm outliers — the month's outliers against the register's history and the region's other districts."""

from __future__ import annotations

from typing import Optional

import typer

from krm.cli import app
from krm.commands._common import REGISTER_HELP, console, dumps, fail, say, shown_lang

HEAD = {
    "kk": ("Аудан", "Бағдарлама", "Көрсеткіш", "Айға", "Күтілетін", "Медиана", "z", "Неге қарағанда", "Файл, ұяшық"),
    "ru": ("Район", "Программа", "Показатель", "За месяц", "Ожидалось", "Медиана", "z", "Сравнение с", "Файл, ячейки"),
    "en": ("District", "Programme", "Measure", "Month", "Expected", "Median", "z", "Against", "File, cells"),
}
AGAINST = {"kk": ("{n} ай тарихы", "облыстың {n} ауданы"), "ru": ("история {n} мес.", "{n} районов области"),
           "en": ("{n} months' history", "{n} districts of the region")}
NONE = {"kk": "{month}: ауытқу жоқ ({n} қатар тексерілді, шегі {t}).",
        "ru": "{month}: выбросов нет (проверено рядов: {n}, порог {t}).",
        "en": "{month}: no outliers ({n} series checked, threshold {t})."}


@app.command()
def outliers(
    month: str = typer.Option(..., "--month", help="The reporting month YYYY-MM."),
    threshold: float = typer.Option(3.5, "--threshold", help="Modified z-score above which a value is an outlier "
                                    "(DHIS2's default 3.5)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
    lang: str = typer.Option("en", "--lang", help="kk, ru or en."),
    register: Optional[str] = typer.Option(None, "--register", help=REGISTER_HELP),
) -> None:
    """List the month's outliers (modified z-score over the register's history of at least four months, and
    against the region's other districts). Each is a warning with its expected range; exit 0."""
    import krm.register as reg_mod
    from krm.commands._common import use_register
    from krm.history import outliers as lib
    from krm.values import month_arg

    try:
        month = month_arg(month)
    except ValueError as e:
        fail(str(e))
    if fmt not in ("table", "json"):
        fail(f"unknown format {fmt!r}: use table or json")
    if not threshold > 0:
        fail("--threshold must be a positive number")
    lang = shown_lang(lang)
    use_register(register, False)
    reg = reg_mod.open()
    if reg is None:
        fail("the register is off (KRM_REGISTER=off): outliers are computed from its history; give --register")
    with reg:
        found = lib.find(reg, month, threshold)
        n = len(lib.series(reg, month))
    if fmt == "json":
        typer.echo(dumps({"version": 1, "month": month, "threshold": threshold, "series": n,
                          "min_history": lib.MIN_HISTORY, "min_districts": lib.MIN_PEERS,
                          "outliers": [{**o.to_dict(), "code": o.finding().code, "message": o.finding().message(lang)}
                                       for o in found]}, indent=1))
        return
    if not found:
        say(NONE[lang].format(month=month, n=n, t=threshold))
        return
    _table(found, lang)


def _table(found: list, lang: str) -> None:
    from pathlib import PurePath

    from rich.markup import escape
    from rich.table import Table

    from krm import reference
    from krm.history.outliers import _MEASURE_WORDS, _round

    words = dict(zip(("kk", "ru", "en"), range(3)))[lang]
    tab = Table(*HEAD[lang], show_lines=False)
    for o in found:
        d = next((x for x in reference.districts(o.region, o.month) if x.kato == o.district), None)
        name = reference.district_label(d, lang) if d else o.district
        r = lambda v: _round(o.measure, v)  # noqa: E731
        against = AGAINST[lang][0 if o.kind == "history" else 1].format(n=o.n)
        if o.kind == "history":
            against += f", min–max {r(o.min)}…{r(o.max)}"
        tab.add_row(escape(name), o.programme, _MEASURE_WORDS[o.measure][words], str(r(o.value)),
                    f"{r(o.low)}…{r(o.high)}", str(r(o.median)), f"{o.z:.1f}", against,
                    escape(f"{PurePath(o.file or '').name} {o.cell or ''}"))
    console(soft_wrap=False).print(tab)
