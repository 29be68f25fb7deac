"""KRM-6's and KRM-7's print sheet: the table in the annex's continuation blocks, stacked, two to a page.

Annexes 6 and 7 print their fifteen programmes in blocks of a few plan / fact pairs, each block after the
first marked "кестенің жалғасы" ("продолжение таблицы"), two blocks on a page.  Excel prints a wide sheet in
column bands, one band a page, so the entry sheet prints one block a page; this sheet lays the same blocks
out one under the other, each the row label columns (№ and the region or activity) with its programme
columns, and breaks pages between whole blocks:

* the blocks are as many as the page's width needs, their programmes shared out evenly (the last block is
  not left with one programme); of the counts that fit, the one that prints on the fewest pages at the
  largest scale is taken, at a scale that puts two blocks on a page where they fit (never below 45 %);
* every value is a formula on the entry sheet (its value cached, :mod:`.printsheet`); a total is blank
  while its column is (blank is not zero), the title rows and the signature block print whole, the
  signature with the last block.
"""

from __future__ import annotations

from dataclasses import dataclass

from krm.spec import Column, FormSpec
from krm.workbook.writer.layout import PT_PER_UNIT, Layout, _text_height, column_letter, column_width
from krm.workbook.writer.printing import CONTINUED, DEFAULT_ROW_PT, FILL, MIN_SCALE, USABLE_H_PT, USABLE_W_PT
from krm.workbook.writer.printsheet import PrintSheet
from krm.workbook.writer.sheets import _to_number

MAX_GROUPS = 4  # plan / fact pairs a block holds at most: Annex 6's blocks have 3-4 programmes
MAX_VALUE_W = 24.0  # a value column is widened to fill the page's width up to this
_SIGNATURE_PT = 150.0  # the signature block after the last one, about
_ONE_LINE = 18.2  # :func:`_text_height` of one line of 10-point text: such a row prints in the default height


def has_wide_print(spec: FormSpec) -> bool:
    """Forms with a plan / fact pair per programme (KRM-6, KRM-7) print them in stacked continuation blocks."""
    return spec.programme_columns


def write_wide_print(ws, F, spec: FormSpec, lay: Layout, data: list[dict], header: dict, signature: dict,
                     lang: str, v0: int) -> None:
    """Write the print sheet (right after the entry sheet): the banner, the blocks one under the other, the
    signature block after the last."""
    plan = choose_blocks(spec, lay, data, lang)
    p = PrintSheet(ws, F, spec, lay, lang, v0, plan.widths, portrait=False)
    r = p.banner(header, ("basis",))
    starts: list[int] = []
    for k, block in enumerate(plan.blocks):
        starts.append(r)
        if k:  # "кестенің жалғасы", as the annex marks each further block
            ws.merge_range(r, 0, r, p.last, CONTINUED(lang), p.f.note)
            r += 1
        r = _block(p, list(lay.columns[:2]) + block, data, r)
    end = p.signature(r + 1, signature, min(2, p.last))
    p.finish(end, starts, whole=True, scale=plan.scale)


@dataclass
class Plan:
    blocks: list[list[Column]]  # each block's value columns (the label columns № and name go before each)
    widths: tuple[float, ...]  # the sheet's columns: the two label columns, then the widest block's
    scale: int
    pages: int


