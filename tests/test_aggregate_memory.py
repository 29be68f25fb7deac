"""What keeps `krm aggregate`'s memory down over a year of files, and that it changes no byte of its outputs:
the summary streamed entry by entry (records.LazyList, write_json), the workers' blobs made a batch of outputs
at a time (compute._batches), the per-file digests' repeated values shared (collect._compact)."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krm.aggregate import SUMMARY_NAME, aggregate
from krm.aggregate.collect import _compact
from krm.aggregate.records import LazyList, Output, write_json
from krm.cli import app
from krm.textsafe import clean

compute = importlib.import_module("krm.aggregate.compute")  # (the package's name `compute` is the function)

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "samples" / "2019-05"
REGIONS = sorted(p.name for p in MONTH.iterdir() if p.is_dir())[:3]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Three regions of the shipped sample month (errors and duplicates among them) and the year's KRM-1 plans."""
    d = tmp_path_factory.mktemp("in")
    for r in REGIONS:
        os.symlink(MONTH / r, d / r)
    os.symlink(ROOT / "samples" / "2019", d / "2019")
    return d


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def plain(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "a"
    res = aggregate(folder, out, jobs=2, cache=False)
    return res, _files(out)


def test_batches_cut_by_inputs_in_order():
    outs = [Output(form="KRM-3", period="2019-05", programme="P", basis="cumulative", region=str(i), rel=str(i),
                   submission=None, inputs=[None] * n, control=None) for i, n in enumerate([3, 4, 2, 9, 1, 1])]
    got = compute._batches(outs, limit=6)
    assert [[o.rel for o in b] for b in got] == [["0"], ["1", "2"], ["3"], ["4", "5"]]
    assert [o for b in got for o in b] == outs
    assert compute._batches([], limit=6) == []


def test_outputs_identical_whatever_the_batches(folder, plain, tmp_path, monkeypatch):
    """Every output and the summary byte for byte the same when each output's blob is made in a round of workers
    of its own, and no round is given more than one batch's blobs."""
    res, want = plain
    assert res.exit_code() in (0, 1) and len(res.outputs) > 5
    assert any(o.form == "KRM-5-plan" for o in res.outputs) and any(f.status == "excluded" for f in res.inputs)
    rounds: list[int] = []
    real = compute._run_batch

    def spy(result, outputs, func, items, isolate, jobs):
        rounds.append(len(items))
        assert isolate and all(isinstance(x, bytes) for x in items)
        return real(result, outputs, func, items, isolate, jobs)
    monkeypatch.setattr(compute, "BATCH_INPUTS", 1)
    monkeypatch.setattr(compute, "_run_batch", spy)
    out = tmp_path / "b"
    res2 = aggregate(folder, out, jobs=2, cache=False)
    assert rounds and max(rounds) == 1 and sum(rounds) == len(res2.outputs)  # one blob at a time
    assert _files(out) == want
    assert res2.exit_code() == res.exit_code()


def test_summary_streamed_is_the_same_json(plain, tmp_path):
    res, want = plain
    lazy = res.summary(lazy=True)
    assert isinstance(lazy["inputs"], LazyList) and len(lazy["inputs"]) == len(res.inputs)
    plain_json = json.dumps(clean(res.summary()), ensure_ascii=False, indent=2) + "\n"
    assert want[SUMMARY_NAME].decode("utf-8") == plain_json
    with open(tmp_path / "s.json", "w", encoding="utf-8", newline="\n") as fh:
        write_json(lazy, fh)
    assert (tmp_path / "s.json").read_text(encoding="utf-8") == plain_json
    assert lazy["inputs"] == res.summary()["inputs"] and lazy["inputs"][:2] == res.summary()["inputs"][:2]


def test_lazy_list_makes_each_element_when_iterated():
    made = []
    xs = LazyList(lambda x: made.append(x) or {"x": x}, [1, 2, 3])
    assert made == [] and len(xs) == 3 and xs
    it = iter(xs)
    assert next(it) == {"x": 1} and made == [1]
    assert not LazyList(str, [])
    assert json.dumps({"a": LazyList(str, [1, 2])}, indent=2) == json.dumps({"a": ["1", "2"]}, indent=2)
    assert json.dumps({"a": LazyList(str, [])}, indent=2) == json.dumps({"a": []}, indent=2)


def test_cli_json_streamed(folder, plain, tmp_path):
    res, _ = plain
    out = tmp_path / "c"
    r = CliRunner().invoke(app, ["aggregate", str(folder), "--out", str(out), "--format", "json", "--no-register"])
    assert r.exit_code == res.exit_code(), r.output
    data = json.loads(r.stdout)
    want = json.loads(json.dumps(clean(res.summary()), ensure_ascii=False))
    assert data["inputs"] == want["inputs"] and data["totals"] == want["totals"]
    assert data["written"] == [o.rel for o in res.outputs if o.written] and data["out"] == str(out)
    assert r.stdout.endswith("}\n")


def test_krm3_control_lines_are_the_parents_own(folder, plain, tmp_path):
    """A KRM-3 built and written in a worker sends back its totals, not a line per input: the parent makes the
    lines from the inputs' own records (their labels, numbers and strings the same objects, nothing copied for a
    year's 36,000), equal to what the worker made, and the outputs are the same bytes as when written here."""
    from krm.rollup import ControlLine
    from krm.rollup.control import _line

    res, want = plain
    krm3 = [o for o in res.outputs if o.form == "KRM-3" and o.written]
    assert len(krm3) > 2
    for o in krm3:
        assert len(o.control.inputs) == len(o.inputs)
        for f, line in zip(o.inputs, o.control.inputs):
            assert line == _line(f.rel, f.submission)
            assert line.label is f.rel and line.allocated is f.submission.allocated
            assert line.district is f.submission.district
    assert not hasattr(krm3[0].control.inputs[0], "__dict__") and "label" in ControlLine.__slots__
    out = tmp_path / "one"
    res1 = aggregate(folder, out, jobs=1, cache=False)  # built, checked and written in this process
    assert _files(out) == want
    assert [o.control for o in res1.outputs] == [o.control for o in res.outputs]


def test_check_krm3_in_workers_gives_the_lines(folder, plain):
    """--dry-run checks every KRM-3 in workers: the same controls, lines and all, as the written run's."""
    res, _ = plain
    dry = aggregate(folder, None, jobs=2, cache=False, write=False)
    assert [o.control for o in dry.outputs] == [o.control for o in res.outputs]
    assert all(line.label is f.rel for o in dry.outputs if o.form == "KRM-3"
               for f, line in zip(o.inputs, o.control.inputs))


def test_without_lines_leaves_other_results():
    from krm.rollup import Control, ControlLine

    ctl = Control(inputs=[ControlLine("a")], input_total=ControlLine("t"), output_total=ControlLine("o"))
    for res in [("rollup", "no"), ("ok", (None, "sha", 3)), ("exists", "x"), "odd"]:
        assert compute._without_lines(res) == res
    kind, (lean, sha, size) = compute._without_lines(("ok", (ctl, "sha", 3)))
    assert lean.inputs == compute._LINES_HERE and lean.output_total is ctl.output_total and (sha, size) == ("sha", 3)
    assert compute._without_lines(("unbalanced", ctl))[1].inputs == compute._LINES_HERE


def test_each_report_becomes_its_record_as_it_arrives(folder, plain, tmp_path, monkeypatch):
    """collect gives validate_paths a place for the reports (``into``) that makes each one its input's record as
    it comes, in the files' order: what the workers sent back is never all held; the run is the same."""
    import krm.validate as validate

    res, want = plain
    real = validate.validate_paths
    seen = []

    def spy(paths, **kw):
        into = kw["into"]
        seen.append(into)
        got = real(paths, **kw)
        assert got is into and len(into.files) == len(paths)
        assert [f.path for f in into.files] == list(paths)
        return got
    monkeypatch.setattr(validate, "validate_paths", spy)
    out = tmp_path / "d"
    res2 = aggregate(folder, out, jobs=2, cache=False)
    assert len(seen) == 1 and seen[0].files is res2.inputs
    assert [(f.rel, f.status, f.note) for f in res2.inputs] == [(f.rel, f.status, f.note) for f in res.inputs]
    assert _files(out) == want


def test_a_spool_that_cannot_be_written_is_a_usage_error(folder, tmp_path, monkeypatch):
    """A reading worker that cannot append its rows to the spool (a full disk): the run stops with exit 2's
    error, once every file is read, naming the spool folder, and writes nothing."""
    from krm.aggregate import AggregateUsageError

    collect = importlib.import_module("krm.aggregate.collect")

    def full(directory, rows):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(collect, "_spool_rows", full)  # (the forked workers have it too)
    out = tmp_path / "e"
    with pytest.raises(AggregateUsageError, match="cannot write temporary files into .*: No space left on device"):
        aggregate(folder, out, jobs=2, cache=False)
    assert not out.exists() or not any(out.rglob("*.xlsx"))


def test_compact_shares_equal_values(plain):
    res, _ = plain
    ds = [f.submission for f in res.inputs if f.submission is not None]
    same = [(a, b) for a in ds[:40] for b in ds[:40] if a is not b and a.district == b.district and a.districts]
    assert same and all(a.districts is b.districts and a.district is b.district for a, b in same)
    assert _compact(None, Path("x")) is None


def test_no_sqlalchemy_without_the_register(folder, tmp_path):
    """A run without the register never imports SQLAlchemy (tens of MB the write workers would inherit)."""
    code = ("import sys; from pathlib import Path; from krm.aggregate import aggregate; "
            f"aggregate(Path({str(folder)!r}), Path({str(tmp_path / 'd')!r}), jobs=1, cache=False); "
            "print('sqlalchemy' in sys.modules)")
    env = dict(os.environ, KRM_REGISTER="off")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


# ------------------------------------------------------------------ the summary's text (krm.aggregate.jsontext)
from hypothesis import given, settings, strategies as st  # noqa: E402


class _Str(str):
    pass


class _Int(int):
    pass


#: every kind of character a summary may hold: controls, quotes and backslashes, Cyrillic and Kazakh letters,
#: bidirectional marks, astral characters, lone surrogates (undecodable bytes of a file name, rewritten by clean)
_CHARS = st.one_of(st.characters(), st.sampled_from('"\\/\b\f\n\r\t\x00\x1f\x7f\u2028\u2029\u202eҚқӘәЁё€\ud800\udcff'
                                                   '\U0001f600'))
_TEXT = st.text(_CHARS, max_size=12)
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=-2 ** 80, max_value=2 ** 80),
                     st.floats(), st.floats(allow_nan=True, allow_infinity=True), _TEXT,
                     st.decimals(allow_nan=False, allow_infinity=False).map(str),  # Decimals as the summary has them
                     _TEXT.map(_Str), st.integers().map(_Int))
