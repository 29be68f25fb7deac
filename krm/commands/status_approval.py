"""The approval part of ``krm status``'s table (:mod:`krm.approval`), in kk, ru or en."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def words() -> dict:
    """The words by key (built when first used: krm.spec loads pydantic, which a command that shows none of them
    need not pay for)."""
    from krm.spec import T

    return {
        "title": T("{form} бекіту ({source}): салыстыру және растау {reconcile} дейін; табылғаннан кейін {ret} жұмыс "
                   "күні ішінде қайтару, қайтарылғаннан кейін {cor} жұмыс күні ішінде түзету",
                   "{form} утверждение ({source}): сверка и подтверждение до {reconcile}; возврат в течение {ret} "
                   "рабочего дня после обнаружения, исправление в течение {cor} рабочих дней после возврата",
                   "{form} approval ({source}): reconcile and confirm by {reconcile}; return within {ret} working day "
                   "of finding, correct within {cor} working days of the return"),
        "register": T("тізілім", "реестр", "register"), "files": T("файлдар", "файлы", "files"),
        "Region": T("Өңір", "Регион", "Region"), "Programme": T("Бағдарлама", "Программа", "Programme"),
        "received": T("Келді", "Поступило", "Received"), "accepted": T("Қабылданды", "Принято", "Accepted"),
        "returned": T("Қайтарылды", "Возвращено", "Returned"), "explained": T("Түсіндірілді", "С пояснением", "Explained"),
        "confirmed": T("Расталды", "Подтверждено", "Confirmed"),
        "changed_after_confirmation": T("Растаудан кейін өзгерді", "Изменено после подтверждения",
                                        "Changed after conf."),
        "overdue": T("Мерзімі өтті", "Просрочено", "Overdue"), "Total": T("Барлығы", "Всего", "Total"),
        "unknown": T("Растаулар тек тізілімнен белгілі (тізілім қосулы кезде krm confirm).",
                     "Подтверждения известны только из реестра (krm confirm при включенном реестре).",
                     "Confirmations are known only from the register (krm confirm with the register on)."),
        "list": T("Бекіту мерзімі өтті", "Просрочено (утверждение)", "Overdue (approval)"),
        "return": T("қайтару мерзімі {d}", "срок возврата {d}", "return due {d}"),
        "correction": T("түзету мерзімі {d}", "срок исправления {d}", "correction due {d}"),
        "confirmation": T("растау мерзімі {d}", "срок подтверждения {d}", "confirmation due {d}"),
        "more": T("… тағы {n} (барлығы: --limit 0 немесе --format json)", "… еще {n} (все: --limit 0 или --format json)",
                  "… {n} more (--limit 0 or --format json for all)"),
    }
COLUMNS = ("received", "accepted", "returned", "explained", "confirmed", "changed_after_confirmation")
DUE = {"return": "return_due", "correction": "correct_due", "confirmation": "confirm_due"}


def print_approval(con, ap: dict, limit: int, lang: str = "en") -> None:
    """Approval levels per region and programme, the Rules' windows, and what is overdue."""
    from rich.markup import escape
    from rich.table import Table

    def w(key: str, **kw) -> str:
        return words()[key](lang).format(**kw) if kw else words()[key](lang)

    for form, dl in ap["deadlines"].items():
        rows = [r for r in ap["by_region_programme"] if r["form"] == form]
        if not rows:
            continue
        t = Table(title=w("title", form=form, source=w(ap["source"]), reconcile=dl["reconcile"],
                          ret=dl["return_working_days"], cor=dl["correct_working_days"]))
        t.add_column(w("Region"))
        t.add_column(w("Programme"))
        for k in COLUMNS + ("overdue",):
            t.add_column(w(k), justify="right")
        for r in rows + [{"region": "", "name": f"[bold]{w('Total')}[/bold]", "programme": "", **ap["totals"][form]}]:
            over = r["overdue_return"] + r["overdue_correction"] + r["overdue_confirmation"]
            t.add_row(f"{r['region']} {_region(r, lang)}".strip(), escape(r["programme"]), *(str(r[k]) for k in COLUMNS),
                      str(over))
        con.print(t)
    if not ap["confirmations_known"]:
        con.print(w("unknown"))
    items = ap["overdue"]
    if items:
        con.print(f"[bold]{w('list')}[/bold] ({len(items)}):")
        for it in items[: limit or None]:
            state = w(it["state"]).lower() if it["state"] in words() else it["state"]
            con.print(f"  {it['form']} {it['district']} {escape(it['programme'])} ({state}): "
                      + "; ".join(w(o, d=it[DUE[o]]) for o in it["overdue"]) + f"  {escape(it['path'] or '')}")
        if limit and len(items) > limit:
            con.print(f"  {w('more', n=len(items) - limit)}")


def _region(row: dict, lang: str) -> str:
    """The region's name in ``lang`` (the approval levels carry it in English)."""
    from krm import reference

    reg = reference.region_any(row["region"]) if lang != "en" and row["region"] else None
    return reg.name(lang) if reg is not None else row["name"]