def choose_blocks(spec: FormSpec, lay: Layout, data: list[dict], lang: str) -> Plan:
    """The blocks (a plan / fact pair never split, at most :data:`MAX_GROUPS` pairs a block as the annexes have
    them), their column widths and the print scale: of the block counts and scales tried, the fewest pages, then
    the largest scale; the value columns widened to fill the page's width at that scale (up to
    :data:`MAX_VALUE_W`), so that the programme headings wrap less."""
    cols = lay.columns
    groups: list[list[Column]] = []
    for c in cols[2:]:
        if groups and c.group is not None and groups[-1][0].group == c.group:
            groups[-1].append(c)
        else:
            groups.append([c])
    natural = {c.key: column_width(c, lang) for c in cols}
    labels = [natural[c.key] for c in cols[:2]]
    if not groups:  # no programme of the period: the label columns alone
        return Plan([[]], tuple(labels), 100, 1)
    fewest = max(1, -(-len(groups) // MAX_GROUPS))
    best: Plan | None = None
    for nb in range(fewest, min(len(groups), fewest + 1) + 1):
        blocks = _share(groups, nb)
        n = max(len(b) for b in blocks)
        least = max(natural[b[i].key] for b in blocks for i in range(len(b)))
        for scale in range(100, MIN_SCALE - 1, -1):
            room = (USABLE_W_PT - 30) * 100 / scale / PT_PER_UNIT - sum(labels)
            if room < least * n:
                continue
            w = min(MAX_VALUE_W, room / n // 0.5 * 0.5)
            widths = tuple(labels + [w] * n)
            heights = [_block_height(spec, list(cols[:2]) + b, widths, data, lang) + (DEFAULT_ROW_PT if k else 0)
                       for k, b in enumerate(blocks)]
            pages = _pages(heights, _banner_height(spec, lang, widths), _SIGNATURE_PT, scale)
            if best is None or (pages, -scale) < (best.pages, -best.scale):
                best = Plan(blocks, widths, scale, pages)
            if pages <= 1 + (nb - 1) // 2:  # two blocks on a page: a smaller scale would not save a page
                break
    assert best is not None
    return best


def _share(groups: list[list[Column]], nb: int) -> list[list[Column]]:
    """``groups`` in ``nb`` runs of as even a length as can be, the longer ones first."""
    size, extra = divmod(len(groups), nb)
    out, i = [], 0
    for k in range(nb):
        n = size + (1 if k < extra else 0)
        out.append([c for g in groups[i:i + n] for c in g])
        i += n
    return [b for b in out if b]


def _block_height(spec: FormSpec, cols: list[Column], widths: tuple[float, ...], data: list[dict],
                  lang: str) -> float:
    """A block's printed height at 100 %: its headings (as :meth:`PrintSheet.headings` sizes them), the number row,
    a row per region (activity) and the total row."""
    group_h = title_h = 18.0
    i = 0
    while i < len(cols):
        c, j = cols[i], i
        while c.group is not None and j + 1 < len(cols) and cols[j + 1].group == c.group:
            j += 1
        if c.group is None:
            title_h = max(title_h, _text_height(c.title(lang), widths[i], 10, bold=True) - group_h)
        else:
            group_h = max(group_h, _text_height(c.group(lang), sum(widths[i:j + 1]), 10, bold=True))
        i = j + 1
    rows = sum(_row_height(str(d.get(cols[1].key) or ""), widths[1]) for d in data)
    return group_h + title_h + DEFAULT_ROW_PT + rows + (DEFAULT_ROW_PT if spec.total_label is not None else 0)


def _row_height(label: str, width: float) -> float:
    h = _text_height(label, width, 10)
    return DEFAULT_ROW_PT if h <= _ONE_LINE else h


def _banner_height(spec: FormSpec, lang: str, widths: tuple[float, ...]) -> float:
    """The banner's height at 100 % (:meth:`PrintSheet.banner`: the annex line, the title, the period, index and
    labels, the basis line, a blank row)."""
    total = sum(widths)
    annex = f"{spec.annex(lang)}\n\n{spec.kind_line(lang)}"
    text = "\n".join(["Индексі", "Кезеңділігі", f"__________: {spec.submitter(lang)}",
                      f"_________________: {spec.recipient(lang)}", f"______________: {spec.deadline.text(lang)}"])
    return (_text_height(annex, total - widths[0], 8, italic=True) + _text_height(spec.title(lang), total, 12, bold=True)
            + _text_height(text, total, 10) + 3 * DEFAULT_ROW_PT)


def _pages(heights: list[float], banner: float, signature: float, scale: int) -> int:
    """Pages that blocks ``heights`` tall take at ``scale``, the banner before the first and the signature block
    with the last, no block split."""
    cap = USABLE_H_PT * FILL * 100 / scale
    pages, used = 1, banner
    for k, h in enumerate(heights):
        h += signature if k == len(heights) - 1 else 0
        if used + h > cap and used > 0:
            pages += 1
            used = 0.0
        used += h
    return pages


def _block(p: PrintSheet, cols: list[Column], data: list[dict], r: int) -> int:
    """One block: the headings and column numbers, a row per region (activity), the total row; the next row."""
    ws, f, lay = p.ws, p.f, p.lay
    r = p.headings(cols, r)
    for k, d in enumerate(data):
        er = lay.first_data_row + k
        for i, c in enumerate(cols):
            fmt = f.seq if i == 0 else f.cell if i == 1 else f.num_r
            p.value((r, i), er, c.key, d.get(c.key), fmt)
        p.row(r, _row_height(str(d.get(cols[1].key) or ""), p.widths[1]))
        r += 1
    if lay.total_row is not None:
        ws.write_blank(r, 0, None, f.group)
        ws.write_string(r, 1, lay.spec.total_label(p.lang), f.group)
        first, last = lay.first_data_row + 1, lay.last_data_row + 1
        for i, c in enumerate(cols[2:], start=2):
            ec = column_letter(p.col[c.key])
            vals = [v for v in (_to_number(d.get(c.key)) for d in data) if v is not None]
            x = p.ref(lay.total_row, p.col[c.key])
            ws.write_formula(r, i, f"=IF(COUNT({p.src}!${ec}${first}:${ec}${last})=0,\"\",{x})", f.group_num,
                             int(round(sum(vals))) if vals else "")
        r += 1
    return r
