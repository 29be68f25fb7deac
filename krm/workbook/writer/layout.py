"""Where everything of a written form is: the :class:`Layout`, column widths, print pages, text heights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache

from krm import reference
from krm.forms import SIGNATURE
from krm.spec import Column, FormSpec, Rows, T

FIXED_TIME = dt.datetime(2019, 1, 1)  # document timestamps: same inputs, same bytes

UI = {
    "index": T("Индексі", "Индекс", "Index"),
    "periodicity": T("Кезеңділігі", "Периодичность", "Periodicity"),
    "submitter": T("Ұсынады", "Представляют", "Submitted by"),
    "recipient": T("Нысан қайда ұсынылады", "Куда представляется форма", "Submitted to"),
    "deadline": T("Ұсыну мерзімі", "Срок представления", "Deadline"),
    "lists": T("Тізімдер", "Списки", "Lists"),
    "instructions": T("Нұсқаулық", "Инструкция", "Instructions"),
    "groups": T("Қызмет түрлері бойынша", "По видам деятельности", "By activity"),
}


@dataclass
class Layout:
    """Row and column positions of one written form (0-based)."""

    spec: FormSpec
    columns: tuple[Column, ...]
    ncols: int
    header_rows: dict[str, int] = field(default_factory=dict)  # header key -> row of its value cell
    value_col: int = 3
    heading_row: int = 0  # first of the two heading rows
    number_row: int = 0  # the column-number row = the table's header row
    first_data_row: int = 0
    last_data_row: int = 0  # inclusive
    total_row: int | None = None
    signature_rows: dict[str, int] = field(default_factory=dict)
    fixed_keys: list[str] = field(default_factory=list)  # REGIONS/ACTIVITIES: the row keys in order
    fixed_labels: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (kk, ru, en)
    caption_row: int | None = None  # the reporting unit's caption ("(ауданның/қаланың/облыстың аталуы)")
    group_sheet: str | None = None  # KRM-2/3: the sheet with the nine-activity grouped view


UNIT_FIELDS = ("region", "district", "body")  # header fields that name the reporting unit


def column_letter(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(row: int, col: int) -> str:
    return f"{column_letter(col)}{row + 1}"


def table_headers(columns: tuple[Column, ...]) -> list[str]:
    """Unique names for the table header row: the column number, suffixed where a number repeats."""
    counts: dict[str, int] = {}
    for c in columns:
        counts[c.number] = counts.get(c.number, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        if counts[c.number] > 1:
            seen[c.number] = seen.get(c.number, 0) + 1
            out.append(f"{c.number}.{seen[c.number]}")
        else:
            out.append(c.number)
    return out


def fixed_rows(spec: FormSpec, on: dt.date) -> list[tuple[str, str, str, str]]:
    """(key, kk, ru, en) of the fixed rows of a REGIONS or ACTIVITIES form."""
    if spec.rows == Rows.REGIONS:
        return [(r.kato, r.name_kk, r.name_ru, r.name_en) for r in reference.regions(on)]
    if spec.rows == Rows.ACTIVITIES:
        return [(a.code, a.label("kk"), a.label("ru"), a.label("en")) for a in reference.activities()]
    return []


def layout(spec: FormSpec, on: dt.date, nrows: int, programmes=None) -> Layout:
    cols = spec.columns_for(programmes)
    lay = Layout(spec=spec, columns=cols, ncols=max(len(cols), 8))
    r = 4  # 0 annex, 1 title, 2 index/periodicity, 3 submitter/recipient/deadline
    unit_keys = [h.key for h in spec.header if h.key in UNIT_FIELDS]
    for h in spec.header:
        lay.header_rows[h.key] = r
        r += 1
        # the caption under the reporting-unit line, as the regulation prints it
        if spec.unit_caption is not None and unit_keys and h.key == unit_keys[-1]:
            lay.caption_row = r
            r += 1
    if spec.unit_caption is not None and lay.caption_row is None:
        lay.caption_row = r
        r += 1
    r += 1
    lay.heading_row = r
    lay.number_row = r + 2
    lay.first_data_row = r + 3
    if spec.rows == Rows.FREE:
        n = max(nrows, 1)
    else:
        fixed = fixed_rows(spec, on)
        lay.fixed_keys = [k for k, *_ in fixed]
        lay.fixed_labels = {k: (kk, ru, en) for k, kk, ru, en in fixed}
        n = len(lay.fixed_keys)
    lay.last_data_row = lay.first_data_row + n - 1
    r = lay.last_data_row + 1
    if spec.total_label is not None:
        lay.total_row = r
        r += 1
    r += 1
    for s in SIGNATURE:
        lay.signature_rows[s.key] = r
        r += 2 if s.hint else 1
    return lay


def _text_height(text: str, width: float, size: float = 10, *, bold: bool = False, italic: bool = False,
                 minimum: float = 15) -> float:
    """Row height (points) that shows ``text`` wrapped in a cell ``width`` Excel units wide.

    An Excel width unit holds about 1.1 characters of 10-point Times New Roman (Cyrillic
    included; LibreOffice substitutes the metric-compatible Liberation Serif); bold text is
    ~15 % wider.  Rounded up so LibreOffice and Excel both show
    every line; the estimate errs on the tall side.
    """
    if text.__class__ is str:  # the same texts come back (activity and district names, the print sheet's rows)
        key = (text, width, size, bold, minimum, minimum.__class__)
        got = _HEIGHTS.get(key)
        if got is None:
            if len(_HEIGHTS) >= _HEIGHTS_MAX:
                _HEIGHTS.clear()
            got = _HEIGHTS[key] = _height(text, width, size, bold, minimum)
        return got
    return _height(text, width, size, bold, minimum)


#: _text_height's results by (text, width, size, bold, minimum and its type): italic changes nothing
_HEIGHTS: dict = {}
_HEIGHTS_MAX = 8192  # (a few workbooks' texts: a year's project names are not all held)


def _height(text, width: float, size: float, bold: bool, minimum: float) -> float:
    if not text:
        return minimum
    n = _per_line(width, size, bold)
    text = str(text)
    if "\n" in text:
        lines = 0
        for para in text.split("\n"):
            lines += max(1, -(-len(para) // n))
    else:
        lines = max(1, -(-len(text) // n))
    return max(minimum, round(lines * size * 1.32 + 5, 1))


@lru_cache(maxsize=1024)
def _per_line(width: float, size: float, bold: bool) -> int:
    """Characters of a wrapped line in a cell ``width`` units wide (:func:`_text_height`)."""
    return int(max(1.0, width * 1.1 * 10 / size / (1.15 if bold else 1.0) - 2))


def column_width(c: Column, lang: str) -> float:
    """The spec's width, widened so the longest word of the heading is not broken."""
    longest = max((len(w) for w in c.title(lang).split()), default=0)
    return max(c.width, round(longest * 1.05 + 2, 1))


