"""``krm status --month`` with an SQLite register at this krm's schema reads its approval levels through sqlite3 alone
(krm/register/plain.py: audit trails, explained readings): no SQLAlchemy in the process, and the same approval
levels as the full register gives (returned, corrected, confirmed, changed after confirmation, explained in the
workbook and in the portal)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import fill
import krm.register as register
from krm.signatures import verify
from krm.validate import validate_paths
from test_approval import NOW, _approval, _district_wb, pki, reg_path  # noqa: F401 - fixtures


def test_status_approval_through_sqlite3_is_the_full_registers(reg_path, pki, tmp_path, monkeypatch):  # noqa: F811
    from krm import explanations as X
    from krm.register import plain

    inbox = tmp_path / "in"
    inbox.mkdir()
    bad_row = [{**fill.rows("KRM-2")[0], "plan": -1}] + fill.rows("KRM-2")[1:]
    confirmed = _district_wb(inbox, "a.xlsx", 0)
    changed = _district_wb(inbox, "b.xlsx", 1)
    _district_wb(inbox, "c.xlsx", 2, rows_over=bad_row)
    _district_wb(inbox, "d.xlsx", 3, rows_over=bad_row)
    explained = _district_wb(inbox, "e.xlsx", 4, signature={**fill.SIGNATURE, "executor": None}, explanations=True)
    fill.edit(explained, {"A4": "KRM-W020", "B4": "D25", "C4": "on leave", "D4": "Сейітов Н.Қ."}, sheet=X.SHEET)
    portal = _district_wb(inbox, "f.xlsx", 5, signature={**fill.SIGNATURE, "executor": None})
    validate_paths([inbox], jobs=1, today=fill.TODAY, by="district clerk")
    with register.open() as reg:
        for wb in (confirmed, changed):
            reg.confirm_version(verify.confirm(wb, pki.sign(wb, tmp_path / f"{wb.name}.cms"), pki.trust, now=NOW))
        (v,) = [v for v in reg.versions(form="KRM-2") if any(p.endswith("f.xlsx") for p in v.paths)]
        reg.write_explanation(v.id, "KRM-W020", "D25", "written in the portal", by="district clerk")
    _district_wb(inbox, "b.xlsx", 1, rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}] + fill.rows("KRM-2")[1:])
    _district_wb(inbox, "d.xlsx", 3)  # corrected at once
    today = dt.date.today()
    opened = []
    real = plain.open_plain
    monkeypatch.setattr(plain, "open_plain", lambda t: opened.append(real(t)) or opened[-1])
    lite = _approval(inbox, today)
    assert opened and all(getattr(r, "plain", False) for r in opened)  # through sqlite3
    monkeypatch.setattr(plain, "open_plain", lambda t: register.open(t))  # the full register (SQLAlchemy)
    full = _approval(inbox, today)
    assert lite == full
    items = {os.path.basename(i["path"]): i for i in lite["submissions"]}
    assert items["e.xlsx"]["explained"] and items["f.xlsx"]["explained"] and not items["a.xlsx"]["explained"]
    assert items["c.xlsx"]["state"] == "returned" and items["d.xlsx"]["corrected"] == today.isoformat()
    assert items["b.xlsx"]["changed_after_confirmation"]
    later = today + dt.timedelta(days=7)  # windows missed: overdue returns, corrections, confirmations
    monkeypatch.setattr(plain, "open_plain", real)
    lite = _approval(inbox, later)
    monkeypatch.setattr(plain, "open_plain", lambda t: register.open(t))
    assert lite == _approval(inbox, later) and lite["overdue"]

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom krm.cli import app\n"
            f"r = CliRunner().invoke(app, ['status', {str(inbox)!r}, '--month', {fill.PERIOD!r}, '--format', 'json'])\n"
            "assert r.exit_code == 0, r.output\n"
            "assert 'sqlalchemy' not in sys.modules, sorted(m for m in sys.modules if 'sqlalchemy' in m)[:3]\n"
            "sys.stdout.write(r.stdout)\n")
    got = subprocess.run([sys.executable, "-c", code], env=os.environ.copy(), capture_output=True, text=True)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout)["approval"] == full
