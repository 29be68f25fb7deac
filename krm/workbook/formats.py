"""Workbooks in the other formats offices save in: Excel 97-2003 (.xls), OpenDocument (.ods) and
Excel binary (.xlsb), read through calamine like .xlsx, after the same kind of checks
(:mod:`krm.workbook.guard_xls`, :mod:`krm.workbook.guard_ods`, the zip pre-check) and in the same worker
processes under the same limits.  None of them carries krm's document properties or defined names,
so the form is recognised by its index text and read in the annex's layout or krm's column layout
(:func:`krm.workbook.reader._locate_any`).  What is read is recognised by the bytes, never the name.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from krm.codes import E002, E003, E005, E007, E010
from krm.workbook import guard, guard_ods, guard_xls


def kind_of(head: bytes, zf: zipfile.ZipFile | None) -> str | None:
    """"xls" (an OLE2 compound file), "ods", "xlsb", or None (an .xlsx, or not a workbook)."""
    if head.startswith(guard_xls.MAGIC[:4]):
        return "xls"
    if zf is None:
        return None
    names = set(zf.namelist())
    if "xl/workbook.bin" in names:
        return "xlsb"
    if guard_ods.is_ods(zf):
        return "ods"
    return None


def read(path: Path, kind: str, data: bytes | None = None):
    """A :class:`~krm.workbook.reader.ParsedForm` of an .xls, .ods or .xlsb workbook (ReadError if not).

    ``data``: the workbook's bytes as the caller read (and hashed) them; the checks and calamine read
    those bytes, never the file again.  Without it the file is read into memory once, here.
    """
    from krm.workbook import reader

    merged_by_sheet: dict[str, list] = {}
    hidden_rows: dict[str, list] = {}
    modified = None
    visible: dict[str, bool] = {}
    size = len(data) if data is not None else path.stat().st_size
    if size > guard_xls.MAX_FILE:
        raise reader.ReadError(E005, f"a {kind} workbook of {size} bytes (limit {guard_xls.MAX_FILE})")
    if data is None:
        data = path.read_bytes()  # read once: the checks and calamine read these bytes, whatever the file's name
    if kind == "xls":
        info = guard_xls.check(data, reader.MAX_ROWS, reader.MAX_COLS)
        visible = dict(info.sheets)
    else:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            reader.check_members(zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise reader.ReadError(E002, f"damaged zip: {e}") from None
        with zf:
            if kind == "ods":
                for s in guard_ods.check(zf, reader.MAX_ROWS, reader.MAX_COLS):
                    merged_by_sheet[s.name] = s.merged
                    hidden_rows[s.name] = s.hidden_rows
                modified = guard_ods.modified(zf)
            else:  # .xlsb: the parts calamine opens first must have no DTD and inflate as declared
                for name in zf.namelist():
                    if name.endswith((".xml", ".rels")):
                        guard.read_part(zf, name, keep=False)
    try:
        from python_calamine import CalamineWorkbook

        cwb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        meta = list(cwb.sheets_metadata)
    except BaseException as e:  # noqa: BLE001 - calamine raises its own types, and a Rust panic on a forged file
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        text = str(e)
        if "password" in text.casefold() or "encrypt" in text.casefold():
            raise reader.ReadError(E003, f"password-protected {kind}: {text}") from None
        raise reader.ReadError(E002, f"{kind}: {type(e).__name__}: {text}") from None
    sheets = [(m.name, "visible" if _visible(m) and visible.get(m.name, True) else "hidden") for m in meta
              if "work" in str(m.typ).casefold()]
    if not sheets:
        raise reader.ReadError(E010, "workbook has no sheets")
    pkg = reader.Package(sheets=[(n, "", st) for n, st in sheets], names={}, props={}, modified=modified,
                         has_macros=False, tables={})
    tried = [n for n, st in sheets if st == "visible"] + [n for n, st in sheets if st != "visible"]
    first = None
    for name in tried:
        grid, merged = _grid(cwb, name, kind)
        spec, how = reader.recognise(pkg, grid)
        if first is None:
            first = (name, grid, merged)
        if spec is not None:
            break
    else:
        raise reader.ReadError(E010, "no KRM form index found ('Индексі: КРМ-N')")
    pf = reader.ParsedForm(path=path, spec=spec, sheet=name, lang=None, spec_version=None, recognised_by=how,
                           grid=grid, modified=modified, merged=merged or merged_by_sheet.get(name, []),
                           hidden_sheets=[n for n, st in sheets if st != "visible"],
                           hidden_rows=hidden_rows.get(name, []))
    reader._locate_any(pf, pkg)
    return pf


def _visible(m) -> bool:
    return "visible" in str(m.visible).casefold() and "hidden" not in str(m.visible).casefold()


def _grid(cwb, name: str, kind: str) -> tuple[list[list], list]:
    from krm.workbook import reader

    try:
        sheet = cwb.get_sheet_by_name(name)
        if sheet.height > reader.MAX_ROWS or sheet.width > reader.MAX_COLS:
            raise reader.ReadError(E007, f"sheet uses {sheet.height} rows × {sheet.width} columns",
                                   rows=sheet.height, cols=sheet.width)
        grid = sheet.to_python(skip_empty_area=False)
    except reader.ReadError:
        raise
    except BaseException as e:  # noqa: BLE001 - a Rust panic (pyo3 PanicException) included
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        raise reader.ReadError(E002, f"{kind}: {type(e).__name__}: {e}") from None
    if kind == "xls":  # BIFF keeps whole numbers as integers: the rules see floats, as from .xlsx
        grid = [[float(v) if type(v) is int else v for v in row] for row in grid]
    try:
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        merged = []
    return grid, merged
