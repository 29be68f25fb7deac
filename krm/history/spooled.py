"""The checks across months over a run's spooled reports (:class:`krm.spooled.Spool`), one file at a time.

``krm validate`` and ``krm register ingest`` keep no report in memory: :func:`check_spooled` reads each back
(its rows loaded from the register only for its check, :func:`krm.history.rules.check_report`), adds its findings
across months and spools it again; then returns the versions those findings make wrong and re-checks the next
months (:mod:`krm.history.record`), in the same order and with the same result as :func:`check_and_record` over
a list; :func:`add_outliers` gives the run's KRM-2 their outliers (:func:`krm.history.outliers.add_to_reports`).
"""

from __future__ import annotations

from array import array

from krm.history.past import Past
from krm.history.record import Later, Returns, _sha, errors_across


def check_spooled(spool, reg, by: str | None = None, overrun=None, this_run=()):
    """The reports of ``spool`` with their findings across months, in a new spool (``spool`` is closed), once the
    versions they make wrong are returned (see the module's doc).  Returns (the new spool, the ids returned).
    ``this_run``: (period, district, programme) of the run's other KRM-2 without errors, not in ``spool``
    (:mod:`krm.register.spliced`): their next months are not re-checked, as this run's own are not."""
    from krm.history.rules import FAR_BEYOND, check_report
    from krm.spooled import Spool

    out = Spool()
    past, later, wrong = Past(reg), Later(), array("q")
    later.this_run.update(this_run)
    overrun = FAR_BEYOND if overrun is None else overrun
    try:
        for i, r in enumerate(spool.reports(reg)):
            found = check_report(r, reg, past, overrun)
            if found and r.submission is not None and errors_across(found):
                wrong.append(i)
            later.note(r)
            out.add(r)
    except BaseException:
        out.close()
        raise
    finally:
        spool.close()
    del past
    ret = Returns(reg, by)
    for i in wrong:  # after every check, as over a list: a version returned is not compared with
        r = out[i]
        ret.add(ret.of(r.submission, r.sha256 or _sha(r.path)), errors_across(r.findings))
    return out, ret.flush() + later.recheck(reg, by)


def add_outliers(spool, reg) -> None:
    """Each outlier of a run's KRM-2 added to its spooled report (:func:`krm.history.outliers.add_to_reports`)."""
    from krm.history.outliers import by_bytes, findings_of

    months: dict[str, dict] = {}
    for _, m in spool.metas():
        month = _month(m)
        if month is not None and month not in months:
            months[month] = {}
    for month in sorted(months):
        months[month] = by_bytes(reg, month)
    if not any(months.values()):
        return
    for i, m in spool.metas():
        by_sha = months.get(_month(m))
        if by_sha:
            spool.append(i, findings_of(by_sha.get(m["sha256"] or _sha(m["path"]), ()), m["path"]))


def _month(meta: dict) -> str | None:
    """:func:`krm.history.outliers.month_of` from a spooled report's entry."""
    h = meta.get("header")
    if h is None or meta["errors"] or h.get("form") != "KRM-2":
        return None
    period = h.get("period")
    return period if type(period) is str and len(period) == 7 else None


def ingest(reg, paths, *, by: str | None = None, today=None, jobs: int | None = None, received: str = "now"):
    """:meth:`krm.register.Register.ingest` with the reports in a :class:`krm.spooled.Spool` (to be closed), not a
    list (``krm register ingest``: memory does not grow with the files)."""
    from krm.spooled import Spool
    from krm.validate import validate_paths

    spool = Spool()
    try:
        spool = validate_paths(paths, jobs=jobs, today=today, register=reg, by=by, received=received, into=spool)
    except BaseException:
        spool.close()
        raise
    return check_spooled(spool, reg, by)[0]
