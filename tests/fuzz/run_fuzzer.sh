#!/usr/bin/env bash
# run_fuzzer.sh BINARY SECONDS [SEED|-OPTION]... : runs a libFuzzer target for SECONDS over a
# scratch copy of its seeds (the checked-in/shared seeds are never written to).
set -euo pipefail
bin=$1 seconds=$2
shift 2
if [ ! -x "$bin" ]; then
  echo "fuzz target $bin was not built (scripts/build-fuzz)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
options=()
for s in "$@"; do
  if [ "${s#-}" != "$s" ]; then
    options+=("$s")
  elif [ -d "$s" ]; then
    find "$s" -type f -size -1M -exec cp -t "$work/corpus" {} + 2>/dev/null || true
  elif [ -f "$s" ]; then
    cp "$s" "$work/corpus/"
  fi
done
cd "$work"
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$work/" "${options[@]}" corpus 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head
  for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
    [ -f "$a" ] && { echo "artifact $(basename "$a") (base64):"; base64 -w0 "$a" | head -c 4000; echo; }
  done
fi
exit "$status"
