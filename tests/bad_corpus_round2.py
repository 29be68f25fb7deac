"""The second round of hostile workbooks (issue 15), added to the corpus by tests/make_bad_corpus.py.

Each case breaks one thing a second attack on krm found: a shadow sheet, error cells, odd date serials,
formulas in input cells, far cells written so simple patterns miss them, over-long text, a FIFO.
"""

from __future__ import annotations

import re

SHEET = "xl/worksheets/sheet1.xml"
_WS_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _form_sheet_name(p: dict[str, bytes]) -> str:
    return re.search(r'<sheet name="([^"]*)"', p["xl/workbook.xml"].decode()).group(1)


def shadow_sheet(parts, build, set_cell, ref: str, value: str, *, before: bool = True, how: str = "element") -> bytes:
    """A second copy of the form sheet whose ``ref`` holds ``value``, reachable only by a reader that
    resolves the workbook loosely: a ``<sheet>`` in a foreign namespace (``how="element"``), a second id
    attribute on the real ``<sheet>`` (``"attribute"``), a repeated relationship id (``"rel"``), or the
    package's main part named elsewhere (``"main"``)."""
    p = parts
    p = dict(p)
    name = _form_sheet_name(p)
    p["xl/worksheets/sheet99.xml"] = set_cell(p[SHEET], ref, value)
    rels = p["xl/_rels/workbook.xml.rels"]
    wb = p["xl/workbook.xml"].decode()
    if how == "rel":  # rId1 twice: the second names the shadow
        p["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", b'<Relationship Id="rId1" Type="'
                                                       + _WS_REL + b'" Target="worksheets/sheet99.xml"/></Relationships>')
        return build(p)
    p["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="' + _WS_REL
                                                   + b'" Target="worksheets/sheet99.xml"/></Relationships>')
    if how == "element":
        el = f'<x:sheet xmlns:x="urn:shadow" name="{name}" sheetId="99" r:id="rId99"/>'
        wb = wb.replace("<sheets>", "<sheets>" + el, 1) if before else wb.replace("</sheets>", el + "</sheets>", 1)
    elif how == "attribute":
        wb = wb.replace(f'<sheet name="{name}"', f'<sheet xmlns:x="urn:shadow" x:id="rId99" name="{name}"', 1)
    elif how == "main":  # Excel opens the part _rels/.rels names: a copy whose sheet is the shadow
        p["xl/book.xml"] = wb.encode()
        p["xl/_rels/book.xml.rels"] = p["xl/_rels/workbook.xml.rels"].replace(b'Id="rId1"', b'Id="rIdX"').replace(
            b'Id="rId99"', b'Id="rId1"')
        p["_rels/.rels"] = p["_rels/.rels"].replace(b"xl/workbook.xml", b"xl/book.xml")
        return build(p)
    p["xl/workbook.xml"] = wb.encode()
    return build(p)


def sheet_with_row(head_fn, parts, build, row_xml: bytes, *, prefix: bool = False) -> bytes:
    """The form sheet with one more row appended (``row_xml``), optionally under a namespace prefix."""
    p = dict(parts)
    xml = p[SHEET]
    if prefix:
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
                                          b'2006/main" ', 1)
    p[SHEET] = xml.replace(b"</sheetData>", row_xml + b"</sheetData>", 1)
    return build(p)


