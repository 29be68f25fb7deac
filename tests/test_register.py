"""The register of submissions (krm/register): it remembers what was read without ever standing for other bytes,
records versions and states, refuses places that are not a register, and every command gives the same outputs
with it and without it.  Each test runs on SQLite and on PostgreSQL (KRM_TEST_POSTGRES_URL; .ci/run starts one)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

import fill
import krm.register as register
from krm.register import RegisterError, StateError
from krm.validate import validate_paths

KRM = [sys.executable, "-c", "from krm.cli import run; run()"]


def cli(*args):
    """A krm command run in this process (as the console script would, but without starting Python again)."""
    from typer.testing import CliRunner

    from krm.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(params=["sqlite", "postgresql"])
def reg_url(request, tmp_path, monkeypatch):
    """A fresh, empty register of each kind, configured as KRM_REGISTER."""
    if request.param == "sqlite":
        url = str(tmp_path / "data" / "register.sqlite")
    else:
        base = os.environ.get("KRM_TEST_POSTGRES_URL")
        if not base:
            pytest.skip("no PostgreSQL server given (KRM_TEST_POSTGRES_URL); .ci/run starts one")
        url = _fresh_pg_database(base, request)
    monkeypatch.setenv("KRM_REGISTER", url)
    return url


def _fresh_pg_database(base: str, request) -> str:
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from krm.register.connect import sqlalchemy_url

    name = "krm_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(sqlalchemy_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    request.addfinalizer(drop)
    return make_url(sqlalchemy_url(base)).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def reads(tmp_path, monkeypatch):
    """Counts the workbooks actually parsed (in any worker process): a file gets one line per read."""
    log = tmp_path / "reads.log"
    log.touch()
    import krm.validate as v

    real = v.validate_file

    def counted(path, *a, **kw):
        with open(log, "a") as fh:
            fh.write(f"{Path(path).name}\n")
        return real(path, *a, **kw)

    monkeypatch.setattr(v, "validate_file", counted)
    return lambda: log.read_text().split()


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="a.xlsx")
    fill.filled("KRM-4", f, name="c.xlsx")
    (f / "empty.xlsx").write_bytes(b"")
    return f


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _tree(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _findings(reps):
    return [(r.path.name, r.form, [f.to_dict() for f in r.findings]) for r in reps]


# ------------------------------------------------------------------ reads counted
def test_chain_fills_the_register_then_reads_nothing_then_one(reg_url, tmp_path, reads):
    """validate → aggregate → report → status on a generated month: cold fills, warm reads nothing, an edit reads one."""
    from krm import samples
    from krm.aggregate import aggregate
    from krm.report import make_report
    from krm.status import status

    samples.generate(tmp_path / "src", "2019-05", seed=3, regions=["47"], faulty=2)
    month = tmp_path / "src" / "2019-05"
    n = len(list(month.rglob("*.xlsx")))

    def chain(tag):
        validate_paths([month], jobs=2, submissions=False)
        aggregate(month, tmp_path / f"agg-{tag}", jobs=2)
        make_report(month, "2019-05", tmp_path / f"rep-{tag}")
        return status([month], "2019-05").to_dict()

    cold = chain("cold")
    assert len(reads()) == n  # each workbook parsed once for the three commands
    with register.open() as reg:
        c = reg.verify()
        assert c.ok, c.problems
        assert c.counts["workbook"] == n and c.counts["reading"] == n
    assert chain("warm") == cold
    assert len(reads()) == n  # nothing read again
    first = sorted(month.rglob("*.xlsx"))[0]
    fill.edit(first, {})  # saved again by a program: other bytes
    chain("edit")
    assert reads()[n:] == [first.name]
    assert _tree(tmp_path / "agg-warm") == _tree(tmp_path / "agg-cold")
    assert _tree(tmp_path / "rep-warm") == _tree(tmp_path / "rep-cold")


def test_outputs_identical_with_and_without_the_register(reg_url, tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=5, regions=["47"], faulty=2)
    month = tmp_path / "src" / "2019-05"
    outs = {}
    for tag, extra in (("off", ["--no-register"]), ("cold", []), ("warm", [])):
        v = cli("validate", month, "--format", "json", "--as-of", "2019-07-01", *extra)
        a = cli("aggregate", month, "--out", tmp_path / f"a-{tag}", "--format", "json", *extra)
        r = cli("report", month, "--month", "2019-05", "--out", tmp_path / f"r-{tag}", *extra)
        assert r.exit_code == 0, r.output
        outs[tag] = (v.exit_code, v.stdout, a.exit_code, json.loads(a.stdout) | {"out": None},
                     _tree(tmp_path / f"a-{tag}"), _tree(tmp_path / f"r-{tag}"))
        os.environ["KRM_REGISTER"] = reg_url  # --no-register set it off for this process
    assert outs["off"] == outs["cold"] == outs["warm"]
    with register.open(reg_url) as reg:
        assert reg.verify().counts["reading"] > 0


# ------------------------------------------------------------------ bytes, never paths
def test_a_file_swapped_during_validation_cannot_be_stored_under_the_wrong_bytes(reg_url, folder, monkeypatch):
    """The reader parses the very bytes that were hashed: swapping the file meanwhile changes nothing stored."""
    import krm.workbook.reader as reader

    a = folder / "a.xlsx"
    b = fill.filled("KRM-2", folder.parent, name="b.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 99}])
    original, other = a.read_bytes(), b.read_bytes()
    real = reader.read

    def swap_then_read(path, data=None):
        Path(path).write_bytes(other)  # someone saves other content over it while it is being read
        return real(path, data)

    monkeypatch.setattr(reader, "read", swap_then_read)
    first = validate_paths([a], jobs=1, today=fill.TODAY)[0]
    monkeypatch.setattr(reader, "read", real)
    a.write_bytes(original)
    clean = validate_paths([a], jobs=1, today=fill.TODAY, register=False)[0]
    assert first.submission.totals() == clean.submission.totals()  # the bytes hashed, not the ones swapped in
    again = validate_paths([a], jobs=1, today=fill.TODAY)[0]
    assert again.submission.totals() == clean.submission.totals()
    assert _findings([again]) == _findings([clean])
    a.write_bytes(other)
    swapped = validate_paths([a], jobs=1, today=fill.TODAY)[0]
    assert swapped.submission.totals()["fact"] != clean.submission.totals()["fact"]
    with register.open() as reg:
        info = reg.show(folder / "a.xlsx")
        assert info["sha256"] == hashlib.sha256(other).hexdigest()


def test_same_bytes_elsewhere_are_reported_under_their_own_path(reg_url, folder, tmp_path):
    validate_paths([folder], jobs=1, today=fill.TODAY)
    other = tmp_path / "copy"
    shutil.copytree(folder, other)
    reps = validate_paths([other], jobs=1, today=fill.TODAY)
    assert all(x.file == str(r.path) and r.path.parent == other for r in reps for x in r.findings)
    with register.open() as reg:
        assert reg.show(other / "a.xlsx")["paths"] == sorted([str(folder / "a.xlsx"), str(other / "a.xlsx")])


def test_another_date_or_engine_is_read_again(reg_url, folder, reads, monkeypatch):
    import datetime as dt

    validate_paths([folder], jobs=1, today=fill.TODAY)
    validate_paths([folder], jobs=1, today=fill.TODAY + dt.timedelta(days=1))
    assert len(reads()) == 6  # another validation date: findings may differ, so read again
    from krm.register import engine

    monkeypatch.setattr(engine, "fingerprint", lambda: "another-krm")
    validate_paths([folder], jobs=1, today=fill.TODAY)
    assert len(reads()) == 9


# ------------------------------------------------------------------ versions and states
def test_a_resubmitted_file_is_version_2_and_version_1_is_superseded(reg_url, folder):
    validate_paths([folder], jobs=1, today=fill.TODAY, by="district clerk")
    fill.filled("KRM-2", folder, name="a.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}])
    validate_paths([folder], jobs=1, today=fill.TODAY, by="district clerk")
    with register.open() as reg:
        vs = reg.versions(form="KRM-2")
        assert [(v.number, v.state) for v in vs] == [(1, "superseded"), (2, "accepted")]
        assert vs[1].sha256 == _sha(folder / "a.xlsx")
        assert [(c.from_state, c.to_state, c.by) for c in reg.audit(vs[0].id)] == [
            (None, "received", "district clerk"), ("received", "checked", "district clerk"),
            ("checked", "accepted", "district clerk"), ("accepted", "superseded", "district clerk")]
        assert reg.versions(form="KRM-2", current=True)[0].number == 2
        reg.set_state(vs[1].id, "confirmed", by="oblast analyst", reason="signed")
        assert reg.audit(vs[1].id)[-1].to_state == "confirmed"
        with pytest.raises(StateError):
            reg.set_state(vs[0].id, "accepted")  # superseded stays superseded
        assert reg.verify().ok


@pytest.mark.parametrize("batch", [None, 1])
def test_versions_received_in_one_run_are_numbered_in_order_and_a_copy_is_not_a_version(reg_url, tmp_path, batch,
                                                                                       monkeypatch):
    """One run recording a submission twice (two different byte versions) and a copy of the first: the
    versions are decided file by file in (modified, path) order, as separate runs would decide them; the same
    when the run's recording is split into statement batches of one file (Store.record_seen's RECORD_BATCH:
    the second version supersedes a version of an earlier batch, the copy's bytes came in an earlier batch)."""
    if batch is not None:
        import krm.register.store as store

        monkeypatch.setattr(store, "RECORD_BATCH", batch)
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="a1.xlsx")
    fill.filled("KRM-2", f, name="a2.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": 3}])
    shutil.copy2(f / "a1.xlsx", f / "z-copy.xlsx")
    validate_paths([f], jobs=1, today=fill.TODAY, by="clerk")
    with register.open() as reg:
        vs = reg.versions(form="KRM-2")
        assert [(v.number, v.state, v.sha256) for v in vs] == [
            (1, "superseded", _sha(f / "a1.xlsx")), (2, "accepted", _sha(f / "a2.xlsx"))]
        assert [(c.from_state, c.to_state, c.reason) for c in reg.audit(vs[0].id)] == [
            (None, "received", None), ("received", "checked", None), ("checked", "accepted", None),
            ("accepted", "superseded", "version 2 received")]
        assert [c.to_state for c in reg.audit(vs[1].id)] == ["received", "checked", "accepted"]
        assert reg.show(f / "z-copy.xlsx")["paths"] == sorted([str(f / "a1.xlsx"), str(f / "z-copy.xlsx")])
        assert reg.verify().ok
    validate_paths([f], jobs=1, today=fill.TODAY, by="clerk")  # seen again: nothing new
    with register.open() as reg:
        assert [(v.number, v.state) for v in reg.versions(form="KRM-2")] == [(1, "superseded"), (2, "accepted")]


