"""Generate the hostile / broken workbook corpus (no committed binaries).

    python tests/make_bad_corpus.py OUT_DIR          # writes the files and OUT_DIR/expected.json

``make_corpus(dir) -> {file name: expected}`` is what tests/test_hostile.py calls.
``expected`` is a dict:

* ``codes``: finding codes that must appear (``krm validate --format json``);
* ``absent``: codes that must *not* appear (e.g. a decomposed "й" must still match the district);
* ``exit``: the allowed exit codes (2: unreadable input, 1: data errors, 0: only warnings);
* ``what``: one line saying what the file is;
* ``known_gap`` (optional): why krm does not yet give the expected code (the test is a strict xfail).

The good-looking cases start from a correctly filled КРМ-2 written by
:func:`krm.workbook.writer.write_form` and then edit the zip parts (or build a file
by hand), so each case breaks exactly one thing.  The large cases (zip bombs,
a million rows) are built from raw deflate blocks repeated, so generation costs a
few seconds and a few MB, while the files inflate to gigabytes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import struct
import sys
import unicodedata
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

from krm import forms
from krm.workbook.writer import write_form

SPEC = forms.get("KRM-2")
PERIOD = "2019-05"
HEADER = {"region": "Жамбылская область", "district": "Байзакский (313600000)", "period": PERIOD,
          "programme": 'Государственная программа развития продуктивной занятости и массового предпринимательства '
                       'на 2017-2021 годы "Еңбек"', "basis": "cumulative"}
SIGNATURE = {"executor": "Сейтқали Айгерім", "phone": "+7 7262 43 21 00", "email": "bayzak@example.kz",
             "head": "Омаров Ерлан"}
# valid BINs (shared/reference/bin_iin.md); 070941024691 has a leading zero
BINS = ["190540012345", "200641056787", "070941024691"]


def good_rows() -> list[dict]:
    return [
        {"bin": BINS[0], "activity": "2. өнеркәсіп", "project": "Кірпіш зауытын салу", "start": dt.date(2019, 2, 1),
         "end": dt.date(2019, 11, 30), "plan": 25, "fact": 12, "allocated": Decimal("120.500"),
         "disbursed": Decimal("60.250"), "enterprise": "«Байзақ Кірпіш» ЖШС"},
        {"bin": BINS[1], "activity": "1. ауыл шаруашылығы, орман және балық шаруашылығы", "project": "Жылыжай",
         "start": dt.date(2019, 3, 15), "end": dt.date(2019, 9, 1), "plan": 8, "fact": 8,
         "allocated": Decimal("15.000"), "disbursed": Decimal("15.000"), "enterprise": "ШҚ «Асыл»"},
        {"bin": BINS[2], "activity": "2. өнеркәсіп", "project": "Тігін цехы", "start": dt.date(2019, 1, 10),
         "end": dt.date(2019, 6, 30), "plan": 14, "fact": 6, "allocated": Decimal("30.125"),
         "disbursed": Decimal("10.000"), "enterprise": "ЖК Сәрсенова"},
    ]


def good_bytes(rows: list[dict] | None = None, header: dict | None = None, signature: dict | None = None,
               lang: str = "kk") -> bytes:
    buf = io.BytesIO()
    write_form(buf, SPEC, lang, header=HEADER if header is None else header,
               rows=good_rows() if rows is None else rows, period=PERIOD,
               signature=SIGNATURE if signature is None else signature)
    return buf.getvalue()


# ------------------------------------------------------------------ zip editing
def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def build(p: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in p.items():
            zi = zipfile.ZipInfo(name, date_time=(2019, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, body)
    return buf.getvalue()


def edit(data: bytes, part: str, fn) -> bytes:
    p = parts(data)
    p[part] = fn(p[part])
    return build(p)


SHEET = "xl/worksheets/sheet1.xml"


def data_cell(rownum: int, col_letter: str) -> str:
    return f"{col_letter}{rownum}"


def first_data_row() -> int:
    """1-based sheet row of the first data row of the base workbook."""
    from krm.workbook.writer import layout

    return layout(SPEC, dt.date(2019, 5, 1), 3 + SPEC.spare_rows).first_data_row + 1


def col_letter(key: str) -> str:
    from krm.workbook.writer import column_letter

    return column_letter([c.key for c in SPEC.columns].index(key))


def set_cell(xml: bytes, ref: str, new_inner: str, t: str | None = None) -> bytes:
    """Replace cell ``ref``'s content (keeps its style); ``t`` sets the cell type."""
    s = xml.decode("utf-8")
    m = re.search(rf'<c r="{ref}"( [^>]*?)?(/>|>.*?</c>)', s, re.S)
    assert m, ref
    attrs = re.sub(r' t="[^"]*"', "", m.group(1) or "")
    if t:
        attrs += f' t="{t}"'
    s = s[:m.start()] + f'<c r="{ref}"{attrs}>{new_inner}</c>' + s[m.end():]
    return s.encode("utf-8")


