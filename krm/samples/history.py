"""A run of sample months: the months before the last one, derived from it, so that cumulative figures grow
consistently (``krm samples --month 2019-05 --from 2019-01``).

The last month is written exactly as :func:`krm.samples.generate` writes it alone (same bytes).  Each earlier
month lists the same slots' projects that had started by its end, with the facts and disbursed sums scaled
down by the share of the implementation period elapsed then against the last month's share (rounded down,
so they never exceed the later months').  With ``faulty`` > 0 a few cross-period mistakes are injected into
the earlier months (never into the last one), each listed in the month's ``faulty.json`` with the finding it
must give when the month is validated with the months before it in the register (:data:`HISTORY_FAULTS`),
and one slot's earlier months are shaped so that the last month's figure is an outlier against its history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from pathlib import Path

from krm.samples.model import MILLI, Fault, Project, SampleResult, Slot, _stream, month_bounds

#: kind, the month it is injected into (counted back from the last month), the month forced missing after
#: it (so that the change is not reported again there), the finding it gives
HISTORY_FAULTS = (
    ("fact-decreased", 1, None, "KRM-E301"),
    ("disbursed-decreased", 1, None, "KRM-E302"),
    ("project-dropped", 2, None, "KRM-E303"),
    ("plan-changed", 2, 1, "KRM-W301"),
    ("allocated-differs-from-krm1", 4, 3, "KRM-W302"),
    ("facts-far-beyond-plan", 2, 1, "KRM-W303"),
)
#: the outlier: the slot's cumulative fact in the earlier months as these shares of the last month's
OUTLIER_SHARES = (Fraction(2, 100), Fraction(6, 100), Fraction(9, 100), Fraction(14, 100))


def months_between(first: str, last: str) -> list[str]:
    """'2019-01', '2019-05' → ['2019-01', …, '2019-04'] (the months before ``last``, from ``first``)."""
    a, b = month_bounds(first)[0], month_bounds(last)[0]
    if a > b or a.year != b.year:
        raise ValueError(f"--from {first} must be a month of the same year as {last}, not after it")
    return [f"{b.year}-{m:02d}" for m in range(a.month, b.month)]


def _share(p: Project, month_end: dt.date) -> Fraction:
    if p.start > month_end:
        return Fraction(0)
    if p.end <= month_end:
        return Fraction(1)
    return Fraction((month_end - p.start).days, max((p.end - p.start).days, 1))


def _scaled(p: Project, ratio: Fraction) -> Project:
    fact = int(p.fact * ratio)
    disbursed = (Decimal(int(p.disbursed / MILLI * ratio.numerator) // ratio.denominator) * MILLI).quantize(MILLI)
    return replace(p, fact=fact, disbursed=disbursed)


def derive(slot: Slot, last_end: dt.date, month_end: dt.date) -> list[Project]:
    """The slot's projects as reported for an earlier month (see the module's doc)."""
    out = []
    for p in slot.month_projects(month_end):
        now, then = _share(p, month_end), _share(p, last_end)
        out.append(_scaled(p, now / then if then else Fraction(0)))
    return out


class Run:
    """The earlier months of a run: each slot's projects and presence per month, and the injected mistakes."""

    def __init__(self, slots: list[Slot], months: list[str], last: str, seed: int, skip: set[int] = frozenset()):
        self.slots, self.months, self.seed = slots, months, seed
        last_end = month_bounds(last)[1]
        self.rows = {(i, m): derive(s, last_end, month_bounds(m)[1]) for i, s in enumerate(slots) for m in months}
        self.present = {(i, m): _stream(seed, s.district, s.programme, m).random() >= 0.03
                        for i, s in enumerate(slots) for m in months}
        self.faults: dict[str, list[tuple[int, str, str | None]]] = {m: [] for m in months}  # (slot, kind, cell)
        self.used: set[int] = set(skip)  # the slots faulty in the last month are left alone
        self.outlier: int | None = None

    def month(self, back: int) -> str | None:
        return self.months[-back] if back <= len(self.months) else None

    def inject(self) -> None:
        for kind, back, gap, _code in HISTORY_FAULTS:
            m = self.month(back)
            if m is None:
                continue
            before = self.months[self.months.index(m) - 1] if self.months.index(m) > 0 else None
            after = self.month(gap) if gap else None
            for i in self._candidates(kind):
                found = self._apply(kind, i, m, before)
                if found is not None:
                    if after is not None:
                        self.present[(i, after)] = False
                    self.faults[m].append((i, kind, found))
                    self.used.add(i)
                    break
        self._outlier()

    def _candidates(self, kind: str) -> list[int]:
        """Slots not used yet (nor faulty in the last month), from a place that depends on the kind."""
        n = len(self.slots)
        start = _stream(self.seed, "history", kind).randrange(n) if n else 0
        return [i for i in ((start + k) % n for k in range(n)) if i not in self.used]

    def _apply(self, kind: str, i: int, m: str, before: str | None):
        """Inject one mistake into slot ``i``'s month ``m``; returns the intended cell's row index, or None."""
        rows = self.rows[(i, m)]
        prev = self.rows.get((i, before)) if before else None
        if not self.present[(i, m)] or (before and not self.present[(i, before)]) or len(rows) < 2:
            return None
        if kind in ("fact-decreased", "disbursed-decreased"):
            key = "fact" if kind == "fact-decreased" else "disbursed"
            low = 2 if key == "fact" else Decimal("1")
            at = {(p.bin, p.name_kk): j for j, p in enumerate(rows)}
            q = next((q for q in prev or () if getattr(q, key) >= low and (q.bin, q.name_kk) in at), None)
            if q is None:
                return None
            j = at[(q.bin, q.name_kk)]
            less = q.fact - 1 if key == "fact" else (q.disbursed * Decimal("0.9")).quantize(MILLI, ROUND_DOWN)
            rows[j] = replace(rows[j], **{key: less})
            return (j, key)
        if kind == "project-dropped":
            if not prev or len(prev) < 2:
                return None
            j = len(prev) - 1
            del rows[j]
            return (0, "project")
        if kind == "plan-changed":
            if prev is None:
                return None
            j = 0
            rows[j] = replace(rows[j], plan=rows[j].plan + 2)
            return (j, "plan")
        if kind == "allocated-differs-from-krm1":
            j = 0
            rows[j] = replace(rows[j], allocated=(rows[j].allocated * Decimal("1.1")).quantize(MILLI),
                              disbursed=min(rows[j].disbursed, rows[j].allocated))
            return (j, "allocated")
        if kind == "facts-far-beyond-plan":
            if prev is None:
                return None
            plan = sum(p.plan for p in self.slots[i].projects)
            p0 = rows[-1]
            extra = replace(p0, name_kk=p0.name_kk + " (қосымша)", name_ru=p0.name_ru + " (дополнительный)",
                            bin=_fresh_bin(self.seed, self.slots[i]), plan=2 * plan, fact=2 * plan)
            rows.append(extra)
            return (len(rows) - 1, "fact")
        return None

    def _outlier(self) -> None:
        """One slot whose earlier months grew slowly and unevenly (:data:`OUTLIER_SHARES` of the jobs of the
        last earlier month's projects, filled earliest started first): its last month's jobs stand out."""
        for i in self._candidates("outlier"):
            s = self.slots[i]
            total = sum(p.fact for p in s.projects if p.start <= month_bounds(self.months[-1])[1])
            if s.krm2_time is None or total < 60 or len(self.months) < len(OUTLIER_SHARES) or not all(
                    self.present[(i, m)] for m in self.months):
                continue
            last = {(q.bin, q.name_kk): q.fact for q in s.projects}
            for m, share in zip(self.months[-len(OUTLIER_SHARES):], OUTLIER_SHARES):
                budget = int(total * share)
                fill = {}
                # earliest started first: a project that starts later comes after, so no project's jobs go down
                for j, p in sorted(enumerate(self.rows[(i, m)]), key=lambda x: (x[1].start, x[1].bin, x[1].name_kk)):
                    fill[j] = min(last[(p.bin, p.name_kk)], budget)
                    budget -= fill[j]
                self.rows[(i, m)] = [replace(p, fact=fill[j]) for j, p in enumerate(self.rows[(i, m)])]
            self.outlier = i
            self.used.add(i)
            return


