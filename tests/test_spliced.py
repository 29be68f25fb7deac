"""``krm validate --format json`` after a few workbooks changed (krm/register/spliced.py; docs/register.md, "Runs on
an unchanged month"): the unchanged files' pieces of the last full run spliced with the others' reports print the
bytes and exit code of a full run.  Every step below runs twice: on the register, as krm runs it (stored answers,
splicing), and on a twin register that went through the same steps, in full; both must print the same bytes.
SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import fill
from krm.register import answers, spliced
from test_memo import settled_now  # noqa: F401 - fixture
from test_register import _fresh_pg_database, cli, reg_url  # noqa: F401 - fixtures


@pytest.fixture
def twin(request, tmp_path, reg_url):  # noqa: F811
    """Another fresh register of the same kind."""
    if reg_url.startswith("postgresql"):
        return _fresh_pg_database(os.environ["KRM_TEST_POSTGRES_URL"], request)
    return str(tmp_path / "twin" / "register.sqlite")


class Chain:
    """validate run on the register and, in full, on its twin (see the module's doc)."""

    def __init__(self, reg_url, twin, monkeypatch):
        self.reg, self.twin, self.mp = reg_url, twin, monkeypatch
        self.spliced = 0
        real = spliced._write

        def counted(*a, **kw):
            self.spliced += 1
            return real(*a, **kw)
        monkeypatch.setattr(spliced, "_write", counted)

    def step(self, *args) -> str:
        """Run ``krm validate ARGS`` on both; returns how the register's run went: "answered", "spliced" or
        "full"."""
        n, calls = self.spliced, []
        import krm.commands.validate as v

        real = v._validate_files
        with self.mp.context() as m:
            m.setattr(v, "_validate_files", lambda *a, **k: calls.append(1) or real(*a, **k))
            m.setenv("KRM_REGISTER", self.reg)
            got = cli("validate", *args)
        with self.mp.context() as m:
            m.setattr(answers, "lookup", lambda *a, **k: None)
            m.setattr(spliced, "run", lambda *a, **k: None)
            m.setenv("KRM_REGISTER", self.twin)
            full = cli("validate", *args)
        assert got.exit_code in (0, 1), got.output
        assert (got.exit_code, got.stdout) == (full.exit_code, full.stdout)
        assert got.stderr == full.stderr == ""
        self.last = got
        return "full" if calls else "spliced" if self.spliced > n else "answered"

    def without_register(self, *args):
        with self.mp.context() as m:
            r = cli("validate", *args, "--no-register")
            m.setenv("KRM_REGISTER", self.reg)  # --no-register set it off for this process
        return r


@pytest.fixture
def chain(reg_url, twin, monkeypatch, settled_now):  # noqa: F811
    return Chain(reg_url, twin, monkeypatch)


def _settled(chain, *args) -> None:
    """Full runs until one is stored (a first run over earlier months may return versions: then it is not)."""
    for _ in range(3):
        if chain.step(*args) == "answered":
            return
    raise AssertionError("never stored")


@pytest.fixture
def month(tmp_path):
    from krm import samples

    samples.generate(tmp_path / "src", "2019-05", seed=5, regions=["47"], faulty=2)
    return tmp_path / "src" / "2019-05"


def test_edits_additions_removals_are_spliced_as_a_full_run(chain, month):
    args = (month, "--format", "json")
    _settled(chain, *args)
    k2 = sorted(month.rglob("KRM-2_*.xlsx"))
    fill.edit(k2[0], {})  # saved again by a program: other bytes, same figures
    assert chain.step(*args) == "spliced"
    assert chain.last.stdout == chain.without_register(*args).stdout
    assert chain.step(*args) == "answered"  # the spliced run stored its answer
    cell = fill.cell_of(fill.locate(k2[1]), 0, "fact")
    fill.edit(k2[1], {cell: -5})  # an error now
    assert chain.step(*args) == "spliced"
    assert '"KRM-E' in chain.last.stdout and chain.last.stdout == chain.without_register(*args).stdout
    shutil.copy(k2[2], k2[2].with_name("copy.xlsx"))  # a new file
    assert chain.step(*args) == "spliced"
    k2[3].unlink()  # a removed one
    assert chain.step(*args) == "spliced"
    fill.edit(k2[1], {cell: 3})  # corrected
    k2[4].rename(k2[4].with_name("moved.xlsx"))  # (same bytes, another path)
    assert chain.step(*args) == "spliced"
    assert chain.last.stdout == chain.without_register(*args).stdout
    assert chain.step(*args) == "answered"


def test_other_options_and_the_text_format(chain, month):
    _settled(chain, month, "--format", "json", "--lang", "auto")
    fill.edit(sorted(month.rglob("KRM-2_*.xlsx"))[0], {})
    assert chain.step(month, "--format", "json", "--lang", "auto") == "spliced"
    fill.edit(sorted(month.rglob("KRM-2_*.xlsx"))[1], {})
    assert chain.step(month, "--format", "json", "--lang", "ru") == "full"  # no pieces for these options
    fill.edit(sorted(month.rglob("KRM-2_*.xlsx"))[2], {})
    # the run before recorded a version: the register is not as the stored pieces' run left it
    assert chain.step(month, "--format", "json", "--lang", "auto") == "full"
    fill.edit(sorted(month.rglob("KRM-2_*.xlsx"))[3], {})
    assert chain.step(month, "--format", "json", "--lang", "auto") == "spliced"
    assert chain.step(month) == "full"  # text: never spliced


@pytest.fixture
def months(tmp_path):
    """April and May of region 47 with the year's KRM-1 plans."""
    from krm.samples.history import generate_run

    generate_run(tmp_path / "src", "2019-04", "2019-05", seed=5, regions=["47"])
    return tmp_path / "src"


def _pair(src: Path) -> tuple[Path, Path]:
    """An April KRM-2 and the same district's May KRM-2 of the same programme."""
    may = {p.name: p for p in (src / "2019-05").rglob("KRM-2_*.xlsx")}
    a = next(p for p in sorted((src / "2019-04").rglob("KRM-2_*.xlsx")) if p.name in may)
    return a, may[a.name]


def test_edits_that_change_findings_across_months_run_in_full(chain, months):
    args = (months, "--format", "json")
    _settled(chain, *args)
    april, may = _pair(months)
    before = chain.last.stdout
    fill.edit(sorted((months / "2019-05").rglob("KRM-2_*.xlsx"))[-1], {})  # a May file: nothing compares with it
    assert chain.step(*args) == "spliced"
    cell = fill.cell_of(fill.locate(april), 0, "fact")
    fill.edit(april, {cell: 10 ** 6})  # April above May: the unchanged May file has gone down (KRM-E301)
    assert chain.step(*args) == "full"
    assert "KRM-E301" in chain.last.stdout and "KRM-E301" not in before
    _settled(chain, *args)
    plan = next((months / "2019").rglob(may.name.replace("KRM-2_", "KRM-1_")), None)
    assert plan is not None
    fill.edit(plan, {})  # the district's KRM-1 (a new version): its KRM-2 is compared with it
    assert chain.step(*args) == "full"
    april.unlink()  # removed from the folder, still in the register: the May file is compared with it as before
    assert chain.step(*args) == "spliced"


def test_a_month_that_may_have_outliers_runs_in_full(chain, tmp_path):
    from krm.samples.history import generate_run

    generate_run(tmp_path / "src", "2019-01", "2019-05", seed=5, regions=["47"])
    args = (tmp_path / "src", "--format", "json")
    _settled(chain, *args)
    fill.edit(sorted((tmp_path / "src" / "2019-05").rglob("KRM-2_*.xlsx"))[0], {})
    assert chain.step(*args) == "full"  # May's outliers could change with any KRM-2 of the year up to May
    fill.edit(sorted((tmp_path / "src" / "2019").rglob("KRM-1_*.xlsx"))[0], {})
    assert chain.step(*args) in ("full", "spliced")
