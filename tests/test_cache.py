"""The per-file result cache (krm/cache.py): a hit gives exactly what validation gives, and never stands
for changed bytes, another day, another krm, or a folder others can write."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fill
from krm import cache
from krm.validate import FileReport, validate_paths

KRM = [sys.executable, "-c", "from krm.cli import run; run()"]


@pytest.fixture
def on(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("KRM_CACHE", "on")
    monkeypatch.setenv("KRM_CACHE_DIR", str(d))
    return d


@pytest.fixture
def folder(tmp_path):
    f = tmp_path / "in"
    f.mkdir()
    fill.filled("KRM-2", f, name="a.xlsx")
    fill.filled("KRM-2", f, name="b.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}])
    fill.filled("KRM-4", f, name="c.xlsx")
    (f / "empty.xlsx").write_bytes(b"")
    return f


def _codes(reps):
    return [(r.path.name, [(x.code, x.cell, x.file) for x in r.findings]) for r in reps]


def _entries(d: Path) -> int:
    return sum(1 for _ in d.rglob("*.pkl.z"))


def test_hits_give_the_same_reports_without_reading(on, folder, monkeypatch):
    cold = validate_paths([folder], jobs=2, today=fill.TODAY)
    assert _entries(on) == 3  # the empty file is a read failure: not kept
    import krm.validate as v

    def broken(*a, **k):  # a second run that validated anything again would fail loudly
        raise AssertionError("validate_file called on a cache hit")

    monkeypatch.setattr(v, "validate_file", broken)
    warm = validate_paths([folder], jobs=2, today=fill.TODAY)
    assert _codes(warm)[:3] == _codes(cold)[:3]
    assert [r.submission for r in warm[:3]] == [r.submission for r in cold[:3]]
    assert warm[2].submission.path == folder / "c.xlsx"


def test_same_bytes_elsewhere_are_reported_under_their_own_path(on, folder, tmp_path):
    validate_paths([folder], jobs=1, today=fill.TODAY)
    other = tmp_path / "copy"
    shutil.copytree(folder, other)
    reps = validate_paths([other], jobs=1, today=fill.TODAY)
    assert all(x.file == str(r.path) and r.path.parent == other for r in reps for x in r.findings)
    assert reps[1].findings and reps[1].findings[0].file == str(other / "b.xlsx")


def test_changed_bytes_another_day_or_off_miss(on, folder):
    validate_paths([folder], jobs=1, today=fill.TODAY)
    n = _entries(on)
    fill.filled("KRM-2", folder, name="a.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "fact": -5}])
    reps = validate_paths([folder], jobs=1, today=fill.TODAY)
    assert [x.code for x in reps[0].findings] == ["KRM-E021"]  # the edited file was read again
    assert _entries(on) == n + 1
    validate_paths([folder], jobs=1, today=fill.TODAY + dt.timedelta(days=1))
    assert _entries(on) == n + 1 + 3  # another validation date: new entries
    validate_paths([folder], jobs=1, today=dt.date(2019, 1, 1), cache=False)
    assert _entries(on) == n + 4


def test_damaged_entries_are_misses(on, folder):
    first = validate_paths([folder], jobs=1, today=fill.TODAY)
    for p in on.rglob("*.pkl.z"):
        p.write_bytes(b"not a pickle")
    again = validate_paths([folder], jobs=1, today=fill.TODAY)
    assert _codes(again) == _codes(first)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_is_not_used(on, folder):
    on.mkdir(parents=True)
    os.chmod(on, 0o777)
    validate_paths([folder], jobs=1, today=fill.TODAY)
    assert _entries(on) == 0
    assert not cache.Cache(fill.TODAY, on).usable


def test_engine_fingerprint_follows_reference_data(tmp_path, monkeypatch):
    ref = tmp_path / "ref"
    ref.mkdir()
    monkeypatch.setenv("KRM_REFERENCE_DIR", str(ref))
    a = cache.fingerprint()
    (ref / "programmes.csv").write_text("code,kk,ru,en\n", encoding="utf-8")
    cache._fingerprint.cache_clear()
    assert cache.fingerprint() != a


def test_cli_cached_and_uncached_runs_agree_and_cache_command(on, folder, tmp_path):
    env = {**os.environ, "KRM_CACHE": "on", "KRM_CACHE_DIR": str(on)}
    args = KRM + ["validate", str(folder), "--format", "json", "--as-of", "2019-07-01"]
    cold = subprocess.run(args + ["--no-cache"], capture_output=True, text=True, env=env)
    assert not on.exists() or _entries(on) == 0
    first = subprocess.run(args, capture_output=True, text=True, env=env)
    warm = subprocess.run(args, capture_output=True, text=True, env=env)
    assert cold.returncode == first.returncode == warm.returncode == 2  # the empty file is unreadable
    assert json.loads(cold.stdout) == json.loads(first.stdout) == json.loads(warm.stdout)
    info = subprocess.run(KRM + ["cache", "--format", "json"], capture_output=True, text=True, env=env)
    assert json.loads(info.stdout)["entries"] == 3
    cleared = subprocess.run(KRM + ["cache", "clear"], capture_output=True, text=True, env=env)
    assert cleared.returncode == 0 and _entries(on) == 0


def test_unreadable_results_still_come_back_as_reports(on, folder):
    reps = validate_paths([folder], jobs=2, today=fill.TODAY)
    assert isinstance(reps[3], FileReport) and [x.code for x in reps[3].findings] == ["KRM-E001"]


def _tree(d: Path) -> dict:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_aggregate_and_report_give_the_same_bytes_from_the_cache(on, tmp_path):
    """validate fills the cache; aggregate and report then read nothing again, and write the same bytes."""
    from krm import samples
    from krm.aggregate import aggregate
    from krm.report import make_report

    src = tmp_path / "src"
    samples.generate(src, "2019-05", seed=3, regions=["47"], faulty=2)
    month = src / "2019-05"
    aggregate(month, tmp_path / "agg-off", cache=False, jobs=2)
    make_report(month, "2019-05", tmp_path / "rep-off", cache=False)
    assert _entries(on) == 0
    validate_paths([month], jobs=2)  # what `krm validate` does first
    n = _entries(on)
    assert n >= 5
    import krm.validate as v

    def broken(*a, **k):
        raise AssertionError("validate_file called although every file is in the cache")

    v.validate_file, real = broken, v.validate_file
    try:
        aggregate(month, tmp_path / "agg-on", jobs=2)
        make_report(month, "2019-05", tmp_path / "rep-on")
    finally:
        v.validate_file = real
    assert _entries(on) == n
    assert _tree(tmp_path / "agg-on") == _tree(tmp_path / "agg-off")
    assert _tree(tmp_path / "rep-on") == _tree(tmp_path / "rep-off")


def test_a_file_saved_while_it_was_read_is_not_kept(on, folder, monkeypatch):
    import krm.validate as v

    real = v.validate_file

    def saved_meanwhile(path, today=None, **kw):
        r = real(path, today, **kw)
        st = os.stat(path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # someone pressed Save meanwhile
        return r

    monkeypatch.setattr(v, "validate_file", saved_meanwhile)
    validate_paths([folder / "a.xlsx"], jobs=1, today=fill.TODAY)
    assert _entries(on) == 0
    monkeypatch.setattr(v, "validate_file", real)
    validate_paths([folder / "a.xlsx"], jobs=1, today=fill.TODAY)
    assert _entries(on) == 1
