#!/bin/sh
# needs.sh TOOL... -- COMMAND...: runs COMMAND as root when every TOOL is installed;
# otherwise exits 77 (ctest: skipped) saying what is missing.
missing=""
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  command -v "$1" >/dev/null 2>&1 || missing="$missing $1"
  shift
done
shift
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: needs root" >&2
  exit 77
fi
if [ -n "$missing" ]; then
  echo "skipped: not installed:$missing (scripts/setup installs them)" >&2
  exit 77
fi
exec "$@"
