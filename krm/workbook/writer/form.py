"""One form workbook written from its spec (:func:`write_form`); its grouped view is :mod:`.groupview`."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from krm import annex_text, reference
from krm.explanations import SHEET as EXPLANATIONS_SHEET
from krm.forms import BASIS_VALUES, SEAL, SIGNATURE
from krm.spec import ColType, FormSpec, Rows
from krm.workbook.writer import blocks, grouped, printsheet, wideprint
from krm.workbook.writer.fastbook import _new_workbook
from krm.workbook.writer.fastpath import _add_sheet, _put_rows, _values
from krm.workbook.writer.groupview import has_group_view, write_group_view
from krm.workbook.writer.layout import (FIXED_TIME, UI, Layout, _heading_heights, _span_start, _text_height, _value_span,
                                       column_letter, column_width, layout, page_breaks, print_scale, table_headers)
from krm.workbook.writer.printing import (BLANK_PRINT_ROWS, CONTINUED, fit_scale, keep_breaks, one_page_scale,
                                          page_setup, print_ranges)
from krm.workbook.writer.sheets import (INPUT_FILL, NUM_FORMATS, _data_validations, _Formats, _header_validation,
                                       _to_numbers, _write_extra_sheet, _write_instructions, _write_lists,
                                       write_explanations)


def write_form(
    target: str | Path | io.BytesIO,
    spec: FormSpec,
    lang: str = "kk",
    header: dict | None = None,
    rows: list[dict] | None = None,
    *,
    period: str | None = None,
    programmes=None,
    spare_rows: int | None = None,
    signature: dict | None = None,
    extra_sheets: list[tuple[str, list[list]]] | None = None,
    input_cells: bool = True,
    doc_time: dt.datetime | None = None,
    compress_level: int | None = None,
    explanations: bool = False,
    extra_layouts: dict | None = None,
) -> Layout:
    """Write one form workbook.

    ``header`` maps header keys (region, district, period, programme, basis, body) to
    display values; ``rows`` are dicts keyed by column key (FREE forms), or carry
    ``region`` (KATO) / ``activity`` (code) to place them on a fixed row.
    ``extra_sheets`` are (name, rows) tables appended after the form (control sheets); ``extra_layouts``: a dict
    the caller passes to every workbook it writes the same (unchanged) tables into, so that each table's layout
    (column formats and widths, row heights) is worked out once.
    ``explanations``: add the sheet «Түсініктеме / Пояснения» (templates: the district answers warnings there).
    """
    header = dict(header or {})
    rows = list(rows or [])
    period = period or (str(header.get("period")) if header.get("period") else None)
    on = reference.as_date(period) if period else dt.date.today()
    if spec.programme_columns and programmes is None:
        programmes = reference.programmes(on)
    n_free = len(rows) + (spec.spare_rows if spare_rows is None else spare_rows)
    lay = layout(spec, on, n_free, programmes)

    wb = _new_workbook(target, {"strings_to_formulas": False, "strings_to_numbers": False,
                                "strings_to_urls": False, "in_memory": True}, compress_level)
    _set_properties(wb, spec, lang, period, doc_time)
    F = _Formats(wb)
    ws = _add_sheet(wb, spec.sheet_name)
    printed = blocks.write_block_print if blocks.has_block_print(spec) else \
        grouped.write_grouped_print if grouped.has_grouped_print(spec) else \
        wideprint.write_wide_print if wideprint.has_wide_print(spec) else None  # the annex's layout
    print_ws = _add_sheet(wb, printsheet.sheet_name(spec, lang)) if printed is not None else None
    group_ws = None
    if has_group_view(spec):
        lay.group_sheet = UI["groups"](lang)
        group_ws = _add_sheet(wb, lay.group_sheet)
    instructions = _add_sheet(wb, UI["instructions"](lang))
    told = _add_sheet(wb, EXPLANATIONS_SHEET) if explanations else None
    lists = _add_sheet(wb, UI["lists"](lang))

    # ---- lists sheet (dropdown sources)
    list_names = _write_lists(wb, lists, F, spec, lang, on, header, programmes)
    x = _Sheet(wb, ws, F, spec, lay, lang, input_cells)
    _write_banner(x)
    _write_header_fields(x, header, list_names)
    _write_headings(x)
    x.blank = spec.rows == Rows.FREE and not rows
    data = _write_table(x, rows, list_names)
    _write_total_row(x, data)
    _write_signature(x, signature or {})
    _sheet_settings(x)

    if printed is not None:  # KRM-1: a block per project; KRM-2/3: under the nine activities; KRM-6/7: stacked
        printed(print_ws, F, spec, lay, data, header, signature or {}, lang, x.v0)
    if group_ws is not None:
        write_group_view(wb, group_ws, F, spec, lay, data, lang)
    _write_instructions(instructions, F, spec, lang, lay)
    if told is not None:
        write_explanations(wb, told, F, spec, lang)
    for name, table in extra_sheets or []:
        _write_extra_sheet(wb, F, name, table, extra_layouts)
    wb.close()
    return lay


def _set_properties(wb, spec: FormSpec, lang: str, period: str | None, doc_time: dt.datetime | None) -> None:
    """The document properties every krm workbook carries: what form, which edition, language and period."""
    wb.set_properties({
        "title": f"{spec.sheet_name}: {spec.title(lang)}"[:250], "subject": spec.id, "author": "krm",
        "company": "krm", "comments": f"krm form {spec.id}, spec {spec.edition}", "created": doc_time or FIXED_TIME,
        "keywords": "КРМ, KRM",
    })
    wb.set_custom_property("krm_form", spec.id)
    wb.set_custom_property("krm_spec_version", spec.edition)
    wb.set_custom_property("krm_lang", lang)
    if period:
        wb.set_custom_property("krm_period", str(period))


class _Sheet:
    """The form's sheet being written and what its parts share: widths, pages, the header's value span."""

    def __init__(self, wb, ws, F, spec: FormSpec, lay: Layout, lang: str, input_cells: bool):
        self.wb, self.ws, self.F, self.spec, self.lay, self.lang = wb, ws, F, spec, lay, lang
        self.input_cells = input_cells
        cols = lay.columns
        self.widths = [column_width(c, lang) for c in cols] + [10.0] * (lay.ncols - len(cols))
        self.breaks = page_breaks(cols, self.widths[:len(cols)])
        self.last = (self.breaks[0] - 1) if self.breaks else lay.ncols - 1  # the banner rows stay on page 1
        self.total_w = sum(self.widths[:self.last + 1])
        self.v0, self.v1 = _value_span(lay)
        self.in_f = None  # the input cells' format: made where the header first needs it (formats keep their order)
        self.heights: dict[int, float] = {}  # row -> height (points) of every row given one: the page breaks' input
        self.end_row = 0  # the last row of the form (the seal line or the footnote)
        self.blank = False  # a blank template of a free-row form (prints a few blank rows, not all)

    def row(self, r: int, height: float) -> None:
        self.heights[r] = height
        self.ws.set_row(r, height)


def _write_banner(x: _Sheet) -> None:
    """Column widths, and the annex line, the title, index/periodicity and submitter/recipient/deadline rows."""
    ws, F, spec, lang, widths, last, total_w = x.ws, x.F, x.spec, x.lang, x.widths, x.last, x.total_w
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    annex_c0 = _span_start(widths[:last + 1], 62)
    annex_line = f"{spec.annex(lang)}\n\n{spec.kind_line(lang)}"
    x.row(0, _text_height(annex_line, sum(widths[annex_c0:last + 1]), 8, italic=True))
    ws.merge_range(0, annex_c0, 0, last, annex_line,
                   F(text_wrap=True, align="right", italic=True, font_size=8, valign="top"))
    x.row(1, _text_height(spec.title(lang), total_w, 12, bold=True))
    ws.merge_range(1, 0, 1, last, spec.title(lang), F(text_wrap=True, align="center", bold=True, font_size=12))
    # the regulation prints index, periodicity, submitter, recipient and deadline one under the other
    line2 = f"{UI['index'](lang)}: {spec.sheet_name}\n{UI['periodicity'](lang)}: {spec.periodicity(lang)}"
    x.row(2, _text_height(line2, total_w, 10))
    ws.merge_range(2, 0, 2, last, line2, F(text_wrap=True, align="left"))
    who, where, when = annex_text.banner_labels(spec)  # each annex's own labels
    line3 = (f"{who(lang)}: {spec.submitter(lang)}\n{where(lang)}: {spec.recipient(lang)}\n"
             f"{when(lang)}: {spec.deadline.text(lang)}")
    x.row(3, _text_height(line3, total_w, 10))
    ws.merge_range(3, 0, 3, last, line3, F(text_wrap=True, align="left"))


def _write_header_fields(x: _Sheet, header: dict, list_names: dict[str, str]) -> None:
    """The header's label and value cells, each a defined name, with its dropdown or check."""
    wb, ws, F, spec, lay, lang, widths = x.wb, x.ws, x.F, x.spec, x.lay, x.lang, x.widths
    v0, v1, input_cells = x.v0, x.v1, x.input_cells
    label_f = F(align="right", bold=True, text_wrap=True)
    in_f = x.in_f = F(bg_color=INPUT_FILL, border=1, locked=False, align="left", num_format="@", text_wrap=True)
    for h in spec.header:
        r = lay.header_rows[h.key]
        val = header.get(h.key)
        if h.key == "basis" and val in BASIS_VALUES:
            val = BASIS_VALUES[val](lang)
        x.row(r, max(_text_height(h.label(lang), sum(widths[:v0]), 10, bold=True, minimum=18),
                          _text_height(str(val or ""), sum(widths[v0:v1 + 1]), 10, minimum=18),
                          30 if h.type == "programme" else 18))
        ws.merge_range(r, 0, r, v0 - 1, h.label(lang), label_f)
        ws.merge_range(r, v0, r, v1, "", in_f if input_cells else F(border=1, align="left", text_wrap=True))
        if val not in (None, ""):
            ws.write_string(r, v0, str(val), in_f if input_cells else F(border=1, align="left", text_wrap=True))
        wb.define_name(h.name, f"='{spec.sheet_name}'!${column_letter(v0)}${r + 1}")
        _header_validation(ws, h, r, v0, list_names, lang)
    if lay.caption_row is not None:
        ws.merge_range(lay.caption_row, v0, lay.caption_row, v1, spec.unit_caption(lang),
                       F(italic=True, font_size=8, align="center", valign="top", text_wrap=True))
        x.row(lay.caption_row, _text_height(spec.unit_caption(lang), sum(widths[v0:v1 + 1]), 8, minimum=12))