def test_a_file_with_errors_is_returned(reg_url, tmp_path):
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="bad.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}])
    validate_paths([f], jobs=1, today=fill.TODAY)
    with register.open() as reg:
        (v,) = reg.versions()
        assert v.state == "returned" and reg.audit(v.id)[-1].reason.endswith("errors")


def test_verify_catches_a_figure_changed_in_the_database_and_it_is_never_used(reg_url, folder):
    clean = validate_paths([folder / "a.xlsx"], jobs=1, today=fill.TODAY)[0]
    with register.open() as reg:
        assert reg.verify().ok
        with reg.writer() as c, c.begin():  # the first row's fact, in the reading's one row of cells (migration 6)
            (rid, cells), = c.execute(text("SELECT reading_id, cells FROM reading_rows")).all()
            cells = json.loads(cells)
            (cell,) = [x for x in cells if x[0] == 0 and x[2] == "fact"]
            cell[4] = cell[5] = "99"
            n = c.execute(text("UPDATE reading_rows SET cells = :c WHERE reading_id = :r"),
                          {"c": json.dumps(cells), "r": rid})
            assert n.rowcount == 1
        res = reg.verify()
        assert not res.ok
        assert any("fact total stored" in p for p in res.problems)
        assert any("digest" in p for p in res.problems)
    again = validate_paths([folder / "a.xlsx"], jobs=1, today=fill.TODAY)[0]
    assert again.submission.totals() == clean.submission.totals()  # read again, not the changed figure
    out = subprocess.run(KRM + ["register", "verify", "--format", "json"], capture_output=True, text=True,
                         env={**os.environ, "KRM_REGISTER": reg_url})
    assert out.returncode == 1 and not json.loads(out.stdout)["ok"]


