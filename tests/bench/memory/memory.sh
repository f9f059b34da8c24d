# Memory benchmark, sourced by tests/bench/run: peak RSS (VmHWM of /proc/PID/status) of
# `pixelwarden run` at rest with the default and the 1M-domain ruleset, then after 64
# concurrent milter connections (pw_milter_loadgen -c 64) sent it 50 KB newsletters.

memory_bench() {
  if [[ ! -x $PW ]]; then
    echo "### Memory benchmark: SKIPPED ($PW does not build yet)"
    return
  fi
  local big name rules t0 t1 ready line
  big=$(need_big_rules)
  echo "### Memory benchmark: pixelwarden run, VmHWM (peak RSS) and VmRSS in MiB"
  printf '| %-9s | %-24s | %8s | %8s | %-28s |\n' ruleset state VmRSS VmHWM note
  printf '|%s|\n' "$(printf '%.0s-' $(seq 1 92))"
  for name in default 1M; do
    rules=$ROOT/rules/default.yaml
    [[ $name == 1M ]] && rules=$big
    t0=$(date +%s.%N)
    start_pixelwarden "mem-$name" "unix:$TMP/mem-$name.sock" "$rules"
    t1=$(date +%s.%N)
    ready=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "ready after %.2f s", b - a}')
    sleep 1
    printf '| %-9s | %-24s | %8s | %8s | %-28s |\n' "$name" "at rest" \
      "$(vm "$LAST_PID" VmRSS)" "$(vm "$LAST_PID" VmHWM)" "$ready"
    line=$("$BIN_MILTER/pw_milter_loadgen" -s "unix:$TMP/mem-$name.sock" -F "$TMP/newsletter.eml" \
             -c 64 -m 3000 -w 1 2>>"$TMP/loadgen.log" || true)
    printf '| %-9s | %-24s | %8s | %8s | %-28s |\n' "$name" "after loadgen -c 64" \
      "$(vm "$LAST_PID" VmRSS)" "$(vm "$LAST_PID" VmHWM)" \
      "$(kv "$line" rate) msgs/s, $(kv "$line" errors) err"
    stop_pid "$LAST_PID"
  done
  echo "Target: RSS <= 150 MB with the 1M-domain ruleset (1M lure domains added to the default)."
}

memory_bench