def _write_headings(x: _Sheet) -> None:
    """Column headings: the group row and the title row (the number row is the table's header)."""
    ws, F, lang, cols = x.ws, x.F, x.lang, x.lay.columns
    hr = x.lay.heading_row
    head_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#DDEBF7")
    sup_f = F(bold=True, text_wrap=True, align="center", border=1, bg_color="#E2EFDA")
    group_h, title_h = _heading_heights(cols, lang)
    x.row(hr, group_h)
    x.row(hr + 1, title_h)
    i = 0
    while i < len(cols):
        c = cols[i]
        fmt = head_f if c.official else sup_f
        if c.group is None:
            ws.merge_range(hr, i, hr + 1, i, c.title(lang), fmt)
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == c.group:
            j += 1
        if j > i:
            ws.merge_range(hr, i, hr, j, c.group(lang), fmt)
        else:
            ws.write_string(hr, i, c.group(lang), fmt)
        for k in range(i, j + 1):
            ws.write_string(hr + 1, k, cols[k].title(lang), head_f if cols[k].official else sup_f)
        i = j + 1


def _write_table(x: _Sheet, rows: list[dict], list_names: dict[str, str]) -> list[dict]:
    """The data table (an Excel table with its defined names) and its validations; returns the rows placed."""
    wb, ws, F, spec, lay, lang = x.wb, x.ws, x.F, x.spec, x.lay, x.lang
    cols = lay.columns
    data = _place_rows(spec, lay, rows, lang)
    first, lastr = lay.first_data_row, lay.last_data_row
    names = table_headers(cols)
    col_formats = []
    for c in cols:
        props = {"border": 1, "num_format": NUM_FORMATS[c.type]}
        if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION):
            props["text_wrap"] = True
        if c.type == ColType.SEQ:  # centred: a row number never runs into the numbered activity beside it
            props["align"] = "center"
        fixed = (c.type == ColType.SEQ) or (spec.rows != Rows.FREE and c.key in ("region", "activity"))
        if x.input_cells and not fixed:
            props.update(bg_color=INPUT_FILL, locked=False)
        col_formats.append(F(**props))
    ws.add_table(first - 1, 0, lastr, len(cols) - 1, {
        "name": spec.table_name, "style": None, "autofilter": False,
        "columns": [{"header": n, "header_format": F(bold=True, align="center", border=1, italic=True,
                                                      bg_color="#F2F2F2")} for n in names],
    })
    wb.define_name("KRM_DATA", f"='{spec.sheet_name}'!$A${first + 1}:${column_letter(len(cols) - 1)}${lastr + 1}")
    wb.define_name("KRM_COLNUMS", f"='{spec.sheet_name}'!$A${first}:${column_letter(len(cols) - 1)}${first}")
    _data_heights(x, data)
    keys = [c.key for c in cols]
    _put_rows(ws, first, _values(data[: lastr - first + 1], keys), col_formats, [c.type == ColType.ID for c in cols])
    _data_validations(ws, spec, cols, first, lastr, list_names)
    return data


