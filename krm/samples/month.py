"""Writing a sample month: every slot's KRM-1 and KRM-2, the faulty ones, and the manifests."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path

from krm import forms
from krm.samples.faults import _fault_plan, _write_fault, fault_codes
from krm.samples.files import _header, _write, krm1_name, krm1_rows, krm2_name, krm2_rows, region_folder
from krm.samples.model import DEFAULT_SEED, GENERATOR_VERSION, SampleResult, Slot, month_bounds
from krm.samples.plan import plan_month


def generate(out: str | Path, month: str = "2019-05", seed: int = DEFAULT_SEED, faulty: int = 0,
             force: bool = False, krm1: bool = True, progress=None,
             regions: list[str] | None = None, langs: list[str] | None = None) -> SampleResult:
    """Write the sample month (and the year's KRM-1 plans) under ``out``. Returns what was written.

    Raises FileExistsError when a file would be overwritten without ``force``.
    """
    first, month_end = month_bounds(month)
    year = str(first.year)
    out = Path(out)
    slots = plan_month(month, seed, regions, langs)
    faults = _fault_plan(slots, faulty, seed, month_end) if faulty else []
    codes = fault_codes()
    res = SampleResult(out=out, month=month, seed=seed)
    mdir, ydir = out / month, out / year

    # refuse before writing anything if something would be overwritten
    planned = [mdir / region_folder(s.region, month) / krm2_name(s.district, s.programme)
               for s in slots if s.krm2_time is not None]
    if krm1:
        planned += [ydir / region_folder(s.region, month) / krm1_name(s.district, s.programme) for s in slots]
    planned += [mdir / "faulty.json", mdir / "samples.json"]
    if not force:
        clash = next((p for p in planned if p.exists()), None)
        if clash is not None:
            raise FileExistsError(str(clash))
    else:
        _remove_stale(mdir, ydir)

    faulty_slots = {id(s): kind for kind, s in faults}
    ghosts: set[str] = set()
    k2, k1 = forms.get("KRM-2"), forms.get("KRM-1")
    total = len(slots) * (2 if krm1 else 1)
    done = 0
    for s in slots:
        folder = region_folder(s.region, month)
        if krm1:
            p = _write(ydir / folder / krm1_name(s.district, s.programme), k1, s.lang,
                       _header(k1, s, year, s.lang), krm1_rows(s.projects, s.lang), s.signature, s.krm1_time, force)
            res.krm1.append(p)
        done += 1
        if s.krm2_time is None:
            res.missing.append(f"{s.district}/{s.programme}")
        elif id(s) in faulty_slots:
            faults_written, paths = _write_fault(faulty_slots[id(s)], s, mdir, month, seed, codes, force, ghosts)
            res.faulty += faults_written
            res.krm2 += paths
        else:
            rows = krm2_rows(s.month_projects(month_end), s.lang)
            p = _write(mdir / folder / krm2_name(s.district, s.programme), k2, s.lang, _header(k2, s, month, s.lang),
                       rows, s.signature, s.krm2_time, force)
            res.krm2.append(p)
        done += 1
        if progress:
            progress(done, total)
    _write_manifests(res, slots, mdir, force)
    return res


def _write_manifests(res: SampleResult, slots: list[Slot], mdir: Path, force: bool, command: str | None = None,
                     about: str | None = None) -> None:
    from krm.workbook.writer import atomic_write

    mdir.mkdir(parents=True, exist_ok=True)
    faulty = {
        "month": res.month, "seed": res.seed, "generator": GENERATOR_VERSION,
        "about": about or ("Workbooks written with one intended mistake each. scope=file: `krm validate FILE` gives "
                           "exactly this finding code (and no other); scope=aggregate: the file is clean on its own, "
                           "the conflict shows when the month is rolled up. Every other workbook validates without "
                           "errors."),
        "files": {f.file: {k: v for k, v in asdict(f).items() if k != "file"} for f in res.faulty},
    }
    rel = lambda p: p.relative_to(res.out).as_posix()  # noqa: E731
    summary = {
        "month": res.month, "seed": res.seed, "generator": GENERATOR_VERSION,
        "command": command or f"krm samples --month {res.month} --out DIR --seed {res.seed} --faulty {len(res.faulty)}",
        "krm1": sorted(rel(p) for p in res.krm1), "krm2": sorted(rel(p) for p in res.krm2),
        "missing_krm2": sorted(res.missing),
        "slots": len(slots),
    }
    for name, obj in (("faulty.json", faulty), ("samples.json", summary)):
        text = json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        atomic_write(mdir / name, lambda tmp, t=text: Path(tmp).write_text(t, encoding="utf-8"), force=force)


def _remove_stale(mdir: Path, ydir: Path) -> None:
    """With --force: remove the workbooks a previous `krm samples` run listed (never anything else)."""
    man = mdir / "samples.json"
    if not man.is_file():
        return
    try:
        old = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    root = mdir.parent
    for relp in list(old.get("krm1", [])) + list(old.get("krm2", [])):
        p = (root / relp).resolve()
        if root.resolve() in p.parents and p.suffix == ".xlsx" and p.is_file():
            p.unlink()
    for d in (mdir, ydir):
        if d.is_dir():
            for sub in sorted(d.iterdir()):
                if sub.is_dir() and not any(sub.iterdir()):
                    shutil.rmtree(sub)


def digest(paths: list[Path]) -> str:
    """sha256 over the files' bytes in order (for the determinism test and the README)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    return h.hexdigest()
