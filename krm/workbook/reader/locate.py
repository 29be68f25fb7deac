"""Finding the form's parts on the sheet: the header fields, the column-number row and the end of the data."""

from __future__ import annotations

import datetime as dt
import re

from krm.spec import FormSpec, Rows
from krm.workbook.reader.model import CellRef, DataRow, ParsedForm
from krm.workbook.reader.package import Package, parse_ref


def _period_of(value) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value).strip() if value not in (None, "") else None


def _locate(pf: ParsedForm, pkg: Package) -> None:
    """Find header fields, the data rows and the total row."""
    from krm import reference
    from krm.forms import SIGNATURE
    from krm.workbook.writer import table_headers

    spec = pf.spec
    for h in spec.header:
        pr = parse_ref(pkg.names[h.name]) if h.name in pkg.names else None
        if pr:
            pf.header_cells[h.key] = CellRef(pr[1], pr[2])
            pf.header[h.key] = pf.cell(pr[1], pr[2])
    for s in SIGNATURE:
        pr = parse_ref(pkg.names[s.name]) if s.name in pkg.names else None
        if pr:
            pf.signature_cells[s.key] = CellRef(pr[1], pr[2])
            pf.signature[s.key] = pf.cell(pr[1], pr[2])
    # a foreign or older template without our defined names: find the fields by their labels
    if len(pf.header_cells) < len(spec.header):
        _by_label(pf, [(h.key, h.label) for h in spec.header], pf.header, pf.header_cells, 0, 40)
    if len(pf.signature_cells) < len(SIGNATURE):
        _by_label(pf, [(s.key, s.label) for s in SIGNATURE], pf.signature, pf.signature_cells,
                  0, len(pf.grid))
    if spec.programme_columns:
        period = _period_of(pf.header.get("period"))
        try:
            pf.programmes = reference.programmes(period) if period else reference.programmes()
        except ValueError:
            pf.programmes = reference.programmes()
    cols = spec.columns_for(pf.programmes)
    pf.columns = cols

    # the data range: the table (or KRM_DATA name), else the column-number row found by scanning
    first = last = None
    c0 = 0
    tref = next((ref for name, (_, ref) in pkg.tables.items() if name == spec.table_name), None)
    pr = parse_ref(tref) if tref else (parse_ref(pkg.names["KRM_DATA"]) if "KRM_DATA" in pkg.names else None)
    if pr:
        if tref:
            pf.number_row, first, last, c0 = pr[1], pr[1] + 1, pr[3], pr[2]
        else:
            pf.number_row, first, last, c0 = pr[1] - 1, pr[1], pr[3], pr[2]
    else:
        pf.number_row = _find_number_row(pf.grid, table_headers(cols))
        if pf.number_row is not None:
            first = pf.number_row + 1
            last = _end_of_data(pf.grid, first, spec)
    if pf.number_row is None:
        return
    pf.found_numbers = [_numtext(v) for v in (pf.grid[pf.number_row] if pf.number_row < len(pf.grid) else [])]
    pf.data_range = (first, last)
    keys = [c.key for c in cols]
    colmap = {k: c0 + i for i, k in enumerate(keys)}
    pf.colmap = colmap
    free = spec.rows == Rows.FREE
    seq = keys.index("seq") if "seq" in colmap else -1
    grid = pf.grid
    n = len(keys)
    rows = pf.rows
    for r in range(first, min(last, len(grid) - 1) + 1):
        vals = _row_values(grid[r], c0, n)
        if free and vals.count(None) + (seq >= 0 and vals[seq] is not None) == n:
            continue  # nothing but (at most) the sequence number
        rows.append(DataRow(r, dict(zip(keys, vals)), colmap))
    if spec.total_label is not None:
        tr = last + 1
        if "KRM_TOTAL" in pkg.names:
            p2 = parse_ref(pkg.names["KRM_TOTAL"])
            tr = p2[1] if p2 else tr
        if tr < len(grid):
            vals = _row_values(grid[tr], c0, len(keys)) if tr >= 0 else [None] * len(keys)
            pf.total = DataRow(tr, dict(zip(keys, vals)), colmap)


def _row_values(row: list, c0: int, n: int) -> list:
    """``n`` cells of a grid row from column ``c0`` as :meth:`ParsedForm.cell` gives them ("" -> None)."""
    if c0 < 0:
        return [row[c] if 0 <= c < len(row) and row[c] != "" else None for c in range(c0, c0 + n)]
    vals = row[c0:c0 + n]
    vals = list(map(_BLANK.get, vals, vals))  # "" -> None, any other value itself: one pass in C
    if len(vals) < n:
        vals += [None] * (n - len(vals))
    return vals


_BLANK = {"": None}  # a grid's values are hashable (str, numbers, dates, times); only the empty text is ""


def _label_key(v) -> str:
    return re.sub(r"[\s:：*]+", " ", str(v)).strip().casefold()


def _by_label(pf: ParsedForm, fields, values: dict, cells: dict, r0: int, r1: int) -> None:
    """Header/signature values of a workbook without defined names: the first value right of its label."""
    want = {}
    for key, label in fields:
        for lang in ("kk", "ru", "en"):
            want[_label_key(label(lang))] = key
    for r in range(r0, min(r1, len(pf.grid))):
        row = pf.grid[r]
        for c, v in enumerate(row[:12]):
            if not isinstance(v, str) or not v.strip():
                continue
            key = want.get(_label_key(v))
            if key is None or key in cells:
                continue
            vc = next((j for j in range(c + 1, len(row)) if row[j] not in ("", None)), None)
            ref = CellRef(r, vc if vc is not None else c + 1)
            cells[key] = ref
            values[key] = pf.cell(ref.row, ref.col)


def _numtext(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v).strip()


def _find_number_row(grid: list[list], expected: list[str]) -> int | None:
    want = [e.split(".")[0] if e[:1].isdigit() else e for e in expected[:4]]
    for r, row in enumerate(grid[:80]):
        got = [_numtext(v) for v in row[:8]]
        got = [g.split(".")[0] if g[:1].isdigit() else g for g in got if g != ""]
        if got[:3] == want[:3]:
            return r
    return None


def _end_of_data(grid: list[list], first: int, spec: FormSpec) -> int:
    from krm.forms import SIGNATURE

    stops = {s.label(lang).strip().lower() for s in SIGNATURE for lang in ("kk", "ru", "en")}
    if spec.total_label is not None:
        stops |= {spec.total_label(lang).lower() for lang in ("kk", "ru", "en")}
    for r in range(first, len(grid)):
        texts = [str(v).strip().lower() for v in grid[r][:6] if isinstance(v, str)]
        if any(t in stops or t.startswith("электрондық") or t.startswith("адрес эл") for t in texts):
            return r - 1
    return len(grid) - 1
