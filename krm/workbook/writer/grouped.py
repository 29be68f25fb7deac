"""KRM-2's and KRM-3's print sheet: the annex's table, its projects grouped under the nine activities 1.–9.

Annexes 2 and 3 print their table with a row for each activity group ("1. ауыл шаруашылығы, орман және
балық шаруашылығы", "2. өнеркәсіп" …) and the projects of that activity under it.  krm's entry sheet keeps
one flat table (what validate, aggregate and report read); this sheet prints the same rows grouped, with
the annex's columns only (krm's supplementary columns stay on the entry sheet):

* the rows are placed under their group when the workbook is written (a blank template: the nine group
  rows, as the annex shows them); rows whose activity is none of the nine come last, under their own
  heading, so nothing filled in is left out;
* every value is a formula on the entry sheet's row (:mod:`.printsheet`), each group row carries the sums
  of its projects, and a line at the top says when the entry sheet holds more rows than were placed
  (``krm convert FILE`` places them all);
* it prints landscape, its heading rows repeated on every page, a group never split from its first rows.
"""

from __future__ import annotations

from krm import reference
from krm.spec import ColType, FormSpec, Rows, T
from krm.workbook.writer.layout import Layout, _text_height, column_letter, column_width
from krm.workbook.writer.linked import LinkedRows
from krm.workbook.writer.printsheet import PrintSheet
from krm.workbook.writer.sheets import _to_number

_OTHER = T("Топқа сәйкес келмейтін жолдар", "Строки вне групп (вид не из списка)", "Rows matching no group")
_FORMATS = {ColType.JOBS: "num_r", ColType.COUNT: "num_r", ColType.MONEY: "amount", ColType.DATE: "day"}


def has_grouped_print(spec: FormSpec) -> bool:
    """Free-row forms with an activity column (KRM-2, KRM-3) print their rows under the nine groups."""
    return spec.rows == Rows.FREE and any(c.type == ColType.ACTIVITY for c in spec.columns)


def write_grouped_print(ws, F, spec: FormSpec, lay: Layout, data: list[dict], header: dict, signature: dict,
                        lang: str, v0: int) -> None:
    cols = [c for c in lay.columns if c.official]
    widths = tuple(column_width(c, lang) for c in cols)
    p = PrintSheet(ws, F, spec, lay, lang, v0, widths, portrait=False)
    act = next(c for c in cols if c.type == ColType.ACTIVITY)
    keys = [c.key for c in cols if c.type != ColType.SEQ]
    rows = [(i, d) for i, d in enumerate(data) if any(d.get(k) not in (None, "") for k in keys)]
    groups: dict[str, list[tuple[int, dict]]] = {a.code: [] for a in reference.activities()}
    other: list[tuple[int, dict]] = []
    for i, d in rows:
        a = reference.activity(d.get(act.key))
        (groups[a.code] if a is not None else other).append((i, d))
    r = p.more_line(p.banner(header), act.key, len(rows))
    head = r
    r = _headings(p, cols, r)
    repeat = (head, r - 1)
    starts: list[int] = []
    for a in reference.activities():
        starts.append(r)
        r = _group(p, cols, f"{a.code}.", a.name(lang), groups[a.code], r, named=True)
    if other:  # their activity is shown on each row: it is none of the nine
        starts.append(r)
        r = _group(p, cols, "", _OTHER(lang), other, r, named=False)
    end = p.signature(r + 1, signature, max(2, len(cols) // 2))
    p.finish(end, starts + [r + 1], repeat, whole=False)  # a group's heading stays with its first rows


def _headings(p: PrintSheet, cols, r: int) -> int:
    """The group row, the title row and the column-number row (5 over both dates, as the annex numbers it)."""
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


def _group(p: PrintSheet, cols, number: str, name: str, members: list[tuple[int, dict]], r: int,
           named: bool) -> int:
    """A group row ("1." and the activity, with its projects' sums), then its projects (their activity cell left to
    the group row, as the annex prints it, when ``named``); returns the next row."""
    ws, f = p.ws, p.f
    text_end = next((k for k, c in enumerate(cols) if c.type.numeric and c.type != ColType.SEQ), len(cols)) - 1
    ws.write_string(r, 0, number, f.group)
    ws.merge_range(r, 1, r, text_end, name, f.group) if text_end > 1 else ws.write_string(r, 1, name, f.group)
    p.row(r, _text_height(name, sum(p.widths[1:text_end + 1]), 10, bold=True))
    first, last = r + 2, r + 1 + len(members)
    for k in range(text_end + 1, len(cols)):
        c = cols[k]
        fmt = f.group_amount if c.type == ColType.MONEY else f.group_num
        if not members or not c.type.numeric:
            ws.write_blank(r, k, None, fmt)
            continue
        key = c.key
        total = sum([v for v in map(_to_number, [d.get(key) for _, d in members]) if v is not None])
        L = column_letter(k)
        ws.write_formula(r, k, f"=SUM({L}{first}:{L}{last})", fmt,
                         round(total, 6) if c.type == ColType.MONEY else int(round(total)))
    r += 1
    if not members:
        return r
    link = LinkedRows(ws, p.src, [(None if named and c.type == ColType.ACTIVITY else p.col[c.key],
                                   getattr(f, _FORMATS.get(c.type, "cell")) if c.type != ColType.SEQ else f.seq)
                                  for c in cols])
    keys = [c.key for c in cols]
    tall = [k for k, c in enumerate(cols)  # the activity's name is on the group row when ``named``
            if c.type in (ColType.TEXT, ColType.ID) or (c.type == ColType.ACTIVITY and not named)]
    er0, widths = p.lay.first_data_row, p.widths
    for i, d in members:
        values = [d.get(k) for k in keys]
        need = 15.0
        for k in tall:
            if values[k]:
                need = max(need, _text_height(str(values[k]), widths[k], 10))
        link.put(r, er0 + i, values)
        p.row(r, need)
        r += 1
    return r
