"""Test helpers: correctly filled workbooks of every form, and one-cell edits.

``filled(form, tmp_path)`` writes a valid filled workbook with ``write_form`` (the
same writer as ``krm template``); ``edit(path, {cell: value}, out)`` changes cells
of a copy with openpyxl.  openpyxl drops cached formula results on save, so
``edit`` replaces each formula by its cached value (read with ``data_only``):
the copy then holds exactly the numbers the original showed, and a test that
wants a formula without a cached value asks for one (``keep_formulas=True``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from krm import forms, reference
from krm.workbook.writer import write_form

PERIOD = "2019-05"
YEAR = "2019"
TODAY = dt.date(2019, 7, 1)  # pass as validate_file(..., today=TODAY)
REGION = "Түркістан облысы"
SIGNATURE = {"email": "akimat@example.kz", "executor": "Ахметова А.Б.", "phone": "+7 7252 12 34 56",
             "head": "Сейітов Н.Қ."}
BINS = ["190540012345", "200641056787", "900515300127", "151152012341"]


def _programme(lang="kk") -> str:
    return reference.programme("ENBEK", PERIOD).name(lang) if reference.programme("ENBEK", PERIOD) else \
        reference.programmes(PERIOD)[0].name(lang)


def _region():
    return reference.region(REGION, PERIOD)


def _districts(n=2):
    return reference.districts(_region().kato, PERIOD)[:n]


def act(code: str, lang="kk") -> str:
    return next(a for a in reference.activities() if a.code == code).label(lang)


def header(form: str, lang="kk") -> dict:
    spec = forms.get(form)
    h = {}
    for f in spec.header:
        if f.key == "region":
            h["region"] = _region().name(lang)
        elif f.key == "district":
            h["district"] = reference.district_label(_districts(1)[0], lang)
        elif f.key == "period":
            h["period"] = YEAR if spec.period_kind == "year" else PERIOD
        elif f.key == "programme":
            h["programme"] = _programme(lang)
        elif f.key == "basis":
            h["basis"] = "cumulative"
        elif f.key == "body":
            h["body"] = "Еңбек және халықты әлеуметтік қорғау министрлігі"
    return h


def rows(form: str, lang="kk") -> list[dict]:
    spec = forms.get(form)
    d1, d2 = (reference.district_label(d, lang) for d in _districts(2))
    if spec.id == "KRM-1":
        return [
            {"project": "Мектеп құрылысы", "start": dt.date(2019, 3, 1), "end": dt.date(2019, 12, 20),
             "rb": 120.5, "lb": 30.25, "total": 15, "act3": 10, "act7": 5},
            {"project": "Жылыжай кешені", "start": dt.date(2019, 4, 1), "end": dt.date(2020, 6, 30),
             "rb": 0, "lb": 12.125, "total": 8, "act1": 8},
        ]
    if spec.id == "KRM-2":
        return [
            {"bin": BINS[0], "activity": act("3", lang), "project": "Мектеп құрылысы",
             "start": dt.date(2019, 3, 1), "end": dt.date(2019, 12, 20), "plan": 10, "fact": 8,
             "allocated": 100.5, "disbursed": 50.25, "enterprise": "ЖШС Құрылыс"},
            {"bin": BINS[1], "activity": act("1", lang), "project": "Жылыжай кешені",
             "start": dt.date(2019, 4, 1), "end": dt.date(2020, 6, 30), "plan": 8, "fact": 3,
             "allocated": 12.125, "disbursed": 0, "enterprise": "ЖШС Жылыжай"},
            {"bin": BINS[2], "activity": act("5", lang), "project": "Дүкен",
             "start": dt.date(2019, 1, 15), "end": dt.date(2019, 5, 31), "plan": 2, "fact": 2,
             "allocated": 3, "disbursed": 3, "enterprise": "ЖК Ахметов"},
        ]
    if spec.id == "KRM-3":
        return [
            {"activity": act("3", lang), "project": "Мектеп құрылысы", "plan": 10, "fact": 8,
             "allocated": 100.5, "disbursed": 50.25, "district": d1, "bin": BINS[0],
             "start": dt.date(2019, 3, 1), "end": dt.date(2019, 12, 20)},
            {"activity": act("1", lang), "project": "Жылыжай кешені", "plan": 8, "fact": 3,
             "allocated": 12.125, "disbursed": 0, "district": d2, "bin": BINS[1],
             "start": dt.date(2019, 4, 1), "end": dt.date(2020, 6, 30)},
        ]
    kato = [r.kato for r in reference.regions(PERIOD)]
    if spec.id == "KRM-4":
        return [{"region": kato[0], "projects_planned": 3, "projects_done": 1, "allocated": 100.5,
                 "disbursed": 50.25, "plan": 20, "fact": 12},
                {"region": kato[5], "projects_planned": 2, "projects_done": 2, "allocated": 12.125,
                 "disbursed": 12, "plan": 8, "fact": 8}]
    if spec.id == "KRM-5":
        return [{"region": kato[0], "fact": 12, "act3": 7, "act1": 5},
                {"region": kato[5], "fact": 8, "act2": 8}]
    progs = reference.programmes(PERIOD)
    if spec.id == "KRM-6":
        return [{"region": kato[0], f"{progs[0].code}_plan": 10, f"{progs[0].code}_fact": 4,
                 f"{progs[6].code}_plan": 5, f"{progs[6].code}_fact": 5},
                {"region": kato[3], f"{progs[1].code}_plan": 7, f"{progs[1].code}_fact": 2}]
    if spec.id == "KRM-7":
        return [{"activity": "3", "plan": 15, "fact": 9, f"{progs[0].code}_plan": 10, f"{progs[0].code}_fact": 4,
                 f"{progs[6].code}_plan": 5, f"{progs[6].code}_fact": 5},
                {"activity": "1", "plan": 7, "fact": 2, f"{progs[1].code}_plan": 7, f"{progs[1].code}_fact": 2}]
    raise KeyError(form)


def filled(form: str, folder: Path, *, lang="kk", name: str | None = None, header_over: dict | None = None,
           rows_over: list[dict] | None = None, signature: dict | None = None, spare_rows: int = 5,
           explanations: bool = False) -> Path:
    """A correctly filled workbook of ``form`` (overrides make it wrong on purpose)."""
    spec = forms.get(form)
    h = header(form, lang)
    h.update(header_over or {})
    h = {k: v for k, v in h.items() if v is not None}
    path = Path(folder) / (name or f"{spec.id}.filled.{lang}.xlsx")
    write_form(path, spec, lang, header=h, rows=rows(form, lang) if rows_over is None else rows_over,
               period=YEAR if spec.period_kind == "year" else PERIOD,
               signature=SIGNATURE if signature is None else signature, spare_rows=spare_rows,
               explanations=explanations)
    return path


def edit(path: Path, cells: dict[str, object], out: Path | None = None, *, sheet: str | None = None,
         keep_formulas: bool = False, text: bool = False, ops=None) -> Path:
    """Copy ``path`` to ``out`` with some cells changed (openpyxl). ``text=True`` stores values as text.

    ``ops(ws, wb)`` may do more (insert/delete columns, hide rows, merge cells).
    """
    import openpyxl

    out = Path(out or path)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    if not keep_formulas:
        cached = openpyxl.load_workbook(path, data_only=True)
        for w in wb.worksheets:
            cw = cached[w.title]
            for row in w.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        c.value = cw[c.coordinate].value
    for ref, v in cells.items():
        c = ws[ref]
        c.value = v
        if isinstance(v, str) and (text or not v.startswith("=")):
            c.data_type = "s"
    if ops:
        ops(ws, wb)
    wb.save(out)
    return out


def locate(path: Path):
    """The ParsedForm of a workbook (to find the cell of a column in a row)."""
    from krm.workbook.reader import read

    return read(path)


def cell_of(pf, row_index: int, key: str) -> str:
    """A1 of column ``key`` in the ``row_index``-th data row."""
    from krm.workbook.writer import a1

    r = pf.rows[row_index]
    return a1(r.row, r.cols[key])
