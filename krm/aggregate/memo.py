"""Step 5's memo (docs/aggregate.md, "Running again"): an output whose recipe is the one the register recorded
when it was written, and whose file on disk still has the recorded size and SHA-256, is left as it is.

The *recipe* of an output is a SHA-256 over everything its bytes depend on: krm's engine (its code, data and
readers: :mod:`krm.register.engine`), the writers' versions (xlsxwriter, zlib), the options that change outputs (``--lang``, ``--body``, the signature
block, ``--period``, ``--programme``), the output's own name and key, and for each input the name it is shown
under, its form, its status and note, and the SHA-256 of its bytes (which, with the engine, fix its rows and
figures); the files of its group that were not counted (name, form, status, note, the errors shown) and its
completeness rows.  A file on disk that differs in any byte from what was recorded — changed by a user, say —
is not a match, and is written as without the memo (``--force`` still needed to replace it).
"""

from __future__ import annotations

import os
from dataclasses import asdict
from decimal import Decimal
from functools import lru_cache

from krm import forms, rollup
from krm.aggregate.collect import _finding_line
from krm.aggregate.records import PLAN_FORMS, AggregateResult, Output
from krm.aggregate.sheets import _belongs, _completeness_belongs, _not_counted


def _path(result: AggregateResult, o: Output) -> str:
    return os.path.abspath(result.out / o.rel)


def recipe(o: Output, result: AggregateResult, body, signature) -> str | None:
    """The output's recipe (see the module's doc); None when an input's bytes are not known (no memo)."""
    return _Recipes(result, body, signature).of(o)


class _Recipes:
    """:func:`recipe` of a run's outputs: what every output's recipe shares (the engine, the writers, the options:
    their text) and each input left out, each completeness row, as it is written in a recipe, made once a run."""

    def __init__(self, result: AggregateResult, body, signature):
        from krm import __version__

        self.result = result
        self.head = ",".join(_part(p) for p in (
            "aggregate", result.memo.engine_version, __version__, list(_writers()), result.lang, body,
            sorted((signature or {}).items()), result.period, result.programme))
        self._nc = self._comp = self._regional = None

    def of(self, o: Output) -> str | None:
        import hashlib

        if any(f.sha256 is None for f in o.inputs):
            return None
        if self._nc is None:
            self._nc = [(f, [f.rel, f.form, f.status, f.note, f.sha256,
                             [_finding_line(x) for x in f.findings if x.severity == "error"][:10]
                             if f.status == "excluded" else []]) for f in _not_counted(self.result)]
            self._comp = [(c, [c.form, c.period, c.programme, c.region, c.expected, c.received, c.percent,
                               list(c.missing), list(c.not_counted)]) for c in self.result.completeness]
        nc, comp = self._group_rows(o)
        text = ",".join([self.head] + [_part(p) for p in (
            [o.form, o.rel, o.period, o.programme, o.basis, o.region],
            [[f.rel, f.form, f.status, f.note, f.sha256] for f in o.inputs], nc, comp)])
        return hashlib.sha256(("[" + text + "]").encode("utf-8")).hexdigest()


    def _group_rows(self, o: Output) -> tuple[list, list]:
        """The recipe rows of ``o``'s inputs left out and of its completeness rows: those :func:`_belongs` and
        :func:`_completeness_belongs` to ``o``, in run order.  A region's output (a KRM-3: most of a month's) finds
        them by its period, programme and region, in rows grouped once a run, instead of asking of every row."""
        if o.form in PLAN_FORMS or forms.level(o.form) != "region":
            return ([row for f, row in self._nc if _belongs(f, o)],
                    [row for c, row in self._comp if _completeness_belongs(c, o)])
        if self._regional is None:
            self._regional = self._by_region()
        everywhere, nc, comp = self._regional
        mine = nc.get((o.period, o.programme, o.region))
        if mine is None:
            rows = [row for _, row in everywhere]
        elif not everywhere:
            rows = [row for _, row in mine]
        else:
            rows = [row for _, row in sorted(everywhere + mine, key=lambda x: x[0])]
        return rows, comp.get((o.period, o.region), [])

    def _by_region(self) -> tuple[list, dict, dict]:
        """(the inputs left out that belong to every output (unread: no header), {(period, programme, region):
        those of a region's districts}, {(period, region): a region's districts' completeness rows}), as
        :func:`_belongs` and :func:`_completeness_belongs` place them for a region's output: a submission of a
        district form (not yearly) of the output's period, programme and region; a completeness row of a
        district form of its period and region."""
        everywhere, nc, comp = [], {}, {}
        for i, (f, row) in enumerate(self._nc):
            s = f.submission
            if s is None:
                everywhere.append((i, row))
            elif forms.kind(s.form) == "district":  # (not yearly)
                nc.setdefault((s.period, s.programme or "", rollup.region_of(s)), []).append((i, row))
        for c, row in self._comp:
            if forms.kind(c.form) == "district":
                comp.setdefault((c.period, c.region), []).append(row)
        return everywhere, nc, comp


def _digest(*parts) -> str:
    """:func:`krm.register.lite.recipe` of ``parts``: the SHA-256 of ``codec.dumps(list(parts))``, each part written
    by :func:`_part`."""
    import hashlib

    return hashlib.sha256(("[" + ",".join(_part(p) for p in parts) + "]").encode("utf-8")).hexdigest()


