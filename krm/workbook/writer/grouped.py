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

from operator import itemgetter

from krm import reference
from krm.forms.district import ADDRESS_PART
from krm.spec import ColType, FormSpec, Rows, T
from krm.workbook.writer.layout import Layout, _text_height, column_letter, column_width
from krm.workbook.writer.linked import LinkedRows
from krm.workbook.writer.printsheet import PrintSheet
from krm.workbook.writer.sheets import _to_numbers

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
    rows = []
    for i, d in enumerate(data):  # the rows with a value in any column but №
        for k in keys:
            if d.get(k) not in (None, ""):
                rows.append((i, d))
                break
    groups: dict[str, list[tuple[int, dict]]] = {a.code: [] for a in reference.activities()}
    other: list[tuple[int, dict]] = []
    named: dict = {}  # activity cell -> its group's list (the same few labels on every row)
    for i, d in rows:
        v = d.get(act.key)
        to = named.get(v) if v.__class__ is str else None
        if to is None:
            a = reference.activity(v)
            to = groups[a.code] if a is not None else other
            if v.__class__ is str:
                named[v] = to
        to.append((i, d))
    r = p.more_line(p.banner(header), act.key, len(rows))
    head = r
    r = p.headings(cols, r)
    repeat = (head, r - 1)
    starts: list[int] = []
    for a in reference.activities():
        starts.append(r)
        r = _group(p, cols, f"{a.code}.", a.name(lang), groups[a.code], r, named=True)
    if other:  # their activity is shown on each row: it is none of the nine
        starts.append(r)
        r = _group(p, cols, "", _OTHER(lang), other, r, named=False)
    part = [c for c in lay.columns if c.group is not None and c.group(lang) == ADDRESS_PART(lang)]
    if part:  # KRM-2 edition 2: the address part, after the table (edition 1 has none)
        starts.append(r + 1)
        r = _address_part(p, cols, part, rows, r + 1)
    end = p.signature(r + 1, signature, max(2, len(cols) // 2))
    p.finish(end, starts + [r + 1], repeat, whole=False)  # a group's heading stays with its first rows


def _address_part(p: PrintSheet, cols, part, rows: list[tuple[int, dict]], r: int) -> int:
    """KRM-2's address part (Annex 2's explanation: the enterprise's name, registered and actual address) as a table
    after the form's: № and БСН (ЖСН) of each row, then к1-к3, each over a span of the sheet's columns, the rows in
    the entry sheet's order; returns the next row."""
    ws, f, lang = p.ws, p.f, p.lang
    spans = _spans(p.widths, len(part))
    ws.merge_range(r, 0, r, p.last, ADDRESS_PART(lang), f.group)
    r += 1
    heads = [cols[0], cols[1], *part]
    places = [(0, 0), (1, 1), *spans]
    need = 18.0
    for c, (a, b) in zip(heads, places):
        (ws.merge_range(r, a, r, b, c.title(lang), f.head) if b > a else ws.write_string(r, a, c.title(lang), f.head))
        (ws.merge_range(r + 1, a, r + 1, b, c.number, f.seq) if b > a else ws.write_string(r + 1, a, c.number, f.seq))
        need = max(need, _text_height(c.title(lang), sum(p.widths[a:b + 1]), 10, bold=True))
    p.row(r, need)
    r += 2
    for i, d in sorted(rows):
        er = p.lay.first_data_row + i
        need = 15.0
        for c, (a, b) in zip(heads, places):
            fmt = f.seq if a == 0 else f.cell
            if b > a:
                ws.merge_range(r, a, r, b, "", fmt)
            p.value((r, a), er, c.key, d.get(c.key), fmt)
            if d.get(c.key):
                need = max(need, _text_height(str(d.get(c.key)), sum(p.widths[a:b + 1]), 10))
        p.row(r, need)
        r += 1
    return r


def _spans(widths: tuple[float, ...], n: int) -> list[tuple[int, int]]:
    """Columns 2… of the sheet shared out into ``n`` runs of about equal width."""
    out, a = [], 2
    for k in range(n):
        left = sum(widths[a:])
        if k == n - 1:
            out.append((a, len(widths) - 1))
            break
        b, acc = a, widths[a]
        while b + 1 < len(widths) - (n - k - 1) and acc + widths[b + 1] / 2 < left / (n - k):
            b += 1
            acc += widths[b]
        out.append((a, b))
        a = b + 1
    return out


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
        total = sum([v for v in _to_numbers([d.get(key) for _, d in members]) if v is not None])
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
    get = itemgetter(*keys) if len(keys) > 1 else None
    er0, widths = p.lay.first_data_row, p.widths
    tall = [(k, widths[k], {}) for k, c in enumerate(cols)  # the activity's name is on the group row when ``named``
            if c.type in (ColType.TEXT, ColType.ID) or (c.type == ColType.ACTIVITY and not named)]
    put, heights, set_row = link.put, p.heights, ws.set_row
    for i, d in members:
        try:
            values = get(d)
        except (KeyError, TypeError):  # (a row without a column's key; a single column)
            values = [d.get(k) for k in keys]
        need = 15.0
        for k, w, known in tall:  # (each column's heights by text)
            v = values[k]
            if v:
                text = str(v)
                h = known.get(text)
                if h is None:
                    h = known[text] = _text_height(text, w, 10)
                need = max(need, h)
        put(r, er0 + i, values)
        heights[r] = need  # (PrintSheet.row)
        set_row(r, need)
        r += 1
    return r
