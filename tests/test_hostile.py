"""The hostile / broken workbook corpus (tests/make_bad_corpus.py) against `krm validate`.

Every case must give its specific finding code (or, for files that cannot be read,
its one-line read error) with the right exit status, never a traceback, within
bounded time and memory:

* the whole corpus goes through one real CLI run (``krm validate DIR --format json
  --jobs 2``) under an address-space limit and a timeout; its JSON is asserted
  case by case;
* the most hostile cases also run one by one through the CLI (exit status per file);
* every case runs once more through ``validate_file`` in a forked worker limited
  to 512 MB and 30 s (``krm.pool.run_isolated``), which fails the case if it
  crashes, runs out of memory or hangs.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from make_bad_corpus import make_corpus  # noqa: E402

from krm.pool import run_isolated  # noqa: E402
import krm.validate  # noqa: E402,F401 - imported before forking, so worker timings are the validation alone

KRM = [sys.executable, "-c", "from krm.cli import run; run()"]
CLI_TIMEOUT_S = 120
CLI_AS_LIMIT = 4 * 1024 ** 3  # address space of the CLI process (its workers limit themselves further)
CLI_MAX_RSS_MB = 1024
CASE_TIMEOUT_S = 30
CASE_MEM_MB = 512

_DIR = Path(tempfile.mkdtemp(prefix="krm-bad-corpus-"))
atexit.register(shutil.rmtree, _DIR, True)
EXPECTED = make_corpus(_DIR)
NAMES = sorted(EXPECTED)
HOSTILE = [n for n in NAMES if n.startswith(("zip_bomb", "laughs", "xxe", "million", "far_", "old_", "encrypted",
                                              "truncated", "empty", "malformed", "opendocument", "shadow", "fifo"))]
#: RSS a case may add to its worker (MB): the guard refuses far cells before calamine allocates a grid
CASE_GROW_MB = 160


def digests(folder: Path) -> dict[str, tuple]:
    """Every input's bytes (SHA-256) and times; a FIFO by its kind and times (it is never read)."""
    import hashlib
    import stat

    out = {}
    for p in sorted(folder.iterdir()):
        st = p.lstat()
        if stat.S_ISREG(st.st_mode):
            out[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_size, st.st_mtime_ns)
        else:
            out[p.name] = (stat.S_IFMT(st.st_mode), st.st_mtime_ns)
    return out


BEFORE = digests(_DIR)


def _limit_as():
    resource.setrlimit(resource.RLIMIT_AS, (CLI_AS_LIMIT, CLI_AS_LIMIT))


