"""Every relation evaluates itself row by row and column-wise, and the two never disagree.

:mod:`krm.rules.relations`: a relation's ``row`` is its definition; its ``candidates`` (the column-wise
evaluation) must hold every row ``row`` reports on, for every relation of every form.  A relation added
by one declaration in a spec fires on both paths alike.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

import fill
from krm import forms, rules
from krm.codes import W010
from krm.rules import relations, structure
from krm.rules.context import Ctx
from krm.rules.relations.not_greater import NotGreater
from krm.validate import validate_file
from krm.workbook.reader import read

_ODD = [None, " ", 0, 3, 12.0, 2.5, -3, 1e8, 60000, "1 234,5", "12", "abc", 0.1, 123.4567, dt.date(2019, 5, 1),
        "01.05.2019", "31.02.2019", "Ð°Ñ€Ñ‚ ????", 10 ** 9]


def _wrong(form: str, rnd: random.Random) -> list[dict]:
    """The filled rows of ``form`` with random cells made odd or swapped."""
    out = []
    for r in fill.rows(form) * 2:
        r = dict(r)
        for key in list(r):
            if key not in ("region", "activity") and rnd.random() < 0.35:
                r[key] = rnd.choice(_ODD + [v for v in r.values() if not isinstance(v, str)])
        out.append(r)
    for key in ("project", "enterprise"):  # a garbled text, where the form has one
        if key in out[0]:
            out[0][key] = "Ð°Ñ€Ñ‚"
    if "project" in out[0]:  # a project row without a figure
        out.append({k: fill.rows(form)[0][k] for k in ("project", "activity", "bin", "district")
                    if k in fill.rows(form)[0]})
    return out


def _workbooks(tmp_path):
    rnd = random.Random(5)
    out = []
    for form in forms.FORMS:
        out.append(fill.filled(form, tmp_path, name=f"{form}.ok.xlsx"))
        for i in range(4):
            rows = _wrong(form, rnd)
            if form in ("KRM-4", "KRM-5", "KRM-6", "KRM-7"):  # fixed rows: one value row per region/activity
                seen = set()
                rows = [r for r in rows if not ((k := r.get("region") or r.get("activity")) in seen or seen.add(k))]
            out.append(fill.filled(form, tmp_path, name=f"{form}.{i}.xlsx", rows_over=rows))
    return out


def _ctx(path) -> Ctx:
    pf = read(path)
    ctx = Ctx(pf=pf, today=fill.TODAY, file=str(path))
    list(structure.check(ctx))  # sets columns_ok
    return ctx


def test_candidates_hold_every_row_a_relation_reports(tmp_path):
    reported = {}
    for p in _workbooks(tmp_path):
        ctx = _ctx(p)
        assert ctx.columns_ok, p.name
        for rel in (*relations.derived(ctx.pf.columns), *ctx.spec.relations):
            if not rel.applies(ctx) or not rel.has_rows:
                continue
            hits = [i for i, row in enumerate(ctx.pf.rows) if list(rel.row(ctx, row))]
            cand = rel.candidates(ctx)
            assert cand is not None, (p.name, rel.name)  # every kind has its column-wise evaluation
            assert set(hits) <= set(cand), (p.name, rel.name, hits, cand)
            reported[type(rel).__name__] = reported.get(type(rel).__name__, 0) + len(hits)
    # the workbooks make every kind report something, so the check above is not vacuous
    assert all(reported.get(k) for k in ("Required", "Number", "Date", "Text", "Figures", "Identifier",
                                         "SumOf", "NotGreater", "DateOrder")), sorted(reported.items())


def test_every_relation_carries_its_codes_and_a_name():
    for spec in forms.FORMS.values():
        for rel in (*relations.derived(spec.columns_for()), *spec.relations):
            assert rel.codes and all(c.code.startswith("KRM-") for c in rel.codes), rel
            assert rel.name and rel.stage in ("structure", "cells", "identifiers", "consistency"), rel


def _findings(path, monkeypatch, column_wise: bool):
    monkeypatch.setattr(relations, "COLUMN_WISE", column_wise)
    return [(f.code, f.cell, f.params.get("expected")) for f in validate_file(path, today=fill.TODAY).findings]


def test_a_relation_declared_once_fires_row_wise_and_column_wise_alike(tmp_path, monkeypatch):
    """One declaration in the spec: 'plan ≤ fact' (a rule nobody wrote a shortcut for)."""
    path = fill.filled("KRM-2", tmp_path, name="k2.xlsx")
    assert _findings(path, monkeypatch, True) == _findings(path, monkeypatch, False) == []
    new = NotGreater("plan", "fact", W010, "jobs plan ≤ fact (a test relation)")
    spec = forms.KRM2.model_copy(update={"relations": forms.KRM2.relations + (new,)})
    monkeypatch.setitem(forms.FORMS, "KRM-2", spec)
    fast = _findings(path, monkeypatch, True)
    slow = _findings(path, monkeypatch, False)
    pf = read(path)
    want = [("KRM-W010", fill.cell_of(pf, i, "plan"), str(r["fact"])) for i, r in enumerate(fill.rows("KRM-2"))
            if r["plan"] > r["fact"]]
    assert want and fast == slow == want


@pytest.mark.parametrize("form", sorted(forms.FORMS))
def test_column_wise_and_row_by_row_validation_agree(tmp_path, monkeypatch, form):
    rnd = random.Random(form)
    rows = _wrong(form, rnd)
    if form in ("KRM-4", "KRM-5", "KRM-6", "KRM-7"):
        seen = set()
        rows = [r for r in rows if not ((k := r.get("region") or r.get("activity")) in seen or seen.add(k))]
    path = fill.filled(form, tmp_path, name="x.xlsx", rows_over=rows)
    assert _findings(path, monkeypatch, True) == _findings(path, monkeypatch, False)
    assert rules  # the package's run() is what validate_file used
