"""The checks across months: a month's workbook against the register's earlier versions.

For each KRM-2 (and KRM-3) that could be read, :func:`check` compares with

* the same district's report of the previous month (same form and programme; January has none: figures
  start again): a cumulative fact or disbursed sum that went down (KRM-E301, KRM-E302), a project that was
  listed and is missing now (KRM-E303), a project's plan, allocated sum or implementation period that
  changed (KRM-W301);
* the district's KRM-1 for the year: a project's plan, allocated sum or period that differs from the plan
  when it did not change since the previous month (KRM-W302, so one change gives one finding), and the
  district's facts for the year beyond one and a half times its plan (KRM-W303);
* for a KRM-3, each district's accepted KRM-2 of the same programme and period (KRM-E304), and the
  districts with an accepted KRM-2 that the KRM-3 leaves out (KRM-E305).

Each finding names the earlier version it was compared with (file name, period, register version id).
Nothing is compared when the register holds nothing earlier: a first month gives no finding here.  A
workbook with errors of its own is not compared (it is returned anyway; its corrected version will be):
a figure that could not be read is never taken for a figure that went down.
"""

from __future__ import annotations

from decimal import Decimal

from krm.codes import E301, E302, E303, E304, E305, W301, W302, W303
from krm.findings import Finding
from krm.history.past import Earlier, Past, match, plan_pairs

#: W303: the district's facts above this multiple of its KRM-1 plan
FAR_BEYOND = Decimal("1.5")

_FIELDS = {  # ProjectRow field -> its label in the messages
    "plan": ("жоспарланған жұмыс орындары", "плановые рабочие места", "planned jobs"),
    "allocated": ("бөлінген сома", "выделенная сумма", "allocated sum"),
    "start": ("іске асыру басталуы", "начало реализации", "implementation start"),
    "end": ("іске асыру аяқталуы", "окончание реализации", "implementation end"),
    "fact": ("құрылған жұмыс орындары", "созданные рабочие места", "jobs created"),
    "disbursed": ("игерілген сома", "освоенная сумма", "disbursed sum"),
}


def label(key: str):
    from krm.spec import T

    return T(*_FIELDS[key])


def cell_of(spec, row, key: str) -> str | None:
    """The A1 cell of column ``key`` in ``row`` (the row's first cell and the form's column order)."""
    from krm.workbook.reader import col_index
    from krm.workbook.writer import column_letter

    if not row.cell:
        return None
    letters = row.cell.rstrip("0123456789")
    keys = [c.key for c in spec.columns]
    if key not in keys:
        return row.cell
    return f"{column_letter(col_index(letters) + keys.index(key))}{row.cell[len(letters):]}"


class _Out:
    """Findings of one file, each with the file, the form's sheet and the earlier version's names."""

    def __init__(self, sub, file: str):
        from krm import forms

        self.spec = forms.get(sub.form)
        self.file, self.form = file, sub.form
        self.items: list[Finding] = []

    def add(self, chk, row, key: str | None, earlier: Earlier, value=None, **params) -> None:
        cell = cell_of(self.spec, row, key) if row is not None and key else (row.cell if row is not None else None)
        self.items.append(Finding(code=chk, severity=chk.severity, file=self.file, sheet=self.spec.sheet_name,
                                  cell=cell, row=row.sheet_row if row is not None else None, value=value,
                                  params={**earlier.params(), **params}, form=self.form))


def check_submission(sub, file: str, past: Past, overrun: Decimal = FAR_BEYOND) -> list[Finding]:
    """The findings across months of one typed submission (see the module's doc); ``overrun`` is W303's
    multiple of the KRM-1 plan (``krm validate --plan-overrun``)."""
    if sub is None or sub.form not in ("KRM-2", "KRM-3"):
        return []
    if sub.form == "KRM-3":
        if not sub.projects:
            return []
        out = _Out(sub, file)
        _against_krm2(sub, past, out)
        return out.items
    # what it is compared with first: a KRM-2 with nothing earlier is never compared, and its rows (which a
    # run on an unchanged month has not loaded from the register, krm.remembered) are not needed
    prev = past.previous(sub)
    plan = past.plan(sub)
    if (prev is None and plan is None) or not sub.projects:
        return []
    out = _Out(sub, file)
    changed: set[tuple[int, str]] = set()
    if prev is not None:
        changed = _against_previous(sub, prev, out)
    if plan is not None:
        _against_plan(sub, plan, changed, out, overrun)
    return out.items


