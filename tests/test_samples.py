"""krm samples: deterministic, realistic, and every faulty file gives exactly its intended finding."""

from __future__ import annotations

import json
import re
import statistics
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krm import ids, reference, samples
from krm.cli import app
from krm.workbook.reader import read

REGIONS = ["43", "47", "79"]  # Kyzylorda, Mangystau, Shymkent: a small but varied sample
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    res = samples.generate(out, "2019-05", seed=7, faulty=len(samples.FAULT_KINDS), regions=REGIONS)
    return out, res


# ------------------------------------------------------------------ identifiers
def test_check_digit_matches_ids_module_and_wrong_digit_fails():
    import random

    rng = random.Random(1)
    for _ in range(200):
        b = samples.make_bin(rng)
        i = samples.make_iin(rng, female=rng.random() < 0.5)
        assert ids.inspect(b).ok and ids.inspect(b).kind == "BIN"
        assert ids.inspect(i).ok and ids.inspect(i).kind == "IIN"
        assert not ids.checksum_ok(samples.wrong_check_digit(b))


# ------------------------------------------------------------------ the plan (no files)
def test_plan_covers_every_2019_district_with_realistic_sizes():
    slots = samples.plan_month("2019-05", seed=2019)
    districts = {d.kato for d in reference.districts(None, "2019-05")}
    assert {s.district for s in slots} == districts  # every district reports
    assert len(reference.regions("2019-05")) == 17 == len({s.region for s in slots})
    assert 220 <= len(slots) <= 350
    assert len({s.programme for s in slots}) >= 8  # several programmes in use
    assert any(len([x for x in slots if x.district == d]) > 1 for d in districts)  # some districts run two
    projects = [p for s in slots for p in s.projects]
    alloc = sorted(float(p.allocated) for p in projects)
    # log-normal: a long right tail (many small projects, a few very large ones)
    assert statistics.mean(alloc) > 2 * statistics.median(alloc)
    assert alloc[-1] > 100 * statistics.median(alloc)
    jobs = [p.plan for p in projects]
    assert statistics.median(jobs) <= 10 < max(jobs) / 10
    assert all(p.disbursed <= p.allocated for p in projects)
    assert all(p.start < p.end for p in projects)
    assert sum(p.fact > p.plan for p in projects) < 0.03 * len(projects)  # fact <= plan, mostly
    iins = [p for p in projects if ids.inspect(p.bin).kind == "IIN"]
    assert 0.01 * len(projects) < len(iins) < 0.2 * len(projects)  # a few individual entrepreneurs
    assert all(ids.inspect(p.bin).ok for p in projects)
    names = {p.name_kk for p in projects} | {p.name_ru for p in projects}
    assert len(names) > 80
    assert any(n.startswith("Жылыжай кешенін салу") for n in names)
    assert any(n.startswith("Строительство цеха по переработке молока") for n in names) or \
        "Строительство цеха по переработке молока" in " ".join(names)
    assert {s.lang for s in slots} == {"kk", "ru"}
    assert any(s.krm2_time is None for s in slots)  # some KRM-2 did not arrive (for krm status)


def test_plan_is_deterministic_and_seed_dependent():
    a = samples.plan_month("2019-05", seed=5, regions=["47"])
    b = samples.plan_month("2019-05", seed=5, regions=["47"])
    c = samples.plan_month("2019-05", seed=6, regions=["47"])
    assert a == b
    assert a != c
    # a region's data do not depend on which other regions are generated
    both = samples.plan_month("2019-05", seed=5, regions=["43", "47"])
    assert [s for s in both if s.region == "47"] == a


# ------------------------------------------------------------------ the files
def test_layout_names_and_headers(sample):
    out, res = sample
    assert res.krm1 and res.krm2
    for p in res.files:
        rel = p.relative_to(out).as_posix()
        assert re.fullmatch(r"(2019|2019-05)/\d\d-[A-Za-z0-9-]+/KRM-[12]_\d{9}_[A-Z0-9_]+(_resent)?\.xlsx", rel), rel
    faulty = {f.file for f in res.faulty}
    for p in res.krm2[:12] + res.krm1[:6]:
        pf = read(p)
        kind = pf.spec.id
        assert p.name.startswith(kind)
        assert pf.header["period"] == ("2019" if kind == "KRM-1" else "2019-05")
        rel = p.relative_to(out / "2019-05").as_posix() if kind == "KRM-2" else None
        d = reference.district(pf.header["district"], None, "2019-05")
        if rel not in faulty:
            assert d is not None and d.kato in p.name
            assert reference.region(pf.header["region"], "2019-05").kato == d.region_kato
        assert reference.programme(pf.header["programme"], "2019-05") is not None
        assert pf.signature["executor"] and pf.signature["phone"] and pf.signature["head"]
        assert pf.modified is not None and pf.modified.year in (2018, 2019) and pf.modified.month in (6, 11, 12)
        assert len(pf.rows) >= 1


