#!/usr/bin/env python3
"""krm benchmark: a national month (3,000 KRM-2 workbooks) or a year (36,000) end to end.

    python bench/run.py --files 3000 [--reps 3] [--cache DIR] [--baseline-files 300]

1. Generates N realistic filled KRM-2 workbooks (bench/gen.py; cached under
   bench/.cache/, reused between runs; only the missing ones are written).
2. Times, as medians over --reps runs (the order of the measurements rotates
   between reps so no one always runs on a warm or cold machine):
   * floor     - open each zip and inflate its sheet XML + shared strings, no parsing
                 (in this process);
   * calamine  - python-calamine reading every cell of the form sheet (in this process):
                 the reader krm uses, without krm's work;
   * baseline  - what a user would write: pandas.read_excel(engine="openpyxl") per file,
                 summing the jobs-fact column (in this process; with --baseline-files M it
                 runs on the first M files and is scaled per file, and says so);
   * krm validate DIR, krm aggregate DIR, krm report, krm template --all, krm --help
     as whole processes (start-up and imports included), with peak memory, each with the
     register of submissions off (KRM_REGISTER=off): what the engine costs on files it has not seen;
   * chain - validate, aggregate, report one after the other as a user runs them, with a
     cache that starts empty (validate fills it; aggregate and report find the month in it).
3. Prints files/s, each ratio to the floor and to the baseline, peak RSS, and the issue's
   targets as met / missed.  Results are also written to <cache>/<pool>/results-N.json; a
   36,000-file run compares itself with the 3,000-file one for the linearity target.

A command that is not in this krm yet is reported as "not available".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen  # noqa: E402
import measure  # noqa: E402

TARGETS = {  # issue 16 ("the 10-second month"); issue 7's looser targets are in bench/README.md
    "validate_vs_floor": 2.0,  # krm validate (cold) within 2x the floor
    "validate_vs_baseline": 20.0,  # at least 20x faster than the pandas/openpyxl baseline
    "chain_cold_vs_floor": 4.0,  # validate -> aggregate -> report, empty register
    "chain_same_vs_floor": 1.0,  # the chain again on an unchanged month
    "chain_edit_vs_floor": 1.5,  # the chain again after 10 files were edited
    "linear": 1.2,  # 36,000 files: per-file cost within 1.2 x the 3,000-file one
    "peak_mb": 300.0,  # at 36,000 files, and flat in the number of files
    "template_s": 2.0,
    "help_s": 0.3,  # on an installed (non-editable) package
}
EDITED = 10  # files edited between the chain's second and third runs


# ------------------------------------------------------------------ generation
def _gen_worker(args):
    i, root, kw = args
    rec = gen.write_one(i, root / "files" / gen.file_spec(i).relpath, **kw)
    return rec


def ensure_files(cache: Path, n: int, *, nrows: int, spare_rows: int, seed: int, faulty: float,
                 jobs: int) -> tuple[Path, list[dict]]:
    """Make sure files 0…n-1 exist in the pool; return the pool dir and the n manifest records."""
    root = cache / gen.pool_name(nrows, spare_rows, seed, faulty)
    root.mkdir(parents=True, exist_ok=True)
    man_path = root / "manifest.jsonl"
    have: dict[int, dict] = {}
    if man_path.exists():
        for line in man_path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by an interrupted run
            if (root / "files" / rec["path"]).exists():
                have[rec["i"]] = rec
    missing = [i for i in range(n) if i not in have]
    if missing:
        print(f"generating {len(missing)} workbooks into {root} ({jobs} processes) …", flush=True)
        t0 = time.perf_counter()
        kw = dict(nrows=nrows, spare_rows=spare_rows, seed=seed, faulty=faulty)
        with open(man_path, "a", encoding="utf-8") as man, mp.get_context("fork").Pool(jobs) as pool:
            step = max(1, len(missing) // 10)
            for k, rec in enumerate(pool.imap(_gen_worker, [(i, root, kw) for i in missing], chunksize=16), 1):
                man.write(json.dumps(rec, ensure_ascii=False) + "\n")
                have[rec["i"]] = rec
                if k % step == 0:
                    print(f"  {k}/{len(missing)}  {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"generated in {time.perf_counter() - t0:.1f} s", flush=True)
    return root, [have[i] for i in range(n)]


def make_set(root: Path, recs: list[dict]) -> Path:
    """A folder holding exactly these files (hard links into the pool; copies if links fail)."""
    d = root / "sets" / str(len(recs))
    marker = d / ".complete"
    if marker.exists():
        return d
    if d.exists():
        shutil.rmtree(d)
    for r in recs:
        src = root / "files" / r["path"]
        dst = d / r["path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    marker.write_text("ok\n")
    return d


# ------------------------------------------------------------------ in-process readers
def floor(paths: list[Path]) -> int:
    """Open each zip and inflate its sheet XML (and the shared strings); no XML parsing."""
    n = 0
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            n += len(zf.read("xl/worksheets/sheet1.xml"))
            try:
                n += len(zf.read("xl/sharedStrings.xml"))
            except KeyError:
                pass
    return n


def calamine_read(paths: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    n = 0
    for p in paths:
        n += len(CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python(skip_empty_area=False))
    return n


def krm_read(paths: list[Path]) -> int:
    from krm.workbook.reader import read

    return sum(len(read(p).rows) for p in paths)


def baseline(paths: list[Path], skiprows: int, fact_col: int) -> int:
    """What an analyst would write with pandas: read each workbook, sum the jobs-fact column."""
    import warnings

    import pandas as pd

    total = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in paths:
            df = pd.read_excel(p, engine="openpyxl", header=None, skiprows=skiprows)
            total += int(pd.to_numeric(df[fact_col], errors="coerce").fillna(0).sum())
    return total


def _timed(fn, *a):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*a)
    return time.perf_counter() - t0, time.process_time() - c0, out


# ------------------------------------------------------------------ krm commands
def krm_exe() -> list[str]:
    """The krm console script of this interpreter (not a pyenv/asdf shim, which adds its own start-up)."""
    exe = Path(sys.executable).parent / "krm"
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("krm")
    return [found] if found else [sys.executable, "-c", "from krm.cli import run; run()"]


def command_help(krm: list[str], name: str) -> str | None:
    """The --help text of `krm NAME`, or None when the command does not exist."""
    try:
        p = subprocess.run(krm + [name, "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0:
        return None
    return p.stdout


def plan_commands(krm: list[str], set_dir: Path, out_dir: Path, period: str, jobs: int | None) -> dict[str, dict]:
    """The command lines of ``krm`` to time, built from what each command's --help offers."""
    plans: dict[str, dict] = {}
    jobs_opt = lambda h: (["--jobs", str(jobs)] if jobs and h and "--jobs" in h else [])  # noqa: E731

    h = command_help(krm, "validate")
    if h is None:
        plans["krm validate"] = {"missing": "krm validate: not available"}
    else:
        fmt = ["--format", "json"] if "--format" in h else []
        plans["krm validate"] = {"cmd": krm + ["validate", str(set_dir)] + fmt + jobs_opt(h), "stdout": "file",
                                 "ok": (0, 1)}
    h = command_help(krm, "aggregate")
    agg_out = out_dir / "aggregate"
    if h is None:
        plans["krm aggregate"] = {"missing": "krm aggregate: not available"}
    else:
        cmd = krm + ["aggregate", str(set_dir)]
        if "--out" in h:
            cmd += ["--out", str(agg_out)]
        if "--force" in h:
            cmd += ["--force"]
        plans["krm aggregate"] = {"cmd": cmd + jobs_opt(h), "stdout": "file", "ok": (0, 1), "clean": agg_out}
    h = command_help(krm, "report")
    rep_out = out_dir / "report"
    if h is None:
        plans["krm report"] = {"missing": "krm report: not available"}
    else:
        cmd = krm + ["report"]
        if "--month" in h:
            cmd += ["--month", period]
        cmd += [str(set_dir)]
        if "--out" in h:
            cmd += ["--out", str(rep_out)]
        if "--force" in h:
            cmd += ["--force"]
        plans["krm report"] = {"cmd": cmd + jobs_opt(h), "stdout": "file", "ok": (0, 1), "clean": rep_out}
    # the ministry's path: report over the aggregate's KRM-4/KRM-5 (prepared once, outside the timing)
    agg_ready = out_dir / "aggregate-for-report"
    if h is not None and "cmd" in plans.get("krm aggregate", {}):
        plans["krm report (from aggregate)"] = {
            "cmd": krm + ["report"] + (["--month", period] if "--month" in h else []) + [str(agg_ready)]
            + (["--out", str(out_dir / "report-from-agg")] if "--out" in h else []) + (["--force"] if "--force" in h else [])
            + jobs_opt(h),
            "stdout": "file", "ok": (0, 1), "clean": out_dir / "report-from-agg",
            "prepare": plans["krm aggregate"]["cmd"][:plans["krm aggregate"]["cmd"].index(str(set_dir)) + 1]
            + ["--out", str(agg_ready), "--force"], "prepared": agg_ready}
    tpl_out = out_dir / "templates"
    plans["krm template --all"] = {"cmd": krm + ["template", "--all", "--out", str(tpl_out), "--force"],
                                   "ok": (0,), "clean": tpl_out}
    plans["krm --help"] = {"cmd": krm + ["--help"], "ok": (0,)}
    return plans


