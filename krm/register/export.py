"""The register as tables for analysts' own tools: pandas DataFrames (:func:`frames`), written as CSV or
Parquet (:func:`export`).

* ``submissions``: one line per submission with its current version and state;
* ``versions``: every version (superseded ones too) with its state, bytes, paths and control totals;
* ``rows``: every typed row of every version, one column per column key (exact: money as decimals);
* ``findings``: every finding of each version's latest check.

CSV is written with text that starts with ``= + - @`` prefixed by ``'`` (a spreadsheet must never take a
district's text for a formula); Parquet needs pyarrow (``pip install pyarrow``).  Files are written
atomically and an existing one is never overwritten unless ``force``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from krm.register import codec
from krm.register import schema as S

KEYS = ("form", "region", "district", "programme", "period")
TABLES = ("submissions", "versions", "rows", "findings")


def _version_frame(reg):
    import pandas as pd

    lines = []
    for v in reg.versions():
        d = {"version_id": v.id, "submission_id": v.submission_id, **{k: getattr(v, k) for k in KEYS},
             "version": v.number, "state": v.state, "received_at": v.received_at, "sha256": v.sha256,
             "paths": "; ".join(v.paths), "reading_id": v.reading_id}
        for m in codec.MEASURES:
            d[m] = codec.Decimal(v.totals[m]) if m in v.totals else None
        lines.append(d)
    return pd.DataFrame(lines, columns=["version_id", "submission_id", *KEYS, "version", "state", "received_at",
                                        "sha256", "paths", "reading_id", *codec.MEASURES])


def _rows_frame(reg, versions):
    import pandas as pd

    by_reading: dict[int, list] = {}
    X = S.row_value
    with reg.reader() as c, c.begin():
        for rid, row_no, kind, key, type_, text in c.execute(
                select(X.c.reading_id, X.c.row_no, X.c.kind, X.c.key, X.c.type, X.c.text)):
            by_reading.setdefault(rid, []).append((row_no, kind, key, type_, text))
        for rid, cells in c.execute(select(S.reading_rows.c.reading_id, S.reading_rows.c.cells)):  # migration 6
            by_reading.setdefault(rid, []).extend(x[:5] for x in codec.cells_from_json(cells))
    lines, keys = [], []
    for v in versions.itertuples(index=False):
        rows: dict[int, dict] = {}
        for row_no, kind, key, type_, text in by_reading.get(v.reading_id, ()):
            if type_ == "m":
                continue
            if key not in keys:
                keys.append(key)
            rows.setdefault(row_no, {"kind": kind})[key] = codec._value(type_, text)
        for row_no in sorted(rows):
            lines.append({"version_id": v.version_id, **{k: getattr(v, k) for k in KEYS}, "version": v.version,
                          "state": v.state, "row_no": row_no, **rows[row_no]})
    return pd.DataFrame(lines, columns=["version_id", *KEYS, "version", "state", "row_no", "kind", *keys])


def _findings_frame(reg, versions):
    import pandas as pd

    C, F = S.check, S.finding
    lines = []
    with reg.reader() as c, c.begin():
        latest = dict(c.execute(select(C.c.reading_id, func.max(C.c.as_of)).group_by(C.c.reading_id)).all())
        for v in versions.itertuples(index=False):
            as_of = latest.get(v.reading_id)
            if as_of is None:
                continue
            for f in c.execute(select(F).join(C, C.c.id == F.c.check_id)
                               .where(C.c.reading_id == v.reading_id, C.c.as_of == as_of).order_by(F.c.seq)):
                data = json.loads(f.data)
                lines.append({"version_id": v.version_id, **{k: getattr(v, k) for k in KEYS}, "as_of": as_of,
                              "code": f.code, "severity": f.severity, "sheet": f.sheet, "cell": f.cell,
                              "params": json.dumps(data.get("params"), ensure_ascii=False, sort_keys=True)})
    return pd.DataFrame(lines, columns=["version_id", *KEYS, "as_of", "code", "severity", "sheet", "cell", "params"])


def frames(reg) -> dict:
    """The register as pandas DataFrames: submissions, versions, rows, findings (see the module's doc)."""
    versions = _version_frame(reg)
    current = versions[versions["state"] != "superseded"]  # the newest of each (a locked confirmed one stays beside)
    current = current[current["version"] == current.groupby("submission_id")["version"].transform("max")]
    subs = current[["submission_id", *KEYS, "version", "state", "received_at", *codec.MEASURES]].reset_index(drop=True)
    return {"submissions": subs, "versions": versions, "rows": _rows_frame(reg, versions),
            "findings": _findings_frame(reg, versions)}


def _safe_text(v):
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def export(reg, out: Path, fmt: str = "csv", force: bool = False) -> list[Path]:
    """Write each frame to ``out/NAME.csv`` (or ``.parquet``); returns the files written."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format {fmt!r}: use csv or parquet")
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ValueError("Parquet needs pyarrow (pip install pyarrow); CSV needs nothing more") from None
    out = Path(out)
    targets = [out / f"{name}.{fmt}" for name in TABLES]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        raise FileExistsError(f"{existing[0]} exists; use --force to overwrite")
    out.mkdir(parents=True, exist_ok=True)
    fs = frames(reg)
    for name, target in zip(TABLES, targets):
        df = fs[name]
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=out)
        os.close(fd)
        try:
            if fmt == "csv":
                df.map(_safe_text).to_csv(tmp, index=False, encoding="utf-8")
            else:
                df.astype({c: "string" for c in df.columns if df[c].dtype == object and c in
                           ("paths", "sha256", "params")}).to_parquet(tmp, index=False)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return targets
