#!/usr/bin/env python3
"""Print an analytical note (HTML) to A4 PDF with headless Chromium, byte for byte the same on every run.

    python scripts/render_note.py samples/report-2019-05/note-2019-05.kk.html [--png]

writes ``note-2019-05.kk.pdf`` beside the note (and with ``--png`` the first page, ``pdftoppm -r 110``).
Chromium (Skia) stamps the PDF with the time of printing (``/CreationDate`` and ``/ModDate``); everything else
it writes depends only on the page.  The two stamps are replaced by krm's fixed document time (the one the
workbooks carry, 2019-01-01), written in the same number of bytes so that the cross-reference offsets stay
right: the same note gives the same PDF.  No header or footer is printed (``--no-pdf-header-footer``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FIXED = b"D:20190101000000+00'00'"  # krm.workbook.writer.layout.FIXED_TIME, in the PDF date format
STAMP = re.compile(rb"/(CreationDate|ModDate) \((D:\d{14}[+-Z]\d{2}'\d{2}')\)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-pdf-header-footer"]


def fixed_stamps(pdf: bytes) -> bytes:
    """``pdf`` with its creation and modification dates set to :data:`FIXED` (same length: offsets unchanged)."""
    def sub(m: re.Match) -> bytes:
        if len(m.group(2)) != len(FIXED):
            raise ValueError(f"unexpected PDF date {m.group(2)!r}")
        return b"/" + m.group(1) + b" (" + FIXED + b")"
    return STAMP.sub(sub, pdf)


def render(note: Path, pdf: Path, chromium: str | None = None) -> Path:
    chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("render_note: chromium is not installed (bash .ci/run installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "note.pdf"
        subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={raw}",
                        note.resolve().as_uri()], capture_output=True, timeout=180, check=False)
        if not raw.exists():
            raise SystemExit(f"render_note: chromium did not print {note}")
        pdf.write_bytes(fixed_stamps(raw.read_bytes()))
    return pdf


def first_page_png(pdf: Path, png: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "110", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        f"{tmp}/page"], check=True, timeout=120)
        shutil.move(f"{tmp}/page.png", png)
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("note", type=Path)
    ap.add_argument("--png", action="store_true", help="also the first page as PNG (pdftoppm)")
    args = ap.parse_args(argv)
    pdf = render(args.note, args.note.with_suffix(".pdf"))
    print(pdf)
    if args.png:
        print(first_page_png(pdf, args.note.with_suffix(".png")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
