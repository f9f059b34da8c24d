#!/usr/bin/env bash
# expect_finding.sh REPLAY FILE: passes while FILE, a known, still open finding of a fuzz
# target (tests/data/fuzz/known/<target>/), still makes the target's entry point abort.
# When a fix makes it pass, this fails: move FILE into the target's seed corpus.
set -uo pipefail
replay=$1 file=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$file" "$work/"
"$replay" "$work" >/dev/null 2>&1
status=$?
if [ "$status" -eq 134 ]; then  # SIGABRT: the target's invariant check
  echo "still a finding (abort): $(basename "$file")"
  exit 0
fi
echo "$(basename "$file") no longer makes the target abort (exit $status): it is fixed," \
  "move it into the target's seed corpus" >&2
exit 1