# ------------------------------------------------------------------ report
def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    import python_calamine

    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "python": platform.python_version(),
            "platform": platform.platform(), "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "loadavg": os.getloadavg(), "calamine": getattr(python_calamine, "__version__", "?")}


def fmt_s(x: float | None) -> str:
    return "—" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=3000, help="number of KRM-2 workbooks (3000 = a national month)")
    ap.add_argument("--reps", type=int, default=3, help="runs per measurement; medians are reported")
    ap.add_argument("--cache", type=Path, default=HERE / ".cache", help="where generated workbooks are kept")
    ap.add_argument("--rows", type=int, default=60, help="data rows per workbook")
    ap.add_argument("--spare-rows", type=int, default=0, help="blank table rows after the data")
    ap.add_argument("--faulty", type=float, default=0.02, help="share of files with one typical mistake")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--baseline-files", type=int, default=None,
                    help="measure the pandas/openpyxl baseline on the first M files and scale per file")
    ap.add_argument("--jobs", type=int, default=None, help="pass --jobs to krm commands (default: theirs)")
    ap.add_argument("--gen-jobs", type=int, default=os.cpu_count() or 1, help="processes for generation")
    ap.add_argument("--only", default=None,
                    help="comma list of measurements: floor,calamine,krm-read,baseline,validate,aggregate,report,"
                         "report-from-aggregate,template,help,chain")
    ap.add_argument("--generate-only", action="store_true", help="generate the files and stop")
    ap.add_argument("--work", type=Path, default=None,
                    help="folder for the commands' outputs and the chain's copy of the month (default: the "
                         "cache's out/; give one of your own when several people share a --cache)")
    ap.add_argument("--ref", default=None,
                    help="another krm executable (e.g. an install of the code before a change): every krm row is "
                         "also timed with it, in the same reps, and new/ref ratios are printed")
    a = ap.parse_args(argv)
    if a.files < 1 or a.reps < 1:
        ap.error("--files and --reps must be >= 1")

    root, recs = ensure_files(a.cache, a.files, nrows=a.rows, spare_rows=a.spare_rows, seed=a.seed,
                              faulty=a.faulty, jobs=max(1, a.gen_jobs))
    set_dir = make_set(root, recs)
    paths = [set_dir / r["path"] for r in recs]
    du = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} workbooks in {set_dir} ({du / 1e6:.1f} MB, {du / len(paths) / 1e3:.1f} KB each; "
          f"{sum(1 for r in recs if r['fault'])} with a planted mistake)")
    if a.generate_only:
        return 0

    from krm import forms
    from krm.workbook.writer import layout

    lay = layout(forms.FORMS["KRM-2"], dt.date(2019, 1, 1), a.rows + a.spare_rows)
    fact_col = [c.key for c in lay.columns].index("fact")
    periods = sorted({gen.file_spec(r["i"]).period for r in recs})
    period = periods[0]
    want = set(a.only.split(",")) if a.only else None
    sel = lambda k: want is None or k in want  # noqa: E731

    nb = min(a.baseline_files or len(paths), len(paths))
    base_paths = paths[:nb]
    out_root = a.work or root / "out"
    impls = {"new": krm_exe()}
    if a.ref:
        impls["ref"] = [a.ref]
    key_of = {"krm validate": "validate", "krm aggregate": "aggregate", "krm report": "report",
              "krm report (from aggregate)": "report-from-aggregate",
              "krm template --all": "template", "krm --help": "help"}
    plans: dict[str, dict[str, dict]] = {}  # impl -> row name -> plan
    chains: dict[str, tuple[Path, dict]] = {}  # impl -> (its input folder, its chain commands)
    for impl, krm in impls.items():
        out_dir = out_root / impl
        out_dir.mkdir(parents=True, exist_ok=True)
        pl = plan_commands(krm, set_dir, out_dir, period, a.jobs)
        plans[impl] = {k: v for k, v in pl.items() if sel(key_of[k])}
        chain_in = out_dir / "chain-in"  # the bench's own copy of the month: the edit phase replaces files here
        cp = plan_commands(krm, chain_in, out_dir / "chain", period, a.jobs)
        if sel("chain") and all("cmd" in cp.get(x, {}) for x in CHAIN):
            chains[impl] = (chain_in, cp)
        for name, p in plans[impl].items():
            if p.get("prepare"):
                shutil.rmtree(p["prepared"], ignore_errors=True)
                print(f"preparing {name} ({impl}): {' '.join(p['prepare'][1:])}", flush=True)
                r = subprocess.run(p["prepare"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "KRM_REGISTER": "off"})
                if r.returncode not in (0, 1) or not p["prepared"].exists():
                    p.clear()
                    p["missing"] = f"{name}: preparing failed: {r.stderr.strip()[-200:]}"

    inproc = []
    if sel("floor"):
        inproc.append(("floor", lambda: floor(paths)))
    if sel("calamine"):
        inproc.append(("calamine read (in-process)", lambda: calamine_read(paths)))
    if sel("krm-read"):
        inproc.append(("krm reader.read (in-process)", lambda: krm_read(paths)))
    if sel("baseline"):
        inproc.append(("baseline", lambda: baseline(base_paths, lay.first_data_row, fact_col)))

    load0 = os.getloadavg()[0]
    times: dict[tuple, list[float]] = {}  # (impl, row) -> seconds per rep
    cpus: dict[tuple, list[float]] = {}
    runs: dict[tuple, list[measure.Run]] = {}
    steps = [("in", None, name, fn) for name, fn in inproc]
    for impl in impls:  # new and ref interleaved, so both see the same machine
        steps += [("cmd", impl, name, p) for name, p in plans[impl].items() if "cmd" in p]
    steps += [("chain", impl, "chain", chains[impl]) for impl in impls if impl in chains]
    env_off = {**os.environ, "KRM_REGISTER": "off"}
    expect_fact = sum(r["fact"] for r in recs[:nb])

    def record(key, r: measure.Run):
        runs.setdefault(key, []).append(r)
        times.setdefault(key, []).append(r.seconds)
        if r.cpu_s is not None:
            cpus.setdefault(key, []).append(r.cpu_s)

    for rep in range(a.reps):
        k = rep % len(steps) if steps else 0
        for kind, impl, name, obj in steps[k:] + steps[:k]:
            if kind == "in":
                s, cpu, out = _timed(obj)
                cpus.setdefault((None, name), []).append(cpu)
                if name == "baseline" and out != expect_fact:
                    print(f"  WARNING: baseline summed {out} jobs, the generator wrote {expect_fact}")
                times.setdefault((None, name), []).append(s)
                print(f"  rep {rep + 1}/{a.reps} {name}: {fmt_s(s)} s", flush=True)
            elif kind == "chain":
                for phase, res in run_chain(impl, *obj, recs, root, a, rep).items():
                    for step, r in res.items():
                        record((impl, f"chain {phase}: {step}"), r)
                    tot = sum(r.seconds for r in res.values())
                    times.setdefault((impl, f"chain {phase}: total"), []).append(tot)
                    cpus.setdefault((impl, f"chain {phase}: total"), []).append(
                        sum(r.cpu_s or 0.0 for r in res.values()))
                    print(f"  rep {rep + 1}/{a.reps} [{impl}] chain {phase}: {fmt_s(tot)} s, "
                          f"{fmt_s(sum(r.cpu_s or 0.0 for r in res.values()))} CPU-s", flush=True)
            else:
                if obj.get("clean"):
                    shutil.rmtree(obj["clean"], ignore_errors=True)
                log = out_root / impl / f"{name.split()[1]}{'-agg' if 'from aggregate' in name else ''}.stdout"
                with open(log, "wb") as fh:
                    r = measure.run(obj["cmd"], stdout=fh, env=env_off)
                if r.returncode not in obj["ok"]:
                    print(f"  [{impl}] {name}: exit {r.returncode}: {r.stderr_tail}")
                record((impl, name), r)
                print(f"  rep {rep + 1}/{a.reps} [{impl}] {name}: {fmt_s(r.seconds)} s, {fmt_s(r.cpu_s or 0)} CPU-s",
                      flush=True)
    return report(a, n_files=len(paths), nb=nb, inproc=inproc, plans=plans, impls=impls, times=times, cpus=cpus,
                  runs=runs, load0=load0, root=root, set_dir=set_dir, du=du, want=want)


