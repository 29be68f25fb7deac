"""How a written workbook prints: A4 landscape pages, scale, print ranges, kept-together blocks, helper sheets.

xlsxwriter cannot autofit and LibreOffice does not re-flow stored row heights, so every wrapped
row is given an explicit height (:func:`krm.workbook.writer.layout._text_height`) and the page
breaks are computed here from those heights at an explicit print scale:

* the form prints at the scale that fits its width (or its first column band) on A4 landscape;
* the signature block is kept together with the table's last rows (never split across pages);
* a wide form (KRM-6, KRM-7) prints its further programme columns as continuation blocks, as the
  annex does ("кестенің жалғасы"): № and the row name repeat, the title rows above the table do not;
* a blank template of a form with free rows prints the form with a few blank rows, and its
  signature block on the next page, not hundreds of empty rows;
* the helper sheets print landscape, fitted to the width, their heading row repeated (the lists
  sheet is hidden: it only feeds the dropdowns).
"""

from __future__ import annotations

from decimal import Decimal

from krm.spec import T
from krm.workbook.writer.layout import PT_PER_UNIT, column_letter

PAPER_A4 = 9
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}  # inches; the footer sits in the bottom margin
USABLE_W_PT = (11.69 - MARGINS["left"] - MARGINS["right"]) * 72
USABLE_H_PT = (8.27 - MARGINS["top"] - MARGINS["bottom"]) * 72
FILL = 0.93  # share of a page's height the breaks plan for: LibreOffice's row heights round up a little
BLANK_PRINT_ROWS = 12  # blank rows a free-row template prints (the data table itself keeps all its rows)
DEFAULT_ROW_PT = 15.0
MIN_SCALE = 45  # smaller print is hard to read: below it a form takes a further page instead

CONTINUED = T("кестенің жалғасы", "продолжение таблицы", "table continued")


def fit_scale(width_units: float) -> int:
    """Print scale (%) at which a sheet ``width_units`` column units wide fits A4 landscape."""
    need = width_units * PT_PER_UNIT + 30
    return max(10, min(100, int(100 * USABLE_W_PT / need)))


def one_page_scale(heights: dict[int, float], first: int, last: int, scale: int, shrink: float = 0.8) -> int:
    """``scale``, or a little less if that puts rows ``first``…``last`` on one page (as the annexes print them)."""
    total = sum(heights.get(r, DEFAULT_ROW_PT) for r in range(first, last + 1))
    fits = int(USABLE_H_PT * FILL * 100 / total)
    return fits if max(scale * shrink, MIN_SCALE) <= fits < scale else scale


def page_setup(ws, footer: str, *, scale: int | None = None, fit_width: bool = False) -> None:
    """A4 landscape, the project's margins and footer; an explicit scale or fit to one page wide."""
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.set_margins(**MARGINS)
    ws.set_footer(footer)
    if scale is not None:
        ws.set_print_scale(scale)
    elif fit_width:
        ws.fit_to_pages(1, 0)


def keep_breaks(heights: dict[int, float], first: int, last: int, titles: tuple[int, int], keep_from: int,
                scale: int) -> list[int]:
    """Rows that start a new page when rows ``first``…``last`` print at ``scale`` %.

    ``titles`` (first, last row) repeat at the top of every further page; rows ``keep_from``…``last``
    (the table's last rows, its total and the signature block) are kept on one page.
    """
    cap = USABLE_H_PT * FILL * 100 / scale
    h = [heights.get(r, DEFAULT_ROW_PT) for r in range(first, last + 1)]
    title_h = sum(heights.get(r, DEFAULT_ROW_PT) for r in range(titles[0], titles[1] + 1))
    keep_h = sum(h[keep_from - first:])
    breaks: list[int] = []
    used = 0.0
    for i, rh in enumerate(h):
        r = first + i
        if r == keep_from and used + keep_h > cap and used > title_h and r > titles[1] + 1:
            breaks.append(r)
            used = title_h
        elif r < keep_from and used + rh > cap and used > title_h:
            breaks.append(r)
            used = title_h
        used += rh
    return breaks


def print_ranges(ws, sheet: str, ranges: list[tuple[int, int, int, int]]) -> None:
    """Set the sheet's print area: one or more (first row, first col, last row, last col) ranges.

    Each range starts a new page (Excel and LibreOffice alike).
    """
    r0, c0, r1, c1 = ranges[0]
    ws.print_area(r0, c0, r1, c1)
    if len(ranges) > 1:
        q = "'" + sheet.replace("'", "''") + "'"
        ws.print_area_range = ",".join(
            f"{q}!${column_letter(a)}${b + 1}:${column_letter(c)}${d + 1}" for b, a, d, c in ranges)


def amount_format(values: list) -> str | None:
    """Number format of a control-sheet column from its values: amounts with three decimals, counts whole."""
    nums = [v for v in values if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)]
    if not nums:
        return None
    return "#,##0" if all(isinstance(v, int) for v in nums) else "#,##0.000"
