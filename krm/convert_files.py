"""``krm convert``: each readable workbook written into krm's current template, so that a region can
move its districts onto the template without retyping.

For every source workbook (any layout :mod:`krm.workbook.reader` reads: krm's own, the annexes' printed
layouts, .xlsx/.xls/.ods/.xlsb) it writes, into the output folder:

* ``<name>.krm.xlsx`` — the form in krm's current template with the source's header, rows and
  signature; figures typed (numbers typed as text become numbers, column 5's period text becomes the
  start and end dates, a blank activity takes its group's); a link to its source in the document
  properties (``krm_source``: the path as given, ``krm_source_sha256``: the source's bytes);
* ``<name>.findings.xlsx`` — the source's findings as an annotated copy (the source itself for an
  .xlsx, else a copy of its form sheet's values), with the findings sheet.

Nothing is overwritten unless ``force``; each file is written atomically; the source is only read.
The converted workbook is validated again (:attr:`Converted.after`): when the source's only findings
were about its layout, it validates clean and rolls up to the same figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from krm import reference, values
from krm.findings import Finding
from krm.spec import ColType, Rows

#: findings that are about the layout or the way a value was typed, not about the data: a source with
#: only these converts into a workbook without findings
LAYOUT_CODES = frozenset({"KRM-W033", "KRM-W001", "KRM-W004", "KRM-W011"})


@dataclass
class Converted:
    source: Path
    out: Path | None = None
    annotated: Path | None = None
    form: str | None = None
    findings: list[Finding] = field(default_factory=list)  # the source's
    after: list[Finding] = field(default_factory=list)  # the converted workbook's
    status: str = "converted"  # converted | unreadable | exists
    detail: str = ""

    @property
    def layout_only(self) -> bool:
        return all(f.code in LAYOUT_CODES for f in self.findings)

    def to_dict(self) -> dict:
        return {"source": str(self.source), "form": self.form, "status": self.status,
                "out": str(self.out) if self.out else None,
                "annotated": str(self.annotated) if self.annotated else None,
                "source_errors": sum(f.severity == "error" for f in self.findings),
                "source_warnings": sum(f.severity == "warning" for f in self.findings),
                "errors_after": sum(f.severity == "error" for f in self.after),
                "warnings_after": sum(f.severity == "warning" for f in self.after), "detail": self.detail}


def targets(sources: list[Path], roots: list[Path], out: Path) -> dict[Path, tuple[Path, Path]]:
    """Output paths per source: the source's folder below the folder it was found in, its stem, and
    its suffix when two sources of one folder share a stem (a.xls and a.ods)."""
    got: dict[Path, tuple[Path, Path]] = {}
    used: dict[Path, int] = {}
    stems: dict[tuple, int] = {}
    for s in sources:
        k = (_rel_dir(s, roots), s.stem.casefold())
        stems[k] = stems.get(k, 0) + 1
    for s in sources:
        rel = _rel_dir(s, roots)
        stem = s.stem if stems[(rel, s.stem.casefold())] == 1 else f"{s.stem}-{s.suffix.lstrip('.').lower()}"
        base = out / rel / stem
        n = used[base] = used.get(base, 0) + 1
        if n > 1:
            base = out / rel / f"{stem}-{n}"
        got[s] = (base.with_name(base.name + ".krm.xlsx"), base.with_name(base.name + ".findings.xlsx"))
    return got


def _rel_dir(src: Path, roots: list[Path]) -> Path:
    for r in roots:
        try:
            return src.parent.relative_to(r)
        except ValueError:
            continue
    return Path()


def convert_file(src: Path, out: Path, annotated: Path, *, today: dt.date | None = None, force: bool = False,
                 lang: str | None = None) -> Converted:
    """Convert one workbook (never raises for a bad source: the result says what happened)."""
    from krm import rules
    from krm.validate import validate_file
    from krm.workbook.reader import ReadError, read

    res = Converted(source=src)
    try:
        pf = read(src)
    except ReadError as e:
        rep = validate_file(src, today=today)
        res.findings, res.status, res.detail = rep.findings, "unreadable", e.detail
        return res
    except (OSError, MemoryError) as e:
        rep = validate_file(src, today=today)
        res.findings, res.status, res.detail = rep.findings, "unreadable", str(e)
        return res
    res.form = pf.spec.id
    res.findings = rules.run(pf, str(src), today)
    for p in (out, annotated):
        if p.exists() and not force:
            res.status, res.detail = "exists", f"{p} exists (use --force to replace it)"
            return res
    lang = lang or (pf.lang if pf.lang in ("kk", "ru") else "kk")
    data = template_bytes(pf, lang, source=src)
    from krm.workbook.writer import atomic_write

    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, lambda tmp: Path(tmp).write_bytes(data), force=force)
    res.out = out
    res.annotated = write_annotated(src, pf, res.findings, annotated, lang=lang, force=force)
    res.after = validate_file(out, today=today).findings
    return res


def convert_paths(paths: list[Path], out: Path, *, today: dt.date | None = None, force: bool = False,
                  lang: str | None = None, progress=None) -> list[Converted]:
    """Every workbook given (files, and folders searched as ``krm validate`` does)."""
    from krm.validate import find_workbooks

    paths = [Path(p) for p in paths]
    sources = find_workbooks(paths)
    roots = [p for p in paths if p.is_dir()]
    plan = targets(sources, roots, Path(out))
    done = []
    for s in sources:
        o, a = plan[s]
        done.append(convert_file(s, o, a, today=today, force=force, lang=lang))
        if progress:
            progress(done[-1])
    return done


# ------------------------------------------------------------------ the template's content
def _typed(pf, row, col):
    """A cell as the template takes it: the value its type parses to, else the text as it was."""
    from krm.rules import typed_row

    t = (row.typed if row.typed is not None else typed_row(row, pf.columns)).get(col.key)
    raw = row.values.get(col.key)
    if t is not None and t[0] is not None and t[1] != values.INVALID:
        v = t[0]
        if col.type in (ColType.JOBS, ColType.COUNT):
            return int(v)
        if col.type == ColType.MONEY:
            return float(v)
        return v
    if col.type == ColType.ACTIVITY and raw is not None:
        a = reference.activity(raw)
        return a.label(pf.lang if pf.lang in ("kk", "ru") else "kk") if a else raw
    return raw


def header_values(pf, lang: str) -> dict:
    """The source's header as the template's drop-downs hold it (names in ``lang``, district with code)."""
    from krm.rules.header import basis

    spec = pf.spec
    h: dict = {}
    period, _ = values.parse_period(pf.header.get("period"), spec.period_kind)
    on = reference.as_date(period) if period else None
    reg = reference.region(pf.header.get("region"), on) if on and pf.header.get("region") is not None else None
    for f in spec.header:
        v = pf.header.get(f.key)
        if values.is_blank(v):
            continue
        if f.key == "period":
            h[f.key] = period or v
        elif f.key == "region":
            h[f.key] = reg.name(lang) if reg else v
        elif f.key == "district":
            d = reference.district(v, reg.kato if reg else None, on) if on else None
            h[f.key] = reference.district_label(d, lang) if d else v
        elif f.key == "programme":
            p = reference.programme(v, on)
            h[f.key] = p.name(lang) if p else v
        elif f.key == "basis":
            h[f.key] = basis(v) or v
        else:
            h[f.key] = v
    return h


def rows_of(pf, lang: str) -> list[dict]:
    spec = pf.spec
    period, _ = values.parse_period(pf.header.get("period"), spec.period_kind)
    on = reference.as_date(period) if period else None
    out = []
    for row in pf.rows:
        d = {c.key: _typed(pf, row, c) for c in pf.columns if c.type != ColType.SEQ}
        if spec.rows == Rows.REGIONS:
            r = reference.region(row.values.get("region"), on) if on else None
            if r is None:
                continue  # a row that names no region of the period: its finding says so
            d["region"] = r.kato
        elif spec.rows == Rows.ACTIVITIES:
            a = reference.activity(row.values.get("activity"))
            if a is None:
                continue
            d["activity"] = a.code
        elif "activity" in d and d["activity"] is not None:
            a = reference.activity(d["activity"])
            d["activity"] = a.label(lang) if a else d["activity"]
        out.append({k: v for k, v in d.items() if v is not None})
    return out


def template_bytes(pf, lang: str, *, source: Path) -> bytes:
    """The workbook in krm's current template, with the link to its source in its properties."""
    from krm.workbook.writer import write_form

    spec = pf.spec
    header = header_values(pf, lang)
    buf = io.BytesIO()
    sig = {k: str(v) for k, v in pf.signature.items() if not values.is_blank(v)}
    write_form(buf, spec, lang, header=header, rows=rows_of(pf, lang),
               period=str(header["period"]) if header.get("period") else None, signature=sig, spare_rows=5)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    return with_properties(buf.getvalue(), {"krm_source": str(source), "krm_source_sha256": digest})