def _part(p) -> str:
    """One part of a recipe as ``codec.dumps`` writes it in a list: a list of lists of strings and None (an
    output's inputs: thousands for a KRM-4) by json's C encoder, which writes such a list as codec.dumps does
    (codec tags no str and no None); any other by codec.dumps."""
    import json

    from krm.register import codec

    if type(p) is list and all(type(r) is list for r in p) and {type(x) for r in p for x in r} <= _PLAIN:
        return json.dumps(p, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return codec.dumps(p)


_PLAIN = frozenset({str, type(None)})


@lru_cache(maxsize=1)
def _writers() -> tuple[str, ...]:
    """What writes the bytes beyond krm's own code (which the engine covers): xlsxwriter and zlib (asked once a
    run: the installed package's metadata is looked up on disk)."""
    import zlib

    from krm.distversion import version

    xw = version("xlsxwriter") or "?"
    return (f"xlsxwriter={xw}", f"zlib={zlib.ZLIB_RUNTIME_VERSION}")


def unchanged(result: AggregateResult, todo: list[Output], body, signature) -> dict[int, str | None]:
    """Mark the outputs the memo finds unchanged (``written``, a KRM-3's control as recorded) and return the
    recipe of every output of ``todo`` by ``id(output)``; without a register, {}."""
    if result.memo is None:
        return {}  # (before the imports: a run without the register never loads SQLAlchemy)
    from krm.register.lite import sha256_file

    make = _Recipes(result, body, signature)
    recipes = {id(o): make.of(o) for o in todo}
    try:
        known = result.memo.outputs_known([_path(result, o) for o in todo if recipes[id(o)] is not None])
    except _errors(result.memo):
        return recipes
    candidates = []
    for o in todo:
        k = known.get(_path(result, o))
        if k is None or k[0] != recipes[id(o)]:
            continue
        ctl = o.control
        if forms.level(o.form) == "region":
            try:
                ctl = control_from(k[3])
            except (TypeError, KeyError, ValueError):
                continue
        if ctl is not None and ctl.balanced:
            candidates.append((o, k, ctl))
    stats = {}
    for o, k, _ in candidates:
        try:
            stats[_path(result, o)] = os.stat(_path(result, o))
        except OSError:
            pass
    try:  # a file whose identity on disk the register knows is not hashed again (docs/register.md)
        identified = result.memo.known_files(stats) if stats else {}
    except _errors(result.memo):
        identified = {}
    for o, k, ctl in candidates:
        p = _path(result, o)
        try:
            same = p in stats and stats[p].st_size == k[2] and (identified.get(p) or sha256_file(p)) == k[1]
        except OSError:
            same = False
        if same:
            o.control, o.written = ctl, True
            result.unchanged += 1
    return recipes


def record(result: AggregateResult, written: list[tuple[Output, str, int]], recipes: dict) -> None:
    """Remember the outputs just written (their recipe, inputs and bytes); a register that cannot be written
    to costs only the memo (a warning)."""
    rows = [(_path(result, o), recipes[id(o)], sha, size, [[f.rel, f.sha256] for f in o.inputs],
             control_data(o.control) if forms.level(o.form) == "region" else None)
            for o, sha, size in written if recipes.get(id(o)) is not None]
    try:
        result.memo.record_outputs("aggregate", rows)
    except _errors(result.memo) as e:
        import sys

        msg = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        print(f"krm: warning: the register could not record this run's outputs ({msg})", file=sys.stderr)


def _errors(reg) -> tuple:
    """What the register ``reg`` raises when it cannot be read or written (a run after edits reads it without
    SQLAlchemy: :mod:`krm.aggregate.splice`)."""
    errors = getattr(reg, "errors", None)
    if errors is None:
        from sqlalchemy.exc import SQLAlchemyError

        errors = (SQLAlchemyError,)
    return errors


def control_data(ctl) -> dict:
    return {"inputs": [_line_data(x) for x in ctl.inputs], "input_total": _line_data(ctl.input_total),
            "output_total": _line_data(ctl.output_total), "problems": list(ctl.problems)}


def _line_data(x) -> dict:
    """``dataclasses.asdict`` of a control line: its fields by name when each holds a plain value (asdict would
    copy them only to give equal values), else asdict itself."""
    from krm.rollup.control import ControlLine

    if type(x) is ControlLine:
        d = {k: getattr(x, k) for k in _line_fields()}
        if all(type(v) in _LINE_VALUES for v in d.values()):
            return d
    return asdict(x)


_LINE_VALUES = frozenset({str, int, float, bool, Decimal, type(None)})


@lru_cache(maxsize=1)
def _line_fields() -> tuple[str, ...]:
    from dataclasses import fields

    from krm.rollup.control import ControlLine

    return tuple(f.name for f in fields(ControlLine))


def control_from(data: dict):
    from krm.rollup import Control, ControlLine

    return Control(inputs=[ControlLine(**x) for x in data["inputs"]], input_total=ControlLine(**data["input_total"]),
                   output_total=ControlLine(**data["output_total"]), problems=list(data["problems"]))
