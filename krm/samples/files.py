"""One sample workbook on disk: its folder and file name, its header and rows, the write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from krm import reference
from krm.samples.model import Project, Slot, slug


def region_folder(region_kato: str, on: str) -> str:
    r = next(x for x in reference.all_regions() if x.kato == region_kato and x.valid_on(reference.as_date(on)))
    return f"{r.kato}-{slug(r.name_en)}"


def krm2_name(district: str, programme: str, suffix: str = "") -> str:
    return f"KRM-2_{district}_{programme}{suffix}.xlsx"


def krm1_name(district: str, programme: str) -> str:
    return f"KRM-1_{district}_{programme}.xlsx"


def _header(spec, slot: Slot, period: str, lang: str, district=None) -> dict:
    reg = next(r for r in reference.regions(period if len(period) == 7 else f"{period}-01")
               if r.kato == slot.region)
    d = district or next(x for x in reference.districts(slot.region, period) if x.kato == slot.district)
    h = {"region": reg.name(lang), "district": reference.district_label(d, lang), "period": period,
         "programme": reference.programme(slot.programme, period).name(lang)}
    if spec.header_field("basis") is not None:
        h["basis"] = "cumulative"
    return h


def krm2_rows(projects: list[Project], lang: str) -> list[dict]:
    acts = {a.code: a for a in reference.activities()}
    return [{"bin": p.bin, "activity": acts[p.activity].label(lang), "project": p.name(lang), "start": p.start,
             "end": p.end, "plan": p.plan, "fact": p.fact, "allocated": p.allocated, "disbursed": p.disbursed,
             "enterprise": p.enterprise} for p in projects]


def krm1_rows(projects: list[Project], lang: str) -> list[dict]:
    return [{"project": p.name(lang), "start": p.start, "end": p.end, "rb": p.rb, "lb": p.lb, "total": p.plan,
             f"act{p.activity}": p.plan} for p in projects]


def _write(path: Path, spec, lang: str, header: dict, rows: list[dict], signature: dict, when: dt.datetime,
           force: bool) -> Path:
    from krm.workbook.writer import atomic_write, write_form

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: write_form(tmp, spec, lang, header=header, rows=rows, signature=signature,
                                              spare_rows=SPARE_ROWS, doc_time=when), force=force)
    return path


SPARE_ROWS = 3  # a few empty input rows, as a real filled template has
