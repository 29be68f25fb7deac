#!/usr/bin/env bash
# Render how the forms print, with LibreOffice (soffice) and poppler (pdftoppm):
#   docs/img/print-KRM-N.png            the printed first page of each form, filled (docs/printing.md)
#   samples/report-2019-05/KRM-6|7-2019-05.<lang>.pdf   the May 2019 KRM-6 and KRM-7 as LibreOffice prints them
# Run from the repository root: bash scripts/print-pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."
KRM=${KRM:-krm}
export KRM_CACHE=off
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# filled forms of every kind, written by this krm: generated KRM-1/KRM-2, then the roll-ups
"$KRM" samples --month 2019-05 --out "$work/s" >/dev/null
"$KRM" aggregate "$work/s/2019-05" --out "$work/A" >/dev/null
"$KRM" report --month 2019-05 "$work/s" --out "$work/R" --lang kk,ru >/dev/null 2>&1 || true
"$KRM" report --month 2019-05 samples --out "$work/S" --lang kk,ru >/dev/null 2>&1 || true
mkdir -p "$work/in"
pick() { find "$1" -name "$2" | sort | head -1; }
cp "$(pick "$work/s/2019" 'KRM-1_*ENBEK.xlsx')" "$work/in/KRM-1.xlsx"
cp "$(pick "$work/s/2019-05" 'KRM-2_*ENBEK.xlsx')" "$work/in/KRM-2.xlsx"
cp "$work/A/2019-05/KRM-3.ENBEK.11.xlsx" "$work/in/KRM-3.xlsx"
cp "$work/A/2019-05/KRM-4.ENBEK.xlsx" "$work/in/KRM-4.xlsx"
cp "$work/A/2019-05/KRM-5.ENBEK.xlsx" "$work/in/KRM-5.xlsx"
cp "$work/R/KRM-6-2019-05.kk.xlsx" "$work/in/KRM-6.xlsx"
cp "$work/R/KRM-7-2019-05.kk.xlsx" "$work/in/KRM-7.xlsx"
soffice "-env:UserInstallation=file://$work/profile" --headless --norestore --convert-to pdf \
  --outdir "$work/pdf" "$work"/in/*.xlsx >/dev/null 2>&1
mkdir -p docs/img
# the first page of the form as the annex lays it out: the print sheet of KRM-1/2/3 and KRM-6/7 (footer
# "КРМ-N Басып шығару"), the form sheet of KRM-4/5
first_page() {
  local pdf=$1 n=$2 pages i
  pages=$(pdfinfo "$pdf" | awk '/^Pages/{print $2}')
  if [ "$n" -le 3 ] || [ "$n" -ge 6 ]; then
    for i in $(seq 1 "$pages"); do
      if pdftotext -f "$i" -l "$i" "$pdf" - | grep -q "КРМ-$n Басып шығару"; then echo "$i"; return; fi
    done
  fi
  echo 1
}
for n in 1 2 3 4 5 6 7; do
  p=$(first_page "$work/pdf/KRM-$n.pdf" "$n")
  pdftoppm -png -r 45 -f "$p" -l "$p" -singlefile "$work/pdf/KRM-$n.pdf" "docs/img/print-KRM-$n"
  echo "KRM-$n: $(pdfinfo "$work/pdf/KRM-$n.pdf" | awk '/^Pages/{print $2}') pages in all (picture: page $p)"
done
# each annex as the regulation's text prints it (the first page), beside krm's print in docs/printing.md
"${PYTHON:-python3}" scripts/annex-pages.py "$work/annex"
soffice "-env:UserInstallation=file://$work/profile" --headless --norestore --convert-to pdf \
  --outdir "$work/annex" "$work"/annex/annex-*.xlsx >/dev/null 2>&1
for n in 1 2 3 4 5 6 7; do
  pdftoppm -png -r 45 -f 1 -l 1 -singlefile "$work/annex/annex-$n.pdf" "docs/img/annex-$n"
done
# the committed sample report: its KRM-6/KRM-7 workbooks and their PDFs, as the note was made (samples/)
for f in KRM-6-2019-05.kk KRM-6-2019-05.ru KRM-7-2019-05.kk KRM-7-2019-05.ru; do
  cp "$work/S/$f.xlsx" samples/report-2019-05/
done
soffice "-env:UserInstallation=file://$work/profile" --headless --norestore --convert-to pdf \
  --outdir samples/report-2019-05 samples/report-2019-05/KRM-6-2019-05.kk.xlsx \
  samples/report-2019-05/KRM-7-2019-05.kk.xlsx >/dev/null 2>&1
ls -la docs/img/print-KRM-*.png samples/report-2019-05/KRM-*.pdf
