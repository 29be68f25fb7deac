"""Files that cannot be read: one finding each (E001-E010), never a traceback; the pool isolates crashes."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

import fill
from krm.catalogue import CATALOGUE
from krm.validate import find_workbooks, validate_file, validate_paths


def expect_read(path: Path, code: str) -> None:
    rep = validate_file(path, today=fill.TODAY)
    assert [f.code for f in rep.findings] == [code], [(f.code, f.params) for f in rep.findings]
    assert rep.findings[0].severity == CATALOGUE[code].severity == "error"
    assert rep.unreadable and rep.form is None and rep.submission is None
    assert rep.findings[0].message("kk") and rep.findings[0].hint("ru")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in members.items():
            z.writestr(n, b)
    return path


def test_empty_file(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    expect_read(tmp_path / "e.xlsx", "KRM-E001")


def test_csv_renamed(tmp_path):
    (tmp_path / "c.xlsx").write_text("bin;plan\n190540012345;5\n", encoding="utf-8")
    expect_read(tmp_path / "c.xlsx", "KRM-E002")


def test_truncated_zip(tmp_path):
    good = fill.filled("KRM-2", tmp_path).read_bytes()
    (tmp_path / "t.xlsx").write_bytes(good[: len(good) // 2])
    expect_read(tmp_path / "t.xlsx", "KRM-E002")


def test_ole2_damaged(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    expect_read(tmp_path / "old.xls", "KRM-E002")


def test_ods_without_tables(tmp_path):
    expect_read(_zip(tmp_path / "f.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                          "content.xml": b"<x/>"}), "KRM-E002")


def test_opendocument_text(tmp_path):
    expect_read(_zip(tmp_path / "f.odt", {"mimetype": b"application/vnd.oasis.opendocument.text",
                                          "content.xml": b"<x/>"}), "KRM-E004")


def test_zip_bomb(tmp_path):
    src = fill.filled("KRM-2", tmp_path)
    out = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i.filename, zin.read(i.filename))
        zout.writestr("xl/media/pad.bin", b"\0" * 3_000_000)  # inflates ~1000:1
    expect_read(out, "KRM-E005")


def test_billion_laughs(tmp_path):
    src = fill.filled("KRM-2", tmp_path)
    out = tmp_path / "laughs.xlsx"
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
           b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i.filename, lol if i.filename == "xl/workbook.xml" else zin.read(i.filename))
    expect_read(out, "KRM-E006")


def test_too_many_rows(tmp_path):
    src = fill.filled("KRM-2", tmp_path)
    out = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = zin.read(i.filename)
            if i.filename == "xl/worksheets/sheet1.xml":
                import re

                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:K1048576"', data)
            zout.writestr(i.filename, data)
    expect_read(out, "KRM-E007")


def test_folder_as_file(tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    expect_read(tmp_path / "dir.xlsx", "KRM-E008")


def test_not_a_krm_form(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "Қаржы есебі"
    wb.save(tmp_path / "other.xlsx")
    expect_read(tmp_path / "other.xlsx", "KRM-E010")


def test_find_workbooks(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for p in ("a.xlsx", "b/c.xlsx", "b/~$c.xlsx", ".x.xlsx", "notes.txt", ".hidden/d.xlsx", "b/e.XLSM"):
        (tmp_path / p).write_bytes(b"")
    got = find_workbooks([tmp_path])
    assert got == [tmp_path / "a.xlsx", tmp_path / "b/c.xlsx", tmp_path / "b/e.XLSM"]
    assert find_workbooks([tmp_path / "notes.txt", tmp_path]) [0] == tmp_path / "notes.txt"


@pytest.mark.parametrize("jobs", [1, 2])
def test_validate_paths_in_order_and_same_results(tmp_path, jobs):
    a = fill.filled("KRM-2", tmp_path, name="a.xlsx")
    b = fill.filled("KRM-2", tmp_path, name="b.xlsx", rows_over=[{**fill.rows("KRM-2")[0], "plan": -1}])
    (tmp_path / "c.xlsx").write_bytes(b"")
    reps = validate_paths([tmp_path], jobs=jobs, today=fill.TODAY)
    assert [r.path.name for r in reps] == ["a.xlsx", "b.xlsx", "c.xlsx"]
    assert [[f.code for f in r.findings] for r in reps] == [[], ["KRM-E021"], ["KRM-E001"]]
    assert reps[0].submission.projects[0].plan == 10 and a.exists() and b.exists()


def test_crashing_reader_fails_only_its_file(tmp_path, monkeypatch):
    """A worker that aborts (as calamine does on some bombs) gives KRM-E009 for that file alone."""
    import krm.validate as v

    good = fill.filled("KRM-4", tmp_path, name="good.xlsx")
    boom = fill.filled("KRM-4", tmp_path, name="boom.xlsx")
    real = v.validate_file

    def crashing(path, today=None, **kw):
        if Path(path).name == "boom.xlsx":
            os.abort()
        return real(path, today, **kw)

    monkeypatch.setattr(v, "validate_file", crashing)
    reps = validate_paths([good, boom], jobs=2, today=fill.TODAY)
    assert [f.code for f in reps[0].findings] == []
    assert [f.code for f in reps[1].findings] == ["KRM-E009"]
    assert "SIGABRT" in reps[1].findings[0].message("en")


def test_catalogue_is_complete():
    assert len(CATALOGUE) >= 50
    for code, c in CATALOGUE.items():
        assert code == c.code and code.startswith(("KRM-E", "KRM-W"))
        assert c.severity == ("error" if code.startswith("KRM-E") else "warning")
        assert c.description.strip() and c.title
        for lang in ("kk", "ru", "en"):
            assert c.message[lang].strip() and c.hint[lang].strip(), (code, lang)
        # the same placeholders in every language
        import string

        keys = [sorted({f for _, f, _, _ in string.Formatter().parse(c.message[lang]) if f}) for lang in ("kk", "ru", "en")]
        assert keys[0] == keys[1] == keys[2], (code, keys)


def test_catalogue_page_is_current():
    from krm.catalogue import markdown

    page = Path(__file__).parent.parent / "docs" / "catalogue.md"
    assert page.read_text(encoding="utf-8") == markdown(), "run: python -m krm.catalogue > docs/catalogue.md"


# ------------------------------------------------------------------ the fast ways of reading a package
_DTD = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/custom.xml", "docProps/core.xml",
          "xl/tables/table1.xml")


def _rewrite(src: Path, out: Path, name: str, fn) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = zin.read(i.filename)
            zout.writestr(i.filename, fn(data) if i.filename == name else data)
    return out


def _with_dtd(data: bytes, encoding: str) -> bytes:
    body = data[data.index(b"?>") + 2:].lstrip() if data.startswith(b"<?xml") else data
    if encoding == "none":
        return _DTD + body
    text = f'<?xml version="1.0" encoding="{encoding}"?>'.encode() + _DTD + body
    return text.decode("utf-8").encode(encoding)


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "none"])
def test_entities_refused_in_every_package_part(tmp_path, encoding):
    """Parts declaring UTF-8 without <!DOCTYPE are parsed by the C parser, all others by defusedxml: an entity
    is refused either way, also right after the same part was read clean from another workbook."""
    good = fill.filled("KRM-2", tmp_path)
    assert not validate_file(good, today=fill.TODAY).findings  # the parts of the good file are now remembered
    for name in _PARTS:
        out = _rewrite(good, tmp_path / f"dtd-{name.replace('/', '_')}.xlsx", name, lambda d: _with_dtd(d, encoding))
        rep = validate_file(out, today=fill.TODAY)
        assert [f.code for f in rep.findings] == ["KRM-E006"], (name, [(f.code, f.params) for f in rep.findings])
        assert "Entities" in rep.findings[0].params["detail"] or "DTD" in rep.findings[0].params["detail"]


@pytest.mark.parametrize("data", [b"", b"\0 not xml", b'<?xml version="1.0" encoding="UTF-8"?><a><b></a>',
                                  b'<?xml version="1.0" encoding="UTF-8"?><a>&nope;</a>',
                                  b'<?xml version="1.0" encoding="UTF-8"?><a x="1>', b"<a>"])
def test_fast_xml_parser_fails_as_defusedxml_does(data):
    from defusedxml import ElementTree

    from krm.workbook.reader import ReadError, _xml

    with pytest.raises(Exception) as want:
        ElementTree.fromstring(data)
    with pytest.raises(ReadError) as got:
        _xml(None, "docProps/custom.xml", data)
    assert got.value.code == "KRM-E006"
    assert got.value.detail == f"docProps/custom.xml: {type(want.value).__name__}: {want.value}"


def _forge_crc(data: bytes, name: str) -> bytes:
    """The zip with the CRC of ``name`` changed in its local header and in the central directory."""
    out = bytearray(data)
    enc = name.encode()
    for sig, crc_at, name_at in ((b"PK\x03\x04", 14, 30), (b"PK\x01\x02", 16, 46)):
        i = out.find(sig)
        while i >= 0:
            if out[i + name_at:i + name_at + len(enc)] == enc:
                out[i + crc_at:i + crc_at + 4] = (int.from_bytes(out[i + crc_at:i + crc_at + 4], "little") ^ 1
                                                  ).to_bytes(4, "little")
            i = out.find(sig, i + 4)
    return bytes(out)


@pytest.mark.parametrize("name,code,detail", [
    ("xl/styles.xml", "KRM-E005", "xl/styles.xml holds other data than its declared"),
    ("xl/worksheets/sheet1.xml", "KRM-E005", "xl/worksheets/sheet1.xml holds other data than its declared"),
    ("docProps/custom.xml", "KRM-E002", "BadZipFile: Bad CRC-32 for file 'docProps/custom.xml'")])
def test_a_part_seen_before_is_checked_again_when_its_crc_differs(tmp_path, name, code, detail):
    """Parts read in one step are remembered by their compressed bytes, size and CRC: a copy of a part
    already read clean but with another CRC is read by zipfile again, and fails as it always did."""
    good = fill.filled("KRM-2", tmp_path)
    assert not validate_file(good, today=fill.TODAY).findings
    bad = tmp_path / "crc.xlsx"
    bad.write_bytes(_forge_crc(good.read_bytes(), name))
    rep = validate_file(bad, today=fill.TODAY)
    assert [f.code for f in rep.findings] == [code], [(f.code, f.params) for f in rep.findings]
    assert rep.findings[0].params["detail"].startswith(detail)


@pytest.mark.parametrize("name", ["xl/sharedStrings.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
def test_a_dtd_behind_a_comment_is_refused(tmp_path, name):
    """The guard looks for a DTD up to the root element; a "<x" inside a comment is not the root."""
    good = fill.filled("KRM-2", tmp_path)

    def insert(data: bytes, what: bytes) -> bytes:
        end = data.index(b"?>") + 2
        return data[:end] + what + data[end:]

    hidden = _rewrite(good, tmp_path / "hidden.xlsx", name, lambda d: insert(d, b"<!-- <a> -->" + _DTD))
    rep = validate_file(hidden, today=fill.TODAY)
    assert [(f.code, f.params["detail"]) for f in rep.findings] == [
        ("KRM-E006", f"{name}: a DTD with entity declarations (billion laughs / external entities)")]
    harmless = _rewrite(good, tmp_path / "comment.xlsx", name, lambda d: insert(d, b"<!-- <a> --><?pi x?>"))
    assert not validate_file(harmless, today=fill.TODAY).findings


def test_encrypted_workbooks_keep_their_own_code(tmp_path):
    """A password to open (an encrypted .xlsx package, an .xls with FILEPASS) is KRM-E003, whatever the name."""
    import struct

    from make_bad_corpus import biff8_workbook, cfb, encrypted_package

    (tmp_path / "enc.xlsx").write_bytes(encrypted_package())
    expect_read(tmp_path / "enc.xlsx", "KRM-E003")
    bof = biff8_workbook()[:20]
    filepass = struct.pack("<HHH", 0x002F, 2, 1)
    (tmp_path / "enc.xls").write_bytes(cfb([("Workbook", bof + filepass + struct.pack("<HH", 0x000A, 0))]))
    expect_read(tmp_path / "enc.xls", "KRM-E003")
