"""Issue 15, faults while writing: an output folder in use is refused, two runs never leave a mix, a full
disk gives one line and exit 2 with nothing half-written, SIGTERM and SIGKILL leave nothing that the next
run does not clean — and krm never removes anything it did not make."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from krm.outfolder import LOCK_NAME, FolderInUse, claimed, clean_stale

ROOT = Path(__file__).resolve().parents[1]
REGION = ROOT / "samples" / "2019-05" / "31-Zhambyl-Region"
OTHER = ROOT / "samples" / "2019-05" / "35-Karaganda-Region"
KRM = [sys.executable, "-c", "from krm.cli import run; run()"]


def krm(*args, tmpdir: Path | None = None, **kw) -> subprocess.Popen:
    env = {**os.environ, "KRM_CACHE": "off", **({"TMPDIR": str(tmpdir)} if tmpdir else {})}
    return subprocess.Popen(KRM + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            **kw)


def done(p: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def tree(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_folder_in_use_is_refused_and_released(tmp_path):
    out = tmp_path / "out"
    with claimed(out):
        assert (out / LOCK_NAME).read_bytes().startswith(b"krm output lock")
        code, _, err = done(krm("aggregate", REGION, "--out", out))
        assert code == 2 and "in use by another krm run" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
        with pytest.raises(FolderInUse):
            with claimed(out):
                pass
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # the refused run wrote nothing
    assert not out.exists()  # made by the claim, left empty: removed
    code, _, err = done(krm("aggregate", REGION, "--out", out))
    assert code == 0, err
    assert not (out / LOCK_NAME).exists()


def test_a_lock_file_krm_did_not_make_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text("somebody else's\n")
    with pytest.raises(FolderInUse):
        with claimed(out):
            pass
    assert (out / LOCK_NAME).read_text() == "somebody else's\n"


def test_two_forced_runs_never_leave_a_mix(tmp_path):
    refs = {}
    for name, src in (("a", REGION), ("b", OTHER)):
        code, _, err = done(krm("aggregate", src, "--out", tmp_path / f"ref-{name}"))
        assert code == 0, err
        refs[name] = tree(tmp_path / f"ref-{name}")
    out = tmp_path / "out"
    for _ in range(2):
        ps = [krm("aggregate", src, "--out", out, "--force") for src in (REGION, OTHER)]
        results = [done(p) for p in ps]
        for code, _, err in results:
            assert code in (0, 2) and "Traceback" not in err, err
            assert code == 0 or "in use by another krm run" in err
        got = tree(out)
        got_ab = {k: v for k, v in got.items() if k in refs["a"] or k in refs["b"]}
        # what is there is one run's output whole; the other run's files (other names) may remain
        # from an earlier pass, but never a file of one run's name with the other's bytes
        assert got["aggregate-summary.json"] in (refs["a"]["aggregate-summary.json"], refs["b"]["aggregate-summary.json"])
        winner = "a" if got["aggregate-summary.json"] == refs["a"]["aggregate-summary.json"] else "b"
        assert {k: got_ab[k] for k in refs[winner]} == refs[winner]
        assert not [k for k in got if ".krm-" in k or k.endswith(".tmp")]


def _mount_tiny(path: Path, kb: int) -> bool:
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k", "tmpfs", str(path)], capture_output=True)
    return r.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path):
    disk = tmp_path / "disk"
    if not _mount_tiny(disk, 96):
        pytest.skip("a full disk needs a tiny file system: mounting a 96 KB tmpfs needs root and mount rights, "
                    "which this environment does not give")
    yield disk
    subprocess.run(["umount", str(disk)], capture_output=True)


def test_full_disk_one_line_exit_2_nothing_half_written(tiny_disk):
    for args in (["aggregate", REGION, "--out", tiny_disk / "agg", "--jobs", "2"],
                 ["report", "--month", "2019-05", REGION, "--out", tiny_disk / "rep"]):
        code, out, err = done(krm(*args))
        assert code == 2, (args, err[-800:])
        assert "No space left on device" in err and "nothing was written" in err, err[-800:]
        assert "Traceback" not in err and "Exception ignored" not in err
        assert len(err.strip().splitlines()) <= 2, err[-800:]
        left = sorted(p.relative_to(tiny_disk).as_posix() for p in tiny_disk.rglob("*"))
        assert left == [], left


def test_sigterm_removes_spool_staging_and_lock(tmp_path):
    inputs = ROOT / "samples" / "2019-05"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    p = krm("aggregate", inputs, "--out", out, "--jobs", "2", tmpdir=tmpdir)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(tmpdir.glob("krm-aggregate-*/rows-*.bin")):
        time.sleep(0.05)
    assert any(tmpdir.glob("krm-aggregate-*")), "the run never spooled"
    p.send_signal(signal.SIGTERM)
    code, _, err = done(p, timeout=60)
    assert code != 0 and "Traceback" not in err, err[-1500:]
    assert list(tmpdir.iterdir()) == []
    assert not out.exists() or not [x for x in out.rglob("*")], sorted(out.rglob("*"))


def test_stale_leftovers_of_killed_runs_are_cleaned_and_nothing_else(tmp_path, monkeypatch):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    out = tmp_path / "out"
    (out / "2019-05").mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    krm_made = [out / ".krm-staging-99999" / "2019-05" / "KRM-3.AIC.31.xlsx",
                out / "2019-05" / ".KRM-3.AIC.31.xlsx.ab12cd_9.tmp", out / ".aggregate-summary.json.x1y2z3w4.tmp",
                tmpdir / "krm-aggregate-old1" / "rows-1.bin"]
    theirs = [out / "2019-05" / "notes.tmp", out / "2019-05" / ".KRM-3.AIC.31.xlsx.backup", out / "mine.xlsx",
              tmpdir / "krm-aggregate-noflag" / "rows-1.bin", tmpdir / "krm-aggregate-alive" / "rows-1.bin"]
    for f in krm_made + theirs:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x")
    (tmpdir / "krm-aggregate-old1" / ".krm-spool").write_bytes(f"krm spool pid {dead.pid}\n".encode())
    (tmpdir / "krm-aggregate-alive" / ".krm-spool").write_bytes(f"krm spool pid {os.getpid()}\n".encode())
    clean_stale(out)
    assert [f for f in krm_made if f.exists()] == []
    assert [f for f in theirs if not f.exists()] == []
    # and a real run (SIGKILLed earlier) leaves what the next run cleans: the same path through the CLI
    (out / ".krm-staging-99998").mkdir()
    code, _, err = done(krm("aggregate", REGION, "--out", out, "--force", tmpdir=tmpdir))
    assert code == 0, err
    assert not (out / ".krm-staging-99998").exists() and (out / "mine.xlsx").exists()