def cases(add, base: bytes, p0: dict, r0: int, c, *, parts, build, edit, set_cell, inline) -> list[str]:
    """Add the round-two cases; returns the names of those that need a FIFO made by the caller."""
    fact, start, project = c("fact"), c("start"), c("project")
    ref = f"{fact}{r0}"

    def sheet_edit(fn):
        return edit(base, SHEET, fn)

    # ---- the sheet Excel and LibreOffice show, or an error (exit 2)
    for name, how, before, what in (
            ("shadow_sheet.xlsx", "element", True, "a second <sheet> in a foreign namespace, named like the form "
                                                   "sheet, before it, pointing at a copy with fact 24 (Excel: 12)"),
            ("shadow_sheet_after.xlsx", "element", False, "the same shadow <sheet> after the real one"),
            ("shadow_sheet_id_attribute.xlsx", "attribute", True, "the form's <sheet> with a second id attribute "
                                                                 "(x:id) naming a copy"),
            ("shadow_sheet_rel_twice.xlsx", "rel", True, "relationship id rId1 twice, the second naming a copy"),
            ("shadow_main_part.xlsx", "main", True, "_rels/.rels names xl/book.xml as the workbook, not "
                                                     "xl/workbook.xml")):
        add(name, shadow_sheet(p0, build, set_cell, ref, "<v>24</v>", before=before, how=how), ["KRM-E072"], [2],
            what, absent=["KRM-E009"])
    # ---- values that are not what they look like (exit 1)
    add("error_cell_div0.xlsx", sheet_edit(lambda x: set_cell(x, ref, "<f>1/0</f><v>#DIV/0!</v>", "e")),
        ["KRM-E027"], [1], "jobs fact holds the error value #DIV/0! (read as blank: 72 -> 55 before)")
    add("error_cell_no_formula.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('plan')}{r0}", "<v>#REF!</v>", "e")),
        ["KRM-E027"], [1], "jobs planned holds #REF! with no formula")
    date_ref = f"{start}{r0}"

    def serial(text):
        return sheet_edit(lambda x: re.sub(rf'(<c r="{date_ref}"[^>]*>)<v>[^<]*</v>'.encode(),
                                           rb"\g<1><v>" + text + b"</v>", x))

    add("date_serial_nan.xlsx", serial(b"NaN"), ["KRM-E025"], [1], "a date cell holding the serial NaN "
                                                                     "(read as 30.12.1899 before)")
    add("date_serial_60.xlsx", serial(b"60"), ["KRM-E025"], [1], "a date cell holding serial 60: 29.02.1900, "
                                                                  "Excel's 1900 leap-year bug (28.02.1900 before)")
    add("formula_dde.xlsx", sheet_edit(lambda x: set_cell(x, ref, "<f>cmd|'/c calc'!A1</f><v>12</v>")),
        ["KRM-E029"], [1], "a DDE formula cmd|'/c calc'!A1 in jobs fact, with a stored 12")
    add("formula_hyperlink.xlsx", sheet_edit(lambda x: set_cell(
        x, f"{project}{r0}", '<f>HYPERLINK("http://example.com/x","Кірпіш зауытын салу")</f><v>Кірпіш зауытын салу</v>',
        "str")), ["KRM-E029"], [1], "a HYPERLINK formula as the project name")
    add("formula_external_link.xlsx", sheet_edit(lambda x: set_cell(x, ref, "<f>[1]Sheet1!A1</f><v>12</v>")),
        ["KRM-E029"], [1], "jobs fact taken from another workbook ([1]Sheet1!A1)")
    add("formula_in_input.xlsx", sheet_edit(lambda x: set_cell(x, ref, "<f>SUM(5,7)</f><v>12</v>")),
        ["KRM-W036"], [0], "jobs fact typed as =SUM(5,7) with its stored 12 (a warning names the formula)")
    long_name = ("Кірпіш зауытын салу " * 5000)[:100_000]
    add("project_name_too_long.xlsx", sheet_edit(lambda x: set_cell(x, f"{project}{r0}", inline(long_name),
                                                                     "inlineStr")),
        ["KRM-E028"], [1], "a project name of 100,000 characters (more than a cell holds: was cut to 32,767)")
    # ---- far cells the simple patterns missed: refused by the guard before calamine allocates (exit 2)
    far = b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
    add("far_cell_single_quotes.xlsx", sheet_with_row(None, p0, build, far), ["KRM-E007"], [2],
        "r='XFD1048576' in single quotes (calamine tried 23 GB)", absent=["KRM-E009"])
    add("far_cell_spaces.xlsx", sheet_with_row(None, p0, build, b'<row r = "1048576" ><c r = "XFD1048576"><v>1</v>'
                                                               b'</c></row>'),
        ["KRM-E007"], [2], 'r = "XFD1048576" with spaces around =', absent=["KRM-E009"])
    add("far_cell_prefixed.xlsx", sheet_with_row(None, p0, build, b'<x:row r="1048576"><x:c r="XFD1048576"><x:v>1'
                                                                  b'</x:v></x:c></x:row>', prefix=True),
        ["KRM-E007"], [2], "the far cell as <x:row>/<x:c> (a namespace prefix)", absent=["KRM-E009"])
    add("far_cell_row_without_r.xlsx", sheet_with_row(None, p0, build, b'<row><c r="XFD5"><v>1</v></c></row>'),
        ["KRM-E007"], [2], "a row without r holding a cell at column XFD", absent=["KRM-E009"])
    add("far_row_single_quotes.xlsx", sheet_with_row(None, p0, build, b"<row r='1048576'><c><v>1</v></c></row>"),
        ["KRM-E007"], [2], "<row r='1048576'> (single quotes: 3.6 s and 552 MB before)", absent=["KRM-E009"])
    add("far_cell_in_near_row.xlsx", sheet_with_row(None, p0, build, b'<row r="400"><c r="ZZ9999"><v>1</v></c></row>'),
        ["KRM-E007"], [2], "a cell at ZZ9999 inside row 400 (the cell's reference wins)", absent=["KRM-E009"])
    # ---- not a file
    add("fifo.xlsx", None, ["KRM-E070"], [2], "a named pipe (FIFO) called .xlsx: never opened (stalled 60 s before)")
    return ["fifo.xlsx"]
