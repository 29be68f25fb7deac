"""KRM-6 and KRM-7 rows, the cross-form checks, the texts and the control sheet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from krm import forms, reference
from krm.report.monthdata import MonthData, _opt_sum
from krm.report.warn import shown

# ------------------------------------------------------------------ KRM-6 / KRM-7 rows
def krm6_rows(md: MonthData) -> list[dict]:
    """One row per region: every figure column of KRM-6 (a programme's plan or fact: the column's
    ``programme`` and ``measure``) from that programme's unit in the region."""
    cols = _figure_columns("KRM-6", md)
    rows = []
    for r in md.regions:
        units = {u.programme: u for u in md.units_of(region=r.kato)}
        rec: dict = {"region": r.kato}
        for c in cols:
            if c.programme in units:
                rec[c.key] = getattr(units[c.programme], c.measure)
        rows.append(rec)
    return rows


def krm7_rows(md: MonthData) -> list[dict]:
    """One row per activity group: every figure column of KRM-7 (the republic's, or a programme's) by its
    measure (a republic column's key is its measure)."""
    cols = _figure_columns("KRM-7", md)
    return [{"activity": a.code, **{c.key: md.activity_value(a.code, c.programme, c.measure or c.key) for c in cols}}
            for a in reference.activities()]


def _figure_columns(form: str, md: MonthData) -> list:
    return [c for c in forms.get(form).columns_for(md.programmes) if c.role == "measure"]


def superseded_by(md: MonthData) -> dict[str, int]:
    """How many files of the month were superseded, by the level used instead ("KRM-4/5", "KRM-3")."""
    out: dict[str, int] = {}
    for s in md.sources:
        if s.status != "superseded":
            continue
        u = md.units.get((s.programme, s.region))
        level = "KRM-4/5" if u is None or u.from_programme_level else u.level
        out[level] = out.get(level, 0) + 1
    return dict(sorted(out.items(), reverse=True))


def _col_total(rows: list[dict], key: str) -> int | None:
    return _opt_sum(r.get(key) for r in rows)


@dataclass
class Check:
    what: str
    inputs: int | None
    krm6: int | None
    krm7: int | None  # None: KRM-7 has no such figure (e.g. plan by activity not available)
    ok: bool
    programme: str | None = None  # None: the republic
    measure: str = ""  # plan | fact

    def label(self, t: "Texts") -> str:
        """What is checked, in the reader's language ("Еңбек · жоспар", "республика · факт")."""
        from krm import reference

        p = reference.programme(self.programme) if self.programme else None
        who = t.programme(p) if p else (self.programme or t("republic"))
        return f"{who} · {t(self.measure)}" if self.measure else self.what


def checks(md: MonthData, rows6: list[dict], rows7: list[dict]) -> list[Check]:
    """The cross-form equalities: inputs == KRM-6 total row == KRM-7 total row, per programme and republic."""
    out = []
    for p in md.programmes:
        if p.code not in md.expected and not md.units_of(p.code):
            continue
        for m in ("plan", "fact"):
            exp = md.expected.get(p.code, {}).get(m)
            t6 = _col_total(rows6, f"{p.code}_{m}")
            t7 = _col_total(rows7, f"{p.code}_{m}") if md.activity_available(p.code, m) else None
            ok = exp == t6 and (t7 is None or t7 == t6)
            out.append(Check(f"{p.code} {m}", exp, t6, t7, ok, p.code, m))
    for m in ("plan", "fact"):
        exp = _opt_sum(e.get(m) for e in md.expected.values())
        t6 = _opt_sum(_col_total(rows6, f"{p.code}_{m}") for p in md.programmes)
        t7 = _col_total(rows7, m) if md.republic_activity_available(m) else None
        rowsum_ok = all(r.get(m) is None or r[m] == sum(r.get(f"{p.code}_{m}") or 0 for p in md.programmes)
                        for r in rows7)
        out.append(Check(f"republic {m}", exp, t6, t7, exp == t6 and (t7 is None or t7 == t6) and rowsum_ok, None, m))
    return out


def readback(path: Path, spec, lay) -> dict[str, tuple[int | None, int | None]]:
    """What a written form holds: column key -> (sum of its data rows, its total-row value)."""
    from python_calamine import CalamineWorkbook

    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.sheet_name).to_python(
        skip_empty_area=False)
    out = {}
    for ci, c in enumerate(lay.columns):
        if not c.type.numeric:
            continue
        vals = [grid[r][ci] for r in range(lay.first_data_row, lay.last_data_row + 1)]
        nums = [int(round(v)) for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        tot = grid[lay.total_row][ci] if lay.total_row is not None else None
        out[c.key] = (sum(nums) if nums else None, int(round(tot)) if isinstance(tot, (int, float)) else None)
    return out


# ------------------------------------------------------------------ texts
@dataclass
class Texts:
    lang: str
    data: dict

    def __call__(self, key: str, **kw) -> str:
        s = self.data.get(key, key)
        return s.format(**kw) if kw else s

    def month(self, period: str) -> str:
        y, m = int(period[:4]), int(period[5:7])
        return self.data["month_fmt"].format(y=y, m=self.data["months"][m - 1])

    def programme(self, p) -> str:
        return self.data["prog_short"].get(p.code, p.short or p.code)

    def region(self, r, short: bool = False) -> str:
        name = r.name(self.lang)
        if short:
            for w in self.data["region_words"]:
                name = name.replace(w, "")
            name = name.strip()
        return name

    def activity(self, a) -> str:
        return a.name(self.lang)


def texts(lang: str) -> Texts:
    with open(Path(str(resources.files("krm") / "report_templates" / "messages.json")), encoding="utf-8") as fh:
        data = json.load(fh)
    return Texts(lang, data[lang])


# ------------------------------------------------------------------ control sheet
def control_sheet(md: MonthData, chk: list[Check], t: Texts) -> tuple[str, list[list]]:
    rows: list[list] = [[t("c_file"), t("c_form"), t("c_level"), t("c_programme"), t("c_region"), t("c_district"),
                         t("c_period"), t("c_basis"), t("plan"), t("fact"), t("allocated"), t("disbursed"),
                         t("c_status"), t("c_note")]]
    for s in md.sources:
        rows.append([s.path, s.form, t("level_" + s.level), s.programme or "", s.region or "", s.district or "",
                     s.period, s.basis, s.totals["plan"], s.totals["fact"], s.totals["allocated"],
                     s.totals["disbursed"], t("status_" + s.status), s.note])
    if not md.sources:
        rows.append([t("no_files")])
    rows.append([])
    rows.append([t("c_check"), t("c_inputs"), "КРМ-6", "КРМ-7", t("c_result")])
    for c in chk:
        rows.append([c.label(t), c.inputs, c.krm6, c.krm7 if c.krm7 is not None else t("c_na"),
                     t("ok") if c.ok else t("fail")])
    if md.warnings:
        rows.append([])
        rows.append([t("c_warnings")])
        rows.extend([[shown(w, t)] for w in md.warnings])
    return t("control_sheet"), rows
