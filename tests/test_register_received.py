"""krm register ingest --received-at: a new version's received time is this run's (now) or the workbook's own
saved time (saved), for files received earlier by other means (the portal's demo inbox uses it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

import krm.register as register
from krm.cli import app

AKMOLA = Path(__file__).resolve().parent.parent / "samples" / "2019-05" / "11-Akmola-Region"


def _saved(path: Path) -> dt.datetime:
    import openpyxl

    return openpyxl.load_workbook(path, read_only=True).properties.modified.replace(tzinfo=None, microsecond=0)


def test_received_at_saved_takes_the_workbooks_own_time(tmp_path):
    files = sorted(AKMOLA.glob("KRM-2_11*.xlsx"))[:3]
    saved, now = str(tmp_path / "saved.sqlite"), str(tmp_path / "now.sqlite")
    before = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0) - dt.timedelta(seconds=1)
    for target, how in ((saved, "saved"), (now, "now")):
        r = CliRunner().invoke(app, ["register", "ingest", *map(str, files), "--register", target, "-j", "1",
                                     "--received-at", how])
        assert r.exit_code == 0, r.output
    with register.open(saved) as reg:
        got = {Path(v.paths[0]).name: v.received_at for v in reg.versions()}
        audit = [c.at for v in reg.versions() for c in reg.audit(v.id)]
    assert got == {f.name: _saved(f) for f in files}
    assert all(t.year == 2019 for t in got.values()) and all(a >= before for a in audit)  # the audit: this run
    with register.open(now) as reg:
        assert all(v.received_at >= before for v in reg.versions())


def test_received_at_refuses_an_unknown_value(tmp_path):
    r = CliRunner().invoke(app, ["register", "ingest", str(AKMOLA), "--register", str(tmp_path / "r.sqlite"),
                                 "--received-at", "yesterday"])
    assert r.exit_code == 2 and "use now or saved" in r.output
