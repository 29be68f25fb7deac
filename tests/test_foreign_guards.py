"""The guards of .ods and .xls before calamine parses them (krm.workbook.guard_ods, guard_xls): hostile
repeats, DTDs, forged compound files and huge dimensions give a specific finding, within bounds."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from krm.catalogue import CATALOGUE
from krm.validate import validate_file

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
MANIFEST = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            b'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            b'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')


def ods(path: Path, rows_xml: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>') -> Path:
    content = (f'{prolog}<office:document-content {NS} office:version="1.2"><office:body><office:spreadsheet>'
               f'<table:table table:name="Нысан">{rows_xml}</table:table></office:spreadsheet></office:body>'
               f'</office:document-content>').encode()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", MANIFEST, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def cell(text: str, rep: int = 1) -> str:
    r = f' table:number-columns-repeated="{rep}"' if rep > 1 else ""
    return f'<table:table-cell office:value-type="string"{r}><text:p>{text}</text:p></table:table-cell>'


def row(cells: str, rep: int = 1) -> str:
    r = f' table:number-rows-repeated="{rep}"' if rep > 1 else ""
    return f"<table:table-row{r}>{cells}</table:table-row>"


def codes(path: Path) -> list[str]:
    return [f.code for f in validate_file(path).findings]


def test_a_plain_ods_is_read(tmp_path):
    p = ods(tmp_path / "a.ods", row(cell("Индексі: КРМ-2")) + row('<table:table-cell table:number-columns-'
                                                                   'repeated="1024"/>', 1048575))
    got = codes(p)
    assert "KRM-W033" in got and not {"KRM-E002", "KRM-E007"} & set(got)  # read; the trailing empty repeat is free


def test_ods_repeated_cells_beyond_the_limits(tmp_path):
    p = ods(tmp_path / "cols.ods", row(cell("Индексі: КРМ-2") + cell("x", 16000)))
    assert codes(p) == ["KRM-E007"]
    p = ods(tmp_path / "rows.ods", row(cell("Индексі: КРМ-2")) + row(cell("x"), 1_000_000))
    assert codes(p) == ["KRM-E007"]


def test_ods_with_a_dtd_is_refused(tmp_path):
    p = ods(tmp_path / "laughs.ods", row(cell("&lol9;")),
            prolog='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;">]>')
    assert codes(p) == ["KRM-E006"]
    assert CATALOGUE["KRM-E006"].severity == "error"


def _cfb(make_bad_corpus, body: bytes) -> bytes:
    return make_bad_corpus.cfb([("Workbook", body)])


def test_xls_with_huge_dimensions_is_refused(tmp_path):
    import make_bad_corpus as m

    bof = m.biff8_workbook()[:20]
    sheet = struct.pack("<HH", 0x0085, 11) + struct.pack("<IBBBB", 0, 0, 0, 3, 0) + b"abc"
    dims = struct.pack("<HHIIHHH", 0x0200, 14, 0, 65536, 0, 256, 0)
    (tmp_path / "big.xls").write_bytes(_cfb(m, bof + sheet + bof + dims + struct.pack("<HH", 0x000A, 0)))
    assert codes(tmp_path / "big.xls") == ["KRM-E007"]


def test_xls_with_a_looping_sector_chain_is_refused(tmp_path):
    import make_bad_corpus as m

    data = bytearray(_cfb(m, m.biff8_workbook() + b"\0" * 5000))
    fat = 512  # sector 0 holds the allocation table: make the stream's first sector point to itself
    start = struct.unpack_from("<I", data, 512 + 512 + 128 + 116)[0]
    struct.pack_into("<I", data, fat + 4 * start, start)
    (tmp_path / "loop.xls").write_bytes(bytes(data))
    assert codes(tmp_path / "loop.xls") == ["KRM-E005"]


def test_a_forged_xls_that_makes_calamine_panic_is_a_finding(tmp_path):
    """A BOUNDSHEET record shorter than it says: calamine panics (a Rust panic), krm reports KRM-E002."""
    import make_bad_corpus as m

    bof = m.biff8_workbook()[:20]
    sheet = struct.pack("<HH", 0x0085, 12) + struct.pack("<IBBBB", 0, 0, 0, 3, 0) + b"ab"
    (tmp_path / "panic.xls").write_bytes(_cfb(m, bof + sheet + struct.pack("<HH", 0x000A, 0)))
    assert codes(tmp_path / "panic.xls") == ["KRM-E002"]


def test_an_ods_is_read_from_the_bytes_given_not_the_file_again(tmp_path):
    """The register hashes a workbook's bytes and hands them to the reader: an .ods (like an .xlsx) must be
    checked and parsed from those bytes, so a file changed after hashing cannot be read instead."""
    from krm.workbook import reader

    good = ods(tmp_path / "good.ods", row(cell("Индексі: КРМ-2")) + row(cell("Есепті кезең: 2019 жылғы мамыр")))
    data = good.read_bytes()
    bad = ods(tmp_path / "bad.ods", row(cell("&lol9;")),
              prolog='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol9 "&lol;&lol;">]>')
    pf = reader.read(bad, data)  # the file on disk now holds other (hostile) bytes
    assert pf.spec.id == "KRM-2"
    try:
        reader.read(bad)
    except reader.ReadError as e:
        assert e.code == "KRM-E006"
    else:
        raise AssertionError("the hostile bytes on disk were not refused")
