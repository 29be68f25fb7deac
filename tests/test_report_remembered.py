"""What krm report keeps of each workbook, remembered in the register (krm/report/remembered.py; docs/register.md,
"Runs on an unchanged month"): after a few files of the month were replaced, a report validates only those, and
its outputs, stdout and stderr are those of a run without the register, byte for byte; whatever changes what a
file's entry would be (its bytes, its identity on disk, the validation date, krm's engine, a changed row) makes
the file validated again.  SQLite and PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

import krm.register as register
import krm.validate as v
from krm.register import memo
from test_memo import month, settled_now  # noqa: F401 - fixtures
from test_register import _tree, cli, reg_url  # noqa: F401 - fixtures
from test_report_memo import UNCHANGED, _report, _same_as_full


@pytest.fixture
def validated(monkeypatch):
    """The names of the files each validate_paths call of the run was given (not answered from the entries)."""
    calls: list[list[str]] = []
    real = v.validate_paths

    def counted(paths, *a, **kw):
        paths = list(paths)
        calls.append(sorted(Path(p).name for p in paths))
        return real(paths, *a, **kw)

    monkeypatch.setattr(v, "validate_paths", counted)
    return calls


@pytest.fixture
def reported(month, reg_url, settled_now, tmp_path):  # noqa: F811 - the fixtures above
    """The month validated through the register, then reported once (each file's entry stored)."""
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    _report(month, tmp_path / "rep")
    return month


def _replace(month: Path, tmp_path: Path, n: int) -> list[str]:
    """Put other contents for the same submissions in place of ``n`` KRM-2 files (as bench/run.py edits a month)."""
    from krm import samples

    samples.generate(tmp_path / "other", "2019-05", seed=11, regions=["47"])
    names = []
    other = tmp_path / "other" / "2019-05"
    for p in [p for p in sorted(month.rglob("KRM-2_*.xlsx")) if (other / p.relative_to(month)).exists()][:n]:
        q = other / p.relative_to(month)
        tmp = p.with_name(p.name + ".new")
        shutil.copyfile(q, tmp)
        os.replace(tmp, p)
        names.append(p.name)
    return names


def _all(month: Path) -> list[str]:
    return sorted(p.name for p in month.rglob("*.xlsx"))


def test_after_edits_only_the_edited_files_are_validated(reg_url, reported, tmp_path, validated):  # noqa: F811
    names = _replace(reported, tmp_path, 2)
    got = _report(reported, tmp_path / "rep")
    assert UNCHANGED not in got.stderr
    assert validated == [sorted(names)]
    _same_as_full(got, tmp_path / "rep", reported, tmp_path, reg_url)
    validated.clear()
    assert f"{UNCHANGED}3, written: 0 " in _report(reported, tmp_path / "rep").stderr and validated == []
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def test_the_chain_after_edits_an_addition_and_a_removal_is_the_full_run(reg_url, reported, tmp_path,  # noqa: F811
                                                                         validated):
    """As the chain runs it (validate, then report): two files replaced, one added, one removed.  The report validates
    only the new bytes (the register holds their readings from validate), and its stdout, stderr, exit code and
    files are a run's without the register; the run's one discovery is what the memo recorded, so the next report
    is answered from it without reading a file."""
    names = _replace(reported, tmp_path, 2)
    other = tmp_path / "other" / "2019-05"
    added = next(p for p in sorted(other.rglob("KRM-2_*.xlsx")) if not (reported / p.relative_to(other)).exists())
    shutil.copyfile(added, reported / added.relative_to(other))
    removed = next(p for p in sorted(reported.rglob("KRM-2_*.xlsx")) if p.name not in names and p.name != added.name)
    removed.unlink()
    assert cli("validate", reported, "--format", "json").exit_code in (0, 1)
    validated.clear()
    got = _report(reported, tmp_path / "rep")
    assert UNCHANGED not in got.stderr
    assert validated == [sorted(names + [added.name])]
    _same_as_full(got, tmp_path / "rep", reported, tmp_path, reg_url)
    validated.clear()
    again = _report(reported, tmp_path / "rep")
    assert f"{UNCHANGED}3, written: 0 " in again.stderr and validated == []
    assert again.stdout == got.stdout


def test_another_output_folder_is_made_from_the_entries(reg_url, reported, tmp_path, validated):  # noqa: F811
    """Every file answered from its entry (the report's memo does not answer: another --out)."""
    got = _report(reported, tmp_path / "rep2")
    assert UNCHANGED not in got.stderr and validated == []
    _same_as_full(got, tmp_path / "rep2", reported, tmp_path, reg_url)


def test_a_file_with_another_identity_is_validated_again(reg_url, reported, tmp_path, validated):  # noqa: F811
    """Touched (the same bytes, another modified time): its identity no longer stands for its bytes."""
    p = sorted(reported.rglob("KRM-2_*.xlsx"))[1]
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    got = _report(reported, tmp_path / "rep")
    assert validated == [[p.name]]
    _same_as_full(got, tmp_path / "rep", reported, tmp_path, reg_url)


def _entries(reg_url: str, **values) -> int:
    from sqlalchemy import update

    with register.open(reg_url) as reg, reg.writer() as c, c.begin():
        return c.execute(update(register.schema.report_input).values(**values)).rowcount


def test_entries_of_another_day_are_not_used(reg_url, reported, tmp_path, validated):  # noqa: F811
    assert _entries(reg_url, as_of=dt.date.today() - dt.timedelta(days=1)) == len(_all(reported))
    got = _report(reported, tmp_path / "rep2")
    assert validated == [_all(reported)]
    _same_as_full(got, tmp_path / "rep2", reported, tmp_path, reg_url)
    validated.clear()
    _report(reported, tmp_path / "rep3")  # stored again for today
    assert validated == []


def test_a_changed_entry_is_not_used(reg_url, reported, tmp_path, validated):  # noqa: F811
    _entries(reg_url, data='{"hint":"KRM-2","kind":"none"}')  # changed in the database: the seals no longer match
    got = _report(reported, tmp_path / "rep2")
    assert validated == [_all(reported)]
    _same_as_full(got, tmp_path / "rep2", reported, tmp_path, reg_url)


def test_another_engine_does_not_use_them(reg_url, reported, tmp_path, validated, monkeypatch):  # noqa: F811
    from krm.register import engine

    monkeypatch.setattr(engine, "fingerprint", lambda: "another-krm")
    _report(reported, tmp_path / "rep2")
    assert validated == [_all(reported)]


def test_an_entry_is_what_the_run_made(reg_url, reported, tmp_path):  # noqa: F811
    """Decoded entries equal the results of a run without the register: summaries, excluded files, nothing."""
    from krm.report import load_inputs, remembered
    from krm.report.inputs import _Bad
    from krm.report.monthdata import FileSummary, _displayer
    from krm.report.periods import report_periods

    paths = sorted(reported.rglob("*.xlsx"))
    got = remembered.Inputs(reported, report_periods("2019-05", None), "2019").lookup(paths)
    assert sorted(got) == paths
    os.environ["KRM_REGISTER"] = "off"
    subs, bad = load_inputs(reported, "2019-05", light=False)
    os.environ["KRM_REGISTER"] = reg_url
    summaries = {p: r for p, (_, r) in got.items() if isinstance(r, FileSummary)}
    assert subs and {s.path: s for s in subs} == summaries
    show = _displayer(reported)
    assert bad and sorted(bad, key=str) == sorted((r.source(show) for _, r in got.values() if isinstance(r, _Bad)),
                                                  key=str)


def test_an_unsettled_or_changed_file_is_not_stored(reg_url, month, tmp_path):  # noqa: F811
    """A file written a moment ago, or changed between its hint and its validation, leaves no entry."""
    from krm.report import remembered
    from krm.report.monthdata import FileSummary

    p = sorted(month.rglob("KRM-2_*.xlsx"))[0]
    entry = FileSummary(path=p, form="KRM-2", period="2019-05", programme="X", region="47", header_region="47",
                        district=None, basis="cumulative", modified=None, totals={"plan": 1})
    mem = remembered.Inputs(month, {"2019-05"}, "2019")
    mem.lookup([p])
    st = p.stat()
    mem.at_ns = max(st.st_mtime_ns, st.st_ctime_ns) + 1  # looked up just after it was written
    mem.keep(p, "KRM-2", "0" * 64, entry)
    assert mem.new == []
    mem.lookup([p])
    mem.at_ns += memo.SETTLED_NS + 10_000_000_000  # settled by then
    p.write_bytes(p.read_bytes())  # rewritten after its hint was read
    mem.keep(p, "KRM-2", "0" * 64, entry)
    assert mem.new == []
    mem.lookup([p])
    mem.at_ns += memo.SETTLED_NS + 10_000_000_000
    mem.keep(p, "KRM-2", "0" * 64, entry)
    assert len(mem.new) == 1
