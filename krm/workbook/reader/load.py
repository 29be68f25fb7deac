"""The read: a workbook into a :class:`ParsedForm`, against the edition it declares or whose layout it fits."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from krm.codes import E002, E007, E010, E072
from krm.spec import FormSpec
from krm.workbook import guard
from krm.workbook.reader.cells import _ROW_HIDDEN, cell_notes
from krm.workbook.reader.locate import _locate
from krm.workbook.reader.model import MAX_COLS, MAX_ROWS, ParsedForm, ReadError
from krm.workbook.reader.package import Package, parse_ref, read_package
from krm.workbook.reader.recognise import recognise
from krm.workbook.reader.zipparts import _open_zip, _read, member


#: False: calamine always opens the workbook's own bytes (the path the tests compare :func:`_lean` with)
LEAN = True


# ------------------------------------------------------------------ the read
def read(path: str | Path, data: bytes | None = None) -> ParsedForm:
    """Read and locate everything in one KRM workbook. Raises :class:`ReadError`.

    ``data``: the workbook's bytes, read once by the caller (the register hashes them): everything is
    parsed from them and the file is not opened again, so what was hashed is what was read.  Without
    ``data`` a file up to :data:`RAW_MAX` is likewise read into memory once and parsed from there.
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        zf, raw = _open_zip(path, data)
    except ReadError as e:
        if e.params.get("other"):  # .xls, .ods, .xlsb: read through calamine after their own checks
            from krm.workbook import formats

            return formats.read(path, e.params["other"], data)
        raise
    with zf:
        wb_xml = _read(zf, "xl/workbook.xml", raw)  # read once: parsed here, its prolog checked by the guard
        pkg = read_package(zf, wb_xml, raw)
        # calamine parses these on open: no DTD, no forged sizes
        have = {"xl/workbook.xml": wb_xml}
        guard.check_shared_parts(zf, {"xl/workbook.xml": wb_xml}, raw, kept=have)
        if pkg.ambiguous:
            raise ReadError(E072, "; ".join(pkg.ambiguous[:3]))
        lean = _lean(zf, pkg, raw, have)
        try:  # calamine reads the very bytes the guard checked (not the file again: it may have changed)
            cwb = CalamineWorkbook.from_filelike(io.BytesIO(lean[0] if lean else raw)) if raw is not None else \
                CalamineWorkbook.from_path(str(path))
        except Exception as e:  # noqa: BLE001 - calamine raises its own error types
            raise ReadError(E002, f"{type(e).__name__}: {e}") from None
        if list(cwb.sheet_names) != [n for n, _, _ in pkg.sheets]:  # it would read another sheet than Excel shows
            raise ReadError(E072, f"the sheets a reader sees ({', '.join(map(str, cwb.sheet_names))}) are not the "
                                  f"workbook's ({', '.join(str(n) for n, _, _ in pkg.sheets)})")
        if lean:  # the sheet's checks below were made on its bytes (and passed) before calamine opened it
            sheet_name, xml = lean[1], lean[2]
        else:
            sheet_name = _form_sheet(pkg)
            part = next((p for n, p, _ in pkg.sheets if n == sheet_name), "")
            xml = _sheet_xml(zf, part, raw)
            guard.check_extent(xml, MAX_ROWS, MAX_COLS)  # a far cell makes calamine allocate the whole grid
        try:
            csheet = cwb.get_sheet_by_name(sheet_name)  # parses the sheet: once, not per use
            grid = csheet.to_python(skip_empty_area=False)
        except Exception as e:  # noqa: BLE001
            raise ReadError(E002, f"{type(e).__name__}: {e}") from None
        try:
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (csheet.merged_cell_ranges or [])]
        except Exception:  # noqa: BLE001
            merged = []
        explanations = _explanations(zf, cwb, pkg, raw, sheet_name, checked=lean is not None)
    if len(grid) > MAX_ROWS:
        raise ReadError(E007, f"sheet uses {len(grid)} rows", rows=len(grid), cols=0)
    notes = cell_notes(xml)
    spec, how = recognise(pkg, grid)
    if spec is None:
        raise ReadError(E010, "no KRM form index found (document properties, names or 'Индексі: КРМ-N')")
    declared = pkg.props.get("krm_spec_version")

    def parsed(spec: FormSpec) -> ParsedForm:
        pf = ParsedForm(path=path, spec=spec, sheet=sheet_name, lang=pkg.props.get("krm_lang"),
                        spec_version=declared, recognised_by=how, grid=grid,
                        has_macros=pkg.has_macros, modified=pkg.modified, merged=merged,
                        hidden_sheets=[n for n, _, st in pkg.sheets if st != "visible"],
                        hidden_rows=[int(m.group(1)) - 1 for m in _ROW_HIDDEN.finditer(xml)] if b"hidden" in xml
                        else [], formulas=notes[0], formulas_without_value=notes[1], error_cells=notes[2],
                        explanations=explanations)
        _locate_any(pf, pkg)
        return pf

    from krm import editions

    return editions.read_against(spec, declared, parsed)


def _form_sheet(pkg: Package) -> str:
    """Which sheet holds the form: the one the defined names point to, else the first visible one."""
    sheet_name = None
    for key in ("KRM_DATA", "KRM_PERIOD"):
        ref = pkg.names.get(key)
        pr = parse_ref(ref) if ref else None
        if pr and pr[0]:
            sheet_name = pr[0].replace("''", "'")
            break
    sheet_names = [s[0] for s in pkg.sheets]
    if sheet_name not in sheet_names:
        visible = [s[0] for s in pkg.sheets if s[2] == "visible"]
        sheet_name = (visible or sheet_names or [None])[0]
    if sheet_name is None:
        raise ReadError(E010, "workbook has no sheets")
    return sheet_name


