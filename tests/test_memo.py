"""The run-level memo (docs/register.md, "Runs on an unchanged month"): a second run over an unchanged month
reads, hashes and writes nothing, prints exactly what a run without the register prints, leaves every
output as it is; after an edit only the outputs the edited file feeds are written; a file changed behind
krm's back (same size and mtime, other bytes), an output changed by a user, a stored digest changed in the
database are never taken for what was recorded.  SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

import fill
import krm.register as register
from krm.register import memo
from test_register import _fresh_pg_database, _tree, cli, reads, reg_url  # noqa: F401 - fixtures


@pytest.fixture
def month(tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=5, regions=["47"], faulty=2)
    return tmp_path / "src" / "2019-05"


@pytest.fixture
def settled_now(monkeypatch):
    """Files written a moment ago count as settled (else a test would wait SETTLED_NS for them)."""
    monkeypatch.setattr(memo, "SETTLED_NS", 0)


@pytest.fixture
def jobs(tmp_path, monkeypatch):
    """Counts the files a worker was given through the register (read and hashed), in any process."""
    log = tmp_path / "jobs.log"
    log.touch()
    import krm.validate as v

    real = v._registered_validate

    def counted(path, reg):
        with open(log, "a") as fh:
            fh.write(f"{Path(path).name}\n")
        return real(path, reg)

    monkeypatch.setattr(v, "_registered_validate", counted)
    return lambda: log.read_text().split()


def _chain(month: Path, out: Path, *extra):
    v = cli("validate", month, "--format", "json", *extra)  # today, as aggregate and report check on
    a = cli("aggregate", month, "--out", out / "agg", "--format", "json", "--force", *extra)
    r = cli("report", month, "--month", "2019-05", "--out", out / "rep", "--force", *extra)
    assert a.exit_code in (0, 1) and r.exit_code == 0, (a.output, r.output)
    return v, a, r


def _seen(out: Path) -> dict:
    """Each output file's (inode, mtime_ns): what changes when it is written again."""
    return {p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*")) if p.is_file()}


def _same_as_full(month: Path, tmp_path: Path, got, reg_url: str):
    """The memo run's exit codes, stdout (JSON) and output bytes equal a run without the register."""
    off = _chain(month, tmp_path / "off", "--no-register")
    os.environ["KRM_REGISTER"] = reg_url  # --no-register set it off for this process
    for mine, full in zip(got, off):
        assert mine.exit_code == full.exit_code
    assert got[0].stdout == off[0].stdout
    assert json.loads(got[1].stdout) | {"out": None} == json.loads(off[1].stdout) | {"out": None}
    assert got[2].stdout.replace(str(tmp_path / "on"), "") == off[2].stdout.replace(str(tmp_path / "off"), "")
    for kind in ("agg", "rep"):
        assert _tree(tmp_path / "on" / kind) == _tree(tmp_path / "off" / kind)


def test_unchanged_month_reads_hashes_and_writes_nothing(reg_url, month, tmp_path, settled_now, jobs, reads):
    n = len(list(month.rglob("*.xlsx")))
    _chain(month, tmp_path / "on")
    assert len(jobs()) == n  # the cold run read and hashed each file once, for the three commands
    before = _seen(tmp_path / "on" / "agg")
    got = _chain(month, tmp_path / "on")
    assert len(jobs()) == n and len(reads()) == n  # nothing read or hashed again
    assert "outputs unchanged: " in got[1].stderr and ", written: 0 " in got[1].stderr
    after = _seen(tmp_path / "on" / "agg")
    outputs = [k for k in before if k.endswith(".xlsx")]
    assert outputs and all(after[k] == before[k] for k in outputs)  # not one output written again
    _same_as_full(month, tmp_path, got, reg_url)
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def test_an_edit_rewrites_only_the_outputs_it_feeds(reg_url, month, tmp_path, settled_now, jobs):
    _chain(month, tmp_path / "on")
    before = _seen(tmp_path / "on" / "agg")
    k2 = sorted(month.rglob("KRM-2_*ENBEK*.xlsx"))[0]
    fill.edit(k2, {})  # saved again by a program: other bytes, same submission
    n = len(jobs())
    got = _chain(month, tmp_path / "on")
    assert jobs()[n:] == [k2.name]  # the one edited file read (validate); aggregate and report knew it then
    after = _seen(tmp_path / "on" / "agg")
    summary = json.loads(got[1].stdout)
    region = next(i["region"] for i in summary["inputs"] if i["file"].endswith(k2.name))
    rewritten = {k for k in before if k.endswith(".xlsx") and after[k] != before[k]}
    assert rewritten == {f"2019-05/KRM-3.ENBEK.{region}.xlsx", "2019-05/KRM-4.ENBEK.xlsx",
                         "2019-05/KRM-5.ENBEK.xlsx"}
    _same_as_full(month, tmp_path, got, reg_url)


def test_a_file_changed_with_its_size_and_mtime_kept_is_read_again(reg_url, month, tmp_path, settled_now, jobs):
    from krm.validate import validate_paths

    validate_paths([month], jobs=1)
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))[0]
    st = k2.stat()
    data = bytearray(k2.read_bytes())
    data[-30] ^= 1  # one byte of the zip's trailer comment area: same size
    k2.write_bytes(bytes(data))
    os.utime(k2, ns=(st.st_atime_ns, st.st_mtime_ns))  # mtime as it was; the ctime cannot be set back
    n = len(jobs())
    validate_paths([month], jobs=1)
    assert jobs()[n:] == [k2.name]


