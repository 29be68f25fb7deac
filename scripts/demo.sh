#!/usr/bin/env bash
# The main job on the shipped samples, from a fresh clone: set up, then
# validate -> aggregate -> report for May 2019.  Outputs go to ./out (never into samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/krm ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'; }
K=.venv/bin/krm
rm -rf out && mkdir -p out
echo "== krm validate samples/2019-05"
$K validate samples/2019-05 --format json > out/findings.json || true
$K validate samples/2019-05 --summary || true
echo "== krm aggregate samples/2019-05"
$K aggregate samples/2019-05 --out out/aggregate || true
echo "== krm report --month 2019-05"
$K report --month 2019-05 out/aggregate --out out/report
echo "done: see out/"