def _data_heights(x: _Sheet, data: list[dict]) -> None:
    """Each table row as tall as its longest wrapped text (region / activity names, project and enterprise names)."""
    cols, first = x.lay.columns, x.lay.first_data_row
    widths = x.widths
    # each column's heights by text: activity and district names come back on most rows
    wrapped = [(c.key, widths[i], {}) for i, c in enumerate(cols)
               if c.type in (ColType.TEXT, ColType.ACTIVITY, ColType.REGION, ColType.PROGRAMME)]
    fixed = x.spec.rows != Rows.FREE
    for k, d in enumerate(data):
        need = None
        for key, w, known in wrapped:
            v = d.get(key)
            if v is not None and v != "":
                h = known.get(v) if v.__class__ is str else None
                if h is None:
                    h = _text_height(str(v), w, 10)
                    if v.__class__ is str:
                        known[v] = h
                if need is None or h > need:
                    need = h
        if need is not None and (fixed or need > 15):
            x.row(first + k, need)


def _write_total_row(x: _Sheet, data: list[dict]) -> None:
    """The total row: a SUM formula per numeric column, with its value cached (the figure a reader sees without
    recalculating); in an output, a column with no value in any row is left blank (blank is not zero)."""
    wb, ws, F, spec, lay = x.wb, x.ws, x.F, x.spec, x.lay
    if lay.total_row is None:
        return
    cols, first, lastr = lay.columns, lay.first_data_row, lay.last_data_row
    tr = lay.total_row
    tot_f = F(bold=True, border=1, align="left")
    ws.write_string(tr, 0, "", tot_f)
    ws.write_string(tr, 1, spec.total_label(x.lang), tot_f)
    for ci, c in enumerate(cols):
        if ci < 2:
            continue
        if c.type.numeric:
            vals = _to_numbers([d.get(c.key) for d in data])
            if not x.input_cells and all(v is None for v in vals):
                # an output column nobody reported (KRM-7's plan without a plan by activity, the fact columns of
                # the annual plan summary): blank, as its rows are; a SUM would print 0 where nothing is known
                ws.write_blank(tr, ci, None, F(bold=True, border=1, num_format=NUM_FORMATS[c.type]))
                continue
            total = sum(v for v in vals if v is not None)
            rng = f"{column_letter(ci)}{first + 1}:{column_letter(ci)}{lastr + 1}"
            ws.write_formula(tr, ci, f"=SUM({rng})",
                             F(bold=True, border=1, num_format=NUM_FORMATS[c.type]),
                             round(total, 6) if c.type == ColType.MONEY else int(round(total)))
        else:
            ws.write_blank(tr, ci, None, tot_f)
    wb.define_name("KRM_TOTAL", f"='{spec.sheet_name}'!$A${tr + 1}:${column_letter(len(cols) - 1)}${tr + 1}")


