#!/bin/sh
# Benchmark of `pixelwarden scan`: generates two stores (the full mix, and mail without
# trackers for the >= 200 MB/s per core target), scans each with --jobs 1 and --jobs 2
# and prints messages/s and MB/s from the scan summary. Not run in CI.
# usage: bench_scan.sh PIXELWARDEN [N] [WORKDIR] [ATTACHMENT_BYTES]
#   N defaults to 100000 (~11 GB with 1 MB attachments; pass ATTACHMENT_BYTES=150000
#   for ~2 GB). Stores are kept in WORKDIR (default $TMPDIR/pw-scan-bench, TMPDIR
#   defaulting to /tmp) and reused.
set -eu
PW=${1:?usage: bench_scan.sh PIXELWARDEN [N] [WORKDIR] [ATTACHMENT_BYTES]}
N=${2:-100000}
WORK=${3:-${TMPDIR:-/tmp}/pw-scan-bench}
ATT=${4:-1000000}
HERE=$(cd "$(dirname "$0")" && pwd)
RULES=${PW_RULES:-$HERE/../../../rules/default.yaml}
mkdir -p "$WORK"
for mix in mixed clean; do
  store="$WORK/$mix-$N-$ATT"
  if [ ! -d "$store" ]; then
    flag=""
    [ "$mix" = clean ] && flag="--clean-only"
    echo "generating $store ..."
    python3 "$HERE/gen_store.py" -n "$N" --attachment-bytes "$ATT" $flag "$store"
  fi
  for jobs in 1 2; do
    "$PW" scan --rules "$RULES" --jobs "$jobs" --format json "$store" > /dev/null 2> "$WORK/summary.txt" || true
    line=$(grep '^scan: .* messages, ' "$WORK/summary.txt" | head -1)
    echo "$mix --jobs $jobs: $line"
  done
done