def test_a_file_written_just_now_is_not_remembered_by_its_identity(reg_url, month, jobs, monkeypatch):
    from krm.validate import validate_paths

    monkeypatch.setattr(memo, "SETTLED_NS", 10 ** 15)  # "just now": every file's times are younger than that
    first = validate_paths([month], jobs=1, submissions=False)
    n = len(jobs())
    again = validate_paths([month], jobs=1, submissions=False)
    assert len(jobs()) == n  # hashed again in the parent, found in the register by their bytes: no worker
    assert [(r.path, r.form, [f.__dict__ for f in r.findings]) for r in again] == \
        [(r.path, r.form, [f.__dict__ for f in r.findings]) for r in first]
    with register.open(reg_url) as reg, reg.reader() as c:
        from sqlalchemy import func, select

        assert c.execute(select(func.count()).select_from(register.schema.file_stat)).scalar() == 0


def test_an_output_changed_by_a_user_is_not_a_match(reg_url, month, tmp_path, settled_now):
    _chain(month, tmp_path / "on")
    out = tmp_path / "on" / "agg"
    target = sorted(out.rglob("KRM-3.*.xlsx"))[0]
    want = target.read_bytes()
    target.write_bytes(want[:-1] + bytes([want[-1] ^ 1]))  # same size, other bytes
    a = cli("aggregate", month, "--out", out, "--format", "json")  # without --force: refused, as ever
    assert a.exit_code == 2 and "exists" in a.stderr
    a = cli("aggregate", month, "--out", out, "--format", "json", "--force")
    assert a.exit_code in (0, 1) and target.read_bytes() == want
    assert ", written: 1 " in a.stderr


def test_a_digest_changed_in_the_database_is_not_used(reg_url, month, tmp_path, settled_now):
    from sqlalchemy import update

    _chain(month, tmp_path / "on")
    with register.open(reg_url) as reg, reg.writer() as c, c.begin():
        D = register.schema.reading_digest
        for rid, data in c.execute(D.select().with_only_columns(D.c.reading_id, D.c.data)).all():
            c.execute(update(D).where(D.c.reading_id == rid).values(data=data.replace('"fact":', '"fact":1')))
    with register.open(reg_url) as reg:
        assert any("stored digest does not match" in p for p in reg.verify().problems)
    for p in (tmp_path / "on").rglob("*.xlsx"):
        p.unlink()
    got = _chain(month, tmp_path / "on")
    _same_as_full(month, tmp_path, got, reg_url)


def test_readings_of_an_older_register_without_digests_still_serve(reg_url, month, tmp_path, settled_now):
    """A register migrated from schema 4 holds readings without a stored digest: their rows are used."""
    from sqlalchemy import delete

    _chain(month, tmp_path / "on")
    with register.open(reg_url) as reg, reg.writer() as c, c.begin():
        c.execute(delete(register.schema.reading_digest))
    for p in (tmp_path / "on").rglob("*.xlsx"):
        p.unlink()
    got = _chain(month, tmp_path / "on")
    _same_as_full(month, tmp_path, got, reg_url)


