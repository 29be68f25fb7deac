"""Cut each annex's form (Annexes 1-7 of Order No. 189) out of the regulation's text, for the pictures of
docs/printing.md: ``OUTDIR/annex-N.xlsx``, the lines from the annex's heading line to its seal line and footnote,
one per row in a fixed-width font, for LibreOffice to print (``bash scripts/print-pages.sh`` renders each to
``docs/img/annex-N.png``).

The text is the PDF's, extracted: table headers are broken across lines; it is what the annex prints, not a
facsimile.  Run from the repository root: python scripts/annex-pages.py OUTDIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TEXT = Path("docs/regulation/order-189-2019.kk.txt")


def annex_form(lines: list[str], n: int) -> list[str]:
    start = next(i for i, ln in enumerate(lines) if ln.strip().endswith(f"қағидаларына {n}-қосымша"))
    seal = next(i for i in range(start, len(lines)) if "МО (бар болса)" in lines[i])
    end = seal + 1
    while end < len(lines) and (lines[end].strip().startswith("Ескертпе") or
                                (end > seal + 1 and lines[end - 1].strip().startswith("Ескертпе")
                                 and lines[end].strip() and not lines[end].startswith('"'))):
        end += 1
    body = [re.sub(r"\s+$", "", ln) for ln in lines[start:end]]
    out: list[str] = []
    for ln in body:  # no runs of blank lines (the PDF's page breaks)
        if ln or (out and out[-1]):
            out.append(ln)
    return [f"Order No. 189 (2019), annex {n}: the form as its text prints it (extracted from the PDF)", ""] + out


def main(outdir: str) -> None:
    lines = TEXT.read_text(encoding="utf-8").splitlines()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    import xlsxwriter

    for n in range(1, 8):
        wb = xlsxwriter.Workbook(str(out / f"annex-{n}.xlsx"), {"strings_to_formulas": False})
        ws = wb.add_worksheet(f"Annex {n}")
        mono = wb.add_format({"font_name": "Liberation Mono", "font_size": 9})
        head = wb.add_format({"font_name": "Liberation Mono", "font_size": 9, "italic": True})
        ws.set_column(0, 0, 125)
        for r, ln in enumerate(annex_form(lines, n)):
            ws.write_string(r, 0, ln, head if r == 0 else mono)
        ws.set_portrait()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_footer(f"&LOrder No. 189, annex {n}&R&P / &N")
        wb.close()


if __name__ == "__main__":
    main(sys.argv[1])
