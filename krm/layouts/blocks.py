"""KRM-1 as Annex 1 prints it: one block per project.

    Жобаның атауы            <name>
    Жобаны іске асыруды бастау  <date>          Жобаның аяқталу мерзімі  <date>
    РБ-дан бөлінген сома      <mln tenge>      ЖБ-дан бөлінген сома     <mln tenge>
    № | Мақсатты бағыты | Өлшем бірлігі (саны)
    1.   Жұмыс орындарын құру, оның ішінде …   <total>
    1.1  ауыл шаруашылығы, …                    <n>
    …
    1.9  экономикалық қызметтің басқа түрлері   <n>

Each block becomes one record of the spec's columns (project, start, end, rb, lb, total, act1 … act9),
whose cells lie on several rows (:attr:`krm.workbook.reader.DataRow.rows`), so each finding names the
cell it is about.  A block starts at its "Жобаның атауы / Наименование проекта" label; labels are
matched by their words in Kazakh or Russian, values are the first cell right of the label.
"""

from __future__ import annotations

import re

_LABELS = (
    ("project", re.compile(r"^\s*(жобаның атауы|наименование проекта|project name)", re.I)),
    ("start", re.compile(r"(іске асыруды бастау|начало реализации|project start)", re.I)),
    ("end", re.compile(r"(аяқталу мерзімі|срок завершения|окончани|completion)", re.I)),
    ("rb", re.compile(r"(\bрб\b|республиканск)", re.I)),
    ("lb", re.compile(r"(\bжб\b|\bмб\b|местн|жергілікті)", re.I)),
)
_NUMBERED = re.compile(r"^\s*1(?:\.(\d))?\.?\s*$")
_STOP = re.compile(r"^\s*(электрондық|адрес электрон|орындаушы|исполнитель|басшы|руководитель)", re.I)

#: the layout this module reads, registered in :func:`krm.editions.printed`: (form, the edition it prints, name);
#: Annex 1 of Order No. 189 (2019) prints edition "1"
LAYOUTS = (("KRM-1", "1", "annex-1"),)


def _numbered(v) -> str | None:
    """"" for the "1." row, "k" for a "1.k" row, None otherwise (a number cell 1.1 counts as "1.1")."""
    if isinstance(v, float):
        v = repr(v) if not v.is_integer() else str(int(v))
    if not isinstance(v, str):
        return None
    m = _NUMBERED.match(v)
    return None if m is None else (m.group(1) or "")


def _starts(pf) -> list[int]:
    out = []
    for r, row in enumerate(pf.grid):
        filled = sum(1 for v in row if v not in ("", None))
        if filled > 4:
            continue  # a row of table headings ("Жобаның атауы" over a column): not a block
        for v in row[:8]:
            if isinstance(v, str) and _LABELS[0][1].match(v):
                out.append(r)
                break
    return out


def locate(pf, spec) -> bool:
    """Fill ``pf`` from KRM-1's per-project blocks; False if the sheet has none."""
    from krm.layouts.annex import _header, _signature
    from krm.workbook.reader import DataRow

    if spec.id != "KRM-1":
        return False
    starts = _starts(pf)
    if not starts:
        return False
    end_all = next((r for r in range(starts[0], len(pf.grid))
                    if any(isinstance(v, str) and _STOP.match(v) for v in pf.grid[r][:8])), len(pf.grid))
    pf.spec = spec  # the edition this layout prints (LAYOUTS), as krm.editions.locate_printed passes it
    pf.layout = "annex-1"
    pf.number_row = starts[0] - 1
    _header(pf, spec, starts[0])
    pf.columns = tuple(c for c in spec.columns if c.key != "seq")
    bounds = list(zip(starts, starts[1:] + [end_all]))
    colmap: dict[str, int] = {}
    for a, b in bounds:
        vals, cols, rows = _block(pf, a, b)
        if not vals:
            continue
        for k, c in cols.items():
            colmap.setdefault(k, c)
        pf.rows.append(DataRow(a, vals, cols, rows=rows))
    for row in pf.rows:  # every record has every key (blank where its block lacks it)
        for c in pf.columns:
            row.values.setdefault(c.key, None)
            row.cols.setdefault(c.key, colmap.get(c.key, 0))
    pf.colmap = colmap or {"project": 0}
    pf.data_range = (starts[0], max((max(r.rows.values()) for r in pf.rows), default=starts[0]))
    _signature(pf)
    return True


def _block(pf, a: int, b: int) -> tuple[dict, dict, dict]:
    vals: dict = {}
    cols: dict = {}
    rows: dict = {}
    for r in range(a, b):
        row = pf.grid[r]
        cells = [(c, v) for c, v in enumerate(row) if v not in ("", None)]
        i = 0
        while i < len(cells):
            c, v = cells[i]
            k = _numbered(v)
            if k is not None:  # "1." / "1.k": the figure is the row's last cell
                key = "total" if k == "" else f"act{k}"
                lc, lv = cells[-1]
                if lc != c and not isinstance(lv, str) or (isinstance(lv, str) and lc != c and
                                                           re.fullmatch(r"[\d\s.,]+", lv)):
                    vals[key], cols[key], rows[key] = lv, lc, r
                else:
                    vals.setdefault(key, None)
                    cols[key], rows[key] = cells[-1][0] if len(cells) > 1 else c, r
                break
            key = next((k2 for k2, rx in _LABELS if isinstance(v, str) and rx.search(v) and k2 not in vals), None)
            if key is None:
                i += 1
                continue
            nxt = cells[i + 1] if i + 1 < len(cells) else None
            if nxt is not None and not (isinstance(nxt[1], str) and any(rx.search(nxt[1]) for _, rx in _LABELS)):
                vals[key], cols[key], rows[key] = nxt[1], nxt[0], r
                i += 2
            else:
                vals[key], cols[key], rows[key] = None, c + 1, r
                i += 1
    return vals, cols, rows
