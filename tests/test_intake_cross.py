"""One intake for every command: aggregate, report, status and the note agree on which files count, on the
figures and on completeness — on real workbooks (``tests/fill.py``), under ``--prefer newest`` and ``--strict``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import fill
from krm import reference
from krm.aggregate import aggregate
from krm.report import ReportError, make_report

MONTH = fill.PERIOD
T0 = 1_560_000_000  # 2019-06-08: a file time after the month


def _rows(fact_first: int) -> list[dict]:
    rows = fill.rows("KRM-2")
    rows[0] = dict(rows[0], plan=max(rows[0]["plan"], fact_first), fact=fact_first)
    return rows


def _touch(path: Path, t: float) -> None:
    os.utime(path, (t, t))


def _aggregate(folder: Path, out: Path, **kw):
    res = aggregate(folder, out, write=False, **kw)
    kept = sorted(f.rel for f in res.inputs if f.status == "accepted")
    k4 = {o.programme: o.submission.totals()["fact"] for o in res.outputs if o.form == "KRM-4"}
    return res, kept, k4


def _report(folder: Path, out: Path, **kw):
    rep, _ = make_report(folder, MONTH, out, **kw)
    used = sorted(s.path for s in rep.data.sources if s.status == "used")
    enbek = {r["region"]: r.get("ENBEK_fact") for r in rep.rows6 if r.get("ENBEK_fact") is not None}
    return rep, used, enbek


def test_prefer_newest_keeps_the_same_file_in_aggregate_and_report(tmp_path):
    """The issue's case: two copies of one district's KRM-2 with the same document time (krm's writer stamps a
    fixed one); a.xlsx (fact 13) was saved after b.xlsx (fact 20).  Both commands must keep a.xlsx."""
    d = tmp_path / "in"
    d.mkdir()
    b = fill.filled("KRM-2", d, name="b.xlsx", rows_over=_rows(15))  # 15 + 3 + 2 = 20
    a = fill.filled("KRM-2", d, name="a.xlsx")  # 8 + 3 + 2 = 13
    _touch(b, T0)
    _touch(a, T0 + 3600)
    _, kept, k4 = _aggregate(d, tmp_path / "agg", prefer="newest")
    _, used, k6 = _report(d, tmp_path / "rep", prefer="newest")
    region = fill._region().kato
    assert kept == used == ["a.xlsx"]
    assert k4 == {"ENBEK": 13}
    assert k6 == {region: 13}