def _against_previous(sub, prev: Earlier, out: _Out) -> set[tuple[int, str]]:
    """E301/E302/E303/W301; returns the (row id, field) pairs reported as changed."""
    changed = set()
    cumulative = sub.basis == "cumulative" and prev.submission.basis == "cumulative"
    for before, now in match(sub.projects, prev.submission.projects):
        if now is None:
            if cumulative:
                out.add(E303, sub.projects[0], "project", prev, before.project, project=before.project,
                        bin=before.bin or "—", previous_cell=before.cell)
            continue
        if cumulative:
            for key, chk in (("fact", E301), ("disbursed", E302)):
                if getattr(now, key) < getattr(before, key):
                    out.add(chk, now, key, prev, getattr(now, key), previous=getattr(before, key),
                            previous_cell=cell_of(out.spec, before, key))
        for key in ("plan", "allocated", "start", "end"):
            a, b = getattr(now, key), getattr(before, key)
            if a != b and not (a is None or b is None):
                out.add(W301, now, key, prev, a, previous=b, field=label(key),
                        previous_cell=cell_of(out.spec, before, key))
                changed.add((id(now), key))
    return changed


def _against_plan(sub, plan: Earlier, changed: set, out: _Out, overrun: Decimal = FAR_BEYOND) -> None:
    """W302 per project field that differs from the year's KRM-1 (unless W301 reported it); W303."""
    for now, p in plan_pairs(sub.projects, plan.submission.projects):
        for key in ("plan", "allocated", "start", "end"):
            a, b = getattr(now, key), getattr(p, key)
            if a != b and a is not None and b is not None and (id(now), key) not in changed:
                out.add(W302, now, key, plan, a, previous=b, field=label(key))
    total_plan = sum(r.plan for r in plan.submission.projects)
    fact = sum(r.fact for r in sub.projects)
    if sub.basis == "cumulative" and total_plan > 0 and fact > overrun * total_plan:
        top = max(sub.projects, key=lambda r: r.fact)
        out.add(W303, top, "fact", plan, fact, previous=total_plan, ratio=round(100 * fact / total_plan))


_MEASURES = {"plan": ("жоспар", "план", "jobs planned"), "fact": ("факт", "факт", "jobs created"),
             "allocated": ("бөлінген сома", "выделенная сумма", "allocated"),
             "disbursed": ("игерілген сома", "освоенная сумма", "disbursed")}


def _against_krm2(sub, past: Past, out: _Out) -> None:
    """E304: each district's rows of a KRM-3 against its accepted KRM-2 of the programme and period."""
    from krm.spec import T

    rows: dict[str, list] = {}
    for r in sub.projects:
        if r.district:
            rows.setdefault(r.district, []).append(r)
    for district, rs in rows.items():
        krm2 = past.accepted_krm2(sub.period, district, sub.programme or "")
        if krm2 is None:
            continue
        theirs = krm2.submission.totals()
        for key in ("plan", "fact", "allocated", "disbursed"):
            mine = sum((getattr(r, key) for r in rs), Decimal(0) if key in ("allocated", "disbursed") else 0)
            if mine != theirs[key]:
                out.add(E304, rs[0], key, krm2, mine, previous=theirs[key], district=district,
                        measure=T(*_MEASURES[key]))
    if not sub.region or not rows:
        return
    for district, v in sorted(past.accepted_districts(sub.period, sub.region, sub.programme or "").items()):
        krm2 = past.accepted_krm2(sub.period, district, sub.programme or "") if district not in rows else None
        if krm2 is not None:
            t = krm2.submission.totals()
            out.add(E305, sub.projects[0], "district", krm2, district, district=district, plan=t["plan"],
                    fact=t["fact"])


def check(reports, reg, overrun: Decimal = FAR_BEYOND) -> None:
    """Add the findings across months to each report of a run (in place), from the register ``reg``;
    ``overrun``: W303's multiple of the KRM-1 plan."""
    if reg is None:
        return
    past = Past(reg)
    for r in reports:
        check_report(r, reg, past, overrun)


def check_report(r, reg, past: Past, overrun: Decimal = FAR_BEYOND) -> list[Finding]:
    """Add the findings across months to one report of a run (in place) and return them; the rows its check
    loaded from the register are let go of (one file's at a time)."""
    from krm.validate import release_rows

    sub = getattr(r, "submission", None)
    if sub is None or r.errors:  # a file with errors of its own is returned anyway: compared when corrected
        return []
    found = check_submission(sub, str(r.path), past, overrun)
    release_rows(reg, r)
    if found:
        found.sort(key=lambda f: (f.row or 0, f.code))
        r.findings.extend(found)
    return found
