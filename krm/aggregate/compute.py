"""Step 4: the roll-ups (KRM-3, KRM-4/5, the annual plan) and their control totals, some in worker processes."""

from __future__ import annotations

import os
import pickle
from collections import defaultdict

from krm import forms, rollup
from krm.intake import admit
from krm.aggregate.records import PLAN_FORMS, AggregateResult, AggregateUsageError, InputFile, Output
from krm.aggregate.sheets import _belongs, _completeness_belongs, _not_counted
from krm.model import ProjectRow, Submission


def _basis_groups(fs: list[InputFile], key) -> dict[tuple, list[InputFile]]:
    g: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in fs:
        g[key(f.submission) + (f.submission.basis or "cumulative",)].append(f)
    return g


def _suffix(basis: str) -> str:
    return "" if basis == "cumulative" else f".{basis}"


def compute(result: AggregateResult, *, check: bool = True) -> None:
    """Roll up the counted inputs of ``result`` into ``result.outputs`` (nothing is written).

    KRM-4/KRM-5 and the annual plan are summed from the inputs' digests here.  Each KRM-3 is
    built from its inputs' spooled rows in worker processes (:func:`_build_krm3`), which send
    back only its control totals: here with ``check`` (else its ``control`` stays None and
    :func:`write_outputs` builds, checks and writes it in one go, or :func:`check_krm3` does).
    """
    counted = [f for f in result.inputs if f.counted]
    k2 = [f for f in counted if forms.kind(f.form) == "district"]
    k3 = [f for f in counted if forms.level(f.form) == "region"]
    k1 = [f for f in counted if forms.yearly(f.form)]

    _note_mixed_bases(result, k2 + k3)

    # KRM-2 -> KRM-3, per (period, programme, region, basis): built and checked in workers
    k3_made: dict[tuple, Output] = {}
    for key, fs in sorted(_basis_groups(k2, lambda s: (s.period, s.programme, rollup.region_of(s))).items()):
        period, programme, region, basis = key
        fs = sorted(fs, key=lambda f: (f.submission.district or "", f.rel))
        [form] = forms.of_level("region")
        o = Output(form=form, period=period, programme=programme, basis=basis, region=region,
                   rel=f"{period}/{form}.{programme}.{region}{_suffix(basis)}.xlsx", submission=None, inputs=fs,
                   control=None)
        k3_made[key] = o
        result.outputs.append(o)
    if check:
        check_krm3(result)

    # a region that sent a KRM-3 and whose districts sent KRM-2: its own KRM-3 is counted at the programme level
    k3_keys = {(f.submission.period, f.submission.programme, rollup.region_of(f.submission),
                f.submission.basis or "cumulative") for f in k3}
    for key, o in sorted(k3_made.items()):
        if key in k3_keys:
            own = next(f for f in k3 if (f.submission.period, f.submission.programme,
                                         rollup.region_of(f.submission), f.submission.basis or "cumulative") == key)
            # the districts' totals: what their KRM-3 holds once it balances (its control proves that)
            a, b = own.submission.totals(), _sum_totals(o.inputs)
            same = "equal" if a == b else "DIFFERENT: " + ", ".join(
                f"{m} {a[m]} vs {b[m]}" for m in rollup.MEASURES if a[m] != b[m])
            result.notes.append(f"{key[1]} {key[0]} region {key[2]}: both the region's KRM-3 ({own.rel}) and its "
                                f"districts' KRM-2 arrived; KRM-4/5 count the KRM-3 only (totals {same})")

    # -> KRM-4 / KRM-5 per (period, programme, basis): a region's KRM-3 where it sent one, else its KRM-2
    level_in: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in k3:
        s = f.submission
        level_in[(s.period, s.programme, s.basis or "cumulative")].append(f)
    for f in k2:
        s = f.submission
        region_has_krm3 = (s.period, s.programme, rollup.region_of(s), s.basis or "cumulative") in k3_keys
        if admit.choose_level({s.form, *forms.of_level("region")} if region_has_krm3 else {s.form}) == s.form:
            level_in[(s.period, s.programme, s.basis or "cumulative")].append(f)
    for key in sorted(level_in):
        period, programme, basis = key
        fs = sorted(level_in[key], key=lambda f: (rollup.region_of(f.submission) or "", f.form,
                                                  f.submission.district or "", f.rel))
        [sub] = rollup.programme_level_digests([f.submission for f in fs], rows=_rows_of(result, fs))
        ctl = rollup.control_totals([f.submission for f in fs], [sub], label=_labels(fs))
        for form in forms.of_level("programme"):
            result.outputs.append(Output(form=form, period=period, programme=programme, basis=basis, region=None,
                                         rel=f"{period}/{form}.{programme}{_suffix(basis)}.xlsx", submission=sub,
                                         inputs=fs, control=ctl))

    _plan_outputs(result, k1)
    result.outputs.sort(key=lambda o: o.rel)


