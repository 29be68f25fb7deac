"""What the print sheets share (KRM-1's blocks, KRM-2/3's grouped table): a sheet that shows the entry sheet's
figures in an annex's layout, every value a formula on the entry sheet, protected, only printed.

* every value is ``=IF(entry="","",entry)`` with its value cached for programs that do not calculate: the entry
  sheet stays the one place to type, and the two never disagree;
* the banner is the annex's: its line, the title, the reporting unit over its caption, the period, the index,
  periodicity and each annex's own labels for who submits, to whom and by when;
* a line at the top prints only when the entry sheet holds more rows than the print sheet was written with
  (``krm convert FILE`` writes the workbook again, with all of them placed);
* the signature block (values from the entry sheet) and the footnote end it; pages break between whole blocks.
"""

from __future__ import annotations

from krm import annex_text
from krm.forms import BASIS_VALUES, SEAL, SIGNATURE
from krm.spec import FormSpec, T
from krm.workbook.writer.layout import PT_PER_UNIT, UI, Layout, _text_height, column_letter
from krm.workbook.writer.linked import cached
from krm.workbook.writer.printing import DEFAULT_ROW_PT, FILL, MARGINS, PAPER_A4, USABLE_H_PT, USABLE_W_PT

SHEET = T("Басып шығару", "Печать", "Print")
USABLE_W_PORTRAIT = (8.27 - MARGINS["left"] - MARGINS["right"]) * 72
USABLE_H_PORTRAIT = (11.69 - MARGINS["top"] - MARGINS["bottom"]) * 72
_PERIOD = {"year": T("{} жылғы есепті кезең", "отчетный период: {} год", "reporting period: {}"),
           "month": T("{} есепті кезең", "отчетный период: {}", "reporting period: {}")}
_BLANK_PERIOD = {"year": "20___", "month": "____ 20___"}
_MORE = T("Нысанда {n} жол, мұнда {k}: барлығын басу үшін krm convert ФАЙЛ",
          "В форме строк: {n}, здесь: {k}; чтобы напечатать все, krm convert ФАЙЛ",
          "The form has {n} rows, this sheet {k}: to print them all, krm convert FILE")


def sheet_name(spec: FormSpec, lang: str) -> str:
    return f"{spec.sheet_name} {SHEET(lang)}"[:31]


def lit(text: str) -> str:
    """``text`` inside a formula's string literal (quotes doubled)."""
    return text.replace('"', '""')


class Formats:
    def __init__(self, F):
        self.label = F(text_wrap=True, align="left", valign="top")
        self.value = F(text_wrap=True, align="left", bottom=1, valign="bottom")
        self.unit = F(text_wrap=True, align="center", bottom=1, valign="bottom")
        self.date = F(align="center", bottom=1, num_format="yyyy.mm.dd")
        self.money = F(align="center", bottom=1, num_format="#,##0.000")
        self.caption = F(italic=True, font_size=8, align="center", valign="top", text_wrap=True)
        self.head = F(bold=True, text_wrap=True, align="center", border=1)
        self.cell = F(text_wrap=True, border=1, valign="top")
        self.num = F(border=1, align="center", num_format="#,##0")
        self.num_r = F(border=1, align="right", num_format="#,##0", valign="top")
        self.amount = F(border=1, align="right", num_format="#,##0.000", valign="top")
        self.day = F(border=1, align="center", num_format="yyyy.mm.dd", valign="top")
        self.seq = F(border=1, align="center", valign="top")
        self.group = F(bold=True, border=1, text_wrap=True, valign="top", bg_color="#F2F2F2")
        self.group_num = F(bold=True, border=1, align="right", num_format="#,##0", bg_color="#F2F2F2")
        self.group_amount = F(bold=True, border=1, align="right", num_format="#,##0.000", bg_color="#F2F2F2")
        self.title = F(bold=True, font_size=12, text_wrap=True, align="center")
        self.annex = F(italic=True, font_size=8, text_wrap=True, align="right", valign="top")
        self.line = F(text_wrap=True, align="left", valign="top")
        self.note = F(italic=True, font_size=9, text_wrap=True)
        self.warn = F(bold=True, font_color="#C00000", text_wrap=True)


