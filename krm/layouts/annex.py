"""The forms as the regulation's annexes print them, read as layout variants of the form specs.

An office that draws KRM-2 or KRM-3 by hand from Annex 2 / Annex 3 numbers the columns 1 … N once
each (KRM-2's column 5 is one column, "Жобаны іске асыру кезеңі", holding a period as text), groups
the project rows under the nine activity rows "1. ауыл шаруашылығы, …" … "9. …", and may add subtotal
and total rows.  :data:`LAYOUTS` says, per form, which spec column each printed number holds;
:func:`locate` finds the column-number row anywhere on the sheet (any row/column offset, under merged
or multi-row headings), reads the header as free text (:mod:`krm.layouts.header_text`) and sorts the
rows into projects, activity groups, subtotals and the total, so that the rules and the roll-ups get
the same :class:`~krm.workbook.reader.ParsedForm` as from krm's own template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from krm.codes import E065, E066, E067
from krm import reference
from krm.layouts import header_text, period_text
from krm.spec import ColType, Rows

PERIOD = "period"  # the printed column 5 of KRM-2: start and end in one cell


@dataclass(frozen=True)
class Layout:
    form: str
    annex: int
    numbers: tuple[str, ...]  # spec column key (or PERIOD) per printed column number 1 … N
    words: tuple[tuple[str, ...], ...]  # heading words (kk, ru) that name each printed column
    #: the form edition (:mod:`krm.editions`) whose annex this is: Order No. 189 of 2019 prints edition "1".
    #: A workbook in this layout is read against that edition, which the roll-ups map onto the current one.
    edition: str = "1"


_W = {
    "seq": ("№", "р/с", "п/п"),
    "bin": ("бсн", "бин", "жсн", "иин"),
    "activity": ("қызмет", "деятельност"),
    "project": ("жобаның атауы", "наименование проекта", "жоба атауы"),
    PERIOD: ("кезең", "период", "мерзім", "срок"),
    "plan": ("жоспар", "план"),
    "fact": ("факт", "нақты"),
    "allocated": ("бөлінген", "выделен"),
    "disbursed": ("игерілген", "освоен"),
    "region": ("өңір", "регион", "облыс", "област"),
    "projects_planned": ("жоспарланған", "планируем"),
    "projects_done": ("жүзеге асырылған", "реализован"),
    "fact45": ("нақты", "факт", "құрылған", "создан"),
}


def _words(key: str) -> tuple[str, ...]:
    if key.startswith("act") and key[3:].isdigit():
        a = next(x for x in reference.activities() if x.code == key[3:])
        return tuple(n.casefold().split(",")[0].strip() for n in (a.name_kk, a.name_ru))
    return _W[key]


def _layout(form: str, annex: int, keys: tuple[str, ...], words: dict | None = None) -> Layout:
    return Layout(form, annex, keys, tuple((words or {}).get(k) or _words(k) for k in keys))


LAYOUTS = {
    "KRM-2": _layout("KRM-2", 2, ("seq", "bin", "activity", "project", PERIOD, "plan", "fact", "allocated",
                                  "disbursed")),
    "KRM-3": _layout("KRM-3", 3, ("seq", "activity", "project", "plan", "fact", "allocated", "disbursed")),
    "KRM-4": _layout("KRM-4", 4, ("seq", "region", "projects_planned", "projects_done", "allocated", "disbursed",
                                  "plan", "fact"), {"plan": ("құру жоспары", "план создания"),
                                                    "fact": _W["fact45"]}),
    "KRM-5": _layout("KRM-5", 5, ("seq", "region", "fact", *(f"act{i}" for i in range(1, 10))),
                     {"fact": _W["fact45"]}),
}

_TOTAL = re.compile(r"^\s*(барлығы|жиыны|всего|итого|total|барлық|жиын)\b", re.I)
_STOP = re.compile(r"^\s*(электрондық|адрес электрон|орындаушы|исполнитель|басшы|руководитель|e-mail)", re.I)


def _num(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    return str(v).strip().rstrip(".") if isinstance(v, str) else ""


def find_number_row(grid: list[list], n: int, limit: int = 120) -> tuple[int, int, list[str]] | None:
    """(row, first column, the numbers read) of the first row holding 1, 2, 3, 4 in consecutive cells;
    the numbers read go on while they are numbers."""
    for r, row in enumerate(grid[:limit]):
        texts = [_num(v) for v in row]
        for c in range(0, max(0, len(texts) - 3)):
            if texts[c:c + 4] == ["1", "2", "3", "4"]:
                got = []
                for t in texts[c:]:
                    if not t:
                        break
                    got.append(t)
                return r, c, got
    return None


def matches(grid: list[list], form: str) -> tuple[int, int, list[str]] | None:
    """The number row when the sheet shows form ``form`` in its annex layout (numbers 1 … N, nothing after)."""
    lay = LAYOUTS.get(form)
    if lay is None:
        return None
    hit = find_number_row(grid, len(lay.numbers))
    if hit is None:
        return None
    r, c, got = hit
    if len(got) < 4 or any(not t.isdigit() for t in got):
        return None  # krm's own layout has the columns "к1" …: not the annex
    return hit


def locate(pf, spec, lay: Layout | None = None) -> bool:
    """Fill ``pf`` from the annex layout ``lay`` (default: ``spec``'s form's), read against ``spec`` (the edition
    the layout prints: :func:`krm.editions.locate_printed` passes it); False if the sheet is not in that layout."""
    from krm.workbook.reader import DataRow

    lay = lay or LAYOUTS.get(spec.id)
    hit = matches(pf.grid, spec.id)
    if lay is None or hit is None:
        return False
    pf.spec = spec
    nr, c0, got = hit
    pf.layout = f"annex-{lay.annex}"
    pf.number_row = nr
    want = [str(i + 1) for i in range(len(lay.numbers))]
    pf.found_numbers = [_num(v) for v in pf.grid[nr]]
    if got != want:
        pf.layout_notes.append((E065, nr, c0, None, " ".join(got),
                                {"expected": " ".join(want), "form": spec.id}))
        pf.layout_columns_ok = False
    heads = _headings(pf, nr, c0, len(lay.numbers))
    for i, key in enumerate(lay.numbers):
        own = _says(heads[i], lay.words[i])
        other = next((lay.numbers[j] for j, w in enumerate(lay.words) if j != i and _says(heads[i], w)
                      and not own), None)
        if heads[i] and other is not None and not own:
            pf.layout_notes.append((E066, nr, c0 + i, None, heads[i],
                                    {"number": str(i + 1), "expected": "; ".join(lay.words[i][:2])}))
            pf.layout_columns_ok = False
    first_heading = nr - max(1, len(_heading_rows(pf, nr, c0, len(lay.numbers))))
    _header(pf, spec, first_heading)
    cols = columns_of(spec, lay)
    pf.columns = cols
    colmap = {}
    for i, key in enumerate(lay.numbers):
        if key == PERIOD:
            colmap["start"] = colmap["end"] = c0 + i
        else:
            colmap[key] = c0 + i
    pf.colmap = colmap
    if pf.layout_columns_ok:
        if spec.rows == Rows.FREE:
            _rows(pf, lay, nr + 1, c0, DataRow)
        else:
            _fixed_rows(pf, lay, nr + 1, c0, DataRow)
    _signature(pf)
    return True


def _header(pf, spec, stop: int) -> None:
    """The header fields: krm's labels with the value beside them where the file has them, the rest read
    from the free text above the table (:mod:`krm.layouts.header_text`)."""
    from krm.workbook.reader import CellRef, _by_label

    _by_label(pf, [(h.key, h.label) for h in spec.header], pf.header, pf.header_cells, 0, stop)
    labelled = {k for k, v in pf.header.items() if v not in (None, "")}
    hd = header_text.read(pf.grid, stop, spec)
    pf.lang = pf.lang or hd.lang
    for key, v in hd.values.items():
        if key in labelled:
            continue
        pf.header[key] = v
        if key in hd.cells:
            pf.header_cells[key] = CellRef(*hd.cells[key])
    for key, cell in hd.cells.items():
        pf.header_cells.setdefault(key, CellRef(*cell))
    notes = [n for n in hd.notes if n[3] not in labelled]
    pf.layout_notes.extend(notes)
    pf.layout_reported = {n[3] for n in notes} | (hd.reported - labelled)


def _signature(pf) -> None:
    from krm.forms import SIGNATURE
    from krm.workbook.reader import _by_label

    _by_label(pf, [(s.key, s.label) for s in SIGNATURE], pf.signature, pf.signature_cells, 0, len(pf.grid))


_COLUMNS: dict[str, tuple] = {}


def columns_of(spec, lay: Layout) -> tuple:
    """The spec's columns the layout holds, in spec order (one tuple per form: its id keys caches)."""
    got = _COLUMNS.get(spec.id)
    if got is None or got[0] is not spec:
        keys = set(lay.numbers) | ({"start", "end"} if PERIOD in lay.numbers else set())
        got = _COLUMNS[spec.id] = (spec, tuple(c for c in spec.columns if c.key in keys))
    return got[1]