def inline(text: str) -> str:
    from xml.sax.saxutils import escape

    return f"<is><t>{escape(text)}</t></is>"


# ------------------------------------------------------------------ raw zips (bombs, forged sizes)
def _deflate_repeat(head: bytes, block: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + block*times + tail, built from one compressed block (fast, a few MB)."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    blk = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)  # after a full flush the output repeats
    end = co.compress(tail) + co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(block) * times + len(tail)
    return first + blk * times + end, crc & 0xFFFFFFFF, size


def raw_zip(members: list[tuple[str, bytes, int, int, int | None]]) -> bytes:
    """A zip from (name, raw deflate, crc, real size, declared size or None); zip64 when needed."""
    out = io.BytesIO()
    central = []
    for name, comp, crc, size, declared in members:
        dsize = size if declared is None else declared
        nb = name.encode()
        off = out.tell()
        big = dsize >= 0xFFFFFFFF or len(comp) >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, dsize, len(comp)) if big else b""
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if big else 20, 0, 8, 0, 0x4E21, crc,
                              0xFFFFFFFF if big else len(comp), 0xFFFFFFFF if big else dsize, len(nb), len(extra)))
        out.write(nb + extra + comp)
        central.append((nb, crc, len(comp), dsize, off, big))
    cd_off = out.tell()
    for nb, crc, clen, dsize, off, big in central:
        extra = struct.pack("<HHQQQ", 1, 24, dsize, clen, off) if big else b""
        out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45 if big else 20, 45 if big else 20, 0, 8, 0,
                              0x4E21, crc, 0xFFFFFFFF if big else clen, 0xFFFFFFFF if big else dsize, len(nb),
                              len(extra), 0, 0, 0, 0, 0xFFFFFFFF if big else off))
        out.write(nb + extra)
    cd_len = out.tell() - cd_off
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_len, cd_off, 0))
    return out.getvalue()


def stored_members(data: bytes, skip: set[str]) -> list[tuple[str, bytes, int, int, None]]:
    out = []
    for name, body in parts(data).items():
        if name in skip:
            continue
        co = zlib.compressobj(6, zlib.DEFLATED, -15)
        out.append((name, co.compress(body) + co.flush(), zlib.crc32(body) & 0xFFFFFFFF, len(body), None))
    return out


def sheet_head(xml: bytes) -> bytes:
    return xml[: xml.index(b"<sheetData>")]


MIB = 1024 * 1024


def bomb_whitespace(base: bytes, declared: int | None = None) -> bytes:
    """sheet1.xml = real header + 1 GiB of spaces + the real cells: inflates to > 1 GiB."""
    sheet = parts(base)[SHEET]
    i = sheet.index(b"<sheetData>")
    comp, crc, size = _deflate_repeat(sheet[:i], b" " * MIB, 1024, sheet[i:])
    return raw_zip(stored_members(base, {SHEET}) + [(SHEET, comp, crc, size, declared)])


def bomb_string(base: bytes, name: str = "xl/sharedStrings.xml", declared: int | None = None) -> bytes:
    """sharedStrings.xml whose first string is 1 GiB of 'A' (one allocation of 1 GiB in the reader), stored as
    the member ``name``; ``declared``: the size the zip directory declares (a forged one hides the bomb)."""
    sst = parts(base)["xl/sharedStrings.xml"]
    i = sst.index(b"<si><t>") + len(b"<si><t>")
    comp, crc, size = _deflate_repeat(sst[:i], b"A" * MIB, 1024, sst[i:])
    return raw_zip(stored_members(base, {"xl/sharedStrings.xml"}) + [(name, comp, crc, size, declared)])


