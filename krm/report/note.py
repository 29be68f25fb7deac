"""The analytical note (HTML): its context as display strings, and the rendering."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING

from krm import reference
from krm.intake import completeness
from krm.report.monthdata import MonthData, _opt_sum
from krm.report.periods import parse_quarter
from krm.report.sheets import texts
from krm.report.warn import shown

if TYPE_CHECKING:
    from krm.report.assemble import Report


# ------------------------------------------------------------------ the analytical note (HTML)
def _pct(fact, plan) -> float | None:
    if plan in (None, 0) or fact is None:
        return None
    return 100.0 * float(fact) / float(plan)


def _money(v) -> str:
    if v is None:
        return "—"
    q = Decimal(v).quantize(Decimal("0.1"))
    s = f"{q:,.1f}".replace(",", "\u202f").replace(".", ",")
    return s.replace("-", "−")


def _change(md: MonthData, prev: MonthData | None, programme: str | None = None, region: str | None = None):
    """Jobs created since the previous month, over the (programme, region) cells reported in both months."""
    if prev is None:
        return None
    diffs = []
    for (p, r), u in md.units.items():
        if (programme and p != programme) or (region and r != region):
            continue
        v = prev.units.get((p, r))
        if v is not None and u.fact is not None and v.fact is not None:
            diffs.append(u.fact if md.basis == "month" else u.fact - v.fact)
    return sum(diffs) if diffs else None


def _signed(n) -> str:
    from krm.svg import fmt_int

    if n is None:
        return "—"
    return ("+" if n > 0 else "") + fmt_int(n)


def note_context(rep: Report, lang: str) -> dict:
    """Everything the note template shows, as display strings (the template does no arithmetic)."""
    from krm import __version__

    t = texts(lang)
    md = rep.data
    ctx: dict = {"t": t, "lang": lang, "version": __version__}
    _note_header(ctx, rep, t)
    region_rows, behind = _note_regions(ctx, rep, t)
    _note_programmes(ctx, rep, t, lang)
    no_plan = _note_activities(ctx, md, t, lang)
    _note_points(ctx, rep, t, region_rows, behind, no_plan)
    _note_completeness(ctx, rep, t, lang)
    from krm.report.note_outliers import note_section

    note_section(ctx, rep, t, lang)
    ctx["quarter"] = _note_quarter(rep, t) if rep.quarter else None
    _note_sources(ctx, rep, t)
    return ctx


def _note_header(ctx: dict, rep: Report, t) -> None:
    """The title, the basis, what the note is based on and the headline figures."""
    from krm import svg

    md, prev = rep.data, rep.previous
    fi, fp = svg.fmt_int, svg.fmt_pct
    rep_total = md.total()
    period_label = t.month(md.period)
    ctx["period_label"] = period_label
    if rep.quarter:
        y, q = rep.quarter[:4], rep.quarter[5]
        ctx["subtitle"] = t("subtitle_quarter", quarter=t("quarter_fmt").format(y=y, q=q))
    else:
        ctx["subtitle"] = t("subtitle_month", period=period_label)
    ctx["basis"] = t("basis_" + (md.basis or "cumulative"))
    used = [s for s in md.sources if s.status == "used"]
    counts = defaultdict(int)
    for s in used:
        counts[s.form] += 1
    ctx["based_on"] = t("based_on", n=len(used), levels=", ".join(
        f"{f.replace('KRM', 'КРМ')} × {n}" for f, n in sorted(counts.items())))
    ctx["has_data"] = md.has_data
    ctx["has_prev"] = prev is not None

    # headline
    pct = _pct(rep_total["fact"], rep_total["plan"])
    disb_pct = _pct(rep_total["disbursed"], rep_total["allocated"])
    change = _change(md, prev)
    reported = sorted({r for (_, r) in md.units})
    ctx["kpi"] = {
        "plan": fi(rep_total["plan"]), "fact": fi(rep_total["fact"]), "pct": fp(pct),
        "pct_colour": svg.class_colour(pct),
        "allocated": _money(rep_total["allocated"]), "disbursed": _money(rep_total["disbursed"]),
        "disb_pct": t("disbursed_pct", pct=fp(disb_pct)) if disb_pct is not None else "",
        "change": _signed(change) if change is not None else None,
        "change_note": (t("kpi_month_jan") if md.period[5:7] == "01" and md.basis != "month"
                        else t("kpi_month_na")),
        "coverage": t("kpi_coverage_val", n=len(reported), total=len(md.regions)),
        "progs": t("kpi_progs", n=len({p for (p, _) in md.units}), total=len(md.programmes)),
    }


def _note_regions(ctx: dict, rep: Report, t) -> tuple[list[dict], list[dict]]:
    """The table, chart and map by region; returns the region rows and the (up to 5) regions behind plan."""
    from krm import svg

    md, prev = rep.data, rep.previous
    fi, fp = svg.fmt_int, svg.fmt_pct
    regions = md.regions
    rep_total = md.total()
    pct = _pct(rep_total["fact"], rep_total["plan"])
    change = _change(md, prev)
    reported = sorted({r for (_, r) in md.units})
    region_rows, chart_rows, map_values, map_labels = [], [], {}, {}
    for r in regions:
        tot = md.total(region=r.kato)
        rp = _pct(tot["fact"], tot["plan"])
        has = tot["n"] > 0
        region_rows.append({"name": t.region(r), "plan": fi(tot["plan"]) if has else "—",
                            "fact": fi(tot["fact"]) if has else "—", "pct": fp(rp), "pct_value": rp,
                            "colour": svg.class_colour(rp) if has else svg.NO_DATA,
                            "change": _signed(_change(md, prev, region=r.kato)),
                            "allocated": _money(tot["allocated"]), "disbursed": _money(tot["disbursed"]),
                            "n": tot["n"], "reported": has, "plan_raw": tot["plan"], "fact_raw": tot["fact"],
                            "gap": (tot["plan"] - tot["fact"]) if (tot["plan"] and tot["fact"] is not None) else None})
        if has:
            chart_rows.append((t.region(r), tot["plan"], tot["fact"]))
        map_values[r.kato] = rp
        map_labels[r.kato] = f"{t.region(r, short=True)}\n{fp(rp) if has else t('no_data_short')}"
    ctx["regions"] = region_rows
    ctx["region_total"] = {"plan": fi(rep_total["plan"]), "fact": fi(rep_total["fact"]), "pct": fp(pct),
                           "change": _signed(change), "allocated": _money(rep_total["allocated"]),
                           "disbursed": _money(rep_total["disbursed"])}
    chart_rows.sort(key=lambda x: (-(_pct(x[2], x[1]) if _pct(x[2], x[1]) is not None else -1), x[0]))
    n_silent = len(regions) - len(chart_rows)
    ctx["regions_missing_caption"] = t("chart_missing", n=n_silent, total=len(regions)) if n_silent else ""
    ctx["region_chart"] = svg.bullet_chart(chart_rows, plan_label=t("plan"), fact_label=t("fact"),
                                           missing_label=t("not_reported"), title=t("sec_regions"))
    geo = "regions_2019.geojson" if md.period < "2022-06" else "regions.geojson"
    ctx["map"] = svg.region_map(svg.load_regions(reference.data_path(geo)), map_values, map_labels,
                                reported=set(reported), legend_title=t("map_legend"),
                                no_data_label=t("map_no_data"), no_plan_label=t("map_no_plan"),
                                attribution=t("attribution"), title=t("sec_map"))
    ctx["attribution"] = t("attribution")

    behind = sorted((x for x in region_rows if x["pct_value"] is not None and x["pct_value"] < 100),
                    key=lambda x: (x["pct_value"], -(x["gap"] or 0), x["name"]))[:5]
    ctx["behind"] = [dict(x, gap=fi(x["gap"])) for x in behind]
    return region_rows, behind


def _note_programmes(ctx: dict, rep: Report, t, lang: str) -> None:
    """The table and chart by programme."""
    from krm import svg

    md, prev = rep.data, rep.previous
    fi, fp = svg.fmt_int, svg.fmt_pct
    prog_rows, prog_chart = [], []
    for p in md.programmes:
        tot = md.total(programme=p.code)
        if tot["n"] == 0:
            continue
        levels = sorted({u.level for u in md.units_of(p.code)})
        prog_rows.append({"name": t.programme(p), "full": p.name(lang), "plan": fi(tot["plan"]),
                          "fact": fi(tot["fact"]), "pct": fp(_pct(tot["fact"], tot["plan"])),
                          "colour": svg.class_colour(_pct(tot["fact"], tot["plan"])),
                          "change": _signed(_change(md, prev, programme=p.code)),
                          "regions": t("kpi_coverage_val", n=tot["n"], total=len(md.regions)),
                          "allocated": _money(tot["allocated"]), "disbursed": _money(tot["disbursed"]),
                          "projects": fi(tot["projects"]), "done": fi(tot["done"]),
                          "levels": ", ".join(lv.replace("KRM", "КРМ") for lv in levels)})
        prog_chart.append((t.programme(p), tot["plan"], tot["fact"]))
    ctx["programmes"] = prog_rows
    tot = md.total()
    ctx["projects_total"] = {"projects": fi(tot["projects"]), "done": fi(tot["done"])}
    ctx["programme_chart"] = svg.bullet_chart(prog_chart, plan_label=t("plan"), fact_label=t("fact"),
                                              missing_label=t("not_reported"), title=t("sec_programmes"))


def _note_activities(ctx: dict, md: MonthData, t, lang: str) -> list[str]:
    """The table and chart by activity; returns the programmes without a plan by activity."""
    from krm import svg

    fi, fp = svg.fmt_int, svg.fmt_pct
    act_rows, act_chart = [], []
    plan_ok, fact_ok = md.republic_activity_available("plan"), md.republic_activity_available("fact")
    for a in reference.activities():
        pl = md.activity_value(a.code, None, "plan")
        fa = md.activity_value(a.code, None, "fact")
        act_rows.append({"name": a.label(lang), "plan": fi(pl) if plan_ok else t("na"),
                         "fact": fi(fa) if fact_ok else t("na"), "pct": fp(_pct(fa, pl))})
        act_chart.append((a.name(lang), pl if plan_ok else None, fa if fact_ok else None))
    ctx["activities"] = act_rows
    tp, tf = _opt_sum(md.activity_value(a.code, None, "plan") for a in reference.activities()), \
        _opt_sum(md.activity_value(a.code, None, "fact") for a in reference.activities())
    ctx["activity_total"] = {"plan": fi(tp) if plan_ok else t("na"), "fact": fi(tf) if fact_ok else t("na"),
                             "pct": fp(_pct(tf, tp))}
    ctx["activity_chart"] = svg.bullet_chart(act_chart, plan_label=t("plan"), fact_label=t("fact"),
                                             missing_label=t("na"), title=t("sec_activities")) \
        if (plan_ok or fact_ok) else ""
    with_units = [p for p in md.programmes if md.units_of(p.code)]
    no_plan = [t.programme(p) for p in with_units if not md.activity_available(p.code, "plan")]
    no_fact = [t.programme(p) for p in with_units if not md.activity_available(p.code, "fact")]
    ctx["activity_notes"] = ([t("act_plan_na", list=", ".join(no_plan))] if no_plan else []) + \
        ([t("act_fact_na", list=", ".join(no_fact))] if no_fact else [])
    return no_plan


def _note_points(ctx: dict, rep: Report, t, region_rows: list[dict], behind: list[dict], no_plan: list[str]) -> None:
    """The key points."""
    from krm import svg

    md = rep.data
    fi, fp = svg.fmt_int, svg.fmt_pct
    rep_total = md.total()
    pct = _pct(rep_total["fact"], rep_total["plan"])
    disb_pct = _pct(rep_total["disbursed"], rep_total["allocated"])
    change = _change(md, rep.previous)
    reported = sorted({r for (_, r) in md.units})
    points = []
    if md.has_data:
        points.append(t("pt_overall", period=ctx["period_label"], plan=fi(rep_total["plan"]),
                        fact=fi(rep_total["fact"]), pct=fp(pct)))
        if change is not None:
            points.append(t("pt_month", change=_signed(change)))
        ranked = [x for x in region_rows if x["pct_value"] is not None]
        if ranked:
            best = max(ranked, key=lambda x: (x["pct_value"], x["name"]))
            points.append(t("pt_best", region=best["name"], pct=best["pct"]))
        if behind:
            points.append(t("pt_behind", list=", ".join(f"{x['name']} ({x['pct']})" for x in behind[:3])))
        if disb_pct is not None:
            points.append(t("pt_money", allocated=_money(rep_total["allocated"]),
                            disbursed=_money(rep_total["disbursed"]), pct=fp(disb_pct)))
        silent = [t.region(r) for r in md.regions if r.kato not in reported]
        if silent:
            points.append(t("pt_missing", n=len(silent), list=", ".join(silent)))
        if no_plan:
            points.append(t("pt_no_plan_act", list=", ".join(no_plan)))
    ctx["points"] = points


def _note_completeness(ctx: dict, rep: Report, t, lang: str) -> None:
    """Completeness: a region x programme grid, and the districts behind KRM-2-level figures."""
    md = rep.data
    regions, progs = md.regions, md.programmes
    with_units = [p for p in progs if md.units_of(p.code)]
    planned = rep.planned
    compl, districts, grid = [], [], []
    for p in with_units:
        have = {u.region for u in md.units_of(p.code)}
        if planned is None:  # which regions run the programme is not known: say who reported, call nobody missing
            line = t("compl_prog_reported", n=len(have), total=len(regions), programme=t.programme(p))
        else:  # expected: the regions with a KRM-1 plan under the programme (and those that reported anyway)
            exp_k = completeness.expected_regions(planned, p.code, have)
            missing = [r for r in regions if r.kato in exp_k and r.kato not in have]
            line = (t("compl_prog_missing", n=len(missing), total=len(exp_k), programme=t.programme(p))
                    + " " + t("compl_expected", list=", ".join(t.region(r) for r in missing))
                    if missing else t("compl_prog_full", programme=t.programme(p), total=len(exp_k)))
        compl.append(line)
        districts.extend(_district_lines(md, p, planned, t, lang))
    expected = {p.code: completeness.expected_regions(planned, p.code) for p in with_units} if planned is not None \
        else {}
    for r in regions:
        cells = []
        for p in with_units:
            u = md.units.get((p.code, r.kato))
            exp = r.kato in expected.get(p.code, ())
            if u is not None:  # the form used, short: 2, 3, 4, 5, 4+5 (the legend says "КРМ-…")
                cells.append({"cls": "yes", "text": u.level.replace("KRM-", ""), "title": u.level.replace("KRM", "КРМ")})
            elif exp:
                cells.append({"cls": "late", "text": "!", "title": t("grid_expected")})
            else:
                cells.append({"cls": "no", "text": "—", "title": ""})
        grid.append({"region": t.region(r), "cells": cells})
    none = [t.programme(p) for p in progs if not md.units_of(p.code)]
    if planned is None and compl:
        compl.insert(0, t("compl_no_plans_all"))
    ctx["completeness"] = compl
    ctx["grid_programmes"] = [t.programme(p) for p in with_units]
    ctx["grid"] = grid
    ctx["planned_known"] = planned is not None
    ctx["no_data_programmes"] = t("compl_no_data", n=len(none), list=", ".join(none)) if none else ""
    ctx["districts_total"] = len(districts)
    ctx["districts"] = [d for d in districts if d["missing"] != "—"] if planned is not None else districts
    ctx["districts_complete"] = t("compl_districts_ok", n=len(districts) - len(ctx["districts"]),
                                  total=len(districts)) if planned is not None and districts else ""
    ctx["region_level_note"] = any(u.districts is None for u in md.units.values())
    ctx["district_rate"] = _district_rate(rep, t, lang)


def _district_rate(rep: Report, t, lang: str) -> str:
    """The month's district-level completeness (krm.intake.completeness), as aggregate and status count it."""
    from krm import svg

    rates = rep.completeness
    expected = sum(len(r.expected) for r in rates)
    if not expected:
        return ""
    received = sum(len(r.received) for r in rates)
    missing = [d.name(lang) for r in rates for d in r.missing + r.not_counted]
    return t("compl_rate", received=svg.fmt_int(received), expected=svg.fmt_int(expected),
             pct=svg.fmt_pct(100.0 * received / expected), list=", ".join(missing) or "—")


