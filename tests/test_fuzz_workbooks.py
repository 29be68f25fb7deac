"""Fuzzing (issue 15): sample workbooks mutated at the zip and XML level, each validated in a worker
under a memory limit and a timeout.  For every mutation:

* the worker finishes: no crash, no out-of-memory, no timeout (the bounds of :mod:`krm.pool`);
* no traceback: no exception escapes, and no internal error is passed off as a read error (KRM-E002
  "TypeError: …" would be a reader bug);
* never a "clean" verdict (no error) with figures other than the original's, unless a finding the
  original did not have names the change — for every mutation that does not edit a value on purpose
  (a changed number is a different submission, not an attack);

and at the end the mutated files go through one real ``krm validate`` run (no traceback, exit 0/1/2).
Hypothesis draws the mutations; the number of examples keeps the test to ~30 s of CI time on 2 cores
(``KRM_FUZZ_EXAMPLES=2000 KRM_FUZZ_RANDOM=1`` for a longer local run with fresh draws).  The mutated inputs are never changed by a run.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from make_bad_corpus import good_bytes  # noqa: E402

from krm.pool import run_isolated  # noqa: E402
import krm.validate  # noqa: E402,F401 - imported before forking

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples" / "2019-05").rglob("*.xlsx"))
EXAMPLES = int(os.environ.get("KRM_FUZZ_EXAMPLES", "60"))
MEM_MB = 512
TIMEOUT_S = 30
SHEET = "xl/worksheets/sheet1.xml"
INTERNAL = re.compile(r"^(TypeError|AttributeError|KeyError|IndexError|NameError|UnboundLocalError|AssertionError|"
                      r"RecursionError|ZeroDivisionError|ValueError|OverflowError|UnicodeError|\w+Error: .*object)")


def _bases() -> list[bytes]:
    plans = sorted((ROOT / "samples" / "2019").rglob("KRM-1*.xlsx"))
    picks = [SAMPLES[0], SAMPLES[len(SAMPLES) // 2]] + plans[:1]
    return [good_bytes()] + [p.read_bytes() for p in picks]


BASES = _bases()


def figures(rep) -> str | None:
    """What a roll-up takes from a workbook: header and rows (None when no submission was built)."""
    sub = rep.submission
    if sub is None:
        return None
    rows = sorted(repr(sorted((k, repr(v)) for k, v in vars(r).items() if k not in ("cell", "sheet_row")))
                  for r in list(sub.projects) + list(sub.regions))
    head = (sub.form, sub.period, getattr(sub, "region", None), getattr(sub, "district", None),
            getattr(sub, "programme", None), getattr(sub, "basis", None))
    return hashlib.sha256(repr((head, rows)).encode()).hexdigest()


def _check(data: bytes):
    """validate_file on the bytes, in the worker: (codes, error count, figures, details of E002)."""
    import tempfile

    from krm.validate import validate_file

    with tempfile.TemporaryDirectory(prefix="krm-fuzz-") as d:
        p = Path(d) / "x.xlsx"
        p.write_bytes(data)
        rep = validate_file(p, convert=True)
        return (sorted({f.code for f in rep.findings}), rep.errors, figures(rep),
                [f.params.get("detail", "") for f in rep.findings if f.code == "KRM-E002"])


ORIGINAL = [_check(b) for b in BASES]


# ------------------------------------------------------------------ mutations
def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def build(p: dict[str, bytes], dup: str | None = None) -> bytes:
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name, on purpose
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, body in p.items():
                zf.writestr(name, body)
            if dup is not None:
                zf.writestr(dup, p[dup][: len(p[dup]) // 2] + p[dup][len(p[dup]) // 2:].replace(b"<v>", b"<v>9", 1))
    return buf.getvalue()


_CELL = re.compile(rb"<c r=\"[A-Z]+\d+\"[^>]*?(?:/>|>.*?</c>)", re.S)
_V = re.compile(rb"<v>[^<]*</v>")
_R = re.compile(rb'\br="([A-Z]*\d+)"')
_ROW = re.compile(rb"<row\b[^>]*>.*?</row>", re.S)
_PARTS_XML = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml", SHEET, "xl/_rels/workbook.xml.rels",
              "docProps/custom.xml", "[Content_Types].xml")


def _nth(rx, xml: bytes, i: int):
    ms = list(rx.finditer(xml))
    return ms[i % len(ms)] if ms else None


def mutate(data: bytes, kind: str, a: int, b: int, text: bytes) -> bytes:
    """One mutation of ``data`` (a, b: drawn integers that pick where; text: drawn bytes)."""
    if kind == "truncate":
        return data[: a % max(1, len(data))]
    if kind == "flip":
        i = a % len(data)
        return data[:i] + bytes([data[i] ^ (1 + b % 255)]) + data[i + 1:]
    p = parts(data)
    if kind == "drop":
        del p[sorted(p)[a % len(p)]]
        return build(p)
    if kind == "duplicate":
        return build(p, dup=sorted(p)[a % len(p)])
    if kind == "dtd":
        name = _PARTS_XML[a % len(_PARTS_XML)]
        if name in p:
            x = p[name]
            i = x.find(b"?>") + 2 if x.startswith(b"<?xml") else 0
            p[name] = x[:i] + b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + x[i:]
        return build(p)
    xml = p.get(SHEET, b"")
    if kind == "value":  # on purpose: a different number or text (exempt from the figures check)
        m = _nth(_V, xml, a)
        if m:
            xml = xml[:m.start()] + b"<v>" + text + b"</v>" + xml[m.end():]
    elif kind == "cell_type":
        m = _nth(_CELL, xml, a)
        if m:
            t = [b"e", b"s", b"str", b"b", b"n", b"inlineStr", b"d", b"x"][b % 8]
            c = re.sub(rb' t="[^"]*"', b"", m.group(0), count=1).replace(b"<c ", b'<c t="' + t + b'" ', 1)
            xml = xml[:m.start()] + c + xml[m.end():]
    elif kind == "quotes":  # r="A1" written as r='A1' / r = "A1" / r= 'A1': the same sheet
        style = [b"r='%s'", b'r = "%s"', b"r= '%s'", b'r ="%s"'][b % 4]
        xml = _R.sub(lambda m: style % m.group(1), xml) if a % 2 else _R.sub(lambda m: style % m.group(1), xml, 7)
    elif kind == "prefix":  # the same sheet under a namespace prefix
        xml = xml.replace(b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
                                          b'2006/main" ', 1)
        for tag in (b"row", b"c", b"v", b"f", b"is", b"t", b"sheetData")[: 1 + a % 7]:
            xml = re.sub(rb"<(/?)" + tag + rb"([\s>/])", rb"<\1x:" + tag + rb"\2", xml)
    elif kind == "far_row":
        m = _nth(_ROW, xml, a)
        if m:
            r = [1048576, 100001, 99999, 5000, 1][b % 5]
            row = re.sub(rb'r="(\d+)"', f'r="{r}"'.encode(), m.group(0), count=1)
            xml = xml[:m.start()] + row + xml[m.end():]
    elif kind == "drop_cell":  # on purpose: a blanked cell (exempt)
        m = _nth(_CELL, xml, a)
        if m:
            xml = xml[:m.start()] + xml[m.end():]
    elif kind == "formula":  # a formula around a cell's stored value
        m = _nth(_CELL, xml, a)
        if m and b"<v>" in m.group(0):
            f = [b"<f>1+1</f>", b"<f>cmd|'/c calc'!A1</f>", b'<f>HYPERLINK("http://x")</f>', b"<f>[1]S!A1</f>",
                 b"<f t=\"shared\" si=\"0\"/>"][b % 5]
            c = m.group(0).replace(b"<v>", f + b"<v>", 1)
            xml = xml[:m.start()] + c + xml[m.end():]
    elif kind == "shadow":
        wb = p["xl/workbook.xml"]
        name = re.search(rb'<sheet name="([^"]*)"', wb)
        if name:
            el = b'<y:sheet xmlns:y="urn:y" name="' + name.group(1) + b'" sheetId="77" r:id="rId1"/>'
            p["xl/workbook.xml"] = wb.replace(b"<sheets>", b"<sheets>" + el, 1) if b % 2 else \
                wb.replace(b"</sheets>", el + b"</sheets>", 1)
    elif kind == "text":  # random bytes into a random XML part
        name = _PARTS_XML[a % len(_PARTS_XML)]
        if name in p:
            x = p[name]
            i = b % (len(x) + 1)
            p[name] = x[:i] + text + x[i:]
            return build(p)
    p[SHEET] = xml
    return build(p)


ON_PURPOSE = {"value", "drop_cell", "text", "truncate", "flip", "drop"}
KINDS = ["truncate", "flip", "drop", "duplicate", "dtd", "value", "cell_type", "quotes", "prefix", "far_row",
         "drop_cell", "formula", "shadow", "text"]


def test_mutated_workbooks_bounded_and_never_silently_wrong(tmp_path):
    saved: list[Path] = []
    problems: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("KRM_FUZZ_RANDOM"), database=None,
              suppress_health_check=list(HealthCheck))
    @given(base=st.integers(0, len(BASES) - 1), kind=st.sampled_from(KINDS), a=st.integers(0, 10 ** 6),
           b=st.integers(0, 10 ** 6), text=st.binary(min_size=0, max_size=24))
    def one(base, kind, a, b, text):
        data = mutate(BASES[base], kind, a, b, text)
        [(_, ok, res)] = run_isolated(_check, [data], jobs=1, isolate=True, mem_limit_mb=MEM_MB, timeout_s=TIMEOUT_S)
        where = f"{kind} a={a} b={b} text={text!r} on base {base}"
        if len(saved) < 400:
            f = tmp_path / f"m{len(saved):03d}.xlsx"
            f.write_bytes(data)
            saved.append(f)
        if not ok:
            problems.append(f"{where}: the worker failed: {res}")
            return
        codes, errors, figs, e002 = res
        bad = [d for d in e002 if INTERNAL.match(d)]
        if bad:
            problems.append(f"{where}: an internal error reported as KRM-E002: {bad[0]}")
        ocodes, _, ofigs, _ = ORIGINAL[base]
        if kind not in ON_PURPOSE and errors == 0 and figs is not None and figs != ofigs \
                and not set(codes) - set(ocodes):
            problems.append(f"{where}: clean ({codes}) with other figures than the original's and no finding")

    one()
    assert not problems, "\n".join(problems[:20])
    digest = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in saved}
    env = {**os.environ, "KRM_CACHE": "off"}
    p = subprocess.run([sys.executable, "-c", "from krm.cli import run; run()", "validate", str(tmp_path),
                        "--format", "json", "--jobs", "2"], capture_output=True, timeout=300, env=env)
    assert p.returncode in (0, 1, 2) and b"Traceback" not in p.stderr and b"panicked" not in p.stderr, p.stderr[-2000:]
    assert {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in saved} == digest  # inputs unchanged