def _heading_rows(pf, nr: int, c0: int, n: int) -> list[int]:
    """The rows of table headings just above the number row: rows with a text in two or more of the
    table's columns (a merged heading counts in every column it covers), at most four."""
    out = []
    for r in range(nr - 1, max(-1, nr - 5), -1):
        filled = sum(1 for c in range(c0, c0 + n) if _heading_cell(pf, r, c))
        if filled < 2:
            break
        out.append(r)
    return out


def _heading_cell(pf, r: int, c: int) -> str:
    v = pf.cell(r, c)
    if v is None:
        for r1, c1, r2, c2 in pf.merged:
            if r1 <= r <= r2 and c1 <= c <= c2:
                v = pf.cell(r1, c1)
                break
    return str(v).strip() if v is not None else ""


def _headings(pf, nr: int, c0: int, n: int) -> list[str]:
    rows = sorted(_heading_rows(pf, nr, c0, n))
    return [" ".join(t for t in (_heading_cell(pf, r, c0 + i) for r in rows) if t).casefold() for i in range(n)]


def _says(heading: str, words: tuple[str, ...]) -> bool:
    h = re.sub(r"\s+", " ", heading.replace("\n", " "))
    return any(w in h for w in words)


# ------------------------------------------------------------------ the rows
@dataclass
class Group:
    activity: object  # reference.Activity
    row: object | None  # the group's own row (DataRow): its figures, if any, are a subtotal
    members: list
    subtotal: object | None = None  # a "жиыны / итого" row closing the group


