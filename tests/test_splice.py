"""krm aggregate after edits, with the register holding every input (krm/aggregate/splice.py): the inputs are taken
from the register without SQLAlchemy and the run goes on as a full one.  After edits, additions, removals, a file
made an error and conflicting copies, each run is compared with a full run through the register (into its own
output folder) and with a run without the register: exit code, stdout, stderr and every output file the same bytes.
SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import fill
import krm.register as register
from test_memo import month, settled_now  # noqa: F401 - fixtures
from test_register import _fresh_pg_database, _tree, cli, reg_url  # noqa: F401 - fixtures


@pytest.fixture
def spliced(monkeypatch):
    """Counts the aggregate runs whose inputs came from the register (prepare gave them), and lets a test turn
    the splice off (``spliced.off = True``: every run in full)."""
    import krm.aggregate.splice as s

    real = s.prepare

    class Count:
        n = 0
        off = False

    def counted(*a, **kw):
        if Count.off:
            return None
        got = real(*a, **kw)
        Count.n += got is not None
        return got

    monkeypatch.setattr(s, "prepare", counted)
    return Count


def _three(month: Path, tmp_path: Path, reg_url: str, spliced, *extra) -> None:
    """validate, then aggregate spliced (s), in full through the register (f) and without it (n): the same."""
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    n0 = spliced.n
    s = cli("aggregate", month, "--out", tmp_path / "out-s", "--force", *extra)
    assert spliced.n == n0 + 1, s.output  # its inputs came from the register
    spliced.off = True
    try:
        f = cli("aggregate", month, "--out", tmp_path / "out-f", "--force", *extra)
        n = cli("aggregate", month, "--out", tmp_path / "out-n", "--force", "--no-register", *extra)
        os.environ["KRM_REGISTER"] = reg_url  # --no-register set it off for this process
    finally:
        spliced.off = False
    assert s.exit_code == f.exit_code == n.exit_code
    assert s.exit_code in (0, 1), s.output
    assert s.stdout.replace(str(tmp_path / "out-s"), "OUT") == f.stdout.replace(str(tmp_path / "out-f"), "OUT") \
        == n.stdout.replace(str(tmp_path / "out-n"), "OUT")
    assert s.stderr == f.stderr  # the outputs left as they were: the same count
    assert _tree(tmp_path / "out-s") == _tree(tmp_path / "out-f") == _tree(tmp_path / "out-n")


def _replace(month: Path, tmp_path: Path, n: int, seed: int) -> list[Path]:
    """Other contents for the same submissions in place of ``n`` KRM-2 files (as the bench edits a month)."""
    from krm import samples

    samples.generate(tmp_path / f"other{seed}", "2019-05", seed=seed, regions=["47"])
    other = tmp_path / f"other{seed}" / "2019-05"
    done = []
    for p in [p for p in sorted(month.rglob("KRM-2_*.xlsx")) if (other / p.relative_to(month)).exists()][:n]:
        tmp = p.with_name(p.name + ".new")
        shutil.copyfile(other / p.relative_to(month), tmp)
        os.replace(tmp, p)
        done.append(p)
    return done


@pytest.mark.parametrize("extra", [(), ("--format", "json"), ("--prefer", "newest", "--format", "json"),
                                   ("--period", "2019-05", "--lang", "ru")])
def test_after_edits_additions_removals_and_conflicts_as_a_full_run(reg_url, month, settled_now, spliced, tmp_path,
                                                                    extra):  # noqa: F811
    _three(month, tmp_path, reg_url, spliced, *extra)  # every output new
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))
    _replace(month, tmp_path, 2, 11)  # other figures for two districts
    _three(month, tmp_path, reg_url, spliced, *extra)
    fill.edit(k2[2], {})  # saved again by a program: other bytes, same figures
    shutil.copy(k2[3], k2[3].with_name("copy.xlsx"))  # an addition: a duplicate of a district's submission
    _three(month, tmp_path, reg_url, spliced, *extra)
    k2[4].unlink()  # a removal
    shutil.copyfile(k2[5], k2[6])  # the same bytes at two paths: a conflict
    _three(month, tmp_path, reg_url, spliced, *extra)
    pf = fill.locate(k2[1])
    fill.edit(k2[1], {fill.cell_of(pf, 0, "plan"): "x"})  # an error: the file is excluded
    _three(month, tmp_path, reg_url, spliced, *extra)
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def test_a_file_the_register_does_not_hold_runs_in_full(reg_url, month, settled_now, spliced, tmp_path):  # noqa: F811
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    assert cli("aggregate", month, "--out", tmp_path / "out-s", "--force").exit_code in (0, 1)
    assert spliced.n == 1
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))
    fill.edit(k2[0], {})  # not validated since: its bytes are new to the register
    r = cli("aggregate", month, "--out", tmp_path / "out-s", "--force")
    assert spliced.n == 1 and r.exit_code in (0, 1)  # in full: it records the new version
    shutil.copy(k2[1], k2[1].with_name("copy.xlsx"))  # known bytes at a path the register has not seen
    r = cli("aggregate", month, "--out", tmp_path / "out-s", "--force")
    assert spliced.n == 1 and r.exit_code in (0, 1)
    r = cli("aggregate", month, "--out", tmp_path / "out-s", "--force", "--lang", "ru")
    assert spliced.n == 2 and r.exit_code in (0, 1)  # all held now: spliced
    (month / "notes.xlsx").write_bytes(b"not a workbook")  # a file the register cannot stand for: in full
    assert cli("validate", month, "--format", "json").exit_code == 2
    cli("aggregate", month, "--out", tmp_path / "out-s", "--force")
    assert spliced.n == 2


def test_too_many_files_to_hash_run_in_full(reg_url, month, settled_now, spliced, tmp_path, monkeypatch):  # noqa: F811
    import krm.aggregate.splice as s

    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    n = len(_replace(month, tmp_path, 3, 11))
    monkeypatch.setattr("krm.register.memo.SETTLED_NS", 10 ** 15)  # "just now": identities not recorded
    monkeypatch.setattr("krm.register.answers.SETTLED_NS", 10 ** 15)
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    monkeypatch.setattr(s, "MAX_HASHED", n - 1)
    cli("aggregate", month, "--out", tmp_path / "out-s", "--force")
    assert spliced.n == 0
    monkeypatch.setattr(s, "MAX_HASHED", n)
    cli("aggregate", month, "--out", tmp_path / "out-s", "--force", "--lang", "ru")
    assert spliced.n == 1


def test_a_run_after_edits_finds_the_workbooks_once(reg_url, month, settled_now, spliced, tmp_path,
                                                    monkeypatch):  # noqa: F811
    """An aggregate after edits with a stored answer of the month before: the folder is walked once (by the answer's
    look-up; the run and the answer it stores are made from what that found), not three times; the answer it stores
    is the one a run now would give: the next run is answered, with the same bytes as a full run."""
    import importlib

    from krm.register import answers

    d = importlib.import_module("krm.intake.discover")  # (the package's name `discover` is the function)
    monkeypatch.setattr(answers, "SETTLED_NS", 0)  # the edited files' identities recorded by the run that hashes them
    walks = []
    real = d.discover
    monkeypatch.setattr(d, "discover", lambda paths: walks.append(1) or real(paths))
    out = tmp_path / "out-s"
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    first = cli("aggregate", month, "--out", out, "--force")
    assert first.exit_code in (0, 1) and spliced.n == 1
    _replace(month, tmp_path, 2, 11)
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    n = len(walks)
    edited = cli("aggregate", month, "--out", out, "--force")
    assert edited.exit_code in (0, 1) and spliced.n == 2 and len(walks) == n + 1  # (main: 3)
    again = cli("aggregate", month, "--out", out, "--force")
    assert spliced.n == 2 and len(walks) == n + 2  # answered: the look-up's walk only
    spliced.off = True
    try:
        monkeypatch.setattr(answers, "lookup", lambda *a, **k: None)
        full = cli("aggregate", month, "--out", tmp_path / "out-f", "--force")
    finally:
        spliced.off = False
    assert (again.exit_code, again.stdout.replace(str(out), "OUT")) == \
        (full.exit_code, full.stdout.replace(str(tmp_path / "out-f"), "OUT"))
    assert _tree(out) == _tree(tmp_path / "out-f")


def test_stored_rows_in_any_order_or_changed(reg_url, month, settled_now, monkeypatch):  # noqa: F811
    """A KRM-3's inputs' rows from the register (LiteMemo.input_rows): the rows the file holds, whether the stored
    cells are in the order krm stores them (sorted by row and key: the digest then matches as they are, no sort) or
    in another order (sorted, then checked); a stored cell changed in the database: the digest fails and the file
    is read again."""
    import json
    import random

    import krm.remembered as remembered
    from krm.aggregate.splice import LiteMemo
    from krm.register.lite import open_lite

    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    with open_lite(reg_url) as lite:
        rows = lite.rows("SELECT r.id, w.sha256, rr.cells FROM reading r JOIN workbook w ON w.id = r.workbook_id "
                         "JOIN reading_rows rr ON rr.reading_id = r.id WHERE r.form = 'KRM-2' ORDER BY r.id")
    import hashlib

    paths = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in month.rglob("KRM-2_*.xlsx")}
    rid, sha, cells = next(r for r in rows if r[1] in paths)
    path = paths[sha]
    want = remembered.read_rows(sha, path)
    assert want[0] and json.loads(cells) == sorted(json.loads(cells), key=lambda x: (x[0], x[2]))
    again = []
    real = remembered.read_rows
    monkeypatch.setattr(remembered, "read_rows", lambda *a: again.append(a) or real(*a))

    def stored(text):
        with open_lite(reg_url) as lite:
            lite.write(["UPDATE reading_rows SET cells = :t WHERE reading_id = :id"], [{"t": text, "id": rid}])
        memo = LiteMemo(open_lite(reg_url), reg_url, "x")
        try:
            return memo.input_rows(rid, sha, path)
        finally:
            memo.close()
    assert stored(cells) == want and again == []
    shuffled = json.loads(cells)
    random.Random(3).shuffle(shuffled)
    assert stored(json.dumps(shuffled, ensure_ascii=False)) == want and again == []
    changed = json.loads(cells)
    changed[5][4] = "999999"
    assert stored(json.dumps(changed, ensure_ascii=False)) == want and len(again) == 1


def test_a_run_after_edits_does_not_load_sqlalchemy(tmp_path, monkeypatch):
    """In a fresh interpreter with an SQLite register: validate, edit, validate, then aggregate (spliced) imports
    no SQLAlchemy, and prints what a run without the register prints.  Each process reads with the engine of the
    test's start: a stored reading is for one engine, a hash of krm's source files, and a source file saved while
    the test runs (an editable install) would make the last process's engine another one, whose readings the
    register does not hold (prepare gives None).  That, not the load, is what made it fail once (session 11)."""
    import subprocess
    import sys
    import textwrap

    from krm import samples
    from krm.register.engine import fingerprint

    pin = f"import krm.register.engine as e\ne._fingerprint = lambda _ref, _v={fingerprint()!r}: _v\n"

    samples.generate(tmp_path / "src", "2019-05", seed=5, regions=["47"])
    month = tmp_path / "src" / "2019-05"
    env = {**os.environ, "KRM_REGISTER": str(tmp_path / "reg.sqlite")}
    code = pin + textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        import krm.register.memo, krm.register.answers
        krm.register.memo.SETTLED_NS = krm.register.answers.SETTLED_NS = 0
        from krm.cli import app
        r = CliRunner().invoke(app, ["validate", {str(month)!r}, "--format", "json"])
        assert r.exit_code in (0, 1), r.output
        """)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    _replace(month, tmp_path, 2, 11)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    run = pin + textwrap.dedent(f"""
        import sys
        from typer.testing import CliRunner
        from krm.cli import app
        import krm.aggregate.splice as s
        real = s.prepare
        got = []
        s.prepare = lambda *a, **kw: got.append(real(*a, **kw)) or got[-1]
        r = CliRunner().invoke(app, ["aggregate", {str(month)!r}, "--out", {str(tmp_path / "out-s")!r}, "--force"])
        assert got and got[0] is not None, r.output
        assert "sqlalchemy" not in sys.modules, sorted(m for m in sys.modules if "sqlalchemy" in m)[:3]
        print(r.exit_code)
        sys.stdout.write(r.stdout.replace({str(tmp_path / "out-s")!r}, "OUT"))
        """)
    on = subprocess.run([sys.executable, "-c", run], env=env, capture_output=True, text=True)
    assert on.returncode == 0, on.stderr
    monkeypatch.setenv("KRM_REGISTER", "off")
    off = cli("aggregate", month, "--out", tmp_path / "out-n", "--force", "--no-register")
    assert on.stdout == f"{off.exit_code}\n" + off.stdout.replace(str(tmp_path / "out-n"), "OUT")
    assert _tree(tmp_path / "out-s") == _tree(tmp_path / "out-n")


from hypothesis import given, settings, strategies as st  # noqa: E402

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(),
                     st.decimals(allow_nan=False), st.dates(), st.datetimes(), st.text().map(Path))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(), inner, max_size=4),
    st.dictionaries(st.one_of(st.integers(), st.text(min_size=1).map(lambda s: "$" + s)), inner, max_size=3)),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(_VALUES)
def test_stored_values_are_decoded_as_the_codec_decodes_them(v):
    """splice._loads (json's object hook) gives what codec.loads gives, for anything codec.dumps writes."""
    from krm.aggregate.splice import _loads
    from krm.register import codec

    text = codec.dumps(v)

    def same(a, b):
        if type(a) is not type(b):
            return False
        if isinstance(a, (list, tuple)):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if isinstance(a, dict):
            return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        return a == b or (a != a and b != b)
    assert same(_loads(text), codec.loads(text))
