"""The outputs' recipes (krm.aggregate.memo) made with what every output shares written once a run: each the
recipe made part by part as before, for real outputs of the sample month (inputs left out, completeness rows)."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from krm.aggregate import aggregate, memo
from krm.aggregate.collect import _finding_line
from krm.aggregate.sheets import _belongs, _completeness_belongs, _not_counted

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "samples" / "2019-05"


def _recipe_was(o, result, body, signature):
    """memo.recipe as it was (every part written for every output)."""
    from krm import __version__

    if any(f.sha256 is None for f in o.inputs):
        return None
    nc = [[f.rel, f.form, f.status, f.note, f.sha256,
           [_finding_line(x) for x in f.findings if x.severity == "error"][:10] if f.status == "excluded" else []]
          for f in _not_counted(result) if _belongs(f, o)]
    comp = [[c.form, c.period, c.programme, c.region, c.expected, c.received, c.percent, list(c.missing),
             list(c.not_counted)] for c in result.completeness if _completeness_belongs(c, o)]
    return memo._digest("aggregate", result.memo.engine_version, __version__, list(memo._writers()), result.lang,
                        body, sorted((signature or {}).items()), result.period, result.programme,
                        [o.form, o.rel, o.period, o.programme, o.basis, o.region],
                        [[f.rel, f.form, f.status, f.note, f.sha256] for f in o.inputs], nc, comp)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    for r in sorted(p.name for p in MONTH.iterdir() if p.is_dir())[:4]:
        os.symlink(MONTH / r, d / r)
    os.symlink(ROOT / "samples" / "2019", d / "2019")
    res = aggregate(d, tmp_path_factory.mktemp("out") / "a", jobs=1, cache=False)
    for n, f in enumerate(res.inputs):  # (bytes known: as with the register on)
        f.sha256 = f.sha256 or f"{n:064x}"
    res.memo = SimpleNamespace(engine_version="0123456789abcdef")
    return res


@pytest.mark.parametrize("body,signature", [(None, None), ("Akimat", {"name": "Ә. Тест", "post": None})])
def test_recipes_as_made_part_by_part(result, body, signature):
    assert len(result.outputs) > 10
    assert any(f.status == "excluded" for f in result.inputs) and result.completeness
    assert any(_belongs(f, o) for o in result.outputs for f in _not_counted(result))
    make = memo._Recipes(result, body, signature)
    got = [make.of(o) for o in result.outputs]
    assert got == [_recipe_was(o, result, body, signature) for o in result.outputs]
    assert None not in got and len(set(got)) == len(got)
    assert got == [memo.recipe(o, result, body, signature) for o in result.outputs]


def test_an_output_with_an_unknown_input_has_no_recipe(result):
    o = next(o for o in result.outputs if o.inputs)
    f = o.inputs[0]
    sha, f.sha256 = f.sha256, None
    try:
        assert memo._Recipes(result, None, None).of(o) is None is _recipe_was(o, result, None, None)
    finally:
        f.sha256 = sha


def _control_data_was(ctl) -> dict:
    from dataclasses import asdict

    return {"inputs": [asdict(x) for x in ctl.inputs], "input_total": asdict(ctl.input_total),
            "output_total": asdict(ctl.output_total), "problems": list(ctl.problems)}


def test_control_data_recorded_as_asdict_gave_it(result):
    from decimal import Decimal
    from pathlib import PurePosixPath

    from krm import forms
    from krm.register import codec
    from krm.rollup.control import ControlLine

    ctls = [o.control for o in result.outputs if forms.level(o.form) == "region" and o.control is not None]
    assert ctls
    for ctl in ctls:
        assert codec.dumps(memo.control_data(ctl)) == codec.dumps(_control_data_was(ctl))
        assert memo.control_from(memo.control_data(ctl)) == ctl
    odd = [ControlLine("x", rows=True, allocated=1.5), ControlLine(PurePosixPath("a/b"), disbursed=Decimal("-0")),
           ControlLine("y", form=["KRM-2"], district={"k": (1, 2)})]
    for x in odd:
        assert memo._line_data(x) == _control_data_was(SimpleNamespace(inputs=[x], input_total=x, output_total=x,
                                                                       problems=[]))["inputs"][0]


def test_a_regions_rows_found_by_its_key_as_by_asking_every_row(result):
    """_Recipes._group_rows: a KRM-3's inputs left out and completeness rows found in rows grouped by period,
    programme and region are those _belongs/_completeness_belongs give, in run order; an unread input (no header)
    is on every output's control sheet."""
    make = memo._Recipes(result, None, None)
    make.of(result.outputs[0])  # (the rows of the run, made once)
    unread = SimpleNamespace(submission=None)
    make._nc.insert(len(make._nc) // 2, (unread, ["unread"]))  # (among the others: run order kept)
    make._regional = None  # (grouped again, with it)
    regions = [o for o in result.outputs if memo.forms.level(o.form) == "region"]
    assert len(regions) > 5
    seen_nc = seen_comp = 0
    for o in result.outputs:
        nc, comp = make._group_rows(o)
        assert nc == [row for f, row in make._nc if _belongs(f, o)], o.rel
        assert comp == [row for c, row in make._comp if _completeness_belongs(c, o)], o.rel
        assert ["unread"] in nc
        seen_nc += len(nc) > 1 and o in regions
        seen_comp += bool(comp) and o in regions
    assert seen_nc and seen_comp
