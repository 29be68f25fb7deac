""".ci/run says plainly when another process holds the package manager, waits a bounded time, then stops."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _apt_wait() -> str:
    text = (ROOT / ".ci" / "run").read_text()
    start = text.index("apt_wait() {")
    return text[start:text.index("\n}\n", start) + 3]


@pytest.mark.skipif(shutil.which("fuser") is None, reason="fuser (psmisc) is not installed")
def test_ci_run_waits_for_a_locked_package_manager_then_says_so(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.write_text("")
    holder = subprocess.Popen(["bash", "-c", f"exec 3<>'{lock}'; sleep 60"])  # another process holds the lock
    try:
        time.sleep(0.5)
        script = _apt_wait() + "need=(chromium)\napt_wait\necho installing\n"
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "KRM_APT_LOCKS": str(lock),
                                "KRM_APT_WAIT": "5"})
        assert r.returncode == 2 and "installing" not in r.stdout
        assert "locked by another process; waiting up to 5s" in r.stdout
        assert "still locked by another process after 5s" in r.stderr and "chromium" in r.stderr
    finally:
        holder.kill()
        holder.wait()
    r = subprocess.run(["bash", "-c", _apt_wait() + "need=(chromium)\napt_wait\necho installing\n"],
                       capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "KRM_APT_LOCKS": str(lock)})
    assert r.returncode == 0 and r.stdout.strip() == "installing"  # free: straight on, no message
