#!/usr/bin/env bash
# Lints the generated man pages (docs/CMakeLists.txt passes their paths):
#   mandoc -T lint -W style   every message fails, style ones included;
#   groff -man -ww -z         any output on stderr fails, for the default device and for
#                             -Tutf8 (the device man(1) uses on a terminal: line breaks,
#                             and so "can't break line" warnings, depend on it);
# and checks that each page is whole: its .TH line, a NAME section, and for
# pixelwarden(8) a section for every subcommand.
# Exit 77 (ctest: skipped) only when a tool is missing: mandoc, groff, or pandoc (then
# the build made no pages).
set -uo pipefail

for tool in mandoc groff; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint_man: $tool not installed (scripts/setup installs it); skipped"
    exit 77
  fi
done
pandoc=${PIXELWARDEN_PANDOC:-}
if [ -z "$pandoc" ] || [[ "$pandoc" == *NOTFOUND ]]; then
  echo "lint_man: pandoc not installed, no man pages were built; skipped"
  exit 77
fi
[ $# -gt 0 ] || { echo "lint_man: no pages given"; exit 1; }

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

for page in "$@"; do
  name=$(basename "$page")
  if [ ! -s "$page" ]; then
    fail "$name: not built (run the build first)"
    continue
  fi
  out=$(mandoc -T lint -W style "$page" 2>&1)
  [ -z "$out" ] || fail "$name: mandoc -T lint:"$'\n'"$out"
  for dev in "" "-Tutf8"; do
    # shellcheck disable=SC2086 # $dev is empty or one word
    out=$(groff -man $dev -ww -z "$page" 2>&1 >/dev/null)
    [ -z "$out" ] || fail "$name: groff -man $dev -ww -z:"$'\n'"$out"
  done
  grep -q '^\.TH "' "$page" || fail "$name: no .TH line"
  grep -q '^\.SH NAME$' "$page" || fail "$name: no NAME section"
done

for page in "$@"; do
  [ "$(basename "$page")" = pixelwarden.8 ] || continue
  for section in "PIXELWARDEN RUN" "PIXELWARDEN FILTER" "PIXELWARDEN RULES CHECK" \
      "PIXELWARDEN RULES TEST" "PIXELWARDEN SCAN" "PIXELWARDEN VERSION" \
      "THE VERDICT JSON" "AUDIT LOG" "METRICS"; do
    grep -q "^\.SH $section\$" "$page" || fail "pixelwarden.8: no section $section"
  done
done

echo "lint_man: $# page(s), $failures failure(s)"
[ "$failures" -eq 0 ]