def _district_lines(md: MonthData, p, planned, t, lang: str) -> list[dict]:
    """For each KRM-2-level unit of programme ``p``: the districts that reported and those planned but missing."""
    out = []
    regions = md.regions
    for u in md.units_of(p.code):
        if u.districts is None:
            continue
        reg = next(r for r in regions if r.kato == u.region)
        got = set(u.districts)
        if planned is not None:
            exp_d = sorted(d for pp, rr, d in planned if pp == p.code and rr == u.region and d)
            miss = [reference.district(d, u.region, md.period) for d in exp_d if d not in got]
            out.append({"region": t.region(reg), "programme": t.programme(p), "n": len(got),
                        "planned": len(exp_d),
                        "missing": ", ".join(d.name(lang) if d else "?" for d in miss) or "—"})
        else:
            out.append({"region": t.region(reg), "programme": t.programme(p), "n": len(got),
                        "planned": t("na"), "missing": t("compl_no_plans")})
    return out


def _note_quarter(rep: Report, t) -> dict:
    """The quarter's months side by side (quarterly note only)."""
    from krm import svg

    fi, fp = svg.fmt_int, svg.fmt_pct
    regions, progs = rep.data.regions, rep.data.programmes
    months, qrows, qchart_regions, qprog = [], [], [], []
    parsed = parse_quarter(rep.quarter)[1]
    for m, d in zip(parsed, rep.quarter_months):
        months.append(t.month(m))
        if d is None:
            qrows.append({"month": t.month(m), "missing": True})
            continue
        tt = d.total()
        qrows.append({"month": t.month(m), "missing": False, "plan": fi(tt["plan"]), "fact": fi(tt["fact"]),
                      "pct": fp(_pct(tt["fact"], tt["plan"])), "allocated": _money(tt["allocated"]),
                      "disbursed": _money(tt["disbursed"]),
                      "regions": t("kpi_coverage_val", n=len({r for (_, r) in d.units}), total=len(regions))})
    have = [(t.month(m), d) for m, d in zip(parsed, rep.quarter_months) if d is not None]
    shown = [m for m, _ in have]
    for r in regions:
        vals = [(d.total(region=r.kato)["fact"] if d.total(region=r.kato)["n"] else None) for _, d in have]
        qchart_regions.append((t.region(r), vals))
    for p in progs:
        vals = [(d.total(programme=p.code)["fact"] if d.units_of(p.code) else None) for _, d in have]
        if any(v is not None for v in vals):
            qprog.append({"name": t.programme(p), "vals": [fi(v) if v is not None else "—" for v in vals]})
    without = [t.month(m) for m, d in zip(parsed, rep.quarter_months) if d is None]
    with_data = t("quarter_with_data", list=", ".join(shown)) + (
        " " + t("quarter_without_data", list=", ".join(without)) if without else "")
    return {"months": shown, "rows": qrows, "programmes": qprog, "with_data": with_data,
            "chart": svg.grouped_bars(qchart_regions, shown, missing_label=t("not_reported"),
                                      title=t("sec_quarter"))}


