#!/usr/bin/env python3
"""Where a month's krm commands spend their time: py-spy profiles of the benchmark's runs, summarised.

    python bench/profile.py [--files 3000] [--cache DIR] [--krm PATH] [--rate 250] [--out DIR] [--top 30]

Profiles, over the whole process tree (parent and pool workers, ``py-spy record --subprocesses``):

* cold, register off: ``krm validate DIR --format json``, ``krm aggregate DIR --out``, ``krm report --month``;
* the chain after edits: validate -> aggregate -> report with a register, run once cold (not profiled), then
  the bench's 10 files replaced (as ``bench/run.py`` edits them) and the three steps profiled.

For each run it prints the samples by process (parent, workers), the functions with the largest inclusive share
(krm's own and the libraries' frames, the CLI's dispatch left out) and the lines with the largest own share;
the raw stacks (py-spy's ``raw`` format, one collapsed stack a line) are kept in ``--out`` for a flame graph
(e.g. ``flamegraph.pl``) or another summary. Shares are of all samples of the run, workers included, so a
function at 30 % took about 30 % of the CPU time the command used.

py-spy is not a dependency of krm: ``pip install py-spy`` first. The month's workbooks are bench/run.py's
(generated into ``--cache`` if missing) and are copied, never linked, so the cache's files keep their times.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402

#: frames that only dispatch (the CLI, the pool's plumbing, imports): not worth a line in the summary
_PLUMBING = re.compile(r"typer/|_click/|click/|multiprocessing/|importlib\._bootstrap|<frozen |krm/cli\.py|"
                       r"krm/pool\.py|^<module> \(krm$|selectors\.py")
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*?)(?::(?P<line>\d+))?\)$")
_PROCESS = re.compile(r'^process (?P<pid>\d+):')


def frame_key(frame: str) -> tuple[str, str]:
    """(function and file, with the line) of one py-spy frame ``func (path/to/file.py:123)``; a path is cut to
    what follows site-packages or the standard library's folder, so two installs of krm summarise alike (py-spy
    itself shortens paths to the package's part unless told ``--full-filenames``)."""
    m = _FRAME.match(frame)
    if not m:
        return frame, frame
    path = m.group("file")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/lib/python" in path:
        path = path.split("/lib/python", 1)[1].split("/", 1)[-1]
    func = f"{m.group('func')} ({path})"
    return func, f"{func}:{m.group('line')}" if m.group("line") else func


def summarise(raw: Path, top: int = 30) -> str:
    """A text summary of one py-spy raw profile: samples by process, top inclusive functions, top own lines."""
    by_process: collections.Counter = collections.Counter()
    incl: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    parent = None
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        # a forked worker's stack begins with its parent's frames: the last "process" frame names the process
        pids = [int(m.group("pid")) for m in map(_PROCESS.match, stack.split(";")) if m]
        frames = [f for f in stack.split(";") if not _PROCESS.match(f)]
        if pids:
            parent = pids[0] if parent is None else parent
            by_process[pids[-1]] += count
        seen = set()
        for f in frames:
            func, _ = frame_key(f)
            if func not in seen and not _PLUMBING.search(func):
                seen.add(func)
                incl[func] += count
        if frames:
            own[frame_key(frames[-1])[1]] += count
    if not total:
        return "  (no samples)\n"
    out = [f"  {total} samples; by process: "
           + ", ".join(f"{'parent' if pid == parent else 'worker'} {c / total:.0%}" for pid, c in
                       sorted(by_process.items(), key=lambda kv: (kv[0] != parent, -kv[1])))]
    out.append("  inclusive (share of all samples):")
    out += [f"    {c / total:6.1%}  {k}" for k, c in incl.most_common(top)]
    out.append("  own (the line running when sampled):")
    out += [f"    {c / total:6.1%}  {k}" for k, c in own.most_common(max(10, top // 2))]
    return "\n".join(out) + "\n"


def profile(spy: str, cmd: list[str], raw: Path, env: dict, rate: int) -> int:
    """Run ``cmd`` under py-spy; its stdout goes to a file beside ``raw``. Returns the command's exit code."""
    with open(raw.with_suffix(".stdout"), "wb") as fh:
        p = subprocess.run([spy, "record", "--subprocesses", "-r", str(rate), "-f", "raw", "-o", str(raw),
                            "--", *cmd], stdout=fh, stderr=subprocess.PIPE, env=env)
    return p.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--cache", type=Path, default=HERE / ".cache")
    ap.add_argument("--krm", default=None, help="the krm executable (default: the one beside this Python)")
    ap.add_argument("--rate", type=int, default=250, help="samples a second (py-spy -r)")
    ap.add_argument("--out", type=Path, default=None, help="where the raw profiles go (default: a folder in --cache)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--only", choices=("cold", "edited"), default=None)
    a = ap.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists() and not shutil.which(spy):
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    krm = [a.krm] if a.krm else bench.krm_exe()
    # the month exactly as bench/run.py makes it (same generator defaults)
    a.rows, a.spare_rows, a.faulty, a.seed, a.gen_jobs = 60, 0, 0.02, 7, os.cpu_count() or 1
    root, recs = bench.ensure_files(a.cache, a.files, nrows=a.rows, spare_rows=a.spare_rows, seed=a.seed,
                                    faulty=a.faulty, jobs=a.gen_jobs)
    set_dir = bench.make_set(root, recs)
    work = a.out or (root / f"profile-{a.files}")
    shutil.rmtree(work, ignore_errors=True)
    month_in = work / "in"
    shutil.copytree(set_dir, month_in)  # copied, not linked: the cache's files keep their ctimes
    period = sorted({bench.gen.file_spec(r["i"]).period for r in recs})[0]
    env_off = {**os.environ, "KRM_REGISTER": "off", "XDG_DATA_HOME": str(work / "xdg")}
    env_on = {**env_off, "KRM_REGISTER": str(work / "register" / "register.sqlite")}
    steps = {
        "validate": krm + ["validate", str(month_in), "--format", "json"],
        "aggregate": krm + ["aggregate", str(month_in), "--out", str(work / "agg"), "--force"],
        "report": krm + ["report", "--month", period, str(month_in), "--out", str(work / "rep"), "--force"],
    }
    print(f"krm profiles: {a.files} KRM-2 workbooks of bench/run.py ({set_dir}); krm = {' '.join(krm)}; "
          f"py-spy at {a.rate} Hz; raw stacks in {work}\n")
    if a.only in (None, "cold"):
        for name, cmd in steps.items():
            raw = work / f"cold-{name}.raw"
            t0 = time.perf_counter()
            rc = profile(spy, cmd, raw, env_off, a.rate)
            print(f"== cold, register off: krm {name} (exit {rc}, {time.perf_counter() - t0:.1f} s under py-spy)")
            print(summarise(raw, a.top))
    if a.only in (None, "edited"):
        time.sleep(2.1)  # the files' times settle (krm trusts an identity only for times 2 s old)
        for name, cmd in steps.items():  # the cold chain with a register: not profiled
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_on)
        bench.edit_files(month_in, recs, a, 0)
        for name, cmd in steps.items():
            raw = work / f"edited-{name}.raw"
            t0 = time.perf_counter()
            rc = profile(spy, cmd, raw, env_on, a.rate)
            print(f"== chain after {bench.EDITED} edits: krm {name} (exit {rc}, "
                  f"{time.perf_counter() - t0:.1f} s under py-spy)")
            print(summarise(raw, a.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