def run_cli(args: list[str], timeout: float = CLI_TIMEOUT_S) -> tuple[int, str, str, float, int]:
    """Run krm; returns (exit code, stdout, stderr, seconds, peak RSS MB of it and its workers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.monotonic()
        p = subprocess.Popen(KRM + args, stdout=out, stderr=err, stdin=subprocess.DEVNULL, preexec_fn=_limit_as,
                             env={**os.environ, "COLUMNS": "200", "PYTHONFAULTHANDLER": "",
                                  "KRM_REGISTER": "off"})  # whatever an earlier test left in os.environ
        ru = None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                p.kill()
                os.wait4(p.pid, 0)
                pytest.fail(f"krm {' '.join(args)} did not finish within {timeout} s")
            time.sleep(0.02)
        p.returncode = os.waitstatus_to_exitcode(status)
        secs = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), secs,
                ru.ru_maxrss // 1024)


@pytest.fixture(scope="module")
def corpus_run():
    code, out, err, secs, rss = run_cli(["validate", str(_DIR), "--format", "json", "--jobs", "2"])
    return {"code": code, "json": json.loads(out) if out.strip().startswith("{") else None, "err": err,
            "secs": secs, "rss": rss}


def test_corpus_is_big_enough():
    assert len(EXPECTED) >= 30
    assert sum(1 for e in EXPECTED.values() if 2 in e["exit"] and len(e["exit"]) == 1) >= 15


def test_corpus_run_bounded_and_clean(corpus_run):
    assert "Traceback" not in corpus_run["err"], corpus_run["err"][-2000:]
    assert corpus_run["json"] is not None, corpus_run["err"][-2000:]
    assert corpus_run["code"] == 2  # some inputs are unreadable
    assert corpus_run["rss"] < CLI_MAX_RSS_MB, f"peak RSS {corpus_run['rss']} MB"
    paths = {Path(f["path"]).name for f in corpus_run["json"]["files"]}
    assert paths >= {n for n in NAMES if n.endswith((".xlsx", ".xlsm", ".xls", ".ods"))}


def _file_exit(findings: list[dict]) -> int:
    from krm.catalogue import READ_ERRORS

    if any(f["code"] in READ_ERRORS for f in findings):
        return 2
    return 1 if any(f["severity"] == "error" for f in findings) else 0


@pytest.mark.parametrize("name", NAMES)
def test_case_finding(name, corpus_run, request):
    exp = EXPECTED[name]
    if exp.get("known_gap"):
        request.applymarker(pytest.mark.xfail(reason=exp["known_gap"], strict=True))
    found = [f for f in corpus_run["json"]["findings"] if Path(f["file"]).name == name]
    codes = {f["code"] for f in found}
    for code in exp["codes"]:
        assert code in codes, (f"{name}: {exp['what']}: expected {code}, got {sorted(codes)}: "
                               f"{[(f['code'], f.get('message')) for f in found]}")
    for code in exp["absent"]:
        assert code not in codes, f"{name}: {code} should not be reported"
    assert _file_exit(found) in exp["exit"], (name, sorted(codes))
    for f in found:  # every finding is explained: a message and a hint, in the file's place
        assert f["message"] and f["message"] != f["code"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_case_cli(name):
    code, out, err, secs, rss = run_cli(["validate", str(_DIR / name), "--format", "json"], timeout=60)
    assert "Traceback" not in err and "panicked" not in err, err[-2000:]
    assert code in EXPECTED[name]["exit"], (code, err[-500:])
    data = json.loads(out)
    assert set(EXPECTED[name]["codes"]) <= {f["code"] for f in data["findings"]}
    assert rss < CLI_MAX_RSS_MB


def _measure(path: Path):
    """validate_file in a worker; returns the codes, seconds and RSS growth (MB)."""
    from krm.validate import validate_file

    def rss_mb():
        with open("/proc/self/status") as fh:
            return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS")) // 1024

    before = rss_mb()
    t0 = time.perf_counter()
    rep = validate_file(path)
    secs = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return sorted({f.code for f in rep.findings}), secs, max(0, peak - before)


def test_every_case_bounded_in_isolation():
    """Each case alone in a fresh worker limited to 512 MB / 30 s: no crash, no out-of-memory, no timeout."""
    paths = [_DIR / n for n in NAMES]
    results = []
    for p in paths:  # one worker per file, so each RSS figure is that file's own
        results += run_isolated(_measure, [p], jobs=1, isolate=True, mem_limit_mb=CASE_MEM_MB,
                                timeout_s=CASE_TIMEOUT_S)
    failed = [(p.name, res) for p, ok, res in results if not ok]
    assert not failed
    for p, ok, (codes, secs, grow) in results:
        assert set(EXPECTED[p.name]["codes"]) <= set(codes) or EXPECTED[p.name].get("known_gap"), (p.name, codes)
        assert grow < CASE_GROW_MB, (p.name, grow)
    if os.environ.get("KRM_HOSTILE_TABLE"):  # the table in docs/hostile.md
        for p, ok, (codes, secs, grow) in results:
            print(f"| {p.name} | {', '.join(codes) or '—'} | {secs * 1000:.0f} | {grow} |")


def test_sheet_extent_sees_far_cells_cheaply():
    from krm.workbook import guard

    rows = b"".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>'.encode() for r in range(1, 40))
    assert guard.sheet_extent(b"<sheetData>" + rows + b"</sheetData>") == (39, 0)
    # rows out of order: the far one is in the middle
    far = rows.replace(b'<row r="5">', b'<row r="500000">')
    assert guard.sheet_extent(far)[0] == 500000
    wide = rows.replace(b'<c r="A7">', b'<c r="XFD7">')
    assert guard.sheet_extent(wide) == (39, 16384)
    with pytest.raises(Exception) as e:
        guard.check_extent(wide, 100_000, 400)
    assert getattr(e.value, "code", None) == "KRM-E007"


def test_sheet_extent_after_row_breaks(monkeypatch):
    """A printed sheet ends with ``<rowBreaks>`` (page breaks, after the cells): its extent is still read
    the cheap way (two searches, not every reference), and a far cell before it is still seen."""
    from krm.workbook import guard

    rows = b"".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>'.encode() for r in range(1, 40))
    printed = b"<sheetData>" + rows + b'</sheetData><rowBreaks count="1"><brk id="20" max="16383"/></rowBreaks>'
    far = printed.replace(b'<c r="A7">', b'<c r="XFD7">')
    assert guard.sheet_extent(far)[1] == 16384
    with pytest.raises(Exception) as e:
        guard.check_extent(far, 100_000, 400)
    assert getattr(e.value, "code", None) == "KRM-E007"

    def exact(*a):
        raise AssertionError("every reference read for a plain sheet")

    monkeypatch.setattr(guard, "_exact_extent", exact)
    assert guard.sheet_extent(printed) == (39, 0)


def test_inputs_byte_identical_after_every_run(corpus_run):
    """No run changes an input: the corpus after the CLI runs (and the isolated runs, when they ran first)
    has the bytes and modification times it was written with."""
    assert corpus_run["json"] is not None
    assert digests(_DIR) == BEFORE


@pytest.mark.parametrize("twin_last", [True, False])
def test_calamine_takes_the_last_member_of_a_name_in_any_case(twin_last):
    """What krm's guard assumes of python-calamine (reader.zipparts.member, guard.check_shared_parts): a part is
    found by its name regardless of case, and of several such members the last in the zip is read."""
    import io
    import zipfile

    from python_calamine import CalamineWorkbook

    import make_bad_corpus as M
    from krm.workbook.reader import col_index
    from krm.workbook.reader.zipparts import member, members

    p = M.parts(M.good_bytes())
    row, col = M.first_data_row() - 1, col_index(M.col_letter("plan"))
    other = M.set_cell(p[M.SHEET], f"{M.col_letter('plan')}{row + 1}", "<v>777</v>")
    twin = "xl/worksheets/Sheet1.xml"
    q = {**p, twin: other} if twin_last else {**{twin: other}, **p}
    data = M.build(q)
    grid = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert grid[row][col] == (777 if twin_last else 25)  # the last of sheet1.xml / Sheet1.xml, the exact one or not
    names = list(q)
    assert members(names, "XL/worksheets/SHEET1.xml") == [n for n in names if n.lower() == M.SHEET]
    assert members(names, M.SHEET)[-1] == (twin if twin_last else M.SHEET)
    alone = M.build(M._renamed(p, M.SHEET, twin))  # no twin: the member calamine reads for the target
    with zipfile.ZipFile(io.BytesIO(alone)) as zf:
        assert member(zf, M.SHEET) == twin and member(zf, "xl/styles.xml") == "xl/styles.xml"
    grid = CalamineWorkbook.from_filelike(io.BytesIO(alone)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert grid[row][col] == 25


def test_a_workbook_part_named_in_another_case_is_refused_saying_so(tmp_path):
    """A package whose only workbook part is XL/Workbook.xml: calamine would read it (it finds parts in any case),
    LibreOffice and openpyxl do not open it (they look the part up by its name): KRM-E002, naming the member.  With
    xl/workbook.xml beside it (case twins): KRM-E072, whose message speaks of more than the list of sheets."""
    import io

    from python_calamine import CalamineWorkbook

    import make_bad_corpus as M
    from krm.validate import validate_file

    p = M.parts(M.good_bytes())
    data = M.build(M._renamed(p, "xl/workbook.xml", "XL/Workbook.xml"))
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names  # calamine reads it
    (tmp_path / "upper.xlsx").write_bytes(data)
    rep = validate_file(tmp_path / "upper.xlsx")
    assert [f.code for f in rep.findings] == ["KRM-E002"]
    for lang in ("kk", "ru", "en"):
        assert "its workbook part is named XL/Workbook.xml" in rep.findings[0].message(lang)
    (tmp_path / "twins.xlsx").write_bytes(M.build({**p, "XL/Workbook.xml": p["xl/workbook.xml"]}))
    (f,) = validate_file(tmp_path / "twins.xlsx").findings
    assert f.code == "KRM-E072" and "differ only in case" in f.message("en")
    assert f.message("en").startswith("The workbook can be read in more than one way")
    assert f.message("ru").startswith("Книгу можно прочитать по-разному")
    assert f.message("kk").startswith("Жұмыс кітабын әртүрлі оқуға болады")


def test_docs_name_every_case():
    """docs/hostile.md's tables of the corpus name every case (a full name, or ``…_rest`` after one in its row, as
    `far_cell_sheet_target_dot.xlsx`, `…_dotdot`), and no file that is not a case: what it says of the corpus is
    about the corpus there is (a number given as the corpus's size is its size)."""
    import re

    named = set()
    text = (Path(__file__).parent.parent / "docs" / "hostile.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cell = re.findall(r"`([^`]+)`", line.split("|")[1])
        if not cell or not cell[0].lower().endswith((".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")):
            continue
        stem, ext = os.path.splitext(cell[0])
        for name in cell:
            named.add(stem.rsplit("_", 1)[0] + name[1:] + ext if name.startswith("…") else name)
    assert named == set(NAMES), (sorted(set(NAMES) - named), sorted(named - set(NAMES)))
    counts = re.findall(r"corpus (?:of|has|is) (\d+)", text)  # a count of the corpus, if one is given, is its size
    assert all(int(n) == len(NAMES) for n in counts), (counts, len(NAMES))