def with_properties(xlsx: bytes, props: dict[str, str]) -> bytes:
    """The same package with more custom document properties (docProps/custom.xml), entries in order."""
    zin = zipfile.ZipFile(io.BytesIO(xlsx))
    custom = zin.read("docProps/custom.xml").decode("utf-8")
    pid = custom.count("<property ") + 2
    extra = "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid + i}" '
                    f'name="{escape(k)}"><vt:lpwstr>{escape(v)}</vt:lpwstr></property>'
                    for i, (k, v) in enumerate(props.items()))
    custom = custom.replace("</Properties>", extra + "</Properties>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = custom.encode("utf-8") if info.filename == "docProps/custom.xml" else zin.read(info)
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ------------------------------------------------------------------ the annotated copy
def write_annotated(src: Path, pf, findings: list[Finding], out: Path, *, lang: str, force: bool) -> Path:
    """The source's findings marked on a copy: on the source itself when openpyxl can open it (.xlsx),
    else on a copy of its form sheet's values (.xls, .ods, .xlsb)."""
    import tempfile

    from krm.annotate import annotate

    out.parent.mkdir(parents=True, exist_ok=True)
    if _is_ooxml(src):
        try:
            return annotate(src, findings, out, lang=lang, sheet=pf.sheet, force=force)
        except FileExistsError:
            raise
        except Exception:  # noqa: BLE001 - openpyxl cannot open every workbook calamine reads
            pass
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".values.xlsx", dir=str(out.parent))
    import os

    os.close(fd)
    try:
        values_copy(pf, Path(tmp))
        return annotate(Path(tmp), findings, out, lang=lang, sheet=pf.sheet, force=force)
    finally:
        os.unlink(tmp)


def _is_ooxml(src: Path) -> bool:
    try:
        with zipfile.ZipFile(src) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def values_copy(pf, path: Path) -> None:
    """The form sheet's cells (values, merged ranges) as an .xlsx; text stays text."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = pf.sheet[:31] or "Sheet1"
    for r, row in enumerate(pf.grid):
        for c, v in enumerate(row):
            if v in ("", None):
                continue
            cell = ws.cell(row=r + 1, column=c + 1, value=v if not isinstance(v, dt.time) else str(v))
            if isinstance(v, str):
                cell.data_type = "s"
    for r1, c1, r2, c2 in pf.merged:
        if (r1, c1) != (r2, c2):
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.save(path)