def _write_signature(x: _Sheet, sig: dict) -> None:
    """The signature block, the seal line and the footnote."""
    wb, ws, F, spec, lay, lang, widths, v0, v1 = x.wb, x.ws, x.F, x.spec, x.lay, x.lang, x.widths, x.v0, x.v1
    for s in SIGNATURE:
        r = lay.signature_rows[s.key]
        x.row(r, _text_height(s.label(lang), sum(widths[:v0]), 10, minimum=18))
        ws.merge_range(r, 0, r, v0 - 1, s.label(lang), F(align="right", text_wrap=True))
        f = x.in_f if x.input_cells else F(border=1, align="left")
        ws.merge_range(r, v0, r, v1, "", f)
        if sig.get(s.key):
            ws.write_string(r, v0, str(sig[s.key]), f)
        wb.define_name(s.name, f"='{spec.sheet_name}'!${column_letter(v0)}${r + 1}")
        if s.hint:
            ws.merge_range(r + 1, v0, r + 1, v1, s.hint(lang), F(italic=True, font_size=8, align="center"))
    r = max(lay.signature_rows.values()) + 2
    ws.write_string(r, 1, SEAL(lang), F(italic=True))
    x.end_row = r
    note = annex_text.footnote_line(spec, lang)  # "Ескертпе: …", as the annex prints it
    if note is not None:
        x.end_row = r + 1
        ws.merge_range(r + 1, 0, r + 1, x.last, note, F(italic=True, font_size=9, text_wrap=True))
        x.row(r + 1, _text_height(note, x.total_w, 9, italic=True))