CHAIN = ("krm validate", "krm aggregate", "krm report")
PHASES = ("cold", "unchanged", f"{EDITED} edited")


def copy_tree(src: Path, dst: Path) -> None:
    """The month copied, not linked: a hard link changes the inode's ctime, which is part of the file identity
    krm's register trusts, so linking the set's files again (another chain, another bench run, another session)
    would make every file of a register filled earlier look new and turn an "unchanged" chain into a full one."""
    shutil.rmtree(dst, ignore_errors=True)
    for p in sorted(src.rglob("*.xlsx")):
        q = dst / p.relative_to(src)
        q.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(p, q)


def edit_files(chain_in: Path, recs: list[dict], a, rep: int) -> None:
    """Replace EDITED files of the chain's folder (spread over the month) by other contents for the same
    submission: what a day of resubmissions looks like.  The pool's files are never touched (new inodes)."""
    step = max(1, len(recs) // EDITED)
    for r in recs[::step][:EDITED]:
        dst = chain_in / r["path"]
        tmp = dst.with_name(dst.name + ".new.xlsx")
        gen.write_one(r["i"], tmp, nrows=a.rows, spare_rows=a.spare_rows, seed=a.seed + 1000 + rep,
                      faulty=a.faulty)
        os.replace(tmp, dst)


def run_chain(impl: str, chain_in: Path, plans: dict, recs: list[dict], root: Path, a, rep: int) -> dict:
    """validate -> aggregate -> report as a user runs them, three times: with an empty register (cold), again
    on the unchanged month, and after EDITED files were replaced.  Returns phase -> step -> Run.

    The outputs are removed before the cold phase only: the unchanged and edited phases write into the same
    folders with --force, as a user runs the chain again (krm leaves an output whose inputs are unchanged as it
    is, docs/aggregate.md).  The month's files are copied in 2.1 s before the cold phase (outside the timing):
    files arrive before they are checked, and krm trusts a file's identity (inode, size, times) for its bytes
    only once its times are 2 s old (docs/register.md); the edited files are checked right after they were
    put in place, as a user does."""
    copy_tree(root / "sets" / str(len(recs)), chain_in)
    time.sleep(2.1)
    reg_dir = chain_in.parent / "chain-register"  # a folder of its own, made and removed by the bench
    shutil.rmtree(reg_dir, ignore_errors=True)
    env_on = {**os.environ, "KRM_REGISTER": str(reg_dir / "register.sqlite")}
    out: dict[str, dict] = {}
    for phase in PHASES:
        if phase != "cold" and phase != "unchanged":
            edit_files(chain_in, recs, a, rep)
        out[phase] = {}
        for step in CHAIN:
            p = plans[step]
            if p.get("clean") and phase == "cold":
                shutil.rmtree(p["clean"], ignore_errors=True)
            with open(chain_in.parent / f"chain-{step.split()[1]}.stdout", "wb") as fh:
                r = measure.run(p["cmd"], stdout=fh, env=env_on)
            if r.returncode not in p["ok"]:
                print(f"  [{impl}] chain {phase} {step}: exit {r.returncode}: {r.stderr_tail}")
            out[phase][step.split()[1]] = r
    shutil.rmtree(reg_dir, ignore_errors=True)
    return out


def report(a, *, n_files, nb, inproc, plans, impls, times, cpus, runs, load0, root, set_dir, du, want) -> int:
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    if (None, "baseline") in med and nb != n_files:
        med[(None, "baseline")] = med[(None, "baseline")] / nb * n_files
        cmed[(None, "baseline")] = cmed[(None, "baseline")] / nb * n_files
    fl, bl = med.get((None, "floor")), med.get((None, "baseline"))
    n = n_files
    m = machine()
    print()
    print(f"krm benchmark — {n} KRM-2 workbooks × {a.rows} rows, {a.reps} reps (medians); "
          f"{m['nproc']} cores, {m['cpu']}, {m['ram']}, Python {m['python']}, {m['date']}, load {m['loadavg'][0]:.2f}")
    if "ref" in impls:
        print(f"new = {' '.join(impls['new'])}; ref = {' '.join(impls['ref'])} (timed in the same reps)")
    if (None, "baseline") in med and nb != n:
        print(f"baseline measured on the first {nb} files and scaled per file to {n}")
    if load0 > 1.0:
        print(f"NOTE: load average was {load0:.2f} when the run started: other work shares these cores, wall "
              f"times are inflated; CPU seconds (user+sys of the whole process tree) are less affected")
    has_ref = "ref" in impls
    hdr = (f"{'measurement':30} {'seconds':>8} {'CPU s':>7} {'files/s':>8} {'× floor':>8} {'vs baseline':>12} "
           f"{'RSS MB':>7} {'tree MB':>7}")
    if has_ref:
        hdr += f" | {'ref s':>7} {'ref CPU':>7} {'ref×fl':>7} {'new/ref':>7} {'CPU n/r':>7}"
    print(hdr)
    print("-" * len(hdr))
    names = [x[0] for x in inproc] + [x for x in plans["new"]]
    names += sorted({k[1] for k in times if k[1].startswith("chain ")},
                    key=lambda x: (next(i for i, p in enumerate(PHASES) if x.startswith(f"chain {p}:")),
                                   [f": {c.split()[1]}" for c in CHAIN].index(x[x.index(":"):])
                                   if not x.endswith("total") else 9))
    result_rows = []
    for name in names:
        p = plans["new"].get(name, {})
        if "missing" in p:
            print(f"{name:30} {'not available':>9}")
            result_rows.append({"name": name, "available": False})
            continue
        impl = None if any(name == x[0] for x in inproc) else "new"
        s = med.get((impl, name))
        if s is None:
            continue
        per_file = name not in ("krm template --all", "krm --help")
        rr = runs.get((impl, name), [])
        rss = max((r.max_rss_mb for r in rr), default=None)
        tree = max((r.tree_mb for r in rr), default=None)
        codes = sorted({r.returncode for r in rr})
        vsb = f"{bl / s:.1f}× faster" if (bl and per_file and name != "baseline") else ""
        cs = cmed.get((impl, name))
        line = (f"{name:30} {fmt_s(s):>8} {fmt_s(cs) if cs is not None else '':>7} "
                f"{(f'{n / s:.0f}' if per_file else ''):>8} "
                f"{(f'{s / fl:.2f}' if fl and per_file else ''):>8} {vsb:>12} "
                f"{(f'{rss:.0f}' if rss else ''):>7} {(f'{tree:.0f}' if tree else ''):>7}")
        row = {"name": name, "available": True, "median_s": s, "all_s": times[(impl, name)],
               "median_cpu_s": cs, "all_cpu_s": cpus.get((impl, name)),
               "files_per_s": n / s if per_file else None, "x_floor": s / fl if fl and per_file else None,
               "x_faster_than_baseline": bl / s if bl and per_file and name != "baseline" else None,
               "max_rss_mb": rss, "tree_mb": tree, "exit_codes": codes,
               "cmd": " ".join(p["cmd"]) if p.get("cmd") else None}
        rs, rc = med.get(("ref", name)), cmed.get(("ref", name))
        if has_ref and impl is not None and rs is not None:
            line += (f" | {fmt_s(rs):>7} {fmt_s(rc) if rc else '':>7} "
                     f"{(f'{rs / fl:.2f}' if fl and per_file else ''):>7} {s / rs:>7.2f} "
                     f"{(f'{cs / rc:.2f}' if cs and rc else ''):>7}")
            row.update({"ref_median_s": rs, "ref_median_cpu_s": rc, "new_over_ref": s / rs,
                        "cpu_new_over_ref": cs / rc if cs and rc else None,
                        "ref_max_rss_mb": max((r.max_rss_mb for r in runs.get(("ref", name), [])), default=None)})
        print(line)
        result_rows.append(row)

    # ---- targets (issue 16)
    print()
    print("targets (issue 16; ratios to the floor measured in the same run):")
    ok_all = True

    def target(label: str, value, limit, cmp: str):
        nonlocal ok_all
        if value is None:
            print(f"  [ n/a ] {label}: not measured")
            return
        met = value <= limit if cmp == "<=" else value >= limit
        ok_all &= met
        print(f"  [{'met' if met else 'MISS':^5}] {label}: {value:.2f} (target {cmp} {limit})")

    v = med.get(("new", "krm validate"))
    target("krm validate (cold) / floor", v / fl if v and fl else None, TARGETS["validate_vs_floor"], "<=")
    target("baseline / krm validate", bl / v if v and bl else None, TARGETS["validate_vs_baseline"], ">=")
    for phase, key in zip(PHASES, ("chain_cold_vs_floor", "chain_same_vs_floor", "chain_edit_vs_floor")):
        t = med.get(("new", f"chain {phase}: total"))
        target(f"chain {phase} (validate → aggregate → report) / floor", t / fl if t and fl else None,
               TARGETS[key], "<=")
    target("krm template --all, s", med.get(("new", "krm template --all")), TARGETS["template_s"], "<=")
    target("krm --help, s", med.get(("new", "krm --help")), TARGETS["help_s"], "<=")
    peak = max((r.max_rss_mb for k, rr in runs.items() if k[0] == "new" for r in rr), default=None)
    target("peak RSS of any krm process, MB", peak, TARGETS["peak_mb"], "<=")
    prev = root / "results-3000.json"
    if n > 3000 and prev.exists():
        old = {r["name"]: r for r in json.loads(prev.read_text())["rows"] if r.get("available")}
        for name in ("krm validate", "krm aggregate", "krm report"):
            if name in old and ("new", name) in med:
                growth = med[("new", name)] / (old[name]["median_s"] * n / 3000)
                target(f"{name}: per-file time / the 3,000-file run's", growth, TARGETS["linear"], "<=")
                if old[name].get("max_rss_mb") and runs.get(("new", name)):
                    print(f"          peak RSS {max(r.max_rss_mb for r in runs[('new', name)]):.0f} MB "
                          f"(3,000 files: {old[name]['max_rss_mb']:.0f} MB)")
    res = {"files": n, "rows_per_file": a.rows, "spare_rows": a.spare_rows, "reps": a.reps, "baseline_files": nb,
           "machine": m, "load_at_start": load0, "rows": result_rows, "set_dir": str(set_dir), "bytes": du,
           "impls": {k: " ".join(v) for k, v in impls.items()}}
    # a partial run (--only, --jobs, other rows) must not replace the reference a later 36,000 run compares with
    full = want is None and a.jobs is None and a.rows == 60 and a.spare_rows == 0
    res["full_run"] = full
    dest = root / (f"results-{n}.json" if full else f"results-{n}-partial.json")
    dest.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    print(f"\nresults: {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
