#!/usr/bin/env bash
# run_fuzzer.sh BINARY SECONDS [SEED|-OPTION]... : runs a libFuzzer target for SECONDS over a
# scratch copy of its seeds (the seed folders are never written to). Every SEED
# named must exist and a folder must hold at least one file: a seed corpus that went
# missing fails the test instead of silently fuzzing from nothing.
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
copied=0
for s in "$@"; do
  if [ "${s#-}" != "$s" ]; then
    options+=("$s")
  elif [ -d "$s" ]; then
    if [ -z "$(find "$s" -type f -print -quit)" ]; then
      echo "seed folder $s holds no file" >&2
      exit 1
    fi
    # Numbered copies: files of the same name in different folders stay apart. Files of
    # 1 MiB or more are left out (find's "-size -1M" would round up and keep only empty
    # files, hence kilobytes).
    n=0
    while IFS= read -r -d '' f; do
      n=$((n + 1))
      copied=$((copied + 1))
      cp "$f" "$work/corpus/$copied-$(basename "$f")"
    done < <(find "$s" -type f -size -1024k -print0)
    echo "seeds: $n files from $s"
  elif [ -f "$s" ]; then
    cp "$s" "$work/corpus/"
  else
    echo "seed $s does not exist" >&2
    exit 1
  fi
done
cd "$work"
# libFuzzer reports a finding with exit code 77 by default, which ctest would take for this
# test's "skipped" code (SKIP_RETURN_CODE 77): a crash, leak or timeout exits 1 instead.
# No errexit from here: a finding must reach the artifact dump below.
set +e
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$work/" "${options[@]}" corpus 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | head
  for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
    [ -f "$a" ] && { echo "artifact $(basename "$a") (base64):"; base64 -w0 "$a" | head -c 4000; echo; }
  done
  status=1  # whatever libFuzzer said, never 77 (see above)
fi
exit "$status"