def _explanations(zf: zipfile.ZipFile, cwb, pkg: Package, raw: bytes | None, form_sheet: str,
                  checked: bool = False) -> list:
    """The sheet «Түсініктеме / Пояснения» (krm.explanations), under the same guards as the form's sheet
    (``checked``: they were passed already, by :func:`_lean`)."""
    from krm import explanations as X

    part = next((p for n, p, _ in pkg.sheets if n == X.SHEET), None)
    if part is None or X.SHEET == form_sheet:
        return []
    if not checked:
        guard.check_extent(_sheet_xml(zf, part, raw), MAX_ROWS, MAX_COLS)
    try:
        return X.read_sheet(cwb, [n for n, _, _ in pkg.sheets])
    except Exception as e:  # noqa: BLE001 - calamine raises its own error types
        raise ReadError(E002, f"sheet {X.SHEET}: {type(e).__name__}: {e}") from None


def _lean(zf: zipfile.ZipFile, pkg: Package, raw: bytes | None, have: dict[str, bytes]) -> tuple | None:
    """(a stored zip of the parts calamine reads, the form's sheet name, its XML) when the workbook is plain
    (:func:`krm.workbook.reader.lean.calamine_bytes`) and the checks :func:`read` makes on the sheets calamine
    will read (the form's and the explanations') pass, each read in one step; else None, and :func:`read` opens
    calamine on the workbook's bytes and makes those checks in its usual order, raising what they raise."""
    from krm import explanations as X
    from krm.workbook.reader.lean import calamine_bytes

    if raw is None or not LEAN:
        return None
    try:
        sheet_name = _form_sheet(pkg)
        sheets = [next((p for n, p, _ in pkg.sheets if n == sheet_name), "")]
        if X.SHEET != sheet_name:
            sheets += [p for n, p, _ in pkg.sheets if n == X.SHEET][:1]
        xmls = []
        for part in sheets:
            data = guard.quick_read(zf, part, raw) if part else None
            if data is None:
                return None
            guard.check_extent(_plain_sheet(part, data), MAX_ROWS, MAX_COLS)
            xmls.append(data)
    except ReadError:
        return None
    have.update(zip(sheets, xmls))
    package = calamine_bytes(zf, raw, have, sheets)
    return (package, sheet_name, xmls[0]) if package is not None else None


def layout_fits(pf: ParsedForm) -> bool:
    """The column-number row holds the spec's columns, and nothing right of them (as KRM-E012 checks)."""
    from krm.rules.structure import same_number
    from krm.workbook.writer import table_headers

    cols = pf.columns
    c0 = min(pf.colmap.values()) if pf.colmap else 0
    found = pf.found_numbers
    for i, (col, name) in enumerate(zip(cols, table_headers(cols))):
        if not same_number(found[c0 + i] if c0 + i < len(found) else "", name, col.number):
            return False
    extra = c0 + len(cols)
    return not (extra < len(found) and found[extra] != "")


def _locate_any(pf: ParsedForm, pkg: Package) -> None:
    """Locate the header and table: krm's own layout, or for a workbook without krm's names the
    annex's printed layout (:mod:`krm.layouts`)."""
    if pf.recognised_by == "index-text":
        from krm import editions

        if editions.locate_printed(pf):  # the printed layouts of the form, each with its edition
            return
    _locate(pf, pkg)
    if pf.recognised_by == "index-text":
        from krm.layouts import annex

        annex.complete_header(pf)


def _sheet_xml(zf: zipfile.ZipFile, part: str, raw: bytes | None = None) -> bytes:
    """The form sheet's XML (b"" if it has no part): a ``<dimension>`` beyond the limits in its first
    4 KB is refused (KRM-E007) before the rest is inflated; the rest is read by the guard (bounded
    inflate, no DTD, size and CRC as declared)."""
    if not part:
        return b""
    part = member(zf, part)  # the member calamine reads: found regardless of case
    data = guard.quick_read(zf, part, raw)
    if data is not None:
        return _plain_sheet(part, data)
    try:
        fh = zf.open(part)
    except KeyError:
        return b""
    with fh:
        head = fh.read(4096)
        dim = _dimension(head)
        if dim and (dim[0] > MAX_ROWS or dim[1] > MAX_COLS):
            raise ReadError(E007, f"sheet uses {dim[0]} rows × {dim[1]} columns", rows=dim[0], cols=dim[1])
        return guard.read_part(zf, part, opened=(fh, head))


def _plain_sheet(part: str, data: bytes) -> bytes:
    """A plain part read whole (:func:`krm.workbook.guard.quick_read`): :func:`_sheet_xml`'s checks in its order."""
    dim = _dimension(data[:4096])
    if dim and (dim[0] > MAX_ROWS or dim[1] > MAX_COLS):
        raise ReadError(E007, f"sheet uses {dim[0]} rows × {dim[1]} columns", rows=dim[0], cols=dim[1])
    guard.check_prolog(part, data[:guard.PROLOG_MAX])
    return data


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


def _dimension(head: bytes) -> tuple[int, int] | None:
    m = _DIMENSION.search(head)
    if not m:
        return None
    pr = parse_ref(m.group(1).decode())
    return (pr[3] + 1, pr[4] + 1) if pr else None
