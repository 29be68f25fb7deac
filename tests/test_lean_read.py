"""calamine opens a plain workbook from a stored zip of the parts it reads, as krm's guard inflated and checked
them (krm.workbook.reader.lean): the same reading, finding for finding, as from the workbook's own bytes; a
workbook that is not plain (names differing only in case, a relationship target written otherwise) is opened
from its own bytes, as before; and every hostile file of the corpus gives the same report both ways."""

from __future__ import annotations

import pickle
import sys
import zipfile
from pathlib import Path

import pytest

import fill
from krm.validate import validate_file
from krm.workbook.reader import lean, load

sys.path.insert(0, str(Path(__file__).parent))
from make_bad_corpus import build, make_corpus, parts  # noqa: E402


@pytest.fixture(autouse=True)
def _calamine_as_tested(monkeypatch):
    """The lean path is tested whatever python-calamine is installed (its gate is tested on its own below)."""
    monkeypatch.setattr(lean, "_CALAMINE_OK", True)


def test_only_a_tested_calamine_is_given_the_lean_zip(tmp_path, monkeypatch):
    import krm.distversion

    p = fill.filled("KRM-2", tmp_path, rows_over=None)
    for installed, expected in (("0.9.1", True), ("99.0.0", False)):
        monkeypatch.setattr(lean, "_CALAMINE_OK", None)
        monkeypatch.setattr(krm.distversion, "version", lambda name, v=installed: v)
        assert lean.tested_calamine() is expected
        assert _lean_used(p, monkeypatch) is expected
    monkeypatch.setattr(lean, "_CALAMINE_OK", False)  # an untested release: the workbook's own bytes, same report
    assert _report(p, True, monkeypatch) == _report(p, False, monkeypatch)


def _report(path: Path, use_lean: bool, monkeypatch) -> tuple:
    monkeypatch.setattr(load, "LEAN", use_lean)
    r = validate_file(path, today=fill.TODAY)
    return (r.form, r.lang, r.edition, [f.__dict__ for f in r.findings], pickle.dumps(r.submission))


def _lean_used(path: Path, monkeypatch) -> bool:
    used = []
    real = lean.calamine_bytes
    monkeypatch.setattr(load, "LEAN", True)
    monkeypatch.setattr(lean, "calamine_bytes", lambda *a: used.append(real(*a)) or used[-1])
    validate_file(path, today=fill.TODAY)
    return bool(used) and used[-1] is not None


def _same_both_ways(path: Path, monkeypatch) -> tuple:
    a = _report(path, True, monkeypatch)
    b = _report(path, False, monkeypatch)
    assert a == b, path.name
    return a


@pytest.mark.parametrize("form", ["KRM-1", "KRM-2", "KRM-3", "KRM-4", "KRM-5", "KRM-6", "KRM-7"])
def test_a_template_workbook_is_read_from_its_checked_parts_alike(tmp_path, monkeypatch, form):
    p = fill.filled(form, tmp_path, rows_over=None)
    assert _lean_used(p, monkeypatch)
    form_, _, _, findings, sub = _same_both_ways(p, monkeypatch)
    assert form_ == form and pickle.loads(sub) is not None


def test_a_workbook_with_findings_and_explanations_reads_alike(tmp_path, monkeypatch):
    from krm import explanations as X

    p = fill.filled("KRM-2", tmp_path, signature={**fill.SIGNATURE, "executor": None}, explanations=True,
                    rows_over=[{**fill.rows("KRM-2")[0], "plan": -1, "bin": "123"}] + fill.rows("KRM-2")[1:])
    p = fill.edit(p, {"A4": "KRM-W020", "B4": "d25", "C4": "демалыста", "A5": "KRM-E021", "B5": "G15",
                      "C5": "қайтарылған"}, sheet=X.SHEET, text=True)
    assert _lean_used(p, monkeypatch)
    _, _, _, findings, _ = _same_both_ways(p, monkeypatch)
    assert {f["code"] for f in findings} >= {"KRM-W020", "KRM-E021", "KRM-E040"}
    assert sum(1 for f in findings if f.get("explanation")) == 2


def _rewrite(path: Path, fn) -> Path:
    p = parts(path.read_bytes())
    fn(p)
    out = path.with_name("x-" + path.name)
    out.write_bytes(build(p))
    return out


def test_names_differing_only_in_case_open_the_workbook_itself(tmp_path, monkeypatch):
    """calamine finds a part whatever its case (the last of a name wins): such a workbook is not re-packed."""
    src = fill.filled("KRM-2", tmp_path)

    def twin(p):
        p["xl/Styles.xml"] = p["xl/styles.xml"]
    x = _rewrite(src, twin)
    assert not _lean_used(x, monkeypatch)
    _same_both_ways(x, monkeypatch)


