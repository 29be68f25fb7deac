"""The note's outlier section: the month's outliers from the register (:mod:`krm.history.outliers`), as
display strings for the template."""

from __future__ import annotations

from krm import reference

#: the note shows this many outliers, the largest first (``krm outliers`` lists them all)
SHOWN = 12


def outliers_from_register(month: str, cache: bool | None = None, threshold: float | None = None,
                           reg=None) -> dict | None:
    """The month's outliers and how many series were checked, from the register (``reg``: an open one, only
    read); None when it is off.

    ``series`` counts the series with :data:`~krm.history.outliers.MIN_HISTORY` earlier months of the year; the
    note shows outliers only when it is not 0 (:func:`note_section`).  When the register cannot hold such a
    series — the month has fewer earlier months in its year (January … April), or the register holds KRM-2 of
    fewer of them (:func:`~krm.history.outliers.may_have_history`) — it is 0 for certain and the outliers are not
    looked for: ``found`` is then empty, and the register is not read (January … April: not even opened)."""
    from krm.history import outliers as lib

    thr = threshold or lib.THRESHOLD
    if reg is not None:
        return _from(reg, month, thr)
    if cache is False:
        return None
    from krm.register.connect import turned_on

    if not turned_on():
        return None
    if not _may_have_history(month):
        return _nothing(thr)
    from krm.register.connect import configured
    from krm.register.plain import open_plain

    reg = open_plain(configured())  # an SQLite register at this schema: without SQLAlchemy until it has history
    if reg is None:
        return None
    with reg:
        if getattr(reg, "plain", False) and len(reg.periods_of("KRM-2", [p for p in lib._months(month)
                                                                          if p < month])) < lib.MIN_HISTORY:
            return _nothing(thr)  # lib.may_have_history's answer, asked without SQLAlchemy
        return _from(reg, month, thr)


def _may_have_history(month: str) -> bool:
    """Whether ``month``'s year has MIN_HISTORY months before it (May on)."""
    from krm.history import outliers as lib

    return sum(1 for p in lib._months(month) if p < month) >= lib.MIN_HISTORY


def _nothing(threshold: float) -> dict:
    """No series with enough history, so no outliers looked for (:func:`outliers_from_register`)."""
    return {"found": [], "series": 0, "threshold": threshold}


def _from(reg, month: str, threshold: float) -> dict:
    from krm.history import outliers as lib

    if not _may_have_history(month) or not lib.may_have_history(reg, month):
        return _nothing(threshold)
    data = lib.series(reg, month, light=True)
    if not lib.has_history(data, month):
        return _nothing(threshold)
    found = lib.find(reg, month, threshold, data, place=False)
    return _found(month, data, found, threshold)


def _found(month: str, data: dict, found, threshold: float) -> dict:
    from krm.history import outliers as lib

    long_enough = sum(1 for by in data.values() if month in by and sum(p < month for p in by) >= lib.MIN_HISTORY)
    return {"found": found, "series": long_enough, "threshold": threshold}


def note_section(ctx: dict, rep, t, lang: str) -> None:
    """ctx["outliers"]: the section's lines and table (see note.html.j2)."""
    from krm.history.outliers import MIN_HISTORY, THRESHOLD, _round

    o = getattr(rep, "outliers", None)
    thr = o["threshold"] if o else THRESHOLD
    sec = {"intro": t("out_intro", threshold=_num(thr, lang), months=MIN_HISTORY), "rows": [], "lines": []}
    ctx["outliers"] = sec
    if rep.quarter:
        sec["lines"].append(t("out_quarter"))
        return
    if not o or not o["series"]:
        sec["lines"].append(t("out_no_history", months=MIN_HISTORY))
        return
    found = o["found"]
    if not found:
        sec["lines"].append(t("out_none", n=o["series"]))
        return
    h = sum(1 for x in found if x.kind == "history")
    sec["lines"].append(t("out_count", n=len(found), h=h, d=len(found) - h, series=o["series"]))
    if len(found) > SHOWN:
        sec["lines"].append(t("out_more", shown=SHOWN, month=rep.month))
    for x in sorted(found, key=lambda x: (-abs(x.z), x.region, x.district, x.programme, x.measure))[:SHOWN]:
        r = lambda v: _num(_round(x.measure, v), lang, x.measure)  # noqa: E731
        d = next((d for d in reference.districts(x.region, x.month) if d.kato == x.district), None)
        reg = next((g for g in reference.regions(x.month) if g.kato == x.region), None)
        against = (t("out_history", n=x.n, min=r(x.min), max=r(x.max)) if x.kind == "history"
                   else t("out_peers", n=x.n))
        sec["rows"].append({"region": t.region(reg, short=True) if reg else x.region,
                            "district": d.name(lang) if d else x.district,
                            "programme": t.programme(reference.programme(x.programme, x.month))
                            if _known(x.programme, x.month) else x.programme,
                            "measure": t("out_" + x.measure), "value": _num(_round(x.measure, x.value, True), lang, x.measure),
                            "expected": f"{r(x.low)}…{r(x.high)}", "z": _num(round(x.z, 1), lang), "against": against})


def _known(code: str, month: str) -> bool:
    try:
        return reference.programme(code, month) is not None
    except (KeyError, ValueError, LookupError):
        return False


def _num(v, lang: str, measure: str = "fact") -> str:
    """A number as the note writes it: thin-space thousands, decimal comma, a true minus; money to the
    thousandth of a million tenge."""
    if isinstance(v, str):
        return v
    s = f"{v:,.3f}" if measure == "disbursed" else f"{v:,}"
    return s.replace(",", "\u202f").replace(".", ",").replace("-", "−")
