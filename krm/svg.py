"""Inline SVG for the analytical note: bar charts and the region map.

Plain strings, no JavaScript, no network: the note must open from a USB stick in
any browser and print on A4.  Every text is escaped; coordinates are rounded so
that the same figures give the same bytes.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path

FONT = "font-family=\"'PT Sans','DejaVu Sans','Liberation Sans',Arial,sans-serif\""
PLAN_COLOUR = "#c9d3e0"
FACT_COLOUR = "#1f5f99"
INK = "#1d2733"
MUTED = "#6b7785"

# plan fulfilment classes (lower bound in %, colour); the legend is built from the same list
CLASSES = ((0, "#d73027"), (40, "#f46d43"), (50, "#fdae61"), (60, "#fee08b"), (70, "#d9ef8b"), (80, "#91cf60"),
           (100, "#1a9850"))
NO_DATA = "#eceff2"
NO_PLAN = "#b9c7d8"


def fmt_int(n: int | float | None) -> str:
    """12 345 (thin non-breaking space as thousands separator, the Kazakh/Russian convention)."""
    if n is None:
        return "—"
    return f"{int(round(n)):,}".replace(",", "\u202f").replace("-", "−")


def fmt_pct(p: float | None) -> str:
    if p is None:
        return "—"
    return f"{p:.1f}".replace(".", ",") + "%"


def class_colour(pct: float | None) -> str:
    if pct is None:
        return NO_PLAN
    colour = CLASSES[0][1]
    for lower, c in CLASSES:
        if pct >= lower:
            colour = c
    return colour


def _t(x: float, y: float, text: str, *, size: float = 11, anchor: str = "start", weight: str = "normal",
       fill: str = INK, halo: bool = False) -> str:
    extra = ' stroke="#ffffff" stroke-width="2.6" stroke-opacity="0.85" paint-order="stroke"' if halo else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>')


def _wrap(label: str, width: int) -> list[str]:
    words, lines, cur = label.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    if len(lines) > 2:
        lines = [lines[0], (" ".join(lines[1:]))[: width - 1] + "…"]
    return lines or [""]


def bullet_chart(rows: list[tuple[str, int | None, int | None]], *, plan_label: str, fact_label: str,
                 missing_label: str, width: int = 720, label_width: int = 230, title: str = "") -> str:
    """Horizontal bars: the plan as a pale bar, the fact as a dark bar over it, values and % at the end.

    ``rows`` are (label, plan, fact); None means "not reported" and is drawn as a note, never as a zero bar.
    """
    row_h, top = 25, 30
    height = top + row_h * max(len(rows), 1) + 10
    maxv = max([v for _, p, f in rows for v in (p, f) if v] + [1])
    bar_w = width - label_width - 175
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" {FONT}>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    # legend
    out.append(f'<rect x="{label_width}" y="6" width="14" height="10" fill="{PLAN_COLOUR}"/>')
    out.append(_t(label_width + 19, 15, plan_label, size=10, fill=MUTED))
    lx = label_width + 30 + 7 * len(plan_label)
    out.append(f'<rect x="{lx}" y="6" width="14" height="10" fill="{FACT_COLOUR}"/>')
    out.append(_t(lx + 19, 15, fact_label, size=10, fill=MUTED))
    for i, (label, plan, fact) in enumerate(rows):
        y = top + i * row_h
        lines = _wrap(label, 30)
        for j, line in enumerate(lines):
            out.append(_t(label_width - 8, y + 14 + (j - (len(lines) - 1) / 2) * 11, line, size=10.5,
                          anchor="end"))
        if plan is None and fact is None:
            out.append(_t(label_width + 4, y + 16, missing_label, size=10, fill=MUTED))
            continue
        if plan:
            out.append(f'<rect x="{label_width}" y="{y + 2}" width="{bar_w * plan / maxv:.1f}" height="18" '
                       f'fill="{PLAN_COLOUR}"/>')
        if fact:
            out.append(f'<rect x="{label_width}" y="{y + 6}" width="{bar_w * fact / maxv:.1f}" height="10" '
                       f'fill="{FACT_COLOUR}"/>')
        end = label_width + bar_w * max(plan or 0, fact or 0) / maxv + 6
        pct = (100.0 * fact / plan) if plan and fact is not None else None
        txt = f"{fmt_int(fact)} / {fmt_int(plan)}"
        out.append(_t(end, y + 14.5, txt, size=10))
        tw = 6.0 * len(txt) + 8
        if pct is not None:
            out.append(f'<circle cx="{end + tw + 3.5:.1f}" cy="{y + 11}" r="3.5" fill="{class_colour(pct)}" '
                       f'stroke="#7d8894" stroke-width="0.5"/>')
        out.append(_t(end + tw + (10 if pct is not None else 0), y + 14.5, fmt_pct(pct), size=10, weight="bold"))
    out.append("</svg>")
    return "".join(out)


def grouped_bars(rows: list[tuple[str, list[int | None]]], series: list[str], *, missing_label: str,
                 width: int = 720, label_width: int = 230, title: str = "") -> str:
    """One group of horizontal bars per row, one bar per series (the quarter's months side by side)."""
    shades = ("#9ab8d6", "#4f86b8", "#1f4e79", "#0b2a45")
    n = max(len(series), 1)
    bar_h = 8
    row_h = n * (bar_h + 2) + 12
    top = 30
    height = top + row_h * max(len(rows), 1) + 6
    maxv = max([v for _, vals in rows for v in vals if v] + [1])
    bar_w = width - label_width - 80
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" {FONT}>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    x = label_width
    for k, s in enumerate(series):
        out.append(f'<rect x="{x}" y="6" width="14" height="10" fill="{shades[k % len(shades)]}"/>')
        out.append(_t(x + 19, 15, s, size=10, fill=MUTED))
        x += 40 + 7 * len(s)
    for i, (label, vals) in enumerate(rows):
        y = top + i * row_h
        lines = _wrap(label, 30)
        for j, line in enumerate(lines):
            out.append(_t(label_width - 8, y + row_h / 2 + (j - (len(lines) - 1) / 2) * 11, line, size=10.5,
                          anchor="end"))
        for k, v in enumerate(vals):
            yy = y + 4 + k * (bar_h + 2)
            if v is None:
                out.append(_t(label_width + 4, yy + bar_h - 1, missing_label, size=8.5, fill=MUTED))
                continue
            w = bar_w * v / maxv
            out.append(f'<rect x="{label_width}" y="{yy}" width="{w:.1f}" height="{bar_h}" '
                       f'fill="{shades[k % len(shades)]}"/>')
            out.append(_t(label_width + w + 4, yy + bar_h - 0.5, fmt_int(v), size=8.5))
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------ map
def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    return []


def _area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def _centroid(ring) -> tuple[float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return ring[0][0], ring[0][1]
    return cx / (3 * a), cy / (3 * a)


def load_regions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def region_map(features: list[dict], values: dict[str, float | None], labels: dict[str, str],
               *, reported: set[str], legend_title: str, no_data_label: str, no_plan_label: str,
               attribution: str, width: int = 760, title: str = "") -> str:
    """Regions shaded by plan fulfilment (equirectangular, x scaled by cos of the mid latitude).

    ``values``: region KATO -> fulfilment % (None: reported without a plan); regions not in ``reported``
    are drawn hatched as "no data", never as zero.
    """
    pts = [(x, y) for f in features for ring in _rings(f["geometry"]) for x, y in ring]
    # drop far-flung specks (exclaves such as the Baikonur lease) from the frame
    main = [p for f in features for ring in _rings(f["geometry"]) if _area(ring) > 0.05 for p in ring] or pts
    x0, x1 = min(p[0] for p in main), max(p[0] for p in main)
    y0, y1 = min(p[1] for p in main), max(p[1] for p in main)
    k = math.cos(math.radians((y0 + y1) / 2))
    pad, legend_h = 10, 74
    scale = (width - 2 * pad) / ((x1 - x0) * k)
    map_h = (y1 - y0) * scale
    height = int(map_h + 2 * pad + legend_h)

    def proj(x: float, y: float) -> tuple[float, float]:
        return pad + (x - x0) * k * scale, pad + (y1 - y) * scale

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="map" role="img" viewBox="0 0 {width} {height}" '
           f'width="100%" {FONT}>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    out.append('<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
               'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f5f7"/>'
               '<line x1="0" y1="0" x2="0" y2="6" stroke="#b5bcc5" stroke-width="2"/></pattern></defs>')
    label_pos = []
    for f in features:
        kato = f["properties"]["kato_code"]
        rings = [r for r in _rings(f["geometry"]) if _area(r) > 0.0005 or len(_rings(f["geometry"])) == 1]
        d = []
        for ring in rings:
            xy = [proj(x, y) for x, y in ring]
            if not (pad - 1 <= xy[0][0] <= width - pad + 1):
                continue
            d.append("M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in xy) + "Z")
        if not d:
            continue
        if kato not in reported:
            fill = "url(#nodata)"
        else:
            fill = class_colour(values.get(kato))
        name = escape(f["properties"].get("name_en", kato))
        out.append(f'<path d="{"".join(d)}" fill="{fill}" stroke="#ffffff" stroke-width="1.2" '
                   f'data-kato="{kato}"><title>{escape(labels.get(kato, name))}</title></path>')
        big = max(rings, key=_area)
        cx, cy = proj(*_centroid(big))
        label_pos.append((kato, cx, cy, f["properties"].get("kind", "oblast") != "oblast"))
    out += _map_labels(label_pos, labels)
    out += _map_legend(map_h + 2 * pad + 8, pad, legend_title, no_plan_label, no_data_label, attribution)
    out.append("</svg>")
    return "".join(out)


def _map_labels(label_pos: list[tuple[str, float, float, bool]], labels: dict[str, str]) -> list[str]:
    """Region labels: oblasts at their centroid; the three cities as a dot with the label beside it."""
    out: list[str] = []
    offsets = {"71": (9, -6), "75": (10, 10), "79": (-10, 12)}
    shifts = {"11": (-22, 14), "19": (10, -12)}  # Akmola around Nur-Sultan; Almaty oblast clear of Almaty city
    for kato, cx, cy, city in label_pos:
        text = labels.get(kato, kato)
        name, _, pct = text.partition("\n")
        if city:
            dx, dy = offsets.get(kato, (8, 0))
            out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.2" fill="{INK}" stroke="#fff" '
                       f'stroke-width="1"/>')
            anchor = "start" if dx >= 0 else "end"
            out.append(_t(cx + dx, cy + dy, name, size=9.5, anchor=anchor, weight="bold", halo=True))
            out.append(_t(cx + dx, cy + dy + 11, pct, size=9, anchor=anchor, halo=True))
        else:
            dx, dy = shifts.get(kato, (0, 0))
            out.append(_t(cx + dx, cy + dy - 2, name, size=10, anchor="middle", weight="bold", halo=True))
            out.append(_t(cx + dx, cy + dy + 10, pct, size=9.5, anchor="middle", halo=True))
    return out


def _map_legend(ly: float, pad: int, legend_title: str, no_plan_label: str, no_data_label: str,
                attribution: str) -> list[str]:
    """The map's legend at height ``ly``: the fulfilment classes, no plan, no data, the attribution."""
    out: list[str] = []
    out.append(_t(pad, ly + 8, legend_title, size=10.5, weight="bold"))
    items = []
    bounds = [c[0] for c in CLASSES] + [None]
    for i, (lo, colour) in enumerate(CLASSES):
        hi = bounds[i + 1]
        items.append((colour, f"{lo}–{hi}%" if hi is not None else f"≥ {lo}%"))
    items.append((NO_PLAN, no_plan_label))
    items.append(("url(#nodata)", no_data_label))
    x = pad
    for colour, text in items:
        out.append(f'<rect x="{x}" y="{ly + 16}" width="18" height="12" fill="{colour}" stroke="#9aa4ae" '
                   f'stroke-width="0.5"/>')
        out.append(_t(x + 23, ly + 26, text, size=10))
        x += 34 + 6.2 * len(text)
    out.append(_t(pad, ly + 50, attribution, size=9, fill=MUTED))
    return out