@pytest.mark.parametrize("target", ["./worksheets/sheet1.xml", "worksheets//sheet1.xml", "/xl/../xl/worksheets/sheet1.xml"])
def test_a_relationship_target_krm_and_calamine_could_resolve_apart_opens_the_workbook_itself(
        tmp_path, monkeypatch, target):
    src = fill.filled("KRM-2", tmp_path)

    def odd(p):
        rels = p["xl/_rels/workbook.xml.rels"]
        assert b'Target="worksheets/sheet1.xml"' in rels
        p["xl/_rels/workbook.xml.rels"] = rels.replace(b'Target="worksheets/sheet1.xml"', f'Target="{target}"'.encode())
    x = _rewrite(src, odd)
    assert not _lean_used(x, monkeypatch)
    _same_both_ways(x, monkeypatch)


def test_the_main_part_named_otherwise_opens_the_workbook_itself(tmp_path, monkeypatch):
    src = fill.filled("KRM-2", tmp_path)

    def main(p):
        p["_rels/.rels"] = p["_rels/.rels"].replace(b'Target="xl/workbook.xml"', b'Target="xl/./workbook.xml"')
    x = _rewrite(src, main)
    assert not _lean_used(x, monkeypatch)
    _same_both_ways(x, monkeypatch)


def test_relationships_read_by_expressions_only_when_plain():
    plain = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             b'relationships"><Relationship Id="rId1" Type="http://x/relationships/officeDocument" '
             b"Target='xl/workbook.xml'/></Relationships>")
    assert lean._relationships(plain) == (("http://x/relationships/officeDocument", "xl/workbook.xml"),)
    for odd in (plain.replace(b"<Relationships", b"<!-- x --><Relationships"),  # a comment
                plain.replace(b"Id=", b"Type=\"a\" Id="),  # an attribute twice
                plain.replace(b"/></Rel", b"></Relationship></Rel"),  # an element not read whole
                plain.replace(b"xl/workbook", b"xl/&#x77;orkbook"),  # an entity
                plain.replace(b"Id=", b"x Id=")):  # something that is not an attribute
        assert lean._relationships(odd) is None


def test_the_stored_zip_holds_the_parts_as_given():
    z = lean.stored_zip([("a/b.xml", b"<a/>", zipfile.crc32(b"<a/>")), ("c.xml", b"", 0)])
    with zipfile.ZipFile(__import__("io").BytesIO(z)) as zf:
        assert zf.testzip() is None
        assert [(i.filename, i.compress_type) for i in zf.infolist()] == [("a/b.xml", 0), ("c.xml", 0)]
        assert zf.read("a/b.xml") == b"<a/>"


def test_every_hostile_file_gives_the_same_report_both_ways(tmp_path, monkeypatch):
    make_corpus(tmp_path)
    for p in sorted(tmp_path.iterdir()):
        if p.is_file() and not p.is_symlink():
            _same_both_ways(p, monkeypatch)


def _read_both(path: Path, monkeypatch) -> tuple:
    from krm.workbook.reader import read

    out = []
    for use_lean in (True, False):
        monkeypatch.setattr(load, "LEAN", use_lean)
        pf = read(path)
        out.append((pf.grid, pf.merged, pf.sheet, pf.explanations, pf.header, [(r.row, r.values) for r in pf.rows]))
    return out


@pytest.mark.parametrize("form", ["KRM-2", "KRM-4", "KRM-7"])
def test_the_form_sheet_is_given_with_its_merged_cells_first_and_reads_alike(tmp_path, monkeypatch, form):
    p = fill.filled(form, tmp_path)
    moved = []
    real = lean.merges_first
    monkeypatch.setattr(lean, "merges_first", lambda x: moved.append(real(x)) or moved[-1])
    a, b = _read_both(p, monkeypatch)
    assert moved and moved[0] is not None and a == b and a[1]  # merged cells found, the same both ways


SHEET_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="m" xmlns:r="r">'
             b'<dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
             b'<sheetProtection sheet="1"/><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
             b'<pageMargins left="0.7"/></worksheet>')