def rows_xml(first: int, count: int, cols: int = 1) -> bytes:
    letters = [chr(65 + k) for k in range(cols)]
    return b"".join(
        (f'<row r="{r}">' + "".join(f'<c r="{L}{r}"><v>1</v></c>' for L in letters) + "</row>").encode()
        for r in range(first, first + count))


def million_rows(base: bytes, with_dimension: bool) -> bytes:
    """A sheet with 1,048,576 used rows (a plausible 'select all, fill down' accident)."""
    sheet = parts(base)[SHEET]
    head = sheet_head(sheet)
    if with_dimension:
        head = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:Z1048576"/>', head)
    else:
        head = re.sub(rb'<dimension ref="[^"]*"/>', b"", head)
    body = rows_xml(1, 1_048_576)
    xml = head + b"<sheetData>" + body + b"</sheetData></worksheet>"
    p = parts(base)
    p[SHEET] = xml
    return build(p)


def far_cell(base: bytes) -> bytes:
    """A tiny sheet (no <dimension>) with one cell at XFD1048576: dense readers allocate 17 G cells."""
    sheet = parts(base)[SHEET]
    head = re.sub(rb'<dimension ref="[^"]*"/>', b"", sheet_head(sheet))
    xml = head + b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v>' \
                 b'</c></row></sheetData></worksheet>'
    p = parts(base)
    p[SHEET] = xml
    return build(p)