_KEYS = st.one_of(_TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), _TEXT.map(_Str))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.tuples(inner, inner), st.dictionaries(_TEXT, inner, max_size=5),
    st.dictionaries(_KEYS, inner, max_size=4), st.lists(inner, max_size=3).map(lambda xs: LazyList(lambda x: x, xs))),
    max_leaves=40)


@settings(max_examples=600, deadline=None)
@given(_VALUES, st.integers(min_value=0, max_value=3))
def test_summary_text_is_jsons_text(v, depth):
    """jsontext.dumps gives json.dumps(clean(v), ensure_ascii=False, indent=2) at any depth (its lines indented),
    for anything the summary holds and more: strings with every kind of character (lone surrogates too), Decimals
    as strings, ints (big ones), floats (NaN, infinities), None, booleans, nested dicts and lists, tuples, other keys
    than strings, subclasses of str and int."""
    from krm.aggregate.jsontext import dumps

    want = json.dumps(clean(v), ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)
    assert dumps(v, depth) == want


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=5), st.lists(st.dictionaries(_TEXT, _VALUES, max_size=6), max_size=4))
def test_write_json_is_jsons_text(top, entries):
    """write_json of a summary-shaped dict (a streamed list of entries among plain values) writes the bytes of
    json.dumps(clean(data), ensure_ascii=False, indent=2) and a newline."""
    import io

    for data in ({**top, "inputs": LazyList(lambda x: x, entries)}, top, {}, {"\udcff": 1, "\\xff": 2, "a": [1]}):
        fh = io.StringIO()
        write_json(data, fh)
        assert fh.getvalue() == json.dumps(clean(data), ensure_ascii=False, indent=2) + "\n"