def test_verify_catches_a_deleted_finding_and_a_broken_trail(reg_url, tmp_path):
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="bad.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}])
    validate_paths([f], jobs=1, today=fill.TODAY)
    with register.open() as reg:
        with reg.writer() as c, c.begin():
            c.execute(text("DELETE FROM finding WHERE seq = 0"))
            c.execute(text("UPDATE version SET state = 'accepted'"))
        problems = reg.verify().problems
    assert any("errors and" in p for p in problems)
    assert any("last state of its audit trail" in p for p in problems)


# ------------------------------------------------------------------ safety
def test_a_folder_with_venv_and_vendor_is_refused_and_nothing_deleted(tmp_path, folder, monkeypatch):
    home = tmp_path / "project"
    for d in ("venv/bin", "vendor/lib", "v2-final"):
        (home / d).mkdir(parents=True)
        (home / d / "keep.txt").write_text("mine")
    before = _tree(home)
    monkeypatch.setenv("KRM_REGISTER", str(home))
    with pytest.raises(RegisterError, match="is a folder"):
        validate_paths([folder], jobs=1)
    r = subprocess.run(KRM + ["validate", str(folder)], capture_output=True, text=True,
                       env={**os.environ, "KRM_REGISTER": str(home)})
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "is a folder" in r.stderr
    assert _tree(home) == before and sorted(p.name for p in home.iterdir()) == ["v2-final", "vendor", "venv"]


