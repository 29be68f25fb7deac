"""Step 1: one level per (programme, region) of a month, and the roll-up proved against it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from krm import forms, reference
from krm.intake import admit
from krm.model import Submission
from krm.report.monthdata import (FileSummary, MonthData, Source, Unit, _activity_codes, _displayer, _empty_row,
                                  _merge_activities, summarise)
from krm.report.periods import INPUT_FORMS, ZERO, ReportError
from krm.report.warn import Warn


def _unit_key(s: FileSummary, region: str | None) -> tuple:
    """What one submission speaks for: the same key twice is a duplicate (:func:`krm.intake.admit.duplicate_key`)."""
    return admit.duplicate_key(s.form, s.period, s.programme, region, s.district)


def _stand_in(s: FileSummary) -> Submission:
    """The file's header as a Submission without rows: what rollup.programme_level groups by and refuses."""
    return Submission(path=s.path, form=s.form, period=s.period, programme=s.programme, region=s.header_region,
                      district=s.district, basis=s.basis)


def _add_rows(rows: list) -> tuple:
    """(plan, fact, allocated, disbursed, by_activity) of RegionRows added up (rollup's own arithmetic)."""
    by: dict[str, int] = defaultdict(int)
    for r in rows:
        for k, v in r.by_activity.items():
            by[k] += v
    return (sum(r.plan for r in rows), sum(r.fact for r in rows), sum((r.allocated for r in rows), ZERO),
            sum((r.disbursed for r in rows), ZERO), dict(by))


@dataclass
class _Chosen:
    """The files of one month that passed admission and duplicates, by level."""

    k4: dict[str, FileSummary] = field(default_factory=dict)
    k5: dict[str, FileSummary] = field(default_factory=dict)
    k3: dict[tuple[str, str], FileSummary] = field(default_factory=dict)
    k2: dict[tuple[str, str], dict[str, FileSummary]] = field(default_factory=lambda: defaultdict(dict))


def select(subs: list, period: str, root: Path | None = None, *,
           prefer: str | None = None) -> MonthData:
    """Choose one level per (programme, region) for ``period`` and build the units (see the module docstring).

    ``subs``: :class:`~krm.model.Submission` or :class:`FileSummary` objects (any periods and forms).
    Duplicates (two files for the same district/region/programme, or two KRM-4/KRM-5 of one programme) are
    all left out, as ``krm aggregate`` does, unless ``prefer="newest"`` keeps the newest (document modified
    time, then path); either way the control sheet and the note say so.
    """
    progs = [p.code for p in reference.programmes(period)]
    show = _displayer(root)
    warnings: list[str] = []
    needs: set[Path] = set()
    shown = [(summarise(s), show(s.path)) for s in subs if s.period == period and s.form in INPUT_FORMS]
    shown.sort(key=lambda x: (x[0].form, x[1]))
    mine = [s for s, _ in shown]
    sources, by_path, candidates = _admit(shown, period, progs)
    chosen = _resolve_duplicates(candidates, by_path, prefer, warnings, needs)
    units, lower = _build_units(progs, chosen, by_path, warnings)
    needs.update(s.path for s in mine if not s.checked and by_path[id(s)].status != "superseded")
    if needs:  # a file read for its totals only would be used, or decides a duplicate: read it in full first
        return MonthData(period, None, {}, sources, warnings, {}, sorted(needs))
    _prove_rollup(lower, units, by_path)
    used = [s for s in sources if s.status == "used"]
    bases = sorted({s.basis for s in used})
    if len(bases) > 1:
        raise ReportError(f"{period}: the inputs mix bases ({', '.join(bases)}); cumulative and monthly figures "
                          f"are never added — ask for the files on one basis")
    expected = _expected(mine, by_path, units)
    return MonthData(period, bases[0] if bases else None, units, sources, warnings, expected)


