"""Render one workbook of each layout krm reads outside its template (docs/foreign.md) to a small PNG:
tests/annex.py draws it, LibreOffice prints it to PDF, pdftoppm takes the first page.

    .venv/bin/python scripts/foreign_pictures.py docs/img
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import annex  # noqa: E402


def workbooks(folder: Path) -> list[Path]:
    d = annex.districts_2019(2)
    out = [
        annex.write(annex.Case("foreign-krm2-kk", region=d[0].region_kato, district=d[0].kato, rows=annex.data(3),
                               group_figures="formula", total="formula"), folder / "foreign-krm2-kk.xlsx"),
        annex.write(annex.Case("foreign-krm2-ru", lang="ru", region=d[1].region_kato, district=d[1].kato,
                               rows=annex.data(4), grouped=False, total="number", period_style="months",
                               header_style="russian-words", top=1, left=1), folder / "foreign-krm2-ru.xlsx"),
        annex.write(annex.Case("foreign-krm3-kk", form="KRM-3", region="61", district=None, rows=annex.data(5),
                               subtotal_rows="formula"), folder / "foreign-krm3-kk.xlsx"),
        annex.write_krm1(folder / "foreign-krm1-kk.xlsx", "kk", annex.KRM1_PROJECTS[:1]),
        annex.write_regions_form(folder / "foreign-krm4-ru.xlsx", "KRM-4", "ru",
                                 {"61": {"projects_planned": 3, "projects_done": 1, "allocated": 100.5,
                                         "disbursed": 50.25, "plan": 20, "fact": 12}}),
    ]
    return out


def main(dest: str) -> None:
    dest_dir = Path(dest)
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        files = workbooks(t)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{t}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", str(t), *map(str, files)], check=True, capture_output=True, timeout=300)
        for f in files:
            subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                            str(t / f"{f.stem}.pdf"), str(dest_dir / f.stem)], check=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/img")