@pytest.mark.parametrize("content", [b"", b"my notes\n", b"PK\x03\x04 not a database"])
def test_a_file_that_is_not_a_register_is_refused_untouched(tmp_path, folder, monkeypatch, content):
    p = tmp_path / "notes.sqlite"
    p.write_bytes(content)
    monkeypatch.setenv("KRM_REGISTER", str(p))
    with pytest.raises(RegisterError, match="not a krm register"):
        validate_paths([folder], jobs=1)
    assert p.read_bytes() == content and sorted(x.name for x in tmp_path.iterdir()) == ["in", "notes.sqlite"]


def test_an_sqlite_database_of_something_else_is_refused(tmp_path, folder, monkeypatch):
    import sqlite3

    p = tmp_path / "app.db"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE accounts (id INTEGER)")
    con.commit()
    con.close()
    before = p.read_bytes()
    monkeypatch.setenv("KRM_REGISTER", str(p))
    with pytest.raises(RegisterError, match="not a krm register"):
        validate_paths([folder], jobs=1)
    assert p.read_bytes() == before


def test_the_register_is_never_inside_an_input_folder(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("KRM_REGISTER", str(folder / "sub" / "register.sqlite"))
    with pytest.raises(RegisterError, match="inside the input folder"):
        validate_paths([folder], jobs=1)
    assert not (folder / "sub").exists()


def test_off_and_no_register_leave_no_state(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("KRM_REGISTER", "off")
    validate_paths([folder], jobs=1)
    monkeypatch.delenv("KRM_REGISTER")
    r = subprocess.run(KRM + ["validate", str(folder), "--no-register"], capture_output=True, text=True)
    assert r.returncode == 2 and not (tmp_path / "xdg").exists()
    validate_paths([folder], jobs=1)  # the default: the user's data folder, created on first use
    assert (tmp_path / "xdg" / "krm" / "register.sqlite").is_file()


def test_two_ingests_of_overlapping_folders_at_once_lose_nothing(reg_url, tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=4, regions=["47", "11"], faulty=0, krm1=False)
    month = tmp_path / "src" / "2019-05"
    files = sorted(month.rglob("*.xlsx"))
    a, b = tmp_path / "a", tmp_path / "b"
    half = len(files) // 2
    for dst, part in ((a, files[: half + 5]), (b, files[half - 5:])):  # ten files in both
        dst.mkdir()
        for p in part:
            shutil.copy2(p, dst / p.name)
    env = {**os.environ, "KRM_REGISTER": reg_url}
    procs = [subprocess.Popen(KRM + ["register", "ingest", str(d), "--jobs", "2", "--format", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for d in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with register.open(reg_url) as reg:
        res = reg.verify()
        assert res.ok, res.problems
        assert res.counts["workbook"] == len(files) and res.counts["reading"] == len(files)
        assert res.counts["workbook_path"] == len(list(a.iterdir())) + len(list(b.iterdir()))
        vs = reg.versions()
        assert len(vs) == len(files) and all(v.number == 1 for v in vs)


def test_a_killed_ingest_leaves_the_register_consistent(reg_url, folder, tmp_path):
    """The parent is killed (SIGKILL) in the middle of recording versions: nothing half-written remains."""
    script = (
        "import os, signal, sys\n"
        "from krm.register import store\n"
        "real = store.Store._versions\n"
        "def die(self, *a, **k):\n"
        "    real(self, *a, **k)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "store.Store._versions = die\n"
        "import krm.register as r\n"
        f"r.open().ingest([{str(folder)!r}], jobs=1)\n")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       env={**os.environ, "KRM_REGISTER": reg_url})
    assert p.returncode == -signal.SIGKILL
    with register.open(reg_url) as reg:
        res = reg.verify()
        assert res.ok, res.problems
        assert res.counts["version"] == 0 and res.counts["reading"] == 2  # readings committed, versions not
        reg.ingest([folder], jobs=1)
        res = reg.verify()
        assert res.ok and res.counts["version"] == 2


# ------------------------------------------------------------------ commands
def test_commands_ingest_history_show_export_and_from_register(reg_url, tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=3, regions=["47"], faulty=0)
    month = tmp_path / "src" / "2019-05"
    def krm(*args):
        r = cli(*args)
        return subprocess.CompletedProcess(args, r.exit_code, r.stdout, r.output)

    ing = krm("register", "ingest", str(tmp_path / "src"), "--by", "oblast analyst", "--format", "json")
    assert ing.returncode == 0, ing.stderr
    data = json.loads(ing.stdout)
    assert data["files"] == len(list((tmp_path / "src").rglob("*.xlsx"))) and data["states"]["accepted"] > 0
    h = json.loads(krm("register", "history", "--region", "47", "--form", "KRM-2", "--format", "json").stdout)
    assert h["submissions"] and all(s["region"] == "47" and s["form"] == "KRM-2" for s in h["submissions"])
    assert h["submissions"][0]["versions"][0]["audit"][0]["by"] == "oblast analyst"
    one = sorted(month.rglob("KRM-2*.xlsx"))[0]
    s = json.loads(krm("register", "show", str(one), "--format", "json").stdout)
    assert s["sha256"] == _sha(one) and s["versions"][0]["state"] == "accepted"
    (tmp_path / "other.xlsx").write_bytes(b"never seen")
    assert json.loads(krm("register", "show", str(tmp_path / "other.xlsx"), "--format", "json").stdout) \
        == {"known": False}
    ex = krm("register", "export", "--out", str(tmp_path / "export"))
    assert ex.returncode == 0, ex.stderr
    import csv

    with open(tmp_path / "export" / "rows.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    one_rows = [r for r in rows if r["version_id"] == str(s["versions"][0]["id"])]
    assert sum(int(r["fact"]) for r in one_rows) == int(s["readings"][0]["totals"]["fact"])
    assert krm("register", "export", "--out", str(tmp_path / "export")).returncode == 2  # never overwritten
    folder_run = krm("aggregate", str(tmp_path / "src"), "--period", "2019-05", "--out", str(tmp_path / "agg-dir"),
                     "--format", "json")
    reg_run = krm("aggregate", "--from-register", "--period", "2019-05", "--out", str(tmp_path / "agg-reg"),
                  "--format", "json")
    assert folder_run.returncode == reg_run.returncode == 0, reg_run.stderr
    a, b = json.loads(folder_run.stdout), json.loads(reg_run.stdout)
    assert a["totals"] == b["totals"] and a["plan_totals"] == b["plan_totals"]
    assert sorted(_tree(tmp_path / "agg-dir")) == sorted(_tree(tmp_path / "agg-reg"))
    assert krm("register", "verify").returncode == 0
    info = json.loads(krm("register", "info", "--format", "json").stdout)
    assert info["schema"] == register.schema.SCHEMA_VERSION and info["counts"]["version"] > 0


def test_library_frames_are_pandas(reg_url, folder):
    validate_paths([folder], jobs=1, today=fill.TODAY)
    with register.open() as reg:
        fs = reg.frames()
    assert set(fs) == {"submissions", "versions", "rows", "findings"}
    assert len(fs["versions"]) == 2 and fs["rows"]["fact"].notna().any()


# ------------------------------------------------------------------ the note's month-on-month change
def test_the_notes_month_on_month_change_comes_from_the_register(reg_url, tmp_path):
    """May's note in a folder of May alone: the change against April comes from the register (April
    ingested earlier), equal to the change computed from a folder holding both months; without the
    register there is none."""
    from krm import samples
    from krm.report import make_report
    from krm.report.note import _change

    samples.generate(tmp_path / "apr", "2019-04", seed=3, regions=["47"], faulty=0, krm1=False)
    samples.generate(tmp_path / "may", "2019-05", seed=3, regions=["47"], faulty=0, krm1=False)
    both = tmp_path / "both"
    shutil.copytree(tmp_path / "apr", both)
    shutil.copytree(tmp_path / "may", both, dirs_exist_ok=True)
    folder, _ = make_report(both, "2019-05", tmp_path / "out-folder", cache=False)
    alone, _ = make_report(tmp_path / "may", "2019-05", tmp_path / "out-alone", cache=False)
    assert folder.previous is not None and alone.previous is None
    assert _change(folder.data, folder.previous) is not None
    register.open().ingest([tmp_path / "apr"])
    reg, _ = make_report(tmp_path / "may", "2019-05", tmp_path / "out-reg")
    assert reg.previous is not None
    for kw in ({}, {"region": "47"}, *({"programme": p} for p, _ in folder.data.units)):
        assert _change(reg.data, reg.previous, **kw) == _change(folder.data, folder.previous, **kw)
    assert reg.data.total() == alone.data.total()  # the month's own figures never come from the register


def test_reading_digest_is_the_part_by_part_digest_registers_already_hold():
    """The digest is computed in one piece but must equal the documented part-by-part SHA-256 (each part
    as text, None as NUL, US after each part, RS after each cell), or registers written by an earlier krm
    would fail `krm register verify` and never be used."""
    import datetime as dt
    from decimal import Decimal

    from krm.model import ProjectRow
    from krm.register import codec

    rows = [ProjectRow(activity="3", project="Жаңа цех", bin="123456789012", start=dt.date(2019, 1, 5), plan=12,
                       fact=7, allocated=Decimal("12.500"), extra={"note": None, "flag": True}),
            ProjectRow(activity="1", project="", plan_by_activity={}, extra=None)]
    cells = sorted(codec.row_cells(rows), key=lambda x: (x[0], x[2]))
    h = hashlib.sha256()
    for part in ("KRM-2", "2019", '{"a":1}', 2, None):
        h.update(("" if part is None else str(part)).encode())
        h.update(b"\x1f")
    for c in cells:
        for p in c:
            h.update(("\x00" if p is None else str(p)).encode())
            h.update(b"\x1f")
        h.update(b"\x1e")
    assert codec.reading_digest("KRM-2", "2019", '{"a":1}', 2, None, cells) == h.hexdigest()
    assert codec.rows_from_cells([c[:5] for c in cells]) == (rows, [])


def test_checking_the_path_keeps_the_locks_of_a_connection_already_open_here(tmp_path):
    """krm serve holds its register open; opening it again in the same process (a check of the path) must
    not drop that connection's POSIX locks.  In WAL mode an open connection's shared lock on the file is
    what tells another process's last close not to checkpoint and delete the -wal and -shm files under it."""
    import sqlite3

    from krm.register.connect import check_sqlite_path

    p = tmp_path / "register.sqlite"
    check_sqlite_path(p)                       # creates a marked, empty register (WAL mode)
    held = sqlite3.connect(p)
    try:
        assert held.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        held.execute("SELECT value FROM krm_register").fetchall()
        check_sqlite_path(p)
        other = subprocess.run(
            [sys.executable, "-c",
             "import sqlite3, sys; c = sqlite3.connect(sys.argv[1])\n"
             "c.execute('CREATE TABLE scratch (x)'); c.commit(); c.close()", str(p)],
            capture_output=True, text=True, timeout=60)
        assert other.returncode == 0, other.stderr
        # the other process was not the last one out: the WAL it wrote stays until this connection closes
        assert p.with_name(p.name + "-wal").exists()
        assert ("scratch",) in held.execute("SELECT name FROM sqlite_master").fetchall()
    finally:
        held.close()


@pytest.mark.parametrize("name", ["a?b", "c#d", "e%20f", "g h"])
def test_a_register_path_with_url_characters_is_that_file_and_no_other(tmp_path, folder, monkeypatch, name):
    """A folder name with '?', '#' or '%' is a path, not a URL: the register is the very file named, and nothing
    else is created beside it (SQLAlchemy's URL parsing once made '…/a?b/register.sqlite' the file '…/a')."""
    place = tmp_path / "regs" / name
    place.mkdir(parents=True)
    monkeypatch.setenv("KRM_REGISTER", str(place / "register.sqlite"))
    first = validate_paths([folder], jobs=1)
    assert sorted(p.name for p in (tmp_path / "regs").iterdir()) == [name]
    assert (place / "register.sqlite").is_file()
    reg = register.open(str(place / "register.sqlite"))
    try:
        assert len(reg.versions()) == sum(not r.unreadable for r in first) == 2  # recorded into that file
    finally:
        reg.close()
    again = validate_paths([folder], jobs=1)
    assert [r.findings for r in again] == [r.findings for r in first]
    assert sorted(p.name for p in (tmp_path / "regs").iterdir()) == [name]
