"""The header of a form drawn from the annex: free text lines above the table.

Each text cell above the table headings is read for what it names: the reporting period
("Есепті кезең: 2019 жылғы мамыр"), the reporting unit (region and district, on a labelled line or on
the line above the annex's caption "ауданның/қаланың/… атауы"), the programme, the basis and, for
KRM-4/5, the central body.  A field found once is taken; a field found with two different values,
a name that fits two districts, and a field not found at all are reported (``Header.notes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from krm.codes import E061, E062
from krm import reference
from krm.layouts import names, period_text

# lines of the annex that are not fields (their label, kk / ru)
_FIXED = re.compile(r"^\s*(?:индекс|кезеңділігі|периодичность|ұсынады|представляет|нысан қайда|форма "
                    r"представляется|куда представляется|қайда ұсынылады|ұсыну мерзімі|тапсыру мерзімі|срок "
                    r"представления|әкімшілік деректерді|форма,? предназначенная|приложение|электрондық|адрес "
                    r"электрон|орындаушы|исполнитель|басшы|руководитель)", re.I)
_PERIOD_LABEL = re.compile(r"есепті\s+кезе|отч[её]тн\w*\s+период|период|кезең|reporting period", re.I)
_PROG_LABEL = re.compile(r"бағдарлама|программ|programme", re.I)
_UNIT_LABEL = re.compile(r"облыс|област|аудан|район|өңір|регион|қала|город|district|region", re.I)
_CAPTION = re.compile(r"(атауы|наименование)\W*$|^\W*\(?\s*(ауданның|наименование|мемлекеттік бағдарламаны|"
                      r"центрального)", re.I)
_MONTH_ONLY = re.compile(r"тек\s+есепті\s+ай|только\s+за\s+(отч[её]тный\s+)?месяц|за\s+месяц|for the (reporting )?"
                         r"month only", re.I)
_CUMULATIVE = re.compile(r"жыл\s+басынан|нарастающ|с\s+начала\s+года|cumulative", re.I)
_KK_LETTERS = re.compile(r"[әіңғүұқөһӘІҢҒҮҰҚӨҺ]")


@dataclass
class Header:
    values: dict = field(default_factory=dict)  # header key -> value as the rules read it
    cells: dict = field(default_factory=dict)  # header key -> (row, col)
    notes: list = field(default_factory=list)  # (code, row, col, key, value, params)
    reported: set = field(default_factory=set)  # keys a note covers besides its own (region of an ambiguous district)
    lang: str | None = None


def _split(text: str) -> tuple[str, str]:
    if ":" in text:
        label, value = text.split(":", 1)
        return label.strip(), value.strip()
    return "", text.strip()


def read(grid: list[list], stop: int, spec, lang_hint: str | None = None) -> Header:
    """The header fields of ``spec`` from the text cells of ``grid`` rows 0 .. stop-1."""
    h = Header()
    cells = [(r, c, str(v).strip()) for r in range(min(stop, len(grid))) for c, v in enumerate(grid[r])
             if isinstance(v, str) and v.strip()]
    texts = " ".join(t for _, _, t in cells)
    h.lang = lang_hint or ("kk" if _KK_LETTERS.search(texts) else "ru" if re.search(r"[а-я]", texts, re.I) else None)
    kind = spec.period_kind
    periods: dict[str, tuple] = {}
    progs: dict[str, tuple] = {}
    unit_lines: list[tuple] = []
    basis = None
    body = None
    below_caption = {(r - 1, c) for r, c, t in cells if _CAPTION.search(t) and len(t) < 200}
    for r, c, t in cells:
        if _FIXED.match(t) or len(t) > 200:
            continue
        label, value = _split(t)
        if _CAPTION.search(t) and not label:
            continue
        if _MONTH_ONLY.search(t):
            basis = basis or ("month", r, c)
        elif _CUMULATIVE.search(t):
            basis = basis or ("cumulative", r, c)
        found = period_text.reporting_periods(value or t, kind)
        bare = period_text._TOKEN.sub(" ", period_text._clean(value or t))
        bare = re.sub(r"\b(?:жылғы|жылдың|жылы|жыл|ж|года|год|г|за)\b\.?|есепті\s+кезе\w*|отч[её]тн\w*\s+период\w*|"
                      r"[\s.,:()_-]+", " ", bare).strip()
        if found and (_PERIOD_LABEL.search(label or t) or not bare):
            for p in found:
                periods.setdefault(p, (r, c))
            continue
        if _PROG_LABEL.search(label) or (not label and len(t) < 160):
            for p in names.programmes(value if label else t, None):
                progs.setdefault(p.code, (p, r, c))
        if (label and _UNIT_LABEL.search(label)) or (r, c) in below_caption or (not label and len(t) <= 80):
            unit_lines.append((r, c, value if label else t))
        if spec.id in ("KRM-4", "KRM-5") and (r, c) in below_caption:
            body = (t, r, c)
    _period(h, spec, periods)
    _unit(h, spec, unit_lines)
    _programme(h, spec, progs)
    if spec.header_field("basis") is not None:
        h.values["basis"] = basis[0] if basis else "cumulative"  # the Rules' default (FORMS.md)
        if basis:
            h.cells["basis"] = basis[1:]
    if spec.header_field("body") is not None and body:
        h.values["body"], h.cells["body"] = body[0], body[1:]
    return h


def _note(h: Header, code: str, where, key: str, value, **params) -> None:
    r, c = where if where else (None, None)
    h.notes.append((code, r, c, key, value, params))


def _period(h: Header, spec, periods: dict) -> None:
    if len(periods) == 1:
        (p, cell), = periods.items()
        h.values["period"], h.cells["period"] = p, cell
    elif len(periods) > 1:
        first = next(iter(periods.values()))
        h.cells["period"] = first
        _note(h, E062, first, "period", ", ".join(periods), field=spec.header_field("period").label,
              candidates=", ".join(periods))
    else:
        _note(h, E061, None, "period", None, field=spec.header_field("period").label)


def _on(h: Header):
    p = h.values.get("period")
    return reference.as_date(p) if p else None


def _unit(h: Header, spec, lines: list) -> None:
    on = _on(h)
    want_region = spec.header_field("region") is not None
    want_district = spec.header_field("district") is not None
    if not (want_region or want_district) or on is None:
        for key in ("region", "district"):
            if spec.header_field(key) is not None and on is not None:
                _note(h, E061, None, key, None, field=spec.header_field(key).label)
        return
    lang = h.lang or "kk"
    regs: dict[str, tuple] = {}
    for r, c, t in lines:
        for reg in names.regions(t, on):
            regs.setdefault(reg.kato, (reg, r, c))
    region = None
    if len(regs) == 1:
        region, rr, rc = next(iter(regs.values()))
    elif len(regs) > 1:
        first = next(iter(regs.values()))
        _note(h, E062, first[1:], "region", "; ".join(x[0].name(lang) for x in regs.values()),
              field=spec.header_field("region").label if want_region else "",
              candidates="; ".join(x[0].name(lang) for x in regs.values()))
        return
    dists: dict[str, tuple] = {}
    if want_district:
        for r, c, t in lines:
            for d in names.districts(t, region.kato if region else None, on):
                dists.setdefault(d.kato, (d, r, c))
        if len(dists) == 1:
            d, r, c = next(iter(dists.values()))
            h.values["district"], h.cells["district"] = reference.district_label(d, lang), (r, c)
            if region is None:
                region = next((x for x in reference.regions(on) if x.kato == d.region_kato), None)
                rr, rc = r, c
        elif len(dists) > 1:
            d, r, c = next(iter(dists.values()))
            cands = "; ".join(f"{x[0].name(lang)} ({_region_name(x[0].region_kato, on, lang)})"
                              for x in dists.values())
            h.cells["district"] = (r, c)
            _note(h, E062, (r, c), "district", cands, field=spec.header_field("district").label,
                  candidates=cands)
            if region is None:
                h.reported.add("region")  # which region follows from which district: one finding says it
        else:
            _note(h, E061, None, "district", None, field=spec.header_field("district").label)
    if want_region:
        if region is not None:
            h.values["region"], h.cells["region"] = region.name(lang), (rr, rc)
        elif not any(n[3] == "district" and n[0] == E062 for n in h.notes):
            _note(h, E061, None, "region", None, field=spec.header_field("region").label)


def _region_name(kato: str, on, lang: str) -> str:
    r = next((x for x in reference.regions(on) if x.kato == kato), None)
    return r.name(lang) if r else kato


def _programme(h: Header, spec, progs: dict) -> None:
    f = spec.header_field("programme")
    if f is None:
        return
    on = _on(h)
    if on is not None:  # names that are not valid in the period are kept only if nothing else is found
        valid = {k: v for k, v in progs.items() if reference.programme(k, on) is not None}
        progs = valid or progs
    if len(progs) == 1:
        p, r, c = next(iter(progs.values()))
        h.values["programme"], h.cells["programme"] = p.name(h.lang or "kk"), (r, c)
    elif len(progs) > 1:
        p, r, c = next(iter(progs.values()))
        cands = "; ".join(x[0].short or x[0].code for x in progs.values())
        h.cells["programme"] = (r, c)
        _note(h, E062, (r, c), "programme", cands, field=f.label, candidates=cands)
    else:
        _note(h, E061, None, "programme", None, field=f.label)