def _sheet_settings(x: _Sheet) -> None:
    """Protection, printing (pages, repeated rows and columns), frozen panes, footer."""
    ws, breaks, lay = x.ws, x.breaks, x.lay
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True, "sort": False, "autofilter": False})
    last_col = x.last
    titles = (lay.heading_row, lay.number_row)
    # the table's last two rows go with the total and the signature block
    keep_from = max(lay.first_data_row, lay.last_data_row - 1)
    if breaks:
        # wide forms (KRM-6, KRM-7) continue in blocks below, as the regulation prints them ("кестенің
        # жалғасы"): № and the row name repeat, the title rows above the table do not, a plan/fact pair
        # is never split; the signature block ends the first block
        width_scale = print_scale(x.widths, breaks)
        scale = one_page_scale(x.heights, 0, x.end_row, width_scale, 0.7)
        page_setup(ws, f"&L{x.spec.sheet_name}&R&P / &N", scale=scale)
        ws.set_v_pagebreaks(breaks)
        ws.repeat_columns(0, 1)
        end_table = lay.total_row if lay.total_row is not None else lay.last_data_row
        ranges = [(0, 0, x.end_row, breaks[0] - 1)]
        note_f = x.F(italic=True, align="left")
        for b, e in zip(breaks, breaks[1:] + [len(lay.columns)]):
            ws.write_string(lay.heading_row - 1, b, CONTINUED(x.lang), note_f)
            ranges.append((lay.heading_row - 1, b, end_table, e - 1))
        print_ranges(ws, x.spec.sheet_name, ranges)
        if scale == width_scale:  # the first block does not fit one page: keep the signature with the last rows
            ws.set_h_pagebreaks(keep_breaks(x.heights, 0, x.end_row, titles, keep_from, scale))
    else:
        scale = fit_scale(sum(x.widths[:last_col + 1]))
        if not x.blank:
            scale = one_page_scale(x.heights, 0, x.end_row, scale, 0.55)
        page_setup(ws, f"&L{x.spec.sheet_name}&R&P / &N", scale=scale)
        if x.blank and lay.last_data_row - lay.first_data_row + 1 > BLANK_PRINT_ROWS + 2:
            # a blank template: the form with a few blank rows, then the table's end and the signature block
            print_ranges(ws, x.spec.sheet_name, [(0, 0, lay.first_data_row + BLANK_PRINT_ROWS - 1, last_col),
                                                 (keep_from, 0, x.end_row, last_col)])
        else:
            print_ranges(ws, x.spec.sheet_name, [(0, 0, x.end_row, last_col)])
            ws.set_h_pagebreaks(keep_breaks(x.heights, 0, x.end_row, titles, keep_from, scale))
    ws.repeat_rows(*titles)
    ws.freeze_panes(lay.first_data_row, 0)
    ws.activate()


def _place_rows(spec: FormSpec, lay: Layout, rows: list[dict], lang: str) -> list[dict]:
    n = lay.last_data_row - lay.first_data_row + 1
    if spec.rows == Rows.FREE:
        out = [dict(r) for r in rows] + [{} for _ in range(n - len(rows))]
        for i, r in enumerate(out[: len(rows)]):
            r.setdefault("seq", i + 1)
        return out
    by_key = {}
    keyname = "region" if spec.rows == Rows.REGIONS else "activity"
    for r in rows:
        by_key[str(r.get(keyname))] = r
    unknown = set(by_key) - set(lay.fixed_keys)
    if unknown:
        raise ValueError(f"{spec.id}: rows for {sorted(unknown)} have no place in the form for this period")
    li = {"kk": 0, "ru": 1, "en": 2}.get(lang, 2)
    out = []
    for i, k in enumerate(lay.fixed_keys):
        rec = {c: v for c, v in by_key.get(k, {}).items() if c != keyname}
        rec["seq"] = i + 1
        rec[keyname] = lay.fixed_labels[k][li]
        out.append(rec)
    return out
