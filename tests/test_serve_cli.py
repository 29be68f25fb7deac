"""krm serve's command line: the first administrator, offices imported from the reference data, refusals."""

from __future__ import annotations

import csv

import pytest
from typer.testing import CliRunner

import krm.register as register
from krm import reference
from krm.cli import app
from krm.serve import accounts

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_create_admin_and_import_offices(tmp_path):
    reg_path = str(tmp_path / "r.sqlite")
    pw = tmp_path / "pw.txt"
    pw.write_text("a-long-admin-password\n", encoding="utf-8")
    run = CliRunner().invoke
    r = run(app, ["serve", "create-admin", "boss", "--password-file", str(pw), "--register", reg_path])
    assert r.exit_code == 0, r.output
    r = run(app, ["serve", "create-admin", "boss", "--password-file", str(pw), "--register", reg_path])
    assert r.exit_code == 2 and "exists already" in r.output  # never overwritten
    pw.write_text("short", encoding="utf-8")
    r = run(app, ["serve", "create-admin", "other", "--password-file", str(pw), "--register", reg_path])
    assert r.exit_code == 2 and "at least 10" in r.output
    out = tmp_path / "passwords.csv"
    r = run(app, ["serve", "import-offices", "--on", "2019-05", "--region", "71", "--passwords", str(out),
                  "--register", reg_path])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    roles = {x["role"] for x in rows}
    assert roles == {"centre", "central", "oblast", "district"}
    assert [x["unit"] for x in rows if x["role"] == "oblast"] == ["71"]
    assert sum(x["role"] == "district" for x in rows) == len(reference.districts("71", "2019-05"))
    assert sum(x["role"] == "central" for x in rows) == len(reference.programmes("2019-05"))
    assert len({x["password"] for x in rows}) == len(rows)  # each its own random password
    assert (out.stat().st_mode & 0o777) == 0o600
    with register.open(reg_path) as reg:
        d = next(x for x in rows if x["role"] == "district")
        acc = accounts.authenticate(reg, d["login"], d["password"])
        assert (acc.role, acc.unit) == ("district", d["unit"])
        assert accounts.authenticate(reg, d["login"], "wrong-password") is None
        stored = {a.login for a in accounts.all_accounts(reg)}
        assert "boss" in stored and len(stored) == len(rows) + 1
    r = run(app, ["serve", "import-offices", "--on", "2019-05", "--region", "71", "--passwords", str(out),
                  "--register", reg_path])
    assert r.exit_code == 0 and "0 accounts created" in r.output  # existing accounts are kept; the file untouched
    r = run(app, ["serve", "import-offices", "--on", "2019-05", "--register", reg_path])
    assert r.exit_code == 2
    r = run(app, ["serve", "import-offices", "--on", "2019-05", "--region", "99", "--demo-password", "x" * 12,
                  "--register", reg_path])
    assert r.exit_code == 2 and "99" in r.output
    r = run(app, ["serve", "import-offices", "--on", "2019-05", "--demo-password", "a-demo-password",
                  "--register", reg_path])  # every office of 2019: one hash for all, so quick
    assert r.exit_code == 0
    with register.open(reg_path) as reg:
        got = accounts.all_accounts(reg)
    assert sum(a.role == "oblast" for a in got) == 17 and sum(a.role == "district" for a in got) == 216


def test_accounts_refuse_units_that_do_not_exist(tmp_path):
    with register.open(str(tmp_path / "r.sqlite")) as reg:
        for role, unit in (("district", "999999999"), ("oblast", "99"), ("central", "NOPE"), ("centre", "11"),
                           ("king", "")):
            with pytest.raises(accounts.AccountError):
                accounts.create(reg, f"x{role}", "a-long-password", role, unit)
        assert accounts.all_accounts(reg) == []


def test_a_port_that_cannot_be_listened_on_is_one_line(tmp_path):
    """A taken port or one out of range: one line naming it, exit 2, never a traceback."""
    import os
    import socket
    import subprocess
    import sys

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        for args, words in (([str(port)], ["cannot listen on", f"127.0.0.1:{port}", "another --port"]),
                            (["99999"], ["--port 99999", "1 to 65535"])):
            r = subprocess.run([sys.executable, "-c", "from krm.cli import run; run()", "serve", "--port", *args,
                                "--register", str(tmp_path / "r.sqlite"), "--data", str(tmp_path / "data")],
                               capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
            assert r.returncode == 2, r.stderr
            assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0, r.stderr
            assert all(w in r.stderr for w in words), r.stderr
    finally:
        taken.close()