def test_lazy_rows_load_once_whatever_touches_them():
    calls = []

    def load():
        calls.append(1)
        return [1, 2, 3], ["r"]

    a = memo.LazyRows(load, 0)
    assert not a.loaded
    a.append(4)  # a change before anything was read keeps the rows in order
    assert list(a) == [1, 2, 3, 4] and len(a) == 4 and a[0] == 1 and a.loaded
    b = memo.LazyRows(load, 1)
    assert bool(b) and b == ["r"]
    assert pickle.loads(pickle.dumps(memo.LazyRows(load, 0))) == [1, 2, 3]
    assert type(pickle.loads(pickle.dumps(memo.LazyRows(load, 0)))) is list


def test_rows_are_one_row_a_reading_and_the_old_layout_still_reads(reg_url, month, tmp_path):
    """Migration 6 stores a reading's rows as one JSON row; readings of a register at migration 4 or 5 keep one
    ``row_value`` per cell, and read the same (rows, outputs, verify)."""
    from sqlalchemy import delete, func, insert, select

    from krm.register import codec
    from krm.validate import validate_paths

    first = _chain(month, tmp_path / "on")
    with register.open(reg_url) as reg, reg.writer() as c, c.begin():
        S = register.schema
        assert c.execute(select(func.count()).select_from(S.row_value)).scalar() == 0
        stored = c.execute(select(S.reading_rows)).all()
        assert stored and all(json.loads(x.cells) for x in stored)
        for rid, cells in stored:  # back to the old layout, as an older krm stored them
            c.execute(insert(S.row_value), [dict(zip(("reading_id", "row_no", "kind", "key", "type", "text", "num"),
                                                     (rid, *x))) for x in codec.cells_from_json(cells)])
        c.execute(delete(S.reading_rows))
        c.execute(delete(S.reading_digest))
    with register.open(reg_url) as reg:
        assert reg.verify().ok
    for p in (tmp_path / "on").rglob("*.xlsx"):
        p.unlink()
    again = _chain(month, tmp_path / "on")
    assert [x.stdout for x in again[:2]] == [x.stdout for x in first[:2]]
    _same_as_full(month, tmp_path, again, reg_url)
    rows = {r.path.name: r.submission and list(r.submission.projects) for r in validate_paths([month], jobs=1)}
    off = {r.path.name: r.submission and r.submission.projects
           for r in validate_paths([month], jobs=1, register=False)}
    assert rows == off


def test_files_edited_a_moment_ago_are_found_by_their_bytes_without_workers(reg_url, month, tmp_path, jobs,
                                                                            monkeypatch):
    """The chain right after an edit: validate reads the edited file; aggregate and report (its times not yet
    settled, so its identity was not recorded) find its reading by its bytes in the parent, start no worker,
    and write what a run without the register writes."""
    import krm.pool
    import krm.validate

    monkeypatch.setattr(memo, "SETTLED_NS", 10 ** 15)  # every file "just written"
    _chain(month, tmp_path / "on")
    k2 = sorted(month.rglob("KRM-2_*ENBEK*.xlsx"))[0]
    fill.edit(k2, {})
    n = len(jobs())
    pools = []
    real = krm.pool.iter_isolated

    def counted(fn, items, **kw):
        if fn is krm.validate._job:  # (not aggregate's writers)
            items = list(items)
            pools.append([Path(i).name for i in items])
        return real(fn, items, **kw)

    monkeypatch.setattr(krm.pool, "iter_isolated", counted)
    got = _chain(month, tmp_path / "on")
    assert jobs()[n:] == [k2.name]  # read once, by validate's worker
    assert pools[0] == [k2.name] and len(pools) >= 2 and not any(pools[1:]), pools  # aggregate, report: no worker
    _same_as_full(month, tmp_path, got, reg_url)


def test_more_unknown_files_than_the_parent_hashes_go_to_the_workers(reg_url, month, jobs, monkeypatch):
    from krm import remembered
    from krm.validate import validate_paths

    monkeypatch.setattr(memo, "SETTLED_NS", 10 ** 15)
    monkeypatch.setattr(remembered, "CONTENT_FILES", 1)
    validate_paths([month], jobs=1, submissions=False)
    n = len(jobs())
    assert n > 1
    validate_paths([month], jobs=1, submissions=False)
    assert len(jobs()) == 2 * n  # too many to hash in the parent: each hashed by a worker, found by its bytes