def _admit(shown: list[tuple[FileSummary, str]], period: str, progs: list[str]):
    """A :class:`Source` for each file of the month (by ``id`` of its summary), excluded with the reason when its
    header cannot place it; the others as (summary, region) candidates."""
    valid_regions = {r.kato for r in reference.regions(period)}
    sources: list[Source] = []
    by_path: dict[int, Source] = {}
    candidates: list[tuple[FileSummary, str | None]] = []
    for s, path in shown:
        lvl = forms.kind(s.form)
        region = s.region if lvl in ("district", "region") else None
        src = Source(path=path, form=s.form, period=s.period, programme=s.programme,
                     region=region, district=s.district, basis=s.basis or "cumulative", totals=s.totals)
        sources.append(src)
        by_path[id(s)] = src
        if not s.programme:
            src.status, src.note = "excluded", "no programme in the header"
        elif s.programme not in progs:
            src.status, src.note = "excluded", f"programme {s.programme} is not a KRM-6/7 column for {period}"
        elif lvl in ("district", "region") and (not region or region not in valid_regions):
            src.status, src.note = "excluded", "no region (or a region not valid for the period) in the header"
        elif lvl == "district" and not s.district:
            src.status, src.note = "excluded", "no district in the header"
        elif lvl == "programme" and {r.region for r in s.regions} - valid_regions:
            bad = sorted({r.region for r in s.regions} - valid_regions)
            src.status, src.note = "excluded", f"regions {', '.join(bad)} do not exist in {period}"
        else:
            candidates.append((s, region))
    return sources, by_path, candidates


def _resolve_duplicates(candidates, by_path: dict[int, Source], prefer: str | None, warnings: list[str],
                        needs: set[Path]) -> _Chosen:
    """One file per unit key: duplicates all left out, or the newest kept under ``prefer="newest"``."""
    chosen = _Chosen()
    groups: dict[tuple, list[tuple[FileSummary, str | None]]] = defaultdict(list)
    for s, region in candidates:
        groups[_unit_key(s, region)].append((s, region))
    for key in sorted(groups):
        members = groups[key]
        if len(members) > 1:
            # which one is kept, or whether any is, depends on each being valid: only a validated file decides
            needs.update(s.path for s, _ in members if not s.checked)
            names = [by_path[id(s)].path for s, _ in members]
            kept, older, _how = admit.choose(
                members, prefer, lambda m: admit.newest_order(m[0].modified, m[0].mtime, by_path[id(m[0])].path))
            if kept is not None:
                for s, _ in older:
                    by_path[id(s)].status = "excluded"
                    by_path[id(s)].note = f"older duplicate of {by_path[id(kept[0])].path} (--prefer newest)"
                kept_path = by_path[id(kept[0])].path
                warnings.append(Warn("dup_kept", f"duplicates {', '.join(names)}: kept the newest, {kept_path}",
                                     files=", ".join(names), kept=kept_path))
                members = [kept]
            else:
                for s, _ in members:
                    by_path[id(s)].status = "excluded"
                    by_path[id(s)].note = ("duplicate of " + ", ".join(n for n in names if n != by_path[id(s)].path)
                                           + ": not counted (use --prefer newest to keep the newest)")
                warnings.append(Warn("dup_none", f"duplicates, none counted: {', '.join(names)} (same {key[0]}, "
                                     f"unit and programme; use --prefer newest to keep the newest)",
                                     files=", ".join(names), form=key[0]))
                continue
        s, region = members[0]
        if forms.level(s.form) == "programme":  # KRM-4 has the plan by region, KRM-5 the facts by activity
            (chosen.k4 if forms.has_column(s.form, "plan") else chosen.k5)[s.programme] = s
        elif forms.level(s.form) == "region":
            chosen.k3[(s.programme, region)] = s
        else:
            chosen.k2[(s.programme, region)][s.district] = s
    return chosen