def _note_sources(ctx: dict, rep: Report, t) -> None:
    """The files listed with what happened to each, the checks and the warnings."""
    from krm import svg

    fi = svg.fmt_int
    md = rep.data
    ctx["source_summary"] = _source_summary(md, t)
    ctx["excluded_files"] = [{"path": s.path, "form": s.form.replace("KRM", "КРМ"), "why": _why_excluded(s.note, t)}
                             for s in md.sources if s.status == "excluded"]
    # (every file with its figures is on the control sheet of KRM-6 and KRM-7, not in the note: no row a file here)
    ctx["checks"] = [{"what": c.label(t), "inputs": fi(c.inputs), "krm6": fi(c.krm6),
                      "krm7": fi(c.krm7) if c.krm7 is not None else t("c_na"),
                      "ok": t("ok") if c.ok else t("fail")} for c in rep.checks]
    ctx["warnings"] = [shown(w, t) for w in md.warnings]  # in the note's language


def _source_summary(md: MonthData, t) -> dict:
    """The files of the month by status and form, with counts: used; superseded, by the level used instead;
    excluded.  (Every file, with its figures, is on the control sheet of KRM-6 and KRM-7.)"""
    from krm.report.sheets import superseded_by

    forms = sorted({s.form for s in md.sources})
    rows = []

    def row(label: str, cls: str, files: list) -> None:
        if files:
            rows.append({"label": label, "cls": cls, "n": len(files),
                         "by_form": [sum(1 for s in files if s.form == f) or "" for f in forms]})

    row(t("status_used"), "used", [s for s in md.sources if s.status == "used"])
    sup = [s for s in md.sources if s.status == "superseded"]

    def used_level(s) -> str:
        u = md.units.get((s.programme, s.region))
        return "KRM-4/5" if u is None or u.from_programme_level else u.level

    for level in superseded_by(md):
        row(t("why_superseded", level=level.replace("KRM", "КРМ")), "superseded",
            [s for s in sup if used_level(s) == level])
    row(t("status_excluded"), "excluded", [s for s in md.sources if s.status == "excluded"])
    return {"forms": [f.replace("KRM", "КРМ") for f in forms], "rows": rows}


def _why_excluded(note: str, t) -> str:
    """Why a file was left out, in the note's language (the control sheet keeps the detail)."""
    import re

    code = re.search(r"KRM-[EW]\d{3}", note or "")
    if "duplicate" in (note or ""):
        return t("why_duplicate")
    if "errors" in (note or "") or code:
        return t("why_errors", code=code.group(0) if code else "")
    if "programme" in (note or ""):
        return t("why_programme")
    if "region" in (note or "") or "district" in (note or ""):
        return t("why_place")
    return t("why_other")


def render_note(rep: Report, lang: str) -> str:
    """The self-contained HTML note (inline CSS and SVG, no scripts, no network)."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("krm") / "report_templates")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    from krm.report.compiled import template_cache

    env.bytecode_cache = template_cache(env)  # compiled once (krm.report.compiled), not on every run
    ctx = note_context(rep, lang)
    for k in ("map", "region_chart", "programme_chart", "activity_chart"):
        ctx[k] = Markup(ctx[k])
    if ctx["quarter"]:
        ctx["quarter"]["chart"] = Markup(ctx["quarter"]["chart"])
    return env.get_template("note.html.j2").render(**ctx)