def _note_mixed_bases(result: AggregateResult, fs: list[InputFile]) -> None:
    """Mixed bases within one (programme, period): outputs are split by basis and the analyst told."""
    bases: dict[tuple, set] = defaultdict(set)
    for f in fs:
        bases[(f.submission.period, f.submission.programme)].add(f.submission.basis or "cumulative")
    for (period, programme), b in sorted(bases.items()):
        if len(b) > 1:
            result.notes.append(f"{programme} {period}: inputs mix bases {sorted(b)}; they are never added: "
                                "each basis gets its own outputs (file names end in .month)")


def _plan_outputs(result: AggregateResult, k1: list[InputFile]) -> None:
    """KRM-1 -> the annual plan summary per (year, programme), in the KRM-4 and KRM-5 layouts (plan figures)."""
    g1: dict[tuple, list[InputFile]] = defaultdict(list)
    for f in k1:
        g1[(f.submission.period, f.submission.programme)].append(f)
    for (year, programme) in sorted(g1):
        fs = sorted(g1[(year, programme)], key=lambda f: (rollup.region_of(f.submission) or "",
                                                        f.submission.district or "", f.rel))
        [sub] = rollup.annual_plan_digests([f.submission for f in fs], rows=_rows_of(result, fs))
        ctl = rollup.control_totals([f.submission for f in fs], [sub], label=_labels(fs))
        for form in PLAN_FORMS:
            result.outputs.append(Output(form=form, period=year, programme=programme, basis="plan",
                                         region=None, rel=f"{year}/{form}.{programme}.xlsx", submission=sub,
                                         inputs=fs, control=ctl))


def _sum_totals(fs: list[InputFile]) -> dict:
    return {m: sum((f.submission.totals()[m] for f in fs), rollup.ZERO if m in ("allocated", "disbursed") else 0)
            for m in rollup.MEASURES}


def check_krm3(result: AggregateResult) -> None:
    """Build every KRM-3 not yet checked (in workers) and keep its control totals."""
    todo = [o for o in result.outputs if forms.level(o.form) == "region" and o.control is None]
    for o, (kind, value) in zip(todo, _in_workers(result, todo, _check_krm3)):
        _raise_for(result, kind, value)
        o.control = value


def _raise_for(result: AggregateResult, kind: str, value) -> None:
    if kind == "rollup":
        raise rollup.RollupError(value)
    if kind == "oserror-spool":
        raise AggregateUsageError(f"cannot read the temporary files in {result.spool.dir}: {value}")


def _rows_of(result: AggregateResult, fs: list[InputFile]):
    """``rows(digest)`` for the roll-ups: the spooled rows of the input whose digest it is."""
    by_id = {id(f.submission): f for f in fs}

    def rows(d) -> list[ProjectRow]:
        return result.spool.rows(by_id[id(d)]) if result.spool is not None else []
    return rows


def _build_krm3(o: Output, result: AggregateResult) -> tuple[Submission, rollup.Control]:
    """The KRM-3 of ``o`` from its inputs' spooled rows, and its control totals against their digests."""
    fs = o.inputs
    subs = [rollup.header_of(f.submission, result.spool.rows(f) if result.spool is not None else [])
            for f in fs]
    [sub] = rollup.krm3_from_krm2(subs)
    ctl = rollup.control_totals([f.submission for f in fs], [sub], label=_labels(fs))
    return sub, ctl


def _check_krm3(o: Output, result: AggregateResult):
    """In a worker: build the KRM-3 and send back only its control (or a refusal of the roll-up)."""
    try:
        return "ok", _build_krm3(o, result)[1]
    except rollup.RollupError as e:
        return "rollup", str(e)
    except OSError as e:
        return "oserror-spool", e.strerror or str(e)


#: the most inputs whose outputs' blobs are pickled for one round of workers (a few MB of blobs)
BATCH_INPUTS = 4000


def _batches(outputs: list[Output], limit: int | None = None) -> list[list[Output]]:
    """``outputs`` in order, cut into runs whose inputs add up to about ``limit`` (each run at least one)."""
    limit = BATCH_INPUTS if limit is None else limit
    out: list[list[Output]] = []
    size = limit
    for o in outputs:
        if size + len(o.inputs) > limit and (not out or out[-1]):
            out.append([])
            size = 0
        out[-1].append(o)
        size += len(o.inputs)
    return out


