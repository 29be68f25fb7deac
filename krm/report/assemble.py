"""The whole report: build and check in memory, write atomically, read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from krm import forms
from krm.intake import completeness
from krm.report.inputs import load_inputs
from krm.report.monthdata import FileSummary, MonthData, Source, summarise
from krm.report.periods import (INPUT_FORMS, LANGS, ReportError, parse_month, parse_quarter, previous_month,
                                report_periods)
from krm.report.selection import select
from krm.report.outputs import write_outputs
from krm.report.sheets import Check, checks, krm6_rows, krm7_rows

# ------------------------------------------------------------------ the report
@dataclass
class Report:
    month: str
    quarter: str | None
    data: MonthData
    previous: MonthData | None
    quarter_months: list[MonthData | None]
    rows6: list[dict]
    rows7: list[dict]
    checks: list[Check]
    excluded: list[Source]
    planned: set[tuple[str, str, str]] | None = None  # (programme, region, district) with a KRM-1 plan for the year
    # the month's district-level completeness (krm.intake.completeness: the same as aggregate's and status's)
    completeness: list = field(default_factory=list)
    # the month's outliers from the register (krm.report.note_outliers); None: the register is off
    outliers: dict | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def build(subs: list, month: str, *, quarter: str | None = None, root: Path | None = None,
          excluded: list[Source] | None = None, prefer: str | None = None) -> Report:
    """Everything the outputs need, computed and checked in memory (no files written).

    ``subs``: :class:`~krm.model.Submission` or :class:`FileSummary` objects (:func:`load_inputs`)."""
    month = parse_month(month)
    q_months: list[str] = []
    if quarter:
        quarter, q_months = parse_quarter(quarter)
        if month != q_months[-1]:
            raise ReportError(f"the quarterly note {quarter} is made from the quarter's last month {q_months[-1]}, "
                              f"not {month}", 2)
    periods = report_periods(month, quarter)
    subs = [summarise(s) for s in subs if (s.form in INPUT_FORMS and s.period in periods) or forms.yearly(s.form)]
    excluded = [e for e in (excluded or []) if not e.period or e.period == month]
    md = _select_checked(subs, month, root, prefer)
    md.sources.extend(excluded)
    prev = None
    pm = previous_month(month)
    if month[5:7] != "01" or md.basis == "month":
        p = _select_checked(subs, pm, root, prefer)
        prev = p if p.has_data else None
    qm = []
    for m in q_months:
        if m == month:
            qm.append(md)
        else:
            d = _select_checked(subs, m, root, prefer)
            qm.append(d if d.has_data else None)
    rows6, rows7 = krm6_rows(md), krm7_rows(md)
    chk = checks(md, rows6, rows7)
    plans = [s for s in subs if forms.yearly(s.form) and str(s.period) == month[:4] and s.programme]
    planned = {(s.programme, s.region or "", s.district or "") for s in plans} if plans else None
    rep = Report(month, quarter, md, prev, qm, rows6, rows7, chk, excluded, planned,
                 district_completeness(md, plans))
    if not rep.ok:
        raise ReportError("control totals do not balance: " + "; ".join(
            f"{c.what}: inputs {c.inputs}, KRM-6 {c.krm6}, KRM-7 {c.krm7}" for c in chk if not c.ok))
    return rep


def district_completeness(md: MonthData, plans: list[FileSummary]) -> list:
    """The month's KRM-2 completeness per region (:func:`krm.intake.completeness.district_rates`): a KRM-2 counts
    when it is used or superseded by a higher level (admitted, not a left-out duplicate)."""
    sent = [completeness.Sent(s.form, s.period, s.region, s.district, s.programme, s.status != "excluded")
            for s in md.sources if forms.kind(s.form) == "district" and s.region and s.district]
    sent += [completeness.Sent(s.form, str(s.period), s.region, s.district, s.programme, True) for s in plans]
    return [r for r in completeness.district_rates(sent, forms=forms.of_kind("district")) if r.period == md.period]


def _select_checked(subs: list[FileSummary], period: str, root: Path | None, prefer: str | None) -> MonthData:
    md = select(subs, period, root, prefer=prefer)
    if md.needs_check:  # load_inputs reads these in full before building; a caller of build() must too
        raise ReportError(f"{period}: {len(md.needs_check)} files were read for their totals only and must be "
                          f"validated first (first: {md.needs_check[0]})")
    return md


def previous_from_register(subs: list, month: str, cache: bool | None = None, reg=None) -> list:
    """The previous month from the register of submissions (:mod:`krm.register`) when the folder holds none
    of it: the current accepted (or confirmed) version of each of its submissions, rebuilt from the stored
    rows, so the note's month-on-month change is there.  Nothing when the register is off (``cache=False``,
    ``KRM_REGISTER=off``) or holds nothing of that month; the month's own figures never come from it.
    ``reg``: an open register to read it from (only read: e.g. the portal's, with ``cache=False``)."""
    pm = previous_month(month)
    if any(s.period == pm and s.form in INPUT_FORMS for s in subs):
        return []
    if reg is not None:
        return [sub for _, sub in reg.submissions(pm) if sub.form in INPUT_FORMS]
    if cache is False:
        return []
    from krm.register.connect import configured
    from krm.register.plain import open_plain

    reg = open_plain(configured())  # an SQLite register at this schema: without SQLAlchemy
    if reg is None:
        return []
    with reg:
        return [sub for _, sub in reg.submissions(pm) if sub.form in INPUT_FORMS]


def make_report(root: Path, month: str | None, out: Path, *, langs: list[str] | None = None,
                quarter: str | None = None, force: bool = False, jobs: int | None = None,
                prefer: str | None = None, strict: bool = False,
                cache: bool | None = None, history=None, loaded=None,
                paths: list[Path] | None = None, identities=None) -> tuple[Report, list[Path]]:
    """The whole command: read ``root``, build, check, write.  Raises :class:`ReportError`.

    ``cache=False``: read without the register of submissions (:mod:`krm.register`); default: as configured
    (``KRM_REGISTER``).  ``history``: an open register the earlier months (month-on-month change, outliers)
    are read from — only read, even with ``cache=False`` (the portal: its own roll-ups are never recorded).
    ``loaded()``: called once the workbooks were read (and recorded), before anything else is read from the
    register (:class:`krm.report.memo.Recorder`).  ``paths``: the workbooks under ``root`` when the caller has
    discovered them, ``identities`` the file identities the run has read from the register (:func:`load_inputs`)."""
    langs = langs or ["kk"]
    for lang in langs:
        if lang not in LANGS:
            raise ReportError(f"unknown language {lang!r}: use kk, ru or kk,ru", 2)
    if quarter and not month:
        month = parse_quarter(quarter)[1][-1]
    if not month:
        raise ReportError("give --month YYYY-MM (or --quarter YYYYQn)", 2)
    if not Path(root).exists():
        raise ReportError(f"{root}: no such folder", 2)
    month = parse_month(month)
    if quarter:  # a bad or mismatched quarter is refused before any file is read (build() says the same)
        quarter_id, q_months = parse_quarter(quarter)
        if month != q_months[-1]:
            raise ReportError(f"the quarterly note {quarter_id} is made from the quarter's last month "
                              f"{q_months[-1]}, not {month}", 2)
    subs, excluded = load_inputs(Path(root), month, quarter, jobs=jobs, prefer=prefer, cache=cache, light=not strict,
                                  paths=paths, identities=identities)
    if loaded is not None:
        loaded()
    subs = subs + previous_from_register(subs, month, cache, reg=history)
    rep = build(subs, month, quarter=quarter, root=Path(root), excluded=excluded, prefer=prefer)
    if not quarter:
        from krm.report.note_outliers import outliers_from_register

        rep.outliers = outliers_from_register(rep.month, cache, reg=history)
    left_out = [s for s in rep.data.sources if s.status == "excluded"]
    if not any(s.status == "used" for s in rep.data.sources):
        # blank KRM-6/7 for a month nobody reported would look like a national zero; say it instead (a quarterly
        # note is made from the quarter's last month and its KRM-6/7 are that month's: the same holds)
        raise ReportError(f"no usable KRM-2 … KRM-5 workbook for {rep.month} under {root} "
                          f"({len(rep.data.sources)} files of that month excluded or superseded, "
                          f"{len(excluded)} unreadable or with errors)"
                          + (f"; the quarterly note {rep.quarter} is made from its last month {rep.month}"
                             if rep.quarter else "") + "; nothing was written")
    if strict and left_out:
        raise ReportError(f"--strict: {len(left_out)} input files of {rep.month} are excluded (first: "
                          f"{left_out[0].path}: {left_out[0].note}); nothing was written")
    return rep, write_outputs(rep, out, langs, force=force)