def test_summary_text_of_a_real_month_and_what_cannot_be_encoded(plain):
    """The summary of a real run (errors, duplicates, plans) is json's text; a value json cannot encode raises as
    json.dumps raises."""
    from decimal import Decimal

    from krm.aggregate.jsontext import dumps

    res, want = plain
    data = res.summary()
    assert dumps(data) + "\n" == want[SUMMARY_NAME].decode("utf-8")
    for bad in ({"a": [1, Decimal("1.5")]}, [{"x": object()}], {("t",): 1}):
        with pytest.raises(TypeError):
            json.dumps(bad, ensure_ascii=False, indent=2)
        with pytest.raises(TypeError):
            dumps(bad, 1)
    deep: list = []
    for _ in range(60):  # deeper than jsontext.DEEP: json's own encoder
        deep = [deep, 1]
    assert dumps({"d": deep}, 2) == json.dumps({"d": deep}, indent=2).replace("\n", "\n    ")


_PART = st.one_of(st.sampled_from([".", "..", "a", "b", "Қ", "x y", "\udcff", "~$", ".hidden"]),
                  st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=5))


@settings(max_examples=500, deadline=None)
@given(st.lists(_PART, max_size=4), st.lists(_PART, max_size=4), st.booleans(), st.booleans())
def test_rel_is_relative_to(base_parts, rest, absolute, under):
    """collect._rel's string fast path gives what Path.relative_to gives (a path found under the folder as given),
    and falls back to it otherwise (another folder, "." as the folder, the folder itself)."""
    from krm.aggregate.collect import _rel
    from krm.textsafe import path as shown

    base = Path(("/" if absolute else "") + "/".join(base_parts)) if base_parts or absolute else Path(".")
    path = base.joinpath(*rest) if under else Path("/".join(rest) or ".")

    def old(path, base):
        try:
            return shown(Path(path).relative_to(base).as_posix())
        except ValueError:
            pass
        try:
            return shown(Path(path).resolve().relative_to(base.resolve()).as_posix())
        except ValueError:
            return shown(Path(path).as_posix())
    assert _rel(path, base) == old(path, base)


_ROWS = st.lists(st.lists(st.one_of(st.none(), _TEXT, _TEXT.map(_Str), st.integers(), st.tuples(_TEXT)), max_size=6),
                 max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_ROWS, _VALUES), max_size=5))
def test_recipe_digest_is_the_registers(parts):
    """memo._digest (an output's inputs by json's C encoder) is krm.register.lite.recipe of the same parts."""
    from krm.aggregate.memo import _digest
    from krm.register.lite import recipe

    try:
        want = recipe(*parts)
    except (UnicodeEncodeError, ValueError) as e:  # a lone surrogate: neither can hash it
        with pytest.raises(type(e)):
            _digest(*parts)
        return
    assert _digest(*parts) == want
