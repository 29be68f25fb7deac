"""Intentionally faulty workbooks: which slots get a mistake, the mistake itself, and the
finding code each should give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from krm import forms, reference
from krm.samples.files import SPARE_ROWS, _header, _write, krm2_name, krm2_rows, region_folder
from krm.samples.model import Fault, Slot, _q, _stream, month_bounds, slug
from krm.samples.people import _person, _phone, wrong_check_digit
from krm.samples.projects import _projects

FAULT_KINDS = ("bad-bin-check-digit", "disbursed-above-allocated", "missing-activity", "text-in-number-cell",
               "duplicate-submission", "district-not-valid-for-period", "end-before-start", "negative-number",
               "unknown-activity", "missing-project-name", "bad-date")


def _fault_plan(slots: list[Slot], n: int, seed: int, month_end: dt.date) -> list[tuple[str, Slot]]:
    """Pick n (kind, slot) pairs: kinds cycle through FAULT_KINDS, slots are arrived, non-overfulfilled ones."""
    rng = _stream(seed, "faults")
    pool = [s for s in slots if s.krm2_time is not None and not s.overfulfilled
            and len(s.month_projects(month_end)) >= 2]
    rng.shuffle(pool)
    out = []
    used_regions: set[str] = set()
    for i in range(n):
        kind = FAULT_KINDS[i % len(FAULT_KINDS)]
        # spread faults over regions; a wrong-year district where the region has one
        ok = (lambda s: s.region in new_districts(month_end)) if kind == "district-not-valid-for-period" else None
        cand = (next((s for s in pool if ok and ok(s) and s.region not in used_regions), None)
                or next((s for s in pool if s.region not in used_regions), None) or (pool[0] if pool else None))
        if cand is None:
            break
        pool.remove(cand)
        used_regions.add(cand.region)
        out.append((kind, cand))
    return out


def fault_codes() -> dict[str, str | None]:
    """Intended finding code per fault kind, from krm/catalogue/ (by the check's title)."""
    try:
        from krm.catalogue import CATALOGUE
    except ImportError:
        return {k: None for k in FAULT_KINDS}
    by_title = {c.title: code for code, c in CATALOGUE.items()}
    out: dict[str, str | None] = {}
    for kind in FAULT_KINDS:
        out[kind] = None
        for title in FAULT_TITLES.get(kind, ()):
            if title in by_title:
                out[kind] = by_title[title]
                break
    return out


# fault kind -> catalogue titles that name it (first found wins)
FAULT_TITLES: dict[str, tuple[str, ...]] = {
    "bad-bin-check-digit": ("id-check-digit",),
    "disbursed-above-allocated": ("disbursed-above-allocated",),
    "missing-activity": ("required-missing",),
    "text-in-number-cell": ("not-a-number",),
    "duplicate-submission": ("duplicate-submission", "duplicate-submitter"),
    "district-not-valid-for-period": ("district-not-valid-then",),
    "end-before-start": ("start-after-end",),
    "negative-number": ("negative",),
    "unknown-activity": ("activity-unknown",),
    "missing-project-name": ("required-missing",),
    "bad-date": ("bad-date",),
}


def _write_fault(kind: str, s: Slot, mdir: Path, month: str, seed: int, codes: dict,
                 force: bool, ghosts: set[str] | None = None) -> tuple[list[Fault], list[Path]]:
    """Write the slot's KRM-2 with one realistic mistake; returns the fault record(s) and the files written."""
    from krm.workbook.writer import layout

    k2 = forms.get("KRM-2")
    _, month_end = month_bounds(month)
    rng = _stream(seed, "fault", s.district, s.programme)
    folder = region_folder(s.region, month)
    projects = s.month_projects(month_end)
    rows = krm2_rows(projects, s.lang)
    header = _header(k2, s, month, s.lang)
    i = rng.randrange(len(rows))
    lay = layout(k2, reference.as_date(month), len(rows) + SPARE_ROWS)
    colidx = {c.key: n for n, c in enumerate(lay.columns)}

    def cell(key: str) -> str:
        from krm.workbook.writer import a1

        return a1(lay.first_data_row + i, colidx[key])

    rel = f"{folder}/{krm2_name(s.district, s.programme)}"
    if kind == "bad-bin-check-digit":
        rows[i]["bin"] = wrong_check_digit(rows[i]["bin"])
        at, note = cell("bin"), "12th digit of the BIN/IIN does not match its check digit"
    elif kind == "disbursed-above-allocated":
        rows[i]["disbursed"] = _q(float(rows[i]["allocated"]) * 1.35 + 0.5)
        at, note = cell("disbursed"), "disbursed (col 9) above allocated (col 8)"
    elif kind == "missing-activity":
        rows[i]["activity"] = None
        at, note = cell("activity"), "the activity (col 3) of a project row is blank"
    elif kind == "text-in-number-cell":
        rows[i]["fact"] = f"{rows[i]['fact']} адам" if s.lang == "kk" else f"{rows[i]['fact']} чел."
        at, note = cell("fact"), "jobs fact (col 7) written as text with a unit"
    elif kind == "end-before-start":
        rows[i]["end"] = rows[i]["start"] - dt.timedelta(days=rng.randint(30, 300))
        at, note = cell("start"), "implementation period ends (col 5, end) before it starts"
    elif kind == "negative-number":
        rows[i]["disbursed"] = -rows[i]["disbursed"] if rows[i]["disbursed"] else Decimal("-1.5")
        at, note = cell("disbursed"), "a negative disbursed sum (a refund typed with a minus)"
    elif kind == "missing-project-name":
        rows[i]["project"] = None
        at, note = cell("project"), "the project name (col 4) is blank"
    elif kind == "unknown-activity":
        rows[i]["activity"] = "10. туризм" if s.lang == "kk" else "10. туризм и отдых"
        at, note = cell("activity"), "an activity group that is not one of the nine"
    elif kind == "bad-date":
        rows[i]["start"] = f"31.06.{rows[i]['start'].year}"
        at, note = cell("start"), "a start date that does not exist (31 June), typed as text"
    elif kind == "district-not-valid-for-period":
        # the slot's own clean KRM-2, and an extra workbook for a district that did not exist that year
        clean = _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
        f = _fault_wrong_district(s, mdir, month, seed, codes, force, ghosts if ghosts is not None else set())
        return [f], [clean, mdir / f.file]
    elif kind == "duplicate-submission":
        # the clean submission, and the same district/programme/period sent again with corrected figures
        _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
        rows2 = [dict(r) for r in rows]
        rows2[i]["fact"] = rows2[i]["fact"] + 1 if rows2[i]["fact"] < rows2[i]["plan"] else rows2[i]["fact"]
        rel2 = f"{folder}/{krm2_name(s.district, s.programme, '_resent')}"
        _write(mdir / rel2, k2, s.lang, header, rows2, s.signature, s.krm2_time + dt.timedelta(days=2, hours=1),
               force)
        return [Fault(kind, rel2, codes.get(kind), "aggregate", None,
                      "same district, programme and period as the file in duplicate_of (a resubmission)",
                      duplicate_of=rel, aggregate="conflict")], [mdir / rel, mdir / rel2]
    else:  # pragma: no cover - FAULT_KINDS is closed
        raise ValueError(kind)
    _write(mdir / rel, k2, s.lang, header, rows, s.signature, s.krm2_time, force)
    return [Fault(kind, rel, codes.get(kind), "file", at, note)], [mdir / rel]


# a district code that only exists in the current (2022+) set: Kosshy became a city of oblast significance in
# Akmola Region later; the 2019 set has no such unit (used when the slot's region has no such district)
WRONG_YEAR_DISTRICT = "111600000"


def new_districts(on: dt.date) -> dict[str, list]:
    """Region -> districts of another KATO set (the current one for 2019) whose code is not in the set
    valid on ``on``: a district that did not exist then."""
    valid = {d.kato for d in reference.districts(None, on)}
    regions_then = {r.kato for r in reference.regions(on)}
    this_set = reference.district_set(on)
    out: dict[str, list] = {}
    for d in reference._all_districts():
        if d.set != this_set and d.kato not in valid and d.region_kato in regions_then:
            out.setdefault(d.region_kato, []).append(d)
    return out


def _fault_wrong_district(s: Slot, mdir: Path, month: str, seed: int, codes: dict, force: bool,
                          ghosts: set[str]) -> Fault:
    """An extra workbook for a district that does not exist in that year (the current-set list was used).

    ``ghosts``: the districts already given such a workbook in this run (each fault gets its own).
    """
    k2 = forms.get("KRM-2")
    _, month_end = month_bounds(month)
    others = new_districts(month_end)
    cands = others.get(s.region) or others.get("11") or next(iter(others.values()))
    d = next((x for x in cands if x.kato == WRONG_YEAR_DISTRICT), cands[0])
    if d.kato in ghosts:  # many faults of this kind: the next unused district of the newer list
        free = [x for xs in [cands] + [others[k] for k in sorted(others)] for x in xs if x.kato not in ghosts]
        if free:
            d = free[0]
    ghosts.add(d.kato)
    reg = d.region_kato
    rng = _stream(seed, "fault", d.kato)
    lang = s.lang
    projects, _ = _projects(rng, "DKB2020", reg, month_end.year, month_end, lang)
    projects = [p for p in projects if p.start <= month_end and p.fact <= p.plan] or projects[:1]
    ghost = Slot(reg, d.kato, "DKB2020", lang, projects,
                 {"executor": _person(rng, lang), "phone": _phone(rng, reg), "head": _person(rng, lang),
                  "email": f"dkb2020.{slug(d.name_en).lower()}@akimat.example.kz"},
                 s.krm1_time, s.krm2_time)
    header = _header(k2, ghost, month, lang, district=d)
    rel = f"{region_folder(reg, month)}/{krm2_name(d.kato, 'DKB2020')}"
    _write(mdir / rel, k2, lang, header, krm2_rows(projects, lang), ghost.signature, s.krm2_time, force)
    from krm.workbook.writer import a1, layout

    lay = layout(k2, reference.as_date(month), 1)
    return Fault("district-not-valid-for-period", rel, codes.get("district-not-valid-for-period"), "file",
                 a1(lay.header_rows["district"], lay.value_col),
                 f"district {d.name_ru} ({d.kato}) is in the {d.set} KATO list, not in the one valid in {month}")
