"""Control totals: proof that every output holds exactly the sums of its inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from krm import editions, forms
from krm.model import Submission
from krm.rollup.chain import ZERO, added_measures, region_of
from krm.rollup.digest import Digest, extra_totals


# ------------------------------------------------------------------ control totals
MEASURES = ("plan", "fact", "allocated", "disbursed")


@dataclass(slots=True)
class ControlLine:
    """One input's contribution (or a total): rows and the four control measures."""

    label: str  # input path, or "inputs total" / "output total"
    form: str | None = None
    region: str | None = None
    district: str | None = None
    rows: int = 0
    plan: int = 0
    fact: int = 0
    allocated: Decimal = ZERO
    disbursed: Decimal = ZERO

    def values(self) -> dict:
        return {m: getattr(self, m) for m in MEASURES}


@dataclass
class Control:
    """Inputs' totals against the output's totals; ``balanced`` only if every measure is equal."""

    inputs: list[ControlLine]
    input_total: ControlLine
    output_total: ControlLine
    problems: list[str] = field(default_factory=list)  # human-readable differences

    @property
    def balanced(self) -> bool:
        return not self.problems


def _line(label: str, sub: Submission) -> ControlLine:
    t = sub.totals()
    n = sub.nrows if isinstance(sub, Digest) else len(sub.projects) if sub.projects else len(sub.regions)
    region = region_of(sub) if forms.level(sub.form) in ("district", "region") else sub.region
    return ControlLine(label=label, form=sub.form, region=region, district=sub.district, rows=n, **t)


def _extra_problems(inputs, outputs) -> list[str]:
    """Every added figure (a column of a newer edition) sums in the outputs as in the inputs: project rows
    (KRM-3) by their keys, region rows (KRM-4/5) by the keys the programme level gives them."""
    if any(o.projects for o in outputs):
        a = _sums((k, v) for s in inputs for k, v in extra_totals(s).items())
        b = _sums((k, v) for o in outputs for k, v in extra_totals(o).items())
    elif any(editions.current(o.form).level == "programme" for o in outputs):
        a = _sums((to, v) for s in inputs for k, v in extra_totals(s).items()
                  for to in [added_measures(s).get(k)] if to)
        b = _sums((k, v) for o in outputs for r in o.regions for k, v in (r.extra or {}).items())
    else:
        return []  # the plan summary: the plan's own figures only
    return [f"{k}: inputs {a.get(k, 0)} != output {b.get(k, 0)}" for k in sorted(set(a) | set(b))
            if a.get(k, 0) != b.get(k, 0)]


def _sums(pairs) -> dict:
    out: dict = {}
    for k, v in pairs:
        out[k] = out.get(k, 0) + v
    return out


def control_totals(inputs: list[Submission], outputs: list[Submission], *, label=str) -> Control:
    """Prove that ``outputs`` hold exactly the sums of ``inputs`` (jobs plan, jobs fact, allocated, disbursed).

    ``label(sub)`` names each input line (default: its path).  Also checks, for
    programme-level outputs, that each region's activity columns sum to its jobs
    (KRM-5: column 3 = columns 4-12; for an annual plan: plan = sum of the activities),
    and, for project-level outputs, that no row was lost or added.
    """
    lines = [_line(str(label(s)), s) for s in inputs]
    itot = ControlLine(label="inputs total", rows=sum(x.rows for x in lines),
                       plan=sum(x.plan for x in lines), fact=sum(x.fact for x in lines),
                       allocated=sum((x.allocated for x in lines), ZERO),
                       disbursed=sum((x.disbursed for x in lines), ZERO))
    olines = [_line("output", s) for s in outputs]
    otot = ControlLine(label="output total", rows=sum(x.rows for x in olines),
                       plan=sum(x.plan for x in olines), fact=sum(x.fact for x in olines),
                       allocated=sum((x.allocated for x in olines), ZERO),
                       disbursed=sum((x.disbursed for x in olines), ZERO))
    problems = []
    for m in MEASURES:
        a, b = getattr(itot, m), getattr(otot, m)
        if a != b:
            problems.append(f"{m}: inputs {a} != output {b}")
    problems += _extra_problems(inputs, outputs)
    if outputs and all(o.projects or not o.regions for o in outputs) and itot.rows != otot.rows:
        problems.append(f"rows: inputs {itot.rows} != output {otot.rows}")
    for o in outputs:
        for rr in o.regions:
            act = sum(rr.by_activity.values())
            want = rr.plan if forms.yearly(o.form) else rr.fact  # the plan summary: the plan by activity
            if act != want:
                problems.append(f"region {rr.region}: activities sum to {act}, "
                                f"{'plan' if forms.yearly(o.form) else 'fact'} is {want}")
            if rr.plan_by_activity is not None and sum(rr.plan_by_activity.values()) != rr.plan:
                problems.append(f"region {rr.region}: the plan by activity sums to "
                                f"{sum(rr.plan_by_activity.values())}, plan is {rr.plan}")
    return Control(inputs=lines, input_total=itot, output_total=otot, problems=problems)
