"""The month's roll-ups from the register: every region's KRM-3, KRM-4/5 per programme (``krm aggregate
--from-register``), KRM-6/7 and the analytical note (``krm report`` over those, the earlier months read from
the register), built in a separate process (spawned: the server's threads never fork) into
``DATA/outputs/<month>/<state>/``.

``<state>`` names what the register held: the newest audit row and the number of versions.  Any change of
state (a version accepted, returned, confirmed, a new version) gives a new folder; an unchanged register
gives the same one, built once.  Each figure is traceable: every KRM-3/4/5 carries its control sheet with
the submissions (paths and SHA-256) it was made from.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from krm.register import schema as S


class NotAvailable(Exception):
    """Nothing to roll up for the month (no accepted submission), or the roll-up failed (one line)."""


def state_key(reg) -> str:
    with reg.reader() as c, c.begin():
        last = c.execute(select(func.max(S.state_change.c.id))).scalar() or 0
        n = c.execute(select(func.count()).select_from(S.version)).scalar() or 0
    return f"s{last}-v{n}"


def _build(target: str, month: str, out: str) -> str | None:
    """In the builder process: aggregate from the register, then the report; None, or why it failed."""
    import krm.register as register
    from krm.aggregate import AggregateUsageError, aggregate
    from krm.report import ReportError, make_report

    out = Path(out)
    reg = register.open(target)
    try:
        if not reg.versions(period=month, state=("accepted", "confirmed"), current=True):
            return "no accepted submission for the month"
        try:
            aggregate(out / "register", out / "aggregate", period=month, register=reg, lang="kk")
        except AggregateUsageError as e:
            return str(e)
        try:  # the roll-ups are read without the register (never recorded as submissions); the earlier
            # months (month-on-month change, outliers) are read from it
            make_report(out / "aggregate", month, out / "report", langs=["kk", "ru"], cache=False, history=reg)
        except ReportError as e:
            return str(e)
    finally:
        reg.close()
    (out / "done").write_text("ok\n", encoding="utf-8")
    return None


class Builder:
    def __init__(self, target: str, data: Path):
        self.target = target
        self.data = data
        self._lock = threading.Lock()
        self._pool = None

    def month(self, reg, month: str) -> Path:
        """The folder of the month's roll-ups for the register's current state (built if needed)."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        key = state_key(reg)
        out = self.data / "outputs" / month / key
        with self._lock:
            if (out / "done").is_file():
                return out
            failed = out / "failed.txt"
            if failed.is_file():
                raise NotAvailable(failed.read_text(encoding="utf-8").strip())
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            out.mkdir(parents=True, exist_ok=True, mode=0o700)
            why = self._pool.submit(_build, self.target, month, str(out)).result()
            if why is not None:
                failed.write_text(why + "\n", encoding="utf-8")
                raise NotAvailable(why)
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def krm3_file(folder: Path, month: str, region: str, programme: str) -> Path | None:
    p = folder / "aggregate" / month / f"KRM-3.{programme}.{region}.xlsx"
    return p if p.is_file() else None


def files(folder: Path, month: str) -> dict[str, list[Path]]:
    """The roll-ups by kind: KRM-3, KRM-4, KRM-5 (aggregate) and report (KRM-6/7, the note)."""
    agg = sorted((folder / "aggregate" / month).glob("KRM-*.xlsx"))
    out = {k: [p for p in agg if p.name.startswith(k + ".")] for k in ("KRM-3", "KRM-4", "KRM-5")}
    out["report"] = sorted(p for p in (folder / "report").glob("*") if p.is_file())
    return out
