"""A real spreadsheet program opens every committed template: LibreOffice converts each to PDF.

One headless soffice run converts all 14 templates (a private profile, so no user settings
or lock files interfere).  Page counts are bounded from both sides: too few pages means a
sheet was lost, too many means the print layout broke (e.g. a form no longer fits the width).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from krm import forms

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

# (min, max) PDF pages of each blank template, all sheets: the form, the KRM-2/3 grouped view,
# the instructions and the lists.  Measured with LibreOffice 7/24.x: KRM-1 9-10, KRM-2 10-11,
# KRM-3 15, KRM-4/5 4-5, KRM-6/7 7.
PAGES = {"KRM-1": (5, 13), "KRM-2": (6, 14), "KRM-3": (8, 19), "KRM-4": (3, 7), "KRM-5": (3, 7),
         "KRM-6": (4, 10), "KRM-7": (4, 10)}

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                                                        "install the Debian package libreoffice-calc")


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if m:
            return int(m.group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("lo")
    src = sorted(TEMPLATES.glob("KRM-*.xlsx"))
    assert len(src) == 14, f"expected 14 committed templates in {TEMPLATES}, found {len(src)}"
    profile = work / "profile"
    env = dict(os.environ, HOME=str(work))
    res = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                          "--convert-to", "pdf", "--outdir", str(work / "pdf"), *map(str, src)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert res.returncode == 0, res.stderr
    return {p.stem: work / "pdf" / f"{p.stem}.pdf" for p in src}


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("fid", list(forms.FORMS))
def test_template_converts_to_pdf(pdfs, fid, lang):
    pdf = pdfs[f"{fid}.{lang}"]
    assert pdf.exists(), f"LibreOffice did not convert {fid}.{lang}.xlsx"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    lo, hi = PAGES[fid]
    n = _pages(pdf)
    assert lo <= n <= hi, f"{fid}.{lang}: {n} pages, expected {lo}-{hi}"


def test_pdf_text_is_the_form(pdfs):
    """The first page carries the form's title and index (text, not an empty grid)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    for fid, spec in forms.FORMS.items():
        for lang in ("kk", "ru"):
            text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdfs[f"{fid}.{lang}"]), "-"],
                                  capture_output=True, text=True, timeout=60).stdout
            flat = re.sub(r"\s+", "", text)
            assert f"КРМ-{spec.number}" in flat
            assert re.sub(r"\s+", "", spec.title(lang))[:40] in flat, (fid, lang)
