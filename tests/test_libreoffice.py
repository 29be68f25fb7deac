"""A real spreadsheet program prints every committed template and every output kind: LibreOffice → PDF.

One headless soffice run (a private profile, so no user settings or lock files interfere) converts
the 14 templates and one workbook of each output kind (KRM-3, KRM-4, KRM-5 from ``krm aggregate``,
KRM-6 and KRM-7 from ``krm report``), once per session.  Each PDF page is attributed to its sheet by
the page footer (``КРМ-N`` for the form, ``КРМ-N: Нұсқаулық`` …), read with pdftotext's word boxes.

What is checked is what a reader of the printout sees: the form on as few pages as the annex
needs (KRM-6/7: the first block and its continuation blocks), the helper sheets on a few pages and
the lists sheet not at all, every column heading and the title whole (not cut at a page or cell
edge), the signature block whole on one page with the end of the table, the row number apart from
the numbered activity, amounts printed with three decimals on the control sheets.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from krm import forms, reference

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
SAMPLES = ROOT / "samples" / "2019-05"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; install libreoffice-calc"),
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"),
]

# pages of the form sheet itself.  Blank templates: KRM-1/2/3 the form with 12 blank rows, then the
# table's end with the signature block; KRM-4 one page; KRM-5 the annex's columns with the signature
# block, then krm's plan-by-activity columns as a continuation block; KRM-6/7 the first block (with
# the signature block) and two continuation blocks.  Outputs: the same, KRM-3 as long as its rows need.
FORM_PAGES = {"KRM-1": 2, "KRM-2": 2, "KRM-3": 2, "KRM-4": 1, "KRM-5": 2, "KRM-6": 3, "KRM-7": 3}
OUTPUT_FORM_PAGES = {"KRM-3": (2, 4), "KRM-4": (1, 1), "KRM-5": (2, 2), "KRM-6": (3, 3), "KRM-7": (3, 3)}
# all sheets (KRM-1/2/3 with their print sheet); before: up to 15 and 26.  Templates also print the explanations sheet
MAX_PAGES = {"template": 9, "output": 16}
# KRM-6/7's print sheet: the four continuation blocks of the annex, two to a page (17 regions in 2019, 20 today)
WIDE_PAGES = 2
OUTPUTS = {"KRM-3": "A/2019-05/KRM-3.ENBEK.11.xlsx", "KRM-4": "A/2019-05/KRM-4.ENBEK.xlsx",
           "KRM-5": "A/2019-05/KRM-5.ENBEK.xlsx", "KRM-6": "R/KRM-6-2019-05.kk.xlsx",
           "KRM-7": "R/KRM-7-2019-05.kk.xlsx"}
LISTS = ("Тізімдер", "Списки")
GROUPS = ("Қызмет түрлері бойынша", "По видам деятельности")  # the grouped view: hidden, the print sheet prints the groups


def _krm(*args: str) -> None:
    env = dict(os.environ, KRM_CACHE="off", KRM_REGISTER="off")  # the session fixture runs outside conftest's patch
    res = subprocess.run([sys.executable, "-c", "from krm.cli import run; run()", *args], capture_output=True,
                         text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr


class Printed:
    """A PDF's pages: each page's words (x0, y0, x1, text), its footer label and its flat text."""

    def __init__(self, pdf: Path):
        xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                             timeout=120).stdout
        self.pages = []
        for w, h, body in re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
            words = [(float(a), float(b), float(c), html.unescape(t)) for a, b, c, t in
                     re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>(.*?)</word>', body)]
            low = max((y0 for _, y0, _, _ in words), default=0.0)  # the footer is the page's lowest line
            foot = [t for x0, y0, _, t in sorted(words, key=lambda z: z[0])
                    if low > float(h) - 0.8 * 72 and abs(y0 - low) < 3 and x0 < float(w) / 2]
            self.pages.append({"words": words, "footer": " ".join(foot),
                               "flat": re.sub(r"\s+", "", "".join(t for *_, t in words))})

    def form_pages(self, spec) -> list[dict]:
        return [p for p in self.pages if p["footer"] == spec.sheet_name]


class _Printed(dict):
    work: Path


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> dict[str, Printed]:
    """Every template and one output of each kind, converted to PDF in one soffice run."""
    work = tmp_path_factory.mktemp("lo")
    _krm("aggregate", str(SAMPLES), "--out", str(work / "A"))
    _krm("report", "--month", "2019-05", str(work / "A"), "--out", str(work / "R"))
    src = sorted(TEMPLATES.glob("KRM-*.xlsx"))
    assert len(src) == 14, f"expected 14 committed templates in {TEMPLATES}, found {len(src)}"
    outs = {fid: work / rel for fid, rel in OUTPUTS.items()}
    staged = _krm1_books(work / "in")
    for fid, p in outs.items():  # distinct names in one output folder
        q = work / "in" / f"out-{fid}.xlsx"
        q.parent.mkdir(exist_ok=True)
        shutil.copyfile(p, q)
        staged.append(q)
    env = dict(os.environ, HOME=str(work))
    res = subprocess.run([SOFFICE, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                          "--norestore", "--convert-to", "pdf", "--outdir", str(work / "pdf"),
                          *map(str, src + staged)], capture_output=True, text=True, timeout=900, env=env)
    assert res.returncode == 0, res.stderr
    got = _Printed()
    got.work = work
    for p in src + staged:
        pdf = work / "pdf" / f"{p.stem}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-"), f"LibreOffice did not convert {p.name}"
        got[p.stem] = Printed(pdf)
    return got


KRM1_PROJECTS = ["Мал шаруашылығы кешенін жаңғырту", "Жылыжай кешенін салу", "Сүт өңдеу цехын салу"]


def _krm1_books(folder: Path) -> list[Path]:
    """KRM-1 with three projects as krm writes it, and the blank template filled by hand with two projects (the
    print sheet has one block for them)."""
    import openpyxl

    from krm.workbook.writer import write_form

    folder.mkdir(exist_ok=True)
    rows = [{"project": p, "start": dt.date(2019, 2, 1 + i), "end": dt.date(2020, 3, 1), "rb": 1.25 * (i + 1),
             "lb": 0.5, "total": 10 + i, "act1": 4, "act3": 6 + i} for i, p in enumerate(KRM1_PROJECTS)]
    three = folder / "krm1-three.xlsx"
    write_form(three, forms.KRM1, "kk", header={"period": "2019"}, rows=rows)
    wb = openpyxl.load_workbook(TEMPLATES / "KRM-1.kk.xlsx")
    ws = wb["КРМ-1"]
    first = int(wb.defined_names["KRM_DATA"].attr_text.split("$")[2].split(":")[0])
    ws.cell(first, 2).value, ws.cell(first + 1, 2).value = KRM1_PROJECTS[:2]
    more = folder / "krm1-more.xlsx"
    wb.save(more)
    return [three, more]


def test_krm1_print_sheet_prints_a_block_per_project(printed):
    """LibreOffice computes the print sheet from the entry sheet: a block per project with its figures, the table's
    rows 1. and 1.1-1.9 and the footnote, each block whole on a page; a hand-filled template with more projects than
    blocks prints the warning that says so."""
    pages = [p for p in printed["krm1-three"].pages if p["footer"] == "КРМ-1 Басып шығару"]
    assert 2 <= len(pages) <= 3
    for name in KRM1_PROJECTS:
        on = [p for p in pages if not _whole(name, p)]
        assert len(on) == 1, name
        assert "1.9" in [w[3] for w in on[0]["words"]]  # the block's table is on the same page as its name
    flat = "".join(p["flat"] for p in pages)
    assert flat.count("1.9") == 3 and "2019жылғыесептікезең" in flat and "Ескертпе:*" in flat
    assert "Өлшембірлігі(саны)" in flat and "2020.03.01" in flat and "1.250" in flat
    more = [p for p in printed["krm1-more"].pages if p["footer"] == "КРМ-1 Басып шығару"]
    assert "Нысанда2жол,мұнда1:" in "".join(p["flat"] for p in more)


@pytest.mark.parametrize("key", ["KRM-2.kk", "KRM-3.ru", "out-KRM-3"])
def test_krm2_krm3_print_sheet_prints_the_groups_and_every_project(printed, key):
    """The print sheet of KRM-2/3 prints the nine groups 1.-9., every project of the entry sheet once (LibreOffice
    computes the formulas), its heading on every page, the signature block whole on one page."""
    fid = key.split(".")[0].replace("out-", "")
    spec = forms.FORMS[fid]
    lang = "ru" if key.endswith(".ru") else "kk"
    name = f"{spec.sheet_name} {dict(kk='Басып шығару', ru='Печать')[lang]}"
    pages = [p for p in printed[key].pages if p["footer"] == name]
    entry = printed[key].form_pages(spec)
    assert pages and len(pages) <= len(entry) + 2, (len(pages), len(entry))
    for a in reference.activities():
        assert _on(a.name(lang), pages), a.name(lang)
    heads = [c.title(lang) for c in spec.columns if c.official]
    assert all(not _whole(" ".join(heads[1:3]), p) for p in pages), "the heading rows do not repeat"
    labels = " ".join([s.label(lang) for s in forms.SIGNATURE] + [forms.SEAL(lang)])
    assert [p for p in pages if not _whole(labels, p)], "the signature block is split"
    if key.startswith("out-"):  # every project of the workbook is printed, once, with its plan
        from krm.workbook.reader import read

        pf = read(printed.work / OUTPUTS[fid])
        flat = "".join(p["flat"] for p in pages)
        for row in pf.rows:
            name = re.sub(r"\s+", "", str(row.values["project"]))
            assert flat.count(name) >= 1, name
        assert len(pf.rows) > 10


@pytest.mark.parametrize("key", ["KRM-6.kk", "KRM-6.ru", "KRM-7.kk", "KRM-7.ru", "out-KRM-6", "out-KRM-7"])
def test_krm6_krm7_print_sheet_prints_two_blocks_to_a_page(printed, key):
    """KRM-6/7's print sheet prints the annex's continuation blocks one under the other, two to a page: the title
    once, whole, on the first page; each block's № and row-name heading (twice a page), every programme heading
    whole, "кестенің жалғасы" over each further block; the signature block whole with the last block's total;
    LibreOffice computes the figures from the entry sheet (an output's totals print as the entry sheet's)."""
    fid = key.split(".")[0].replace("out-", "")
    spec = forms.FORMS[fid]
    lang = "ru" if key.endswith(".ru") else "kk"
    name = f"{spec.sheet_name} {dict(kk='Басып шығару', ru='Печать')[lang]}"
    pages = [p for p in printed[key].pages if p["footer"] == name]
    assert len(pages) == WIDE_PAGES, f"{key}: the print sheet prints on {len(pages)} pages"
    assert not _whole(spec.title(lang), pages[0])
    index = {"kk": "Индексі:", "ru": "Индекс:"}[lang]
    assert [index in [w[3] for w in p["words"]] for p in pages] == [True, False]
    label = re.sub(r"\s+", "", spec.columns[0].title(lang))  # № heads each block
    assert [p["flat"].count(label) for p in pages] == [2, 2], f"{key}: not two blocks to a page"
    mark = {"kk": "кестеніңжалғасы", "ru": "продолжениетаблицы"}[lang]
    assert sum(p["flat"].count(mark) for p in pages) == 3
    on = reference.as_date("2019-05") if key.startswith("out-") else dt.date.today()
    for c in spec.columns_for(reference.programmes(on)):
        if c.group is not None:
            assert _on(c.group(lang), pages), f"{key}: heading {c.group(lang)!r} is cut"
    labels = " ".join([s.label(lang) for s in forms.SIGNATURE] + [forms.SEAL(lang)])
    assert not _whole(labels, pages[-1]) and spec.total_label(lang) in [w[3] for w in pages[-1]["words"]]
    if key.startswith("out-"):
        import openpyxl

        ws = openpyxl.load_workbook(printed.work / OUTPUTS[fid], data_only=True)[name]
        totals = [v for row in ws.iter_rows(values_only=True) if row[1] == spec.total_label(lang)
                  for v in row[2:] if isinstance(v, (int, float))]
        words = {w[3] for p in pages for w in p["words"]}
        assert totals and all(f"{int(v):,}" in words for v in totals), f"{key}: a total does not print"
        if fid == "KRM-7":
            assert {"14,129", "7,977"} <= words  # the republic's plan and fact


def _kinds():
    return [(f"{fid}.{lang}", fid, lang, "template") for fid in forms.FORMS for lang in ("kk", "ru")] + \
        [(f"out-{fid}", fid, "kk", "output") for fid in OUTPUTS]


KINDS = _kinds()


@pytest.mark.parametrize("key,fid,lang,kind", KINDS, ids=[k[0] for k in KINDS])
def test_pages_per_sheet(printed, key, fid, lang, kind):
    doc = printed[key]
    spec = forms.FORMS[fid]
    n = len(doc.form_pages(spec))
    lo, hi = (FORM_PAGES[fid], FORM_PAGES[fid]) if kind == "template" else OUTPUT_FORM_PAGES[fid]
    assert lo <= n <= hi, f"{key}: the form prints on {n} pages, expected {lo}-{hi}"
    assert len(doc.pages) <= MAX_PAGES[kind], f"{key}: {len(doc.pages)} pages in all"
    # every page belongs to a sheet with its own page set-up (a footer), and the lists sheet does not print
    footers = [p["footer"] for p in doc.pages]
    assert all(footers), f"{key}: pages without a footer: {footers}"
    assert not [f for f in footers if f.endswith(LISTS)]
    assert not [f for f in footers if f.endswith(GROUPS)], f"{key}: the grouping is on paper twice"
    # the instructions print (they carry the regulation's explanation)
    assert any(f.startswith(f"{spec.sheet_name}: ") and f.endswith(("Нұсқаулық", "Инструкция")) for f in footers)


def _whole(text: str, page: dict) -> list[str]:
    """The words of ``text`` that do not print whole on ``page`` (a word broken after a hyphen counts as whole)."""
    have = {w[3] for w in page["words"]}

    def whole(w: str) -> bool:
        parts = w.split("-")
        return w in have or (len(parts) > 1 and all(p + "-" in have for p in parts[:-1]) and parts[-1] in have)

    return [w for w in text.split() if not whole(w)]


def _on(text: str, pages: list[dict]) -> bool:
    return any(not _whole(text, p) for p in pages)


@pytest.mark.parametrize("key,fid,lang,kind", KINDS, ids=[k[0] for k in KINDS])
def test_title_headings_and_signature_come_out_whole(printed, key, fid, lang, kind):
    doc = printed[key]
    spec = forms.FORMS[fid]
    pages = doc.form_pages(spec)
    assert f"КРМ-{spec.number}" in pages[0]["flat"]
    assert not _whole(spec.title(lang), pages[0]), f"{key}: the title is cut or missing on page 1"
    # the banner (title, index, periodicity …) prints once: further pages carry the table, not a cut title
    index = {"kk": "Индексі:", "ru": "Индекс:"}[lang]
    assert index in [w[3] for w in pages[0]["words"]]
    for p in pages[1:]:
        assert index not in [w[3] for w in p["words"]], f"{key}: the title rows repeat, cut, on a further page"
    on = reference.as_date("2019-05") if kind == "output" else dt.date.today()
    for c in spec.columns_for(reference.programmes(on) if spec.programme_columns else None):
        assert _on(c.title(lang), pages), f"{key}: heading {c.title(lang)!r} is cut"
        if c.group is not None:
            assert _on(c.group(lang), pages), f"{key}: heading {c.group(lang)!r} is cut"
    # the signature block: every label whole on one page, with the seal line
    labels = " ".join([s.label(lang) for s in forms.SIGNATURE] + [forms.SEAL(lang)])
    sig = [p for p in pages if not _whole(labels, p)]
    assert sig, f"{key}: the signature block is split across pages or cut"
    if spec.total_label is not None:  # kept with the end of the table
        assert spec.total_label(lang) in [w[3] for w in sig[0]["words"]]
    if fid in ("KRM-5", "KRM-6", "KRM-7"):
        mark = {"kk": "кестеніңжалғасы", "ru": "продолжениетаблицы"}[lang]
        assert all(mark in p["flat"] for p in pages[1:]), f"{key}: continuation blocks are not marked"


def test_row_number_stands_apart_from_the_activity_number(printed):
    """KRM-7: the row number "1" and the activity label "1. ауыл …" print apart, not as "11. ауыл"."""
    for key in ("KRM-7.kk", "out-KRM-7"):
        page = printed[key].form_pages(forms.KRM7)[0]
        words = page["words"]
        labels = [w for w in words if w[3] == "1." and any(v[3].startswith("ауыл") and abs(v[1] - w[1]) < 2
                                                           and v[0] > w[2] for v in words)]
        assert labels, key
        x0, y0, _, _ = labels[0]
        seq = [w for w in words if w[3] == "1" and abs(w[1] - y0) < 5 and w[2] <= x0]
        assert seq and x0 - max(w[2] for w in seq) > 3, f"{key}: the row number touches the activity number"


def test_control_sheet_amounts_have_three_decimals(printed):
    for key in ("out-KRM-4", "out-KRM-6"):
        control = [p for p in printed[key].pages if p["footer"] in ("Бақылау", "Контроль")]
        assert control, key
        words = [w[3] for p in control for w in p["words"]]
        amounts = [w for w in words if re.fullmatch(r"[\d,]+\.\d+", w)]
        assert amounts and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{3}", w) for w in amounts), \
            f"{key}: amounts are not formatted #,##0.000: {amounts[:5]}"
    assert any("," in w[3] for p in printed["out-KRM-6"].pages for w in p["words"]
               if re.fullmatch(r"[\d,]+\.\d{3}", w[3]))  # thousands separated