def _build_units(progs: list[str], c: _Chosen, by_path: dict[int, Source], warnings: list[str]):
    """The units of the month, the highest level per (programme, region); the lower files chosen (KRM-2/3)."""
    units: dict[tuple[str, str], Unit] = {}
    lower: list[FileSummary] = []
    k4, k5, k3, k2 = c.k4, c.k5, c.k3, c.k2
    for p in progs:
        r4 = {r.region: r for r in k4[p].regions if not _empty_row(r)} if p in k4 else {}
        r5 = {r.region: r for r in k5[p].regions if not _empty_row(r)} if p in k5 else {}
        low_regions = {r for (pp, r) in k3 if pp == p} | {r for (pp, r) in k2 if pp == p and k2[(pp, r)]}
        for region in sorted(set(r4) | set(r5) | low_regions):
            at_hand = {"KRM-4": region in r4, "KRM-5": region in r5, "KRM-3": (p, region) in k3, "KRM-2": True}
            level = admit.choose_level(f for f, yes in at_hand.items() if yes)
            if forms.level(level) == "programme":
                u = _programme_unit(p, region, r4.get(region), r5.get(region), c, by_path, warnings)
                units[(p, region)] = u
                for s in ([k3[(p, region)]] if (p, region) in k3 else []) + list(k2.get((p, region), {}).values()):
                    src = by_path[id(s)]
                    src.status, src.note = "superseded", f"{u.level} of the programme covers region {region}"
                continue
            if forms.level(level) == "region":
                chosen = [k3[(p, region)]]
                for s in k2.get((p, region), {}).values():
                    src = by_path[id(s)]
                    src.status, src.note = "superseded", f"the region's KRM-3 ({by_path[id(chosen[0])].path}) is used"
                level = "KRM-3"
            else:
                chosen = [k2[(p, region)][d] for d in sorted(k2[(p, region)])]
                level = "KRM-2"
            lower.extend(chosen)
            # the sums of the chosen files' rows (each file's, added up: the same numbers, to the last tenge)
            units[(p, region)] = Unit(
                p, region, level, sum(s.totals["plan"] for s in chosen), sum(s.totals["fact"] for s in chosen),
                sum((s.totals["allocated"] for s in chosen), ZERO), sum((s.totals["disbursed"] for s in chosen), ZERO),
                _merge_activities([s.act_plan for s in chosen]), _merge_activities([s.act_fact for s in chosen]),
                tuple(sorted(s.district for s in chosen)) if forms.level(level) == "district" else None,
                [by_path[id(s)].path for s in chosen],
                # distinct projects are per district, and each district is in one chosen file: they add up
                (sum(s.rolled.projects_planned for s in chosen), sum(s.rolled.projects_done for s in chosen))
                if all(s.rolled is not None for s in chosen) else None)
            if units[(p, region)].act_plan is None:
                warnings.append(Warn("unknown_activity", f"{p}, region {region}: rows with an unknown activity "
                                     f"code; the activity breakdown is not shown", programme=p, region=region))
    return units, lower


