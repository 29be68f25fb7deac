#!/usr/bin/env bash
# The portal on the shipped samples, from a fresh clone: set up, put the January-May 2019 samples (and the 2019
# plans) into a demo register (received at each workbook's saved time), make an account for every office with
# one demo password, then start `krm serve` on
# http://127.0.0.1:8260/ (Ctrl-C stops it).  Everything lives in ./out/serve-demo (never in samples/); a second
# run reuses it.  A demonstration only: the demo password is printed here and shared by every account.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/krm ] || { python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'; }
K=.venv/bin/krm
D=out/serve-demo
REG="$D/register.sqlite"
PASSWORD="${KRM_DEMO_PASSWORD:-krm-demo-2019}"
mkdir -p "$D"
if [ ! -e "$D/ready" ]; then
  echo "== the samples into the demo register (once)"
  # received = each workbook's own saved time (not the time of this run), so the inbox shows who was late;
  # January-April first, so the district pages show the months and May is checked against April
  $K register ingest samples/2019 samples/2019-01 samples/2019-02 samples/2019-03 samples/2019-04 \
     --register "$REG" --by demo --received-at saved >/dev/null
  $K register ingest samples/2019-05 --register "$REG" --by demo --received-at saved >/dev/null
  $K serve import-offices --on 2019-05 --demo-password "$PASSWORD" --register "$REG"
  printf '%s\n' "$PASSWORD" > "$D/admin-password"
  $K serve create-admin admin --password-file "$D/admin-password" --register "$REG"
  rm "$D/admin-password"
  touch "$D/ready"
fi
cat <<TXT
== demo accounts (password: $PASSWORD)
   district-114400000   a district akimat (Akmola region)
   oblast-11            the Akmola oblast akimat
   central-enbek        the central body of the Enbek programme
   centre               the Labour Resources Development Centre
   admin                the administrator
TXT
exec $K serve --register "$REG" --data "$D/data" --month 2019-05 "$@"