def test_merged_cells_moved_only_from_a_sheet_written_the_usual_way():
    moved = lean.merges_first(SHEET_XML)
    assert moved == SHEET_XML.replace(b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>', b"").replace(
        b'xmlns:r="r">', b'xmlns:r="r"><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>')
    for odd in (SHEET_XML.replace(b"<sheetProtection sheet=\"1\"/>", b"<x>text</x>"),  # not an empty element between
                SHEET_XML.replace(b"<sheetProtection", b"<!-- c --><sheetProtection"),  # a comment between
                SHEET_XML.replace(b"</mergeCells>", b"</mergeCells><mergeCells/>"),  # two of them
                SHEET_XML.replace(b'ref="A1:B1"', b'ref="A1:B1" x="1"'),  # a mergeCell with more than its ref
                SHEET_XML.replace(b"<worksheet", b"<x:worksheet"),  # a prefixed root
                SHEET_XML.replace(b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>', b"").replace(
                    b"<dimension", b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><dimension'),  # before
                SHEET_XML.replace(b"</sheetData>", b"</sheetData><sheetData/>")):  # a second sheetData
        assert lean.merges_first(odd) is None, odd


STYLES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="m"><numFmts count="1">'
          b'<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd;&quot;x&quot;"/></numFmts><fonts count="1"><font><sz val="11"/>'
          b'</font></fonts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="3">'
          b'<xf numFmtId="0" fontId="0"/><xf numFmtId="164" applyNumberFormat="1"><alignment wrapText="1"/></xf>'
          b'<xf fontId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0"/></cellStyles>'
          b'</styleSheet>')


def test_styles_given_as_calamine_reads_them():
    out, crc = lean.calamine_styles(STYLES)
    assert out == (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet><numFmts count="1">'
                   b'<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd;&quot;x&quot;"/></numFmts><cellXfs>'
                   b'<xf numFmtId="0"/><xf numFmtId="164"/><xf/></cellXfs></styleSheet>')
    assert crc == zipfile.crc32(out)
    for odd in (STYLES.replace(b"<fonts", b"<!-- c --><fonts"),  # a comment
                STYLES.replace(b"<fonts", b"<?pi x?><fonts"),  # a processing instruction
                STYLES.replace(b'<xf numFmtId="0" fontId="0"/>', b"<xf numFmtId='0'/>"),  # single quotes
                STYLES.replace(b'<xf fontId="0"/>', b'<xf numFmtId="1" numFmtId="2"/>'),  # an attribute twice
                STYLES.replace(b'<xf fontId="0"/>', b'<x:xf numFmtId="14"/>'),  # a prefixed xf
                STYLES.replace(b'<xf fontId="0"/>', b'<xf numFmtId="&#49;4"/>'),  # an entity in cellXfs
                STYLES.replace(b"<sz val=\"11\"/></font>", b"<sz val=\"11\"></font>"),  # not well-formed
                STYLES.replace(b"</numFmts>", b"</numFmts><cellXfs/>"),  # a second cellXfs
                STYLES.replace(b"<numFmts count=\"1\">", b"<cellXfs count=\"0\"></cellXfs><numFmts count=\"1\">")
                .replace(b'<cellXfs count="3">', b"<numFmts/><cellXfs>"),  # number formats after cell formats
                STYLES.replace(b"styleSheet", b"sheet"),  # another root
                STYLES.replace(b'encoding="UTF-8"', b'encoding="windows-1251"')):  # another encoding
        assert lean.calamine_styles(odd) is None, odd
    assert lean.calamine_styles(STYLES.replace(b"<cellStyles", b" " * lean.STYLES_CACHED + b"<cellStyles")) is None


def test_a_workbook_with_these_styles_reads_alike(tmp_path, monkeypatch):
    """The styles above in a workbook (dates under a custom and a built-in format): the same cells both ways."""
    src = fill.filled("KRM-2", tmp_path)
    x = _rewrite(src, lambda p: p.update({"xl/styles.xml": p["xl/styles.xml"]}))  # rebuilt, as it was
    assert _lean_used(x, monkeypatch)
    a, b = _read_both(x, monkeypatch)
    assert a == b
    assert any(type(v).__name__ == "date" for row in a[0] for v in row)  # calamine typed dates by the formats


def test_large_relationship_parts_are_neither_read_by_expressions_nor_remembered():
    rels = (b'<?xml version="1.0"?><Relationships xmlns="r"><Relationship Id="rId1" Type="x/relationships/'
            b'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb_rels = b'<Relationships xmlns="r"><Relationship Id="rId1" Type="t" Target="worksheets/sheet1.xml"/>'
    assert lean._plain_package(rels, wb_rels + b"</Relationships>")
    before = lean._relationships.cache_info().currsize
    padded = wb_rels + b" " * lean.RELS_CACHED + b"</Relationships>"
    assert not lean._plain_package(rels, padded)
    assert lean._relationships.cache_info().currsize == before