def _programme_unit(p: str, region: str, row4, row5, c: _Chosen, by_path: dict[int, Source],
                    warnings: list[str]) -> Unit:
    """The unit of a region that the programme's KRM-4 and/or KRM-5 cover."""
    act_fact = None
    if row5 is not None:
        bad = {str(k) for k in row5.by_activity} - set(_activity_codes())
        s5 = sum(row5.by_activity.values())
        if bad or s5 != row5.fact:
            warnings.append(Warn("k5_sum", f"KRM-5 {p}, region {region}: column 3 ({row5.fact}) is not the sum "
                                 f"of columns 4-12 ({s5}); its activity breakdown is not used",
                                 programme=p, region=region, fact=row5.fact, sum=s5))
        elif row4 is not None and row4.fact != row5.fact:
            warnings.append(Warn("k45_disagree", f"KRM-4 and KRM-5 of {p} disagree for region {region}: "
                                 f"{row4.fact} and {row5.fact} jobs created; KRM-4 is used and the activity "
                                 f"breakdown is not shown", programme=p, region=region, k4=row4.fact, k5=row5.fact))
        else:
            act_fact = {code: int(row5.by_activity.get(code, 0)) for code in _activity_codes()}
    act_plan = None
    given = getattr(row5, "plan_by_activity", None)  # krm's supplementary KRM-5 columns к1-к9
    if given is not None and row4 is not None:
        sp = sum(given.values())
        if set(map(str, given)) - set(_activity_codes()) or sp != row4.plan:
            warnings.append(Warn("k5_plan", f"KRM-5 {p}, region {region}: the plan by activity (к1-к9, {sp}) is "
                                 f"not KRM-4's plan ({row4.plan}); the plan by activity is not shown",
                                 programme=p, region=region, sum=sp, plan=row4.plan))
        else:
            act_plan = {code: int(given.get(code, 0)) for code in _activity_codes()}
    if row4 is not None:
        return Unit(p, region, "KRM-4+5" if row5 is not None else "KRM-4", row4.plan, row4.fact,
                    row4.allocated, row4.disbursed, act_plan, act_fact, None,
                    [by_path[id(c.k4[p])].path] + ([by_path[id(c.k5[p])].path] if row5 is not None else []),
                    (row4.projects_planned, row4.projects_done))
    return Unit(p, region, "KRM-5", None, row5.fact, None, None, None, act_fact, None,
                [by_path[id(c.k5[p])].path])


def _prove_rollup(lower: list[FileSummary], units: dict, by_path: dict[int, Source]) -> None:
    """The aggregate engineer's roll-up must give the same figures as our own sums of the same rows: each
    file's rows were rolled up (rollup.programme_level) where it was read; here the roll-up groups the
    files (refusing mixed bases, a unit twice) and its per-file rows are added up against the units."""
    from krm import rollup

    if not lower:
        return
    try:
        rolled = rollup.programme_level([_stand_in(s) for s in lower])
    except rollup.RollupError as e:
        raise ReportError(str(e)) from None
    per_unit: dict[tuple, list] = defaultdict(list)
    for s in lower:
        if s.rolled is None:
            raise ReportError(f"roll-up of {by_path[id(s)].path} failed")
        per_unit[(s.programme, s.region)].append(s.rolled)
    for sub in rolled:
        for row in sub.regions:
            u = units.get((sub.programme, row.region))
            mine_ = (u.plan, u.fact, u.allocated, u.disbursed) if u else None
            plan, fact, allocated, disbursed, by_activity = _add_rows(per_unit[(sub.programme, row.region)])
            theirs = (plan, fact, allocated, disbursed)
            if mine_ != theirs:
                raise ReportError(f"roll-up of {sub.programme} region {row.region} does not balance: "
                                  f"rollup {theirs} vs report {mine_}")
            if u.act_fact is not None and {k: v for k, v in by_activity.items() if v} != \
                    {k: v for k, v in u.act_fact.items() if v}:
                raise ReportError(f"roll-up of {sub.programme} region {row.region}: facts by activity differ")


def _expected(mine: list[FileSummary], by_path: dict[int, Source], units: dict) -> dict[str, dict]:
    """Per programme, the sums of the used inputs' own control totals (computed apart from the units)."""
    expected: dict[str, dict] = {}
    for s in mine:
        src = by_path[id(s)]
        if src.status != "used":
            continue
        e = expected.setdefault(s.programme, {"plan": None, "fact": None})
        if forms.level(s.form) == "programme" and not forms.has_column(s.form, "plan"):
            # a KRM-5 gives the facts only where no KRM-4 covers the region
            only5 = [r.fact for r in s.regions if not _empty_row(r) and
                     units[(s.programme, r.region)].level == s.form]
            if only5:
                e["fact"] = (e["fact"] or 0) + sum(only5)
            continue
        e["plan"] = (e["plan"] or 0) + int(src.totals["plan"])
        e["fact"] = (e["fact"] or 0) + int(src.totals["fact"])
    return expected