def _in_workers(result: AggregateResult, outputs: list[Output], task) -> list:
    """``task(output, result)`` for every output, in forked worker processes (``result.jobs``; 1: here).

    Each output is independent and ``task`` returns something small, so the results, and the
    files written, do not depend on the number of workers.  A worker gets each of its outputs
    as one pickled blob (the output, its inputs, the files and completeness rows of its control
    sheet) and does not touch the inherited per-file records: touching them would copy their
    memory pages into every worker (copy-on-write), which for a year of files is most of the
    memory.  The blobs are made for a batch of outputs at a time (:data:`BATCH_INPUTS` inputs), each
    batch in a round of workers forked for it, so a year's blobs are never all held at once.  A worker
    that fails is an error of the run (these are krm's own computations on checked inputs, not
    untrusted files).
    """
    if not outputs:
        return []
    jobs = result.jobs if result.jobs is not None else min(os.cpu_count() or 1, 8)
    if jobs <= 1 or len(outputs) == 1:
        return _run_batch(result, outputs, lambda o: task(o, result), outputs, False, jobs)
    _not_counted(result)
    out: list = []
    for batch in _batches(outputs):
        items = [pickle.dumps((o, [f for f in _not_counted(result) if _belongs(f, o)],
                               [c for c in result.completeness if _completeness_belongs(c, o)]),
                              protocol=pickle.HIGHEST_PROTOCOL) for o in batch]

        def func(blob: bytes):
            o, nc, comp = pickle.loads(blob)
            view = AggregateResult(dir=result.dir, out=result.out, lang=result.lang, inputs=nc, completeness=comp,
                                   period=result.period, programme=result.programme, strict=result.strict,
                                   jobs=result.jobs, spool=result.spool, memo=result.memo)
            return _without_lines(task(o, view))
        out.extend(_with_lines(o, res) for o, res in zip(batch, _run_batch(result, batch, func, items, True, jobs)))
        del items
    return out


#: what a worker sends back instead of a KRM-3's control lines (:func:`_without_lines`)
_LINES_HERE = "lines: made in the parent"


def _without_lines(res):
    """A worker's result with the input lines of the KRM-3 control in it left out: they are the lines of its
    inputs' digests (:func:`_build_krm3`), which the parent holds, so :func:`_with_lines` makes them there from
    its own records (a year's 36,000 lines are not pickled, sent and held as copies with strings of their own).
    A result is ``(kind, value)``; the control is ``value`` or ``value[0]`` (:func:`_check_krm3`, the writers)."""
    if type(res) is tuple and len(res) == 2:
        kind, value = res
        if type(value) is rollup.Control:
            return kind, _lined(value, _LINES_HERE)
        if type(value) is tuple and value and type(value[0]) is rollup.Control:
            return kind, (_lined(value[0], _LINES_HERE), *value[1:])
    return res


def _with_lines(o: Output, res):
    """:func:`_without_lines` undone in the parent: the control's input lines made from ``o``'s inputs, as
    :func:`_build_krm3` made them in the worker (the same digests, the same labels)."""
    if type(res) is tuple and len(res) == 2:
        kind, value = res
        if type(value) is rollup.Control and value.inputs == _LINES_HERE:
            return kind, _lined(value, _lines(o))
        if type(value) is tuple and value and type(value[0]) is rollup.Control and value[0].inputs == _LINES_HERE:
            return kind, (_lined(value[0], _lines(o)), *value[1:])
    return res


def _lined(ctl: rollup.Control, lines) -> rollup.Control:
    return rollup.Control(inputs=lines, input_total=ctl.input_total, output_total=ctl.output_total,
                          problems=ctl.problems)


def _lines(o: Output) -> list:
    """The control lines of ``o``'s inputs (as :func:`krm.rollup.control_totals` makes them, labelled as
    :func:`_build_krm3` labels them), sharing their strings and numbers with the inputs' records."""
    from krm.rollup.control import _line

    return [_line(f.rel, f.submission) for f in o.inputs]


def _run_batch(result: AggregateResult, outputs: list[Output], func, items: list, isolate: bool, jobs: int) -> list:
    import gc

    from krm.pool import run_isolated

    # what exists now lives until the end of the run: keep the collector off it, here and in the forked
    # workers (a full collection would otherwise walk, and copy, every inherited object again and again)
    gc.freeze()
    try:
        results = run_isolated(func, items, jobs=jobs, mem_limit_mb=None, timeout_s=None, chunksize=1,
                               isolate=isolate)
    finally:
        gc.unfreeze()
    out = []
    for _item, ok, res in results:
        if not ok:
            raise RuntimeError(f"a roll-up worker failed: {res}")
        out.append(res)
    return out


def _labels(fs: list[InputFile]):
    """``label(sub)`` for the control lines: the name of the first input of ``fs`` whose digest ``sub`` is (else its
    path), by a dict made once (a KRM-4 labels every input of its programme: finding each in the list was
    quadratic, ~4.5 million comparisons at 3,000 files)."""
    rels: dict[int, str] = {}
    for f in fs:
        rels.setdefault(id(f.submission), f.rel)

    def label(sub) -> str:
        rel = rels.get(id(sub))
        return rel if rel is not None else str(sub.path)
    return label