def test_krm2_projects_come_from_the_krm1_plan(sample):
    out, res = sample
    from krm.convert import to_submission

    faulty = {f.file for f in res.faulty} | {f.duplicate_of for f in res.faulty if f.duplicate_of}
    checked = 0
    for p in res.krm2:
        rel = p.relative_to(out / "2019-05").as_posix()
        if rel in faulty:
            continue
        plan = out / "2019" / p.parent.name / p.name.replace("KRM-2_", "KRM-1_")
        s2, s1 = to_submission(read(p)), to_submission(read(plan))
        plans = {r.project: r for r in s1.projects}
        for r in s2.projects:
            assert r.project in plans
            assert r.plan == plans[r.project].plan
            assert r.disbursed <= r.allocated
            assert r.allocated == (plans[r.project].allocated if plans[r.project].allocated else r.allocated)
        checked += 1
    assert checked >= 10


def test_same_seed_same_bytes(sample, tmp_path):
    out, res = sample
    again = samples.generate(tmp_path, "2019-05", seed=7, faulty=len(samples.FAULT_KINDS), regions=REGIONS)
    rel = lambda ps, root: sorted(p.relative_to(root).as_posix() for p in ps)  # noqa: E731
    assert rel(again.files, tmp_path) == rel(res.files, out)
    for a in sorted(again.files):
        b = out / a.relative_to(tmp_path)
        assert a.read_bytes() == b.read_bytes(), a
    for name in ("faulty.json", "samples.json"):
        assert (tmp_path / "2019-05" / name).read_bytes() == (out / "2019-05" / name).read_bytes()


def test_validate_gives_exactly_the_intended_findings(sample):
    from krm.validate import validate_paths

    out, res = sample
    manifest = json.loads((out / "2019-05" / "faulty.json").read_text(encoding="utf-8"))["files"]
    assert {v["kind"] for v in manifest.values()} == set(samples.FAULT_KINDS)
    reports = validate_paths([out], jobs=1)
    assert len(reports) == len(res.files)
    seen = set()
    for r in reports:
        rel = r.path.relative_to(out / "2019-05").as_posix() if "2019-05" in r.path.parts else None
        codes = {f.code for f in r.findings}
        if rel in manifest and manifest[rel]["scope"] == "file":
            want = manifest[rel]["code"]
            assert want, f"{manifest[rel]['kind']}: no catalogue code"
            assert codes == {want}, (rel, manifest[rel]["kind"], codes)
            cells = {f.cell for f in r.findings} | {c for f in r.findings for c in f.related}
            assert manifest[rel]["cell"] is None or manifest[rel]["cell"] in cells, (rel, cells)
            seen.add(rel)
        else:
            assert r.errors == 0, (r.path, [(f.code, f.cell) for f in r.findings])
    assert seen == {k for k, v in manifest.items() if v["scope"] == "file"}


def test_duplicate_submission_is_an_aggregate_conflict(sample):
    out, res = sample
    dup = next(f for f in res.faulty if f.kind == "duplicate-submission")
    assert dup.scope == "aggregate" and dup.code is None and dup.aggregate == "conflict"
    a, b = read(out / "2019-05" / dup.file), read(out / "2019-05" / dup.duplicate_of)
    for k in ("region", "district", "programme", "period"):
        assert a.header[k] == b.header[k]
    assert a.modified > b.modified  # the resubmission came later


def test_refuses_to_overwrite_and_force_replaces_only_its_own_files(sample, tmp_path):
    samples.generate(tmp_path, "2019-05", seed=3, regions=["47"])
    with pytest.raises(FileExistsError):
        samples.generate(tmp_path, "2019-05", seed=3, regions=["47"])
    keep = tmp_path / "2019-05" / "notes.txt"
    keep.write_text("mine")
    res = samples.generate(tmp_path, "2019-05", seed=4, regions=["47"], force=True)
    assert keep.read_text() == "mine"
    written = {p.resolve() for p in res.files}
    on_disk = {p.resolve() for p in tmp_path.rglob("*.xlsx")}
    assert on_disk == written  # the seed-3 files that seed 4 does not write were removed