def _fresh_bin(seed: int, slot: Slot) -> str:
    from krm.samples.people import make_bin

    return make_bin(_stream(seed, "history-extra", slot.district, slot.programme))


def write_earlier(out: Path, slots: list[Slot], months: list[str], last: str, seed: int, faulty: int,
                  force: bool, command: str = "") -> list[SampleResult]:
    """Write the earlier months of a run (see the module's doc) and their manifests."""
    from krm import forms
    from krm.deadlines import form_due
    from krm.samples.files import _header, _write, krm2_name, krm2_rows, region_folder
    from krm.samples.month import _write_manifests
    from krm.samples.plan import _submission_time

    from krm.samples.faults import _fault_plan

    skip = {id(s) for _, s in _fault_plan(slots, faulty, seed, month_bounds(last)[1])} if faulty else set()
    run = Run(slots, months, last, seed, {i for i, s in enumerate(slots) if id(s) in skip})
    if faulty:
        run.inject()
    k2 = forms.get("KRM-2")
    results = []
    for m in months:
        month_end = month_bounds(m)[1]
        res = SampleResult(out=out, month=m, seed=seed)
        faults = {i: (kind, where) for i, kind, where in run.faults[m]}
        for i, s in enumerate(slots):
            if not run.present[(i, m)]:
                res.missing.append(f"{s.district}/{s.programme}")
                continue
            rng = _stream(seed, s.district, s.programme, m)
            rng.random()  # the draw that decided presence
            when = _submission_time(rng, form_due("KRM-2", m), 0.08, month_end + dt.timedelta(days=1))
            rel = Path(region_folder(s.region, m)) / krm2_name(s.district, s.programme)
            p = _write(out / m / rel, k2, s.lang, _header(k2, s, m, s.lang), krm2_rows(run.rows[(i, m)], s.lang),
                       s.signature, when, force)
            res.krm2.append(p)
            if i in faults:
                kind, (j, key) = faults[i]
                code = next(c for k, *_, c in HISTORY_FAULTS if k == kind)
                res.faulty.append(Fault(kind, rel.as_posix(), code, "history", _cell(j, key),
                                        note="compared with the previous month in the register"
                                        if code != "KRM-W302" else "compared with the year's KRM-1 in the register"))
        if run.outlier is not None and m == months[-1]:
            s = slots[run.outlier]
            rel = f"{last}/{region_folder(s.region, last)}/{krm2_name(s.district, s.programme)}"
            res.faulty.append(Fault("outlier", rel, "KRM-W310", "outliers", None,
                                    note=f"{s.district}/{s.programme}: jobs created in {last} against {', '.join(months)}"))
        _write_manifests(res, slots, out / m, force, command, ABOUT)
        results.append(res)
    return results