def _rows(pf, lay: Layout, first: int, c0: int, DataRow) -> None:
    grid = pf.grid
    n = len(lay.numbers)
    keys = lay.numbers
    lang = pf.lang if pf.lang in ("kk", "ru", "en") else "kk"
    group: Group | None = None
    totals: list = []
    last = first - 1
    for r in range(first, len(grid)):
        raw = [pf.cell(r, c0 + i) for i in range(n)]
        if all(v is None for v in raw):
            continue
        if any(isinstance(v, str) and _STOP.match(v) for v in raw) or _stop_left(pf, r, c0):
            break
        vals = dict(zip(keys, raw))
        texts = [v for k, v in vals.items() if isinstance(v, str) and v.strip() and k not in ("seq",)]
        last = r
        row = _data_row(DataRow, r, vals, pf.colmap)
        if any(isinstance(v, str) and _TOTAL.match(v) for v in raw[:max(4, keys.index("project") + 1)]):
            totals.append((row, group))
            continue
        act = _group_activity(vals, keys)
        if act is not None:
            group = Group(act, row, [])
            pf.groups.append(group)
            pf.layout_rows.add(r)
            continue
        if not texts and all(not isinstance(v, str) for v in raw) and _only_numbers(vals):
            totals.append((row, group))  # an unlabelled row of figures: a subtotal/total
            continue
        if vals.get("activity") is None and group is not None:
            row.values["activity"] = group.activity.label(lang)  # the group's activity, when its own is blank
        pf.rows.append(row)
        if group is not None:
            group.members.append(row)
    _sort_totals(pf, totals)
    pf.data_range = (first, last)


def _fixed_rows(pf, lay: Layout, first: int, c0: int, DataRow) -> None:
    """KRM-4/5: one row per region until the "БАРЛЫҒЫ / ВСЕГО" row, which is the total."""
    n = len(lay.numbers)
    last = first - 1
    for r in range(first, len(pf.grid)):
        raw = [pf.cell(r, c0 + i) for i in range(n)]
        if all(v is None for v in raw):
            continue
        if any(isinstance(v, str) and _STOP.match(v) for v in raw) or _stop_left(pf, r, c0):
            break
        last = r
        row = DataRow(r, dict(zip(lay.numbers, raw)), pf.colmap)
        if any(isinstance(v, str) and (_TOTAL.match(v) or _GRAND.match(v)) for v in raw[:3]):
            pf.total = row
            break
        pf.rows.append(row)
    pf.data_range = (first, last if pf.total is None else pf.total.row - 1)


