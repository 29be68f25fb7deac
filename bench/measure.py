"""Run one command as a whole process and measure wall time and memory.

* wall time: ``time.perf_counter`` around fork/exec … exit (includes interpreter start-up
  and imports, as a user experiences it);
* ``max_rss_mb``: the peak resident set of the largest single process of the command's
  tree, exact, from GNU time's ``%M`` (wait4; Linux folds waited-for descendants into it,
  so a worker pool's largest worker counts).  The command is started by /usr/bin/time, a
  small C program, because a child forked straight from this (pandas-loaded) process
  would inherit its high-water mark across exec;
* ``cpu_s``: user + system CPU seconds of the command and all its (waited-for) workers,
  from GNU time: less sensitive than wall time to other work on a shared machine;
* ``tree_mb``: the peak of the *sum* over the process tree, sampled every 50 ms from
  /proc (PSS from smaps_rollup when readable, so pages shared by forked workers are
  not counted twice; else RSS).  A sample can miss a short spike; it is a lower bound.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    cmd: list[str]
    seconds: float
    returncode: int
    max_rss_mb: float
    tree_mb: float
    cpu_s: float | None  # user + system CPU seconds of the whole tree (None without GNU time)
    stderr_tail: str


def _children(pid: int) -> list[int]:
    """Child pids from /proc/PID/task/*/children (no scan of all of /proc)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            continue
    return out


def _mem_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE // 1024
    except OSError:
        return 0


def _tree_kb(root: int) -> int:
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += _mem_kb(p)
        todo.extend(_children(p))
    return total


def run(cmd: list[str], *, cwd: Path | None = None, stdout=None, env=None, sample: bool = True,
        timeout: float = 3600) -> Run:
    peak = [0]
    done = threading.Event()
    gnu_time = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None  # GNU time: -f/-o
    rss_file = None
    full = list(cmd)
    if gnu_time:
        fd, rss_file = tempfile.mkstemp(prefix="krmbench-", suffix=".rss")
        os.close(fd)
        full = [gnu_time, "-f", "%M %U %S", "-o", rss_file] + full
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, cwd=cwd, stdout=stdout if stdout is not None else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)

    def sampler():
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_kb(proc.pid))

    th = threading.Thread(target=sampler, daemon=True)
    if sample:
        th.start()
    # read stderr in a thread so a chatty command cannot block on a full pipe
    err: list[bytes] = []
    te = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    te.start()
    deadline = t0 + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(0.002)
    seconds = time.perf_counter() - t0
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    te.join(5)
    if sample:
        th.join(1)
    tail = (err[0] if err else b"").decode("utf-8", "replace").strip().splitlines()[-3:]
    max_kb = ru.ru_maxrss
    cpu = None
    if rss_file:
        try:
            txt = Path(rss_file).read_text().strip().splitlines()
            m, u, s_ = txt[-1].split()  # a first line "Command exited with non-zero status N" may precede it
            max_kb, cpu = int(m), float(u) + float(s_)
        except (OSError, ValueError, IndexError):
            pass
        finally:
            os.unlink(rss_file)
    return Run(cmd, seconds, proc.returncode, max_kb / 1024, peak[0] / 1024, cpu, "\n".join(tail))