def test_cli(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["samples", "--month", "2019-05", "--out", str(tmp_path), "--regions", "47",
                            "--faulty", "2", "-q"])
    assert r.exit_code == 0, r.output
    assert "KRM-2 workbooks" in r.output
    assert json.loads((tmp_path / "2019-05" / "faulty.json").read_text())["files"]
    r = runner.invoke(app, ["samples", "--month", "2019-05", "--out", str(tmp_path), "--regions", "47", "-q"])
    assert r.exit_code == 2 and "--force" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["samples", "--month", "2019-13", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "YYYY-MM" in r.output
    r = runner.invoke(app, ["samples", "--month", "2019-05", "--out", str(tmp_path), "--regions", "10"])
    assert r.exit_code == 2 and "no region 10" in r.output  # Abai Region did not exist in 2019


def test_committed_sample_month_matches_its_manifest():
    month = ROOT / "samples" / "2019-05"
    if not (month / "samples.json").is_file():
        pytest.skip("samples/ not generated in this checkout")
    summary = json.loads((month / "samples.json").read_text(encoding="utf-8"))
    manifest = json.loads((month / "faulty.json").read_text(encoding="utf-8"))
    files = sorted(p.relative_to(ROOT / "samples").as_posix() for sub in ("2019", "2019-05")
                   for p in (ROOT / "samples" / sub).rglob("*.xlsx"))
    assert files == sorted(summary["krm1"] + summary["krm2"])
    assert 200 <= len(summary["krm2"]) <= 400
    assert len(manifest["files"]) == 6
    size = sum((ROOT / "samples" / f).stat().st_size for f in files)
    assert size < 9_000_000
    for rel in manifest["files"]:
        assert (month / rel).is_file()


def test_money_has_at_most_three_decimals(sample):
    _, res = sample
    slots = samples.plan_month("2019-05", seed=7, regions=REGIONS)
    for s in slots:
        for p in s.projects:
            for v in (p.allocated, p.disbursed, p.rb, p.lb):
                assert v == v.quantize(Decimal("0.001"))
            assert p.rb + p.lb == p.allocated


@pytest.mark.slow
def test_committed_sample_month_validates_as_its_manifest_says():
    from krm.validate import validate_paths

    root = ROOT / "samples"
    month = root / "2019-05"
    if not (month / "faulty.json").is_file():
        pytest.skip("samples/ not generated in this checkout")
    manifest = json.loads((month / "faulty.json").read_text(encoding="utf-8"))["files"]
    for r in validate_paths([root / "2019", month], jobs=2):
        rel = r.path.relative_to(month).as_posix() if month in r.path.parents else None
        if rel in manifest and manifest[rel]["scope"] == "file":
            assert {f.code for f in r.findings} == {manifest[rel]["code"]}, rel
        else:
            assert r.errors == 0, (r.path, [(f.code, f.cell) for f in r.findings if f.severity == "error"])


@pytest.mark.parametrize("month", ["2019-11", "2019-12"])
def test_the_last_months_of_a_year_generate_and_validate_clean(tmp_path, month):
    """December used to fail: a not-yet-started project had no days left in the year to start in."""
    from krm.validate import validate_paths

    res = samples.generate(tmp_path, month, seed=11, regions=["47"])
    reps = validate_paths([tmp_path / month], jobs=1)
    assert reps and not [f.code for r in reps for f in r.findings if f.severity == "error"]
    assert res is not None


def test_many_faults_each_get_their_own_file(tmp_path):
    """--faulty above the number of kinds repeats every kind; each repeat is its own file with its finding."""
    from krm.validate import validate_paths

    res = samples.generate(tmp_path, "2019-03", seed=5, faulty=3 * len(samples.FAULT_KINDS))
    manifest = json.loads((tmp_path / "2019-03" / "faulty.json").read_text(encoding="utf-8"))["files"]
    ghosts = [k for k, v in manifest.items() if v["kind"] == "district-not-valid-for-period"]
    assert len(ghosts) == 3 and len(set(ghosts)) == 3
    by_rel = {r.path.relative_to(tmp_path / "2019-03").as_posix(): r
              for r in validate_paths([tmp_path / "2019-03"], jobs=2)}
    for rel in ghosts:
        assert {f.code for f in by_rel[rel].findings} == {manifest[rel]["code"]}
    assert len(res.faulty) == len(manifest)