PAGE_UNITS = 180.0  # column-width units that print legibly across one A4 landscape page (~55 % scale)
PT_PER_UNIT = 7.5  # printed width of one column-width unit; measured in LibreOffice's PDF (Excel: ~5.6)


def page_breaks(cols: tuple[Column, ...], widths: list[float]) -> list[int]:
    """Columns that start a new printed page, for forms too wide for one page; [] otherwise.

    The first two columns (№ and the row name) repeat on every page; a column group
    (a programme's plan/fact pair) is never split.
    """
    if sum(widths) <= PAGE_UNITS * 1.5 or len(cols) < 4 or not any(c.programme or not c.official for c in cols):
        return []  # the programme columns of KRM-6/7 and krm's supplementary columns (KRM-5's plan) continue
        # in a further block; the other forms fit the width
    fixed = sum(widths[:2])
    breaks: list[int] = []
    used = fixed
    # KRM-5: the annex's twelve columns stay together (a little smaller), krm's plan columns follow
    limit = PAGE_UNITS if any(c.programme for c in cols) else PAGE_UNITS * 1.4
    i = 2
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[i].group is not None and cols[j + 1].group == cols[i].group:
            j += 1
        w = sum(widths[i:j + 1])
        if used + w > limit and used > fixed:
            breaks.append(i)
            used = fixed
        used += w
        i = j + 1
    return breaks


def print_scale(widths: list[float], breaks: list[int]) -> int:
    """Print scale (%) at which the widest page of a broken-up form fits A4 landscape."""
    pages, start = [], 2
    for b in breaks + [len(widths)]:
        pages.append(sum(widths[:2]) + sum(widths[start:b]) if start != 2 else sum(widths[:b]))
        start = b
    widest_pt = max(p * PT_PER_UNIT + 60 for p in pages)
    usable_pt = (11.69 - 0.8) * 72
    return max(10, min(100, int(100 * usable_pt / widest_pt)))


def _span_start(widths: list[float], want: float) -> int:
    """First column of a right-aligned span at least ``want`` units wide."""
    acc = 0.0
    for i in range(len(widths) - 1, -1, -1):
        acc += widths[i]
        if acc >= want:
            return i
    return 0


def _heading_heights(cols: tuple[Column, ...], lang: str) -> tuple[float, float]:
    """Heights of the group row and the title row of the column headings."""
    group_need, title_need, merged_need = 18.0, 18.0, 18.0
    i = 0
    while i < len(cols):
        c = cols[i]
        if c.group is None:
            merged_need = max(merged_need, _text_height(c.title(lang), column_width(c, lang), 10, bold=True))
            i += 1
            continue
        j = i
        while j + 1 < len(cols) and cols[j + 1].group == c.group:
            j += 1
        span = sum(column_width(x, lang) for x in cols[i:j + 1])
        group_need = max(group_need, _text_height(c.group(lang), span, 10, bold=True))
        for k in range(i, j + 1):
            title_need = max(title_need, _text_height(cols[k].title(lang), column_width(cols[k], lang), 10,
                                                      bold=True))
        i = j + 1
    title_need = max(title_need, merged_need - group_need)
    return group_need, title_need


def _value_span(lay: Layout) -> tuple[int, int]:
    return lay.value_col, min(lay.ncols - 1, lay.value_col + 5)
