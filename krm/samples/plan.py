"""Planning a month: which programmes each district administers, their projects, and when
each report was sent (or that it never arrived)."""

from __future__ import annotations

import datetime as dt
import random

from krm import reference
from krm.samples.model import DEFAULT_SEED, Slot, _choice_w, _stream, month_bounds, slug
from krm.samples.people import RU_SHARE, _person, _phone
from krm.samples.projects import _projects

# which programmes a unit administers: (primary weights, extra programmes, probability of each extra)
PROGRAMME_POOLS = {
    "district": ({"ENBEK": 6, "AIC": 4, "REGDEV": 2, "DKB2020": 1},
                 ("ENBEK", "AIC", "DKB2020", "REGDEV", "INFRA", "DENSAULYK", "EDU"), 0.006),
    "city of oblast significance": ({"DKB2020": 3, "ENBEK": 2, "GPIIR": 2, "NURLY_ZHER": 2, "SERVICES2020": 1},
                                    ("DKB2020", "ENBEK", "GPIIR", "NURLY_ZHER", "INVEST", "INFRA", "SME",
                                     "SERVICES2020", "DIGITAL_KZ"), 0.03),
    "city district": ({"NURLY_ZHER": 2, "DKB2020": 2, "SERVICES2020": 2, "SME": 1},
                      ("NURLY_ZHER", "DKB2020", "SERVICES2020", "SME", "INVEST", "GPIIR", "DIGITAL_KZ", "ENBEK"),
                      0.04),
}


def _submission_time(rng: random.Random, due: dt.date, late_share: float, earliest: dt.date) -> dt.datetime:
    """When a report was sent: mostly in the last days before the due date, some late; on a weekday,
    never before ``earliest`` (the day after the reporting period ends)."""
    if rng.random() < late_share:
        day = due + dt.timedelta(days=rng.randint(1, 9))
    else:
        day = max(earliest, due - dt.timedelta(days=rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 4, 5))))
    back = day
    while back.weekday() >= 5:  # offices send on weekdays
        back -= dt.timedelta(days=1)
    if back >= earliest:
        day = back
    else:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, rng.randint(9, 17), rng.randint(0, 59), rng.randint(0, 59))


def plan_month(month: str, seed: int = DEFAULT_SEED, regions: list[str] | None = None,
               langs: list[str] | None = None) -> list[Slot]:
    """Every (district, programme) slot of the sample month, fully determined by the seed.

    ``regions``: only these region KATO codes (a smaller sample; each district's data do not
    depend on which other regions are generated)."""
    first, month_end = month_bounds(month)
    year = first.year
    from krm.deadlines import form_due

    due2 = form_due("KRM-2", month)
    due1 = form_due("KRM-1", str(year))
    slots: list[Slot] = []
    known = {r.kato for r in reference.regions(month)}
    unknown = sorted(set(regions or ()) - known)
    if unknown:
        raise ValueError(f"no region {', '.join(unknown)} in {month}; known: {', '.join(sorted(known))}")
    for reg in reference.regions(month):
        if regions and reg.kato not in regions:
            continue
        for d in reference.districts(reg.kato, month):
            rng = _stream(seed, d.kato)
            primary, extras, p_extra = PROGRAMME_POOLS.get(d.kind, PROGRAMME_POOLS["district"])
            progs = {_choice_w(rng, primary)}
            for p in extras:
                if p not in progs and rng.random() < p_extra:
                    progs.add(p)
            lang = "ru" if rng.random() < RU_SHARE.get(reg.kato, 0.4) else "kk"  # drawn always: same stream
            if langs and lang not in langs:  # --lang kk (or ru): every workbook in that language
                lang = langs[0]
            for code in sorted(progs, key=lambda c: reference.programme(c, month).order):
                srng = _stream(seed, d.kato, code)
                projects, over = _projects(srng, code, reg.kato, year, month_end, lang)
                sig = {"executor": _person(srng, lang), "phone": _phone(srng, reg.kato),
                       "head": _person(srng, lang),
                       "email": f"{code.lower().replace('_', '')}.{slug(d.name_en).lower()}@akimat.example.kz"}
                t1 = _submission_time(srng, due1, 0.06, dt.date(year - 1, 11, 1))
                t2 = _submission_time(srng, due2, 0.08, month_end + dt.timedelta(days=1))
                arrived = srng.random() >= 0.03
                slots.append(Slot(reg.kato, d.kato, code, lang, projects, sig, t1, t2 if arrived else None, over))
    return slots