def _stop_left(pf, r: int, c0: int) -> bool:
    row = pf.grid[r] if r < len(pf.grid) else []
    return any(isinstance(v, str) and _STOP.match(v) for v in row[:c0])


def _only_numbers(vals: dict) -> bool:
    return any(isinstance(v, (int, float)) for k, v in vals.items() if k != "seq")


def _data_row(DataRow, r: int, vals: dict, colmap: dict):
    values = {}
    for k, v in vals.items():
        if k == PERIOD:
            start, end = period_text.implementation(v) if v is not None else (None, None)
            values["start"], values["end"] = start, end
            values[PERIOD] = v
        else:
            values[k] = v
    return DataRow(r, values, colmap)


def _group_activity(vals: dict, keys: tuple):
    """The activity group a row names, when the row is an activity heading ("1." + name, or "1. name"):
    no BIN, no project name but the heading itself, no period."""
    if vals.get("bin") not in (None, "") and not isinstance(vals.get("bin"), str):
        return None
    texts = [(k, v) for k, v in vals.items() if k in ("seq", "bin", "activity", "project")
             and v is not None and str(v).strip()]
    if not texts or vals.get(PERIOD) not in (None, ""):
        return None
    seq = _num(vals.get("seq")) if vals.get("seq") is not None else ""
    names = [(k, str(v).strip()) for k, v in texts if k != "seq" or not seq.isdigit()]
    if not names:
        return None
    hits = set()
    for _, t in names:
        a = reference.activity(t) or (reference.activity(f"{seq}. {t}") if seq.isdigit() else None)
        if a is None:
            return None
        hits.add(a.code)
    if len(hits) != 1:
        return None
    a = next(x for x in reference.activities() if x.code in hits)
    if seq.isdigit() and seq != a.code:
        return None
    return a


_GRAND = re.compile(r"^\s*(барлығы|всего|total|жалпы)\b", re.I)


def _sort_totals(pf, totals: list) -> None:
    """Which total rows close a group and which is the table's total.

    A "Жиыны / Итого" row closes the group above it; so does a "Барлығы / Всего" row unless it is the
    last total row after all the projects (or the first before them), which is the table's total.  A
    "Жиыны / Итого" row after the last group's subtotal is the table's total.  Any other is reported.
    """
    if not totals:
        return
    last_data = max((r.row for r in pf.rows), default=-1)
    first_data = min((r.row for r in pf.rows), default=-1)
    grand = None
    for row, group in totals:
        if _GRAND.match(_label(row)) and (row.row > last_data and (row, group) == totals[-1]
                                          or row.row < first_data and group is None):
            grand = row
    for row, group in totals:
        pf.layout_rows.add(row.row)
        if row is grand:
            pf.total = row
        elif group is not None and group.subtotal is None and not _GRAND.match(_label(row)) or \
                group is not None and group.subtotal is None and row.row <= last_data:
            group.subtotal = row
        elif group is not None and group.subtotal is None and grand is not None:
            group.subtotal = row
        elif grand is None and row.row > last_data and (row, group) == totals[-1]:
            grand = pf.total = row
        else:
            pf.layout_notes.append((E067, row.row, min(row.cols.values()), None, _label(row), {}))


def _label(row) -> str:
    return next((str(v) for v in row.values.values() if isinstance(v, str) and v.strip()), "")


def subtotal_checks(pf) -> list[tuple]:
    """(group, row holding the subtotal, column key) for every numeric column of every subtotal."""
    out = []
    numeric = [c.key for c in pf.columns if c.type in (ColType.JOBS, ColType.COUNT, ColType.MONEY)]
    for g in pf.groups:
        for holder in (g.row, g.subtotal):
            if holder is None:
                continue
            for key in numeric:
                if holder.values.get(key) is not None:
                    out.append((g, holder, key))
    return out


def complete_header(pf) -> None:
    """A workbook read in krm's column layout but without krm's names (KRM-1/4/5 typed from the annex):
    header fields its labels did not give are read from the free text above the table."""
    from krm.workbook.reader import CellRef

    missing = [h.key for h in pf.spec.header if pf.header.get(h.key) in (None, "")]
    if not missing or pf.number_row is None:
        return
    hd = header_text.read(pf.grid, max(0, pf.number_row - 1), pf.spec)
    for key in missing:
        if key in hd.values:
            pf.header[key] = hd.values[key]
            if key in hd.cells:
                pf.header_cells[key] = CellRef(*hd.cells[key])