def _cell(j: int, key: str) -> str:
    """The A1 cell of row ``j`` (0-based) and column ``key`` in a sample KRM-2 (the template's layout)."""
    from krm import forms
    from krm.workbook.writer import column_letter

    keys = [c.key for c in forms.get("KRM-2").columns]
    return f"{column_letter(keys.index(key))}{FIRST_ROW + j}"


#: the first data row of a KRM-2 written by krm (the template's layout)
FIRST_ROW = 15


ABOUT = ("An earlier month of a run (krm samples --from): derived from the last month, cumulative figures growing. "
         "scope=history: validated with the months before it in the register (krm validate, KRM_REGISTER on), the "
         "file gives exactly this finding code and no other; scope=outliers: krm outliers --month <last month> "
         "lists this district and programme. Every other workbook gives no finding across months.")


def generate_run(out: str | Path, first: str, month: str, seed: int, faulty: int = 0, force: bool = False,
                 krm1: bool = True, progress=None, regions: list[str] | None = None,
                 langs: list[str] | None = None) -> list[SampleResult]:
    """Write the months ``first`` … ``month`` (the last one exactly as :func:`krm.samples.generate` alone);
    returns one result per month, the last month's last.  Raises FileExistsError (before writing anything)
    when an earlier month's folder is not empty and ``force`` is not given."""
    from krm.samples.month import generate
    from krm.samples.plan import plan_month

    out = Path(out)
    months = months_between(first, month)
    if not force:
        clash = next((out / m for m in months if (out / m).is_dir() and any((out / m).iterdir())), None)
        if clash is not None:
            raise FileExistsError(str(clash))
    last = generate(out, month, seed=seed, faulty=faulty, force=force, krm1=krm1, progress=progress, regions=regions,
                    langs=langs)
    command = (f"krm samples --month {month} --from {first} --out DIR --seed {seed} --faulty {faulty}"
               + (f" --regions {','.join(regions)}" if regions else "") + (f" --lang {','.join(langs)}" if langs else ""))
    earlier = write_earlier(out, plan_month(month, seed, regions, langs), months, month, seed, faulty, force,
                            command=command)
    return earlier + [last]
