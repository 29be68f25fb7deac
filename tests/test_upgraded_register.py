"""A register filled by one krm, then krm upgraded (another engine: krm.register.engine.fingerprint): the first
chain reads every workbook again and records the new readings beside the old ones, whose bytes keep their versions
(a version is of the bytes, not of a reading).  After that chain and a few edits, validate, aggregate and report
take their ways after edits (krm/register/spliced.py, krm/aggregate/splice.py, krm/report/remembered.py) — an
upgrade costs one full chain, not every later one — and give a run's outputs without the register.  SQLite and
PostgreSQL (the fixtures of test_register)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import krm.register as register
from test_memo import month, settled_now  # noqa: F401 - fixtures
from test_register import _fresh_pg_database, cli, reg_url  # noqa: F401 - fixtures
from test_report_memo import _report, _same_as_full
from test_report_remembered import validated  # noqa: F401 - fixture
from test_splice import _replace, _three, spliced  # noqa: F401 - fixtures

#: the upgraded krm's engine (16 hex digits, as fingerprint gives)
UPGRADED = "0123456789abcdef"


@pytest.fixture
def pieces(monkeypatch):
    """The validate runs spliced from the last full run's pieces (krm.register.spliced.run gave an exit code)."""
    from krm.register import spliced as sp

    real, runs = sp.run, []

    def counted(*a, **kw):
        got = real(*a, **kw)
        runs.append(got is not None)
        return got

    monkeypatch.setattr(sp, "run", counted)
    return runs


def _chain(month, tmp_path) -> None:
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    assert cli("aggregate", month, "--out", tmp_path / "out-c", "--force").exit_code in (0, 1)
    _report(month, tmp_path / "rep")


def test_after_an_upgrade_and_one_chain_edits_take_the_ways_after_edits(reg_url, month, settled_now, spliced,
                                                                         validated, pieces, tmp_path,
                                                                         monkeypatch):  # noqa: F811
    from krm.register import engine

    _chain(month, tmp_path)  # the register filled by the krm before
    before = _versions(reg_url)
    monkeypatch.setattr(engine, "fingerprint", lambda: UPGRADED)
    _chain(month, tmp_path)  # the upgraded krm's first chain: every workbook read again, no version added
    assert _versions(reg_url) == before
    with register.open(reg_url) as reg:
        with reg.engine.connect() as c:
            engines = dict(c.execute(text("SELECT engine, count(*) FROM reading GROUP BY engine")).all())
    assert len(engines) == 2 and engines[UPGRADED] == len(list(month.rglob("*.xlsx")))
    names = sorted(p.name for p in _replace(month, tmp_path, 2, 11))  # other figures for two districts
    del pieces[:], validated[:]
    n0 = spliced.n
    _three(month, tmp_path, reg_url, spliced)  # validate, then aggregate: spliced and as a full run
    assert pieces[:1] == [True], pieces  # validate: the unchanged files' pieces spliced in
    assert spliced.n == n0 + 1  # aggregate: its inputs from the register (before: in full, after every upgrade)
    assert validated[0] == names  # (validate's, for the edited files)
    del validated[:]
    got = _report(month, tmp_path / "rep")
    assert validated == [names]  # report: only the edited files validated, the others from their entries
    _same_as_full(got, tmp_path / "rep", month, tmp_path, reg_url)
    with register.open(reg_url) as reg:
        assert reg.verify().ok


def _versions(reg_url: str) -> list:
    """Every version: (id, submission, number, workbook, reading, state)."""
    with register.open(reg_url) as reg:
        with reg.engine.connect() as c:
            return c.execute(text("SELECT id, submission_id, number, workbook_id, reading_id, state FROM version "
                                  "ORDER BY id")).all()


def test_bytes_placed_elsewhere_by_their_reading_run_in_full(reg_url, month, settled_now, spliced,
                                                              tmp_path):  # noqa: F811
    """A workbook whose version is of another submission than the one its reading places it in (as when a new
    engine reads its header otherwise): a full run adds its version there, so the run after edits is not spliced
    until one has."""
    assert cli("validate", month, "--format", "json").exit_code in (0, 1)
    assert cli("aggregate", month, "--out", tmp_path / "out", "--force").exit_code in (0, 1)
    assert spliced.n == 1
    with register.open(reg_url) as reg:
        with reg.engine.begin() as c:
            c.execute(text("INSERT INTO submission (form, region, district, programme, period) "
                           "SELECT form, region, district, programme, '2019-04' FROM submission WHERE id = "
                           "(SELECT min(submission_id) FROM version)"))
            c.execute(text("UPDATE version SET submission_id = (SELECT max(id) FROM submission) WHERE id = "
                           "(SELECT min(id) FROM version)"))
    n = _versions(reg_url)
    assert cli("aggregate", month, "--out", tmp_path / "out", "--force", "--lang", "ru").exit_code in (0, 1)
    assert spliced.n == 1  # in full: it records the version (another invocation: no stored answer)
    assert len(_versions(reg_url)) == len(n) + 1
    _three(month, tmp_path, reg_url, spliced)  # now spliced, as a full run