class PrintSheet:
    """A print sheet being written: its widths, the entry sheet it shows, the row heights it was given."""

    def __init__(self, ws, F, spec: FormSpec, lay: Layout, lang: str, v0: int, widths: tuple[float, ...],
                 portrait: bool):
        self.ws, self.spec, self.lay, self.lang, self.v0 = ws, spec, lay, lang, v0
        self.widths, self.portrait = widths, portrait
        self.last = len(widths) - 1
        self.total_w = sum(widths)
        self.f = Formats(F)
        self.heights: dict[int, float] = {}
        self.src = "'" + spec.sheet_name.replace("'", "''") + "'"
        self.col = {c.key: i for i, c in enumerate(lay.columns)}
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)

    def row(self, r: int, height: float) -> None:
        self.heights[r] = height
        self.ws.set_row(r, height)

    def ref(self, r: int, c: int) -> str:
        return f"{self.src}!${column_letter(c)}${r + 1}"

    def value(self, at: tuple[int, int], r: int, key: str, shown, fmt) -> None:
        """Cell ``at`` shows the entry sheet's cell of row ``r``, column ``key`` (blank stays blank)."""
        x = self.ref(r, self.col[key])
        self.ws.write_formula(*at, f'=IF({x}="","",{x})', fmt, cached(shown))

    def banner(self, header: dict, lines: tuple[str, ...] = ("programme",)) -> int:
        """The annex line, the title, the unit and period lines (no unit line for a form without one: KRM-6/7), index
        and the header labels, then krm's header fields ``lines`` (label: value); the next row."""
        ws, f, spec, lay, lang, last = self.ws, self.f, self.spec, self.lay, self.lang, self.last
        annex = f"{spec.annex(lang)}\n\n{spec.kind_line(lang)}"
        c0 = 1 if last >= 2 else 0
        ws.merge_range(0, c0, 0, last, annex, f.annex)
        self.row(0, _text_height(annex, sum(self.widths[c0:]), 8, italic=True))
        ws.merge_range(1, 0, 1, last, spec.title(lang), f.title)
        self.row(1, _text_height(spec.title(lang), self.total_w, 12, bold=True))
        unit = [k for k in ("district", "region", "body") if k in lay.header_rows]
        r = 2
        if unit or spec.unit_caption is not None:
            cells = [self.ref(lay.header_rows[k], self.v0) for k in unit]
            shown = " ".join(str(header.get(k) or "") for k in unit).strip()
            ws.merge_range(2, 0, 2, last, "", f.unit)
            ws.write_formula(2, 0, "=TRIM(" + '&" "&'.join(cells) + ")" if cells else '=""', f.unit, shown)
            ws.merge_range(3, 0, 3, last, spec.unit_caption(lang) if spec.unit_caption is not None else "",
                           f.caption)
            r = 4
        kind = "year" if spec.period_kind == "year" else "month"
        pr = self.ref(lay.header_rows["period"], self.v0)
        blank = _BLANK_PERIOD[kind]
        period = lit(_PERIOD[kind](lang)).replace("{}", f'"&IF({pr}="","{blank}",{pr})&"')
        ws.merge_range(r, 0, r, last, "", f.line)
        ws.write_formula(r, 0, f'="{period}"', f.line, _PERIOD[kind](lang).format(header.get("period") or blank))
        who, where, when = annex_text.banner_labels(spec)
        text = "\n".join([f"{UI['index'](lang)}: {spec.sheet_name}", f"{UI['periodicity'](lang)}: "
                          f"{spec.periodicity(lang)}", f"{who(lang)}: {spec.submitter(lang)}",
                          f"{where(lang)}: {spec.recipient(lang)}", f"{when(lang)}: {spec.deadline.text(lang)}"])
        ws.merge_range(r + 1, 0, r + 1, last, text, f.line)
        self.row(r + 1, _text_height(text, self.total_w, 10))
        r += 2
        for key in lines:  # krm's additions: the programme (FORMS.md), whether the figures are cumulative
            if key not in lay.header_rows:
                continue
            label = spec.header_field(key).label(lang)
            p = self.ref(lay.header_rows[key], self.v0)
            value = header.get(key) or ""
            if key == "basis" and value in BASIS_VALUES:
                value = BASIS_VALUES[value](lang)
            ws.merge_range(r, 0, r, last, "", f.line)
            ws.write_formula(r, 0, f'="{lit(label)}: "&{p}', f.line, f"{label}: {value}")
            self.row(r, _text_height(f"{label}: {value}", self.total_w, 10, minimum=30 if key == "programme" else 15))
            r += 1
        return r + 1

    def headings(self, cols, r: int) -> int:
        """The group row, the title row and the column-number row (5 over both dates, as the annex numbers it)."""
        p = self
        ws, f, lang = p.ws, p.f, p.lang
        i = 0
        need = [18.0, 18.0]
        while i < len(cols):
            c = cols[i]
            j = i
            while c.group is not None and j + 1 < len(cols) and cols[j + 1].group == c.group:
                j += 1
            if c.group is None:
                ws.merge_range(r, i, r + 1, i, c.title(lang), f.head)
                need[1] = max(need[1], _text_height(c.title(lang), p.widths[i], 10, bold=True) - need[0])
            else:
                span = sum(p.widths[i:j + 1])
                (ws.merge_range(r, i, r, j, c.group(lang), f.head) if j > i else ws.write_string(r, i, c.group(lang), f.head))
                need[0] = max(need[0], _text_height(c.group(lang), span, 10, bold=True))
                for k in range(i, j + 1):
                    ws.write_string(r + 1, k, cols[k].title(lang), f.head)
                    need[1] = max(need[1], _text_height(cols[k].title(lang), p.widths[k], 10, bold=True))
            i = j + 1
        p.row(r, need[0])
        p.row(r + 1, need[1])
        i = 0
        while i < len(cols):
            j = i
            while j + 1 < len(cols) and cols[j + 1].number == cols[i].number:
                j += 1
            (ws.merge_range(r + 2, i, r + 2, j, cols[i].number, f.seq) if j > i
             else ws.write_string(r + 2, i, cols[i].number, f.seq))
            i = j + 1
        return r + 3

    def more_line(self, r: int, key: str, placed: int) -> int:
        """A line that prints only when the entry sheet has more rows (filled ``key``) than ``placed``."""
        c = column_letter(self.col[key])
        rng = f"{self.src}!${c}${self.lay.first_data_row + 1}:${c}${self.lay.last_data_row + 1}"
        more = lit(_MORE(self.lang)).replace("{n}", '"&COUNTA(' + rng + ')&"').replace("{k}", str(placed))
        self.ws.merge_range(r, 0, r, self.last, "", self.f.warn)
        self.ws.write_formula(r, 0, f'=IF(COUNTA({rng})>{placed},"{more}","")', self.f.warn, "")
        return r + 1

    def signature(self, r: int, signature: dict, split: int) -> int:
        """The signature block, labels in columns 0…split-1 and values after, from the entry sheet; the next row."""
        ws, f, lang, last = self.ws, self.f, self.lang, self.last
        for s in SIGNATURE:
            sr = self.lay.signature_rows[s.key]
            ws.merge_range(r, 0, r, split - 1, s.label(lang), f.label) if split > 1 else \
                ws.write_string(r, 0, s.label(lang), f.label)
            x = self.ref(sr, self.v0)
            if last > split:
                ws.merge_range(r, split, r, last, "", f.value)
            ws.write_formula(r, split, f'=IF({x}="","",{x})', f.value, str(signature.get(s.key) or ""))
            self.row(r, _text_height(s.label(lang), sum(self.widths[:split]), 10, minimum=18))
            r += 1
            if s.hint:
                ws.merge_range(r, split, r, last, s.hint(lang), f.caption) if last > split else \
                    ws.write_string(r, split, s.hint(lang), f.caption)
                r += 1
        ws.write_string(r, min(1, last), SEAL(lang), f.label)
        r += 1
        note = annex_text.footnote_line(self.spec, lang)
        if note is not None:
            ws.merge_range(r, 0, r, last, note, f.note)
            self.row(r, _text_height(note, self.total_w, 9, italic=True))
            r += 1
        return r - 1

    def finish(self, end: int, starts: list[int], repeat: tuple[int, int] | None = None, whole: bool = True,
               scale: int | None = None) -> None:
        """Protection and page set-up: A4, scaled to the width (or ``scale``), pages broken between whole blocks
        (``whole``; else a block's first rows are kept together and it runs on)."""
        ws = self.ws
        ws.protect("")
        (ws.set_portrait if self.portrait else ws.set_landscape)()
        ws.set_paper(PAPER_A4)
        ws.set_margins(**MARGINS)
        ws.set_footer(f"&L{sheet_name(self.spec, self.lang)}&R&P / &N")
        usable_w, usable_h = (USABLE_W_PORTRAIT, USABLE_H_PORTRAIT) if self.portrait else (USABLE_W_PT, USABLE_H_PT)
        if scale is None:
            scale = max(10, min(100, int(100 * usable_w / (self.total_w * PT_PER_UNIT + 30))))
        ws.set_print_scale(scale)
        ws.print_area(0, 0, end, self.last)
        if repeat is not None:
            ws.repeat_rows(*repeat)
        ws.set_h_pagebreaks(self._breaks(starts, end, scale, usable_h, repeat, whole))

    def _breaks(self, starts: list[int], end: int, scale: int, usable_h: float,
                repeat: tuple[int, int] | None, whole: bool) -> list[int]:
        """Rows that start a page so that no block (``starts[i]`` … ``starts[i+1] - 1``) is split; a block taller than
        a page starts where its first rows fit and breaks where the page is full."""
        h = self.heights.get
        cap = usable_h * FILL * 100 / scale
        again = sum(h(r, DEFAULT_ROW_PT) for r in range(repeat[0], repeat[1] + 1)) if repeat else 0.0
        out: list[int] = []
        used = sum(h(r, DEFAULT_ROW_PT) for r in range(0, starts[0])) if starts else 0.0
        bounds = starts + [end + 1]
        for a, b in zip(bounds, bounds[1:]):
            block = sum(h(r, DEFAULT_ROW_PT) for r in range(a, b))
            head = sum(h(r, DEFAULT_ROW_PT) for r in range(a, min(b, a + 3)))  # a long block: its first rows
            keep = (whole or b == end + 1) and block <= cap - again  # the signature block is always kept whole
            if used > again and (used + block > cap if keep else used + head > cap):
                out.append(a)
                used = again
            if used + block > cap:  # taller than a page: break inside it, row by row
                for r in range(a, b):
                    if used + h(r, DEFAULT_ROW_PT) > cap and used > again:
                        out.append(r)
                        used = again
                    used += h(r, DEFAULT_ROW_PT)
            else:
                used += block
        return out