# ------------------------------------------------------------------ OLE2 (compound file) by hand
def cfb(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal valid Compound File Binary (v3, 512-byte sectors); streams are padded to >= 4096 bytes."""
    ss = 512
    data_sectors = []
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # sector 0: FAT, sector 1: directory
    starts = []
    for _, body in streams:
        body = body + b"\0" * max(0, 4096 - len(body))
        body += b"\0" * (-len(body) % ss)
        n = len(body) // ss
        start = 2 + len(data_sectors)
        starts.append(start)
        for k in range(n):
            fat.append(start + k + 1 if k < n - 1 else 0xFFFFFFFE)
            data_sectors.append(body[k * ss:(k + 1) * ss])
    assert len(fat) <= 128 and len(streams) <= 3
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name: str, kind: int, child=0xFFFFFFFF, right=0xFFFFFFFF, start=0, size=0) -> bytes:
        nm = name.encode("utf-16-le") + b"\0\0"
        return (nm.ljust(64, b"\0") + struct.pack("<HBBIII", len(nm), kind, 1, 0xFFFFFFFF, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IIIxxxx", start, size & 0xFFFFFFFF, 0)[:12])

    # streams sorted as the red-black tree wants them (shorter names first); a right-leaning chain
    order = sorted(range(len(streams)), key=lambda k: (len(streams[k][0]), streams[k][0].upper()))
    ents = [entry("Root Entry", 5, child=1 if streams else 0xFFFFFFFF, start=0xFFFFFFFE)]
    for pos, k in enumerate(order):
        ents.append(entry(streams[k][0], 2, right=pos + 2 if pos + 1 < len(order) else 0xFFFFFFFF,
                          start=starts[k], size=len(streams[k][1])))
    while len(ents) < 4:
        ents.append(b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 52)
    directory = b"".join(e[:128].ljust(128, b"\0") for e in ents)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
              + struct.pack("<I", 0) + b"\xff" * 4 * 108)
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def biff8_workbook() -> bytes:
    """A BIFF8 'Workbook' stream: BOF, a BOUNDSHEET-less globals substream, EOF (enough for the OLE2 path)."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06)
    eof = struct.pack("<HH", 0x000A, 0)
    return bof + eof


def encrypted_package() -> bytes:
    """What Excel writes for a password-protected .xlsx: an OLE2 file with EncryptionInfo + EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption xmlns=\"http://schemas." \
        b"microsoft.com/office/2006/encryption\"><keyData saltSize=\"16\" blockSize=\"16\" keyBits=\"256\" " \
        b"hashSize=\"64\" cipherAlgorithm=\"AES\" cipherChaining=\"ChainingModeCBC\" hashAlgorithm=\"SHA512\"/>" \
        b"</encryption>"
    package = struct.pack("<Q", 4096) + bytes((i * 37) % 256 for i in range(4096))
    return cfb([("EncryptionInfo", info), ("EncryptedPackage", package)])


# ------------------------------------------------------------------ the cases
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
                     for i in range(1, 10))
          + b"]>\n")


def _laughs(xml: bytes, where: bytes) -> bytes:
    body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
    return LAUGHS + body.replace(where, where + b"&lol9;", 1)


def make_corpus(out: str | Path) -> dict[str, dict]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base = good_bytes()
    p0 = parts(base)
    r0 = first_data_row()
    c = col_letter
    cases: dict[str, tuple[bytes, dict]] = {}

    def add(name, data, codes, exit_, what, absent=(), known_gap=None):
        cases[name] = (data, {"codes": list(codes), "exit": list(exit_), "what": what, "absent": list(absent)})
        if known_gap:
            cases[name][1]["known_gap"] = known_gap

    def sheet_edit(fn):
        return edit(base, SHEET, fn)

    # ---- not a workbook at all (exit 2)
    add("empty.xlsx", b"", ["KRM-E001"], [2], "empty file (0 bytes)")
    add("not_a_zip.xlsx", "Бұл Excel емес, жай мәтін.\n".encode() * 20, ["KRM-E002"], [2], "plain text named .xlsx")
    add("truncated.xlsx", base[: len(base) // 2], ["KRM-E002"], [2], "a good workbook cut in half (broken download)")
    add("csv_renamed.xlsx", "№;БСН;Жоба\n1;190540012345;Кірпіш\n".encode("utf-8-sig"), ["KRM-E002"], [2],
        "a CSV export renamed to .xlsx")
    add("pdf_renamed.xlsx", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        ["KRM-E002"], [2], "a PDF renamed to .xlsx")
    add("old_biff8.xls", cfb([("Workbook", biff8_workbook())]), ["KRM-E010"], [2],
        "an Excel 97-2003 .xls holding no sheet (an .xls is read: krm.workbook.formats)")
    add("old_biff8_renamed.xlsx", cfb([("Workbook", biff8_workbook())]), ["KRM-E010"], [2],
        "the same .xls renamed to .xlsx (read by its bytes, not its name)")
    add("encrypted.xlsx", encrypted_package(), ["KRM-E003"], [2], "a password-encrypted workbook (OLE2 package)")
    ods = build({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                 "content.xml": b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
                                b'opendocument:xmlns:office:1.0"><office:body><office:spreadsheet/></office:body>'
                                b'</office:document-content>',
                 "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest/>'})
    add("opendocument.ods", ods, ["KRM-E010"], [2], "a LibreOffice .ods holding no sheet (an .ods is read)")
    add("opendocument_renamed.xlsx", ods, ["KRM-E010"], [2], "the same .ods renamed to .xlsx")
    add("zip_of_photos.xlsx", build({"IMG_0001.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 100}), ["KRM-E002"], [2],
        "a zip archive that is not a workbook")
    p = dict(p0)
    del p[SHEET]
    add("sheet_part_missing.xlsx", build(p), ["KRM-E002"], [2], "workbook.xml names a sheet whose part is missing")

    # ---- hostile (exit 2)
    add("zip_bomb_whitespace.xlsx", bomb_whitespace(base), ["KRM-E005"], [2],
        "sheet XML inflating to 1 GiB of whitespace (1 MB file)")
    add("zip_bomb_forged_size.xlsx", bomb_whitespace(base, declared=len(p0[SHEET])), ["KRM-E005"], [2],
        "the same bomb with the zip directory declaring the small original size")
    add("zip_bomb_string.xlsx", bomb_string(base), ["KRM-E005"], [2], "one shared string of 1 GiB")
    add("laughs_sheet.xlsx", edit(base, SHEET, lambda x: _laughs(x, b"<sheetData>")), ["KRM-E006"], [2],
        "billion-laughs entities in the sheet XML")
    add("laughs_sharedstrings.xlsx", edit(base, "xl/sharedStrings.xml", lambda x: _laughs(x, b"<si><t>")),
        ["KRM-E006"], [2], "billion-laughs entities in sharedStrings.xml")
    add("laughs_workbook.xlsx", edit(base, "xl/workbook.xml", lambda x: _laughs(x, b"<sheets>").replace(
        b"&lol9;", b"")), ["KRM-E006"], [2], "a DTD with entities in workbook.xml")
    add("xxe_external_entity.xlsx", edit(base, "xl/sharedStrings.xml", lambda x: b'<?xml version="1.0"?>'
                                         b'<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                         + x.split(b"?>", 1)[1].replace(b"<si><t>", b"<si><t>&x;", 1)),
        ["KRM-E006"], [2], "an external entity (XXE) reading /etc/passwd")
    add("million_rows_dimension.xlsx", million_rows(base, True), ["KRM-E007"], [2],
        "1,048,576 used rows, declared by <dimension>")
    add("million_rows_no_dimension.xlsx", million_rows(base, False), ["KRM-E007"], [2],
        "1,048,576 used rows and no <dimension> element")
    add("far_cell.xlsx", far_cell(base), ["KRM-E007"], [2], "one cell at XFD1048576 in a tiny sheet")
    add("malformed_sheet_xml.xlsx", edit(base, SHEET, lambda x: x[: len(x) * 2 // 3]), ["KRM-E002"], [2],
        "sheet XML cut off mid-element")
    add("no_sheets.xlsx", edit(base, "xl/workbook.xml",
                               lambda x: re.sub(rb"<sheets>.*?</sheets>", b"<sheets/>", x, flags=re.S)),
        ["KRM-E010"], [2], "a workbook whose <sheets> list is empty")
    # ---- a workbook, but not a KRM form
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Лист1")
    for r, row in enumerate([["Аты", "Саны"], ["Алма", 3], ["Алмұрт", 5]]):
        for k, v in enumerate(row):
            ws.write(r, k, v)
    wb.close()
    add("wrong_form.xlsx", buf.getvalue(), ["KRM-E010"], [2], "an ordinary workbook, not a KRM form")

    # ---- readable КРМ-2 with one thing wrong (findings)
    bin_c, plan_c, fact_c = c("bin"), c("plan"), c("fact")
    add("macros.xlsm", _with_part(base, "xl/vbaProject.bin", cfb([("VBA", b'Attribute VB_Name = "Module1"')])),
        ["KRM-W030"], [0, 1], "an .xlsm with a VBA project")
    add("hidden_rows.xlsx", sheet_edit(lambda x: x.replace(f'<row r="{r0 + 1}"'.encode(),
                                                           f'<row r="{r0 + 1}" hidden="1"'.encode(), 1)),
        ["KRM-W031"], [0, 1], "a filled data row hidden")
    add("hidden_sheet.xlsx", _with_hidden_sheet(base), ["KRM-W032"], [0, 1], "an extra hidden sheet")
    add("merged_data.xlsx", sheet_edit(lambda x: _merge(x, f"{plan_c}{r0}:{fact_c}{r0}")), ["KRM-E016"], [1],
        "plan and fact cells of a project merged")
    add("numbers_as_text_ru.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('allocated')}{r0}", inline("1 234,5"),
                                                                  "inlineStr")),
        ["KRM-W001"], [0, 1], "money typed as text, Russian style '1 234,5'")
    add("numbers_as_text_en.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('allocated')}{r0}", inline("1,234.5"),
                                                                  "inlineStr")),
        ["KRM-W001"], [0, 1], "money typed as text, English style '1,234.5'")
    add("negative_jobs.xlsx", sheet_edit(lambda x: set_cell(x, f"{fact_c}{r0}", "<v>-3</v>")), ["KRM-E021"], [1],
        "jobs created = -3")
    add("fractional_jobs.xlsx", sheet_edit(lambda x: set_cell(x, f"{fact_c}{r0}", "<v>2.5</v>")), ["KRM-E022"], [1],
        "jobs created = 2.5")
    add("huge_number.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('allocated')}{r0}", "<v>1E+15</v>")),
        ["KRM-E026"], [1], "allocated = 1e15 million tenge")
    add("not_a_number.xlsx", sheet_edit(lambda x: set_cell(x, f"{plan_c}{r0}", inline("жиырма бес"), "inlineStr")),
        ["KRM-E020"], [1], "jobs written in words")
    add("formula_cached.xlsx", sheet_edit(lambda x: set_cell(x, f"{fact_c}{r0}", "<f>6+6</f><v>12</v>")),
        ["KRM-W036"], [0], "a formula with its cached value (read by value, a warning names it)", absent=["KRM-E023"])
    add("formula_no_cache.xlsx", sheet_edit(lambda x: set_cell(x, f"{fact_c}{r0}", "<f>6+6</f>")), ["KRM-E023"], [1],
        "a formula saved without a calculated value")
    add("mojibake_name.xlsx", sheet_edit(lambda x: set_cell(
        x, f"{c('enterprise')}{r0}", inline("«Байзақ Кірпіш» ЖШС".encode("utf-8").decode("latin-1")), "inlineStr")),
        ["KRM-W034"], [0, 1], "Kazakh text decoded with the wrong encoding (ÒšÐ°...)")
    nfd = {k: unicodedata.normalize("NFD", v) for k, v in HEADER.items()}
    add("nfd_header.xlsx", good_bytes(header=nfd), [], [0], "district and programme typed in decomposed Unicode (NFD)",
        absent=["KRM-E054", "KRM-E056"])
    add("bin_as_number.xlsx", sheet_edit(lambda x: set_cell(x, f"{bin_c}{r0 + 2}", "<v>70941024691</v>")),
        ["KRM-W011"], [0, 1], "a BIN with a leading zero stored as a number (070941024691 -> 70941024691)")
    add("bin_bad_check_digit.xlsx", sheet_edit(lambda x: set_cell(x, f"{bin_c}{r0}", inline("190540012346"),
                                                                   "inlineStr")),
        ["KRM-E041"], [1], "a BIN with a wrong check digit")
    add("date_as_text.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('start')}{r0}", inline("01.02.2019"), "inlineStr")),
        ["KRM-W004"], [0, 1], "a date typed as text '01.02.2019'")
    add("bad_date.xlsx", sheet_edit(lambda x: set_cell(x, f"{c('start')}{r0}", inline("31.02.2019"), "inlineStr")),
        ["KRM-E025"], [1], "an impossible date '31.02.2019'")
    rows = good_rows()
    rows[0]["disbursed"] = Decimal("500")
    add("disbursed_above_allocated.xlsx", good_bytes(rows=rows), ["KRM-E034"], [1], "disbursed > allocated")
    rows = good_rows()
    rows[1]["start"], rows[1]["end"] = dt.date(2019, 9, 1), dt.date(2019, 3, 15)
    add("start_after_end.xlsx", good_bytes(rows=rows), ["KRM-E035"], [1], "project starts after it ends")
    rows = good_rows()
    rows.append(dict(rows[0]))
    add("duplicate_project.xlsx", good_bytes(rows=rows), ["KRM-E036"], [1], "the same BIN and project twice")
    add("header_period_blank.xlsx", good_bytes(header={k: v for k, v in HEADER.items() if k != "period"}),
        ["KRM-E013"], [1], "the reporting period left blank")
    add("future_period.xlsx", good_bytes(header={**HEADER, "period": "2099-01"}), ["KRM-E051"], [1],
        "a period in the future")
    add("region_not_yet.xlsx", good_bytes(header={**HEADER, "region": "Абай облысы", "district": ""}),
        ["KRM-E053"], [1], "Abai oblast (created 2022) in a 2019 report")
    add("signature_blank.xlsx", good_bytes(signature={}), ["KRM-W020"], [0], "the signature block left empty")
    add("stray_number.xlsx", sheet_edit(lambda x: _add_cell(x, f"O{r0}", "<v>777</v>")), ["KRM-E015"], [1],
        "a number typed right of the table, on a data row")
    add("stray_number_header.xlsx", sheet_edit(lambda x: _add_cell(x, "Z3", "<v>777</v>")), ["KRM-E015"], [1],
        "a number typed far right of the header block")
    k7 = io.BytesIO()
    write_form(k7, forms.get("KRM-7"), "kk", header={"period": PERIOD, "basis": "cumulative"}, period=PERIOD,
               rows=[{"activity": "1", "plan": 10, "fact": 4}, {"activity": "2", "plan": 30, "fact": 12}],
               signature=SIGNATURE)
    from krm.workbook.writer import column_letter

    add("total_wrong.xlsx", edit(k7.getvalue(), SHEET, lambda x: _set_total(x, column_letter(2), 999)),
        ["KRM-E032"], [1], "КРМ-7 whose total row's cached value disagrees with the rows")
    add("column_numbers_changed.xlsx", sheet_edit(lambda x: _swap_numbers(x, r0 - 1, plan_c, fact_c)),
        ["KRM-E012"], [1], "two columns swapped (column-number row 7, 6)")
    add("duplicate_sheet_names.xlsx", _duplicate_sheet(base), [], [0, 1, 2],
        "two sheets with the same name and an unknown content type (any clean outcome)")

    import bad_corpus_round2

    bad_corpus_round2.cases(add, base, p0, r0, c, parts=parts, build=build, edit=edit, set_cell=set_cell,
                            inline=inline)
    _case_cases(add, base, p0)
    expected = {}
    for name, (data, exp) in sorted(cases.items()):
        target = out / name
        if data is None:  # a FIFO: made, never written (opening it for writing would wait for a reader)
            if target.exists() or target.is_symlink():
                target.unlink()
            os.mkfifo(target)
        else:
            target.write_bytes(data)
        expected[name] = exp
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True),
                                       encoding="utf-8")
    return expected


# ------------------------------------------------------------------ part names differing in case
def _case_cases(add, base: bytes, p0: dict[str, bytes]) -> None:
    """calamine finds a part by its name regardless of case (of several such members, the last): each part it
    reads must pass krm's checks whatever the case of its name, and two members whose names differ only in
    case make the package ambiguous."""
    far = parts(far_cell(base))
    add("far_cell_sheet_name_case.xlsx", build(_renamed(far, SHEET, "xl/worksheets/Sheet1.xml")), ["KRM-E007"], [2],
        "one cell at XFD1048576 in a sheet stored as Sheet1.xml, its relationship naming sheet1.xml (calamine "
        "reads it: the worker crashed, KRM-E009)")
    add("laughs_sharedstrings_name_case.xlsx",
        build(_renamed({**p0, "xl/sharedStrings.xml": _laughs(p0["xl/sharedStrings.xml"], b"<si><t>")},
                       "xl/sharedStrings.xml", "xl/SharedStrings.xml")),
        ["KRM-E006"], [2], "billion-laughs entities in the shared strings, stored as xl/SharedStrings.xml")
    sst = len(p0["xl/sharedStrings.xml"])
    add("zip_bomb_string_forged_size.xlsx", bomb_string(base, declared=sst), ["KRM-E005"], [2],
        "one shared string of 1 GiB, the zip directory declaring the small original size")
    add("zip_bomb_string_forged_size_name_case.xlsx", bomb_string(base, "xl/SharedStrings.xml", declared=sst),
        ["KRM-E005"], [2], "the same bomb stored as xl/SharedStrings.xml")
    for how, target, stored in (("dot", "./worksheets/sheet1.xml", "xl/./worksheets/sheet1.xml"),
                                ("dotdot", "/xl/../xl/worksheets/sheet1.xml", "xl/../xl/worksheets/sheet1.xml"),
                                ("two_slashes", "//xl/worksheets/sheet1.xml", "/xl/worksheets/sheet1.xml")):
        q = {**p0, stored: far[SHEET]}
        q["xl/_rels/workbook.xml.rels"] = q["xl/_rels/workbook.xml.rels"].replace(
            b'Target="worksheets/sheet1.xml"', f'Target="{target}"'.encode())
        add(f"far_cell_sheet_target_{how}.xlsx", build(q), ["KRM-E007"], [2],
            f"the sheet's target {target}, a member {stored} holding a cell at XFD1048576 beside the good sheet1.xml "
            "(calamine reads the member named as written: the worker crashed, KRM-E009)")
    add("workbook_part_name_case.xlsx", build(_renamed(p0, "xl/workbook.xml", "XL/Workbook.xml")), ["KRM-E002"],
        [2], "the workbook part stored as XL/Workbook.xml only (calamine finds it; LibreOffice does not open the "
        "file): refused, the part named in the finding")
    shadow = p0["xl/workbook.xml"].replace(b'<sheet name="', b'<sheet name="x', 1)
    add("workbook_case_twins.xlsx", build({**p0, "XL/Workbook.xml": shadow}), ["KRM-E072"], [2],
        "xl/workbook.xml and a second member XL/Workbook.xml listing the form's sheet under another name (calamine "
        "reads the last of them: other sheets than Excel's)")
    add("sheet_case_twins.xlsx", build({**p0, "xl/worksheets/Sheet1.xml": far[SHEET]}), ["KRM-E072"], [2],
        "sheet1.xml and a second member Sheet1.xml holding a cell at XFD1048576 (calamine reads the last of them: "
        "the worker crashed, KRM-E009)")


def _renamed(p: dict[str, bytes], old: str, new: str) -> dict[str, bytes]:
    """The parts with the member ``old`` stored as ``new`` (in its place)."""
    return {new if k == old else k: v for k, v in p.items()}


# ------------------------------------------------------------------ helpers for single edits
def _with_part(data: bytes, name: str, body: bytes) -> bytes:
    p = parts(data)
    p[name] = body
    p["xl/_rels/workbook.xml.rels"] = p["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/'
                             b'vbaProject" Target="vbaProject.bin"/></Relationships>')
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return build(p)


def _with_hidden_sheet(data: bytes) -> bytes:
    p = parts(data)
    p["xl/worksheets/sheet99.xml"] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="'
                                      b'http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r='
                                      b'"1"><c r="A1"><v>42</v></c></row></sheetData></worksheet>')
    p["xl/_rels/workbook.xml.rels"] = p["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>')
    p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(
        b"</sheets>", b'<sheet name="calc" sheetId="99" state="hidden" r:id="rId99"/></sheets>')
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    return build(p)


def _duplicate_sheet(data: bytes) -> bytes:
    p = parts(data)
    wb = p["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet name="([^"]*)"', wb)
    wb = wb.replace(f'<sheet name="{names[1]}"', f'<sheet name="{names[0]}"', 1)
    p["xl/workbook.xml"] = wb.encode()
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="weird" ContentType="application/x-unknown"/></Types>')
    p["xl/extra.weird"] = b"\x00\x01"
    return build(p)


def _merge(xml: bytes, ref: str) -> bytes:
    if b"<mergeCells" in xml:
        return re.sub(rb'<mergeCells count="(\d+)">',
                      lambda m: f'<mergeCells count="{int(m.group(1)) + 1}"><mergeCell ref="{ref}"/>'.encode(), xml, 1)
    return xml.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
                       .encode(), 1)


def _add_cell(xml: bytes, ref: str, inner: str) -> bytes:
    rownum = re.match(r"[A-Z]+(\d+)", ref).group(1)
    m = re.search(rf'<row r="{rownum}"[^>]*>(.*?)</row>'.encode(), xml, re.S)
    assert m, ref
    return xml[: m.end() - len(b"</row>")] + f'<c r="{ref}">{inner}</c>'.encode() + xml[m.end() - len(b"</row>"):]


def _set_total(xml: bytes, col: str, value: int) -> bytes:
    s = xml.decode()
    m = None
    for m in re.finditer(rf'<c r="({col}\d+)"[^>]*><f>SUM\([^<]*\)</f><v>[^<]*</v></c>', s):
        pass
    assert m
    return set_cell(xml, m.group(1), re.search(r"<f>.*?</f>", m.group(0)).group(0) + f"<v>{value}</v>")


def _swap_numbers(xml: bytes, numrow: int, a: str, b: str) -> bytes:
    """Swap the texts of two cells of the column-number row (shared strings stay, indices swap)."""
    s = xml.decode()
    ma = re.search(rf'<c r="{a}{numrow}"[^>]*>.*?</c>', s, re.S)
    mb = re.search(rf'<c r="{b}{numrow}"[^>]*>.*?</c>', s, re.S)
    assert ma and mb
    va, vb = re.search(r"<v>(.*?)</v>", ma.group(0)).group(1), re.search(r"<v>(.*?)</v>", mb.group(0)).group(1)
    new_a = ma.group(0).replace(f"<v>{va}</v>", f"<v>{vb}</v>")
    new_b = mb.group(0).replace(f"<v>{vb}</v>", f"<v>{va}</v>")
    return s.replace(ma.group(0), new_a).replace(mb.group(0), new_b).encode()


sys.path.insert(0, str(Path(__file__).parent))  # bad_corpus_round2 beside this file


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/make_bad_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    exp = make_corpus(argv[0])
    for name, e in exp.items():
        print(f"{name:34s} {','.join(e['codes']) or '-':22s} exit {e['exit']}  {e['what']}")
    print(f"{len(exp)} files in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
