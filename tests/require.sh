#!/bin/sh
# require.sh [--root] [TOOL...] -- COMMAND [ARG...]
# Runs COMMAND when this machine has what it needs (root, each TOOL on the PATH);
# otherwise says what is missing and exits 77, which ctest reports as skipped
# (SKIP_RETURN_CODE 77, set on every test by tests/CMakeLists.txt). A skip is never a
# pass: scripts/test fails when any test was skipped.
missing=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  if [ "$1" = "--root" ]; then
    [ "$(id -u)" -eq 0 ] || missing="$missing root"
  elif ! command -v "$1" >/dev/null 2>&1; then
    missing="$missing $1"
  fi
  shift
done
if [ $# -eq 0 ]; then
  echo "usage: require.sh [--root] [TOOL...] -- COMMAND [ARG...]" >&2
  exit 2
fi
shift
if [ -n "$missing" ]; then
  echo "SKIPPED: needs$missing (scripts/setup installs the tools; run as root)" >&2
  exit 77
fi
exec "$@"
