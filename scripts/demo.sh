#!/usr/bin/env bash
# The main job on the shipped samples, from a fresh clone: set up, then
# validate -> aggregate -> report for May 2019, with January-April 2019 in a register of the demo's own
# (out/register.sqlite, never the user's), so the checks across months, the note's change against April
# and its outlier section have history to work with.  Outputs go to ./out (never into samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/krm ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'; }
K=.venv/bin/krm
rm -rf out && mkdir -p out
export KRM_REGISTER="$PWD/out/register.sqlite"
echo "== krm register ingest samples/2019 (the year's KRM-1 plans) into out/register.sqlite"
$K register ingest samples/2019 > /dev/null
for m in 2019-01 2019-02 2019-03 2019-04; do
  echo "== krm validate samples/$m (the earlier months; findings across months:)"
  $K validate "samples/$m" --format json > "out/findings-$m.json" || true
  ( $K validate "samples/$m" || true ) | grep -E "KRM-(E30|W30)" || echo "   none"
done
echo "== krm validate samples/2019-05"
$K validate samples/2019-05 --format json > out/findings.json || true
$K validate samples/2019-05 --summary || true
echo "== krm aggregate samples/2019-05"
$K aggregate samples/2019-05 --out out/aggregate || true
echo "== krm outliers --month 2019-05"
$K outliers --month 2019-05 --format json > out/outliers.json
$K outliers --month 2019-05
echo "== krm report --month 2019-05"
$K report --month 2019-05 out/aggregate --out out/report
echo "done: see out/"
