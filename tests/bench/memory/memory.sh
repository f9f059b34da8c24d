# Memory benchmark, sourced by tests/bench/run: peak RSS (VmHWM of /proc/PID/status) of
# `pixelwarden run` at rest with the default and the 1M-domain ruleset, then after 64
# concurrent milter connections (pw_milter_loadgen -c 64) sent it 50 KB newsletters.

memory_bench() {
  if [[ ! -x $PW ]]; then
    echo "### Memory benchmark: SKIPPED ($PW does not build yet)"
    return
  fi
  local big name rules t0 t1 ready line rest
  declare -A rest_rss rest_hwm conn_kb
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
    rest=$(vm "$LAST_PID" VmRSS)
    printf '| %-9s | %-24s | %8s | %8s | %-28s |\n' "$name" "at rest" \
      "$(vm "$LAST_PID" VmRSS)" "$(vm "$LAST_PID" VmHWM)" "$ready"
    line=$("$BIN_MILTER/pw_milter_loadgen" -s "unix:$TMP/mem-$name.sock" -F "$TMP/newsletter.eml" \
             -c 64 -m 3000 -w 1 2>>"$TMP/loadgen.log" || true)
    printf '| %-9s | %-24s | %8s | %8s | %-28s |\n' "$name" "after loadgen -c 64" \
      "$(vm "$LAST_PID" VmRSS)" "$(vm "$LAST_PID" VmHWM)" \
      "$(kv "$line" rate) msgs/s, $(kv "$line" errors) err"
    rest_rss[$name]=$rest
    rest_hwm[$name]=$(vm "$LAST_PID" VmHWM)
    conn_kb[$name]=$(awk -v a="$(vm "$LAST_PID" VmRSS)" -v b="$rest" 'BEGIN {printf "%.0f", (a - b) * 1024 / 64}')
    stop_pid "$LAST_PID"
  done
  echo "Per connection (VmRSS after 64 connections minus VmRSS at rest, / 64): default ${conn_kb[default]} KiB, 1M ${conn_kb[1M]} KiB;"
  echo "per ruleset: the 1M-domain ruleset adds $(awk -v a="${rest_rss[1M]}" -v b="${rest_rss[default]}" 'BEGIN {printf "%.1f", a - b}') MiB of VmRSS at rest over the default (peak while loading: VmHWM above)."
  echo "Target: RSS <= 150 MB with the 1M-domain ruleset (1M lure domains added to the default)."
}

memory_bench
