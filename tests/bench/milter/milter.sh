# Milter benchmark, sourced by tests/bench/run (uses its helpers and variables).
# pw_milter_loadgen (16 connections, 50 KB newsletter, Postfix-like protocol) against
# `pixelwarden run` and three no-op libmilter floors, each over a unix and a TCP
# socket; ROUNDS interleaved rounds, medians.

# Runs named NAME-clean use NAME's filter with the clean newsletter (the same newsletter
# without its three pixels: nothing to rewrite): pixelwarden's clean mail against the
# no-reply no-op floor, its rewritten mail against the no-reply no-op that replaces the
# body once (noop-noreply-replbody), both in the same interleaved rounds.

# start_pixelwarden_daemons TRANSPORT: (re)starts the pixelwarden daemons that
# milter_bench compares (its `filters` and `names` not starting with noop-, and clean
# mail's own daemon), recording them in its `specs` and `pids`. A restarted daemon gets a
# fresh socket and serves PW_BENCH_WARMUP messages of its own mail before it is measured.
# PW_BENCH_FRESH=1 restarts them every round, so that what one process happens to be
# (memory layout, thread and cache placement) varies from round to round and averages
# out, instead of being in every round of a comparison (tests/bench/README.md).
start_pixelwarden_daemons() {
  local t=$1 n spec msg
  for n in "${filters[@]}" pixelwarden-clean; do
    case $n in
      pixelwarden | pw-twin | pw-noaudit | pw-baseline | pw-baseline-noaudit | pixelwarden-clean) ;;
      *) continue ;;
    esac
    [[ $n == pixelwarden-clean && ! -x $PW ]] && continue
    if [[ -n ${pids[$n.$t]:-} ]]; then
      stop_pid "${pids[$n.$t]}"
      [[ $t == unix ]] && rm -f "$TMP/$n.sock"
    fi
    if [[ $t == unix ]]; then spec="unix:$TMP/$n.sock"; else spec="inet:$(free_port)@127.0.0.1"; fi
    case $n in
      pixelwarden) start_pixelwarden "pw-$t" "$spec" "$ROOT/rules/default.yaml" "$PW" "sample_rate: 1" ;;
      pw-twin) start_pixelwarden "pw-twin-$t" "$spec" "$ROOT/rules/default.yaml" "$PW" "sample_rate: 1" ;;
      pw-noaudit) PW_BENCH_AUDIT=0 start_pixelwarden "pw-noaudit-$t" "$spec" "$ROOT/rules/default.yaml" "$PW" ;;
      pw-baseline) start_pixelwarden "pw-base-$t" "$spec" "${PW_BENCH_BASELINE_RULES:-$ROOT/rules/default.yaml}" "$PW_BENCH_BASELINE" ;;
      pw-baseline-noaudit) PW_BENCH_AUDIT=0 start_pixelwarden "pw-base-noaudit-$t" "$spec" "${PW_BENCH_BASELINE_RULES:-$ROOT/rules/default.yaml}" "$PW_BENCH_BASELINE" ;;
      # Clean mail gets a pixelwarden daemon of its own. Sharing one with the newsletter
      # rows made that daemon about 2% slower than an identical daemon that served only
      # the newsletter (measured with pw-twin, 16 rounds), which skewed every comparison
      # made with the pixelwarden row, the audit cost included.
      pixelwarden-clean) start_pixelwarden "pw-clean-$t" "$spec" "$ROOT/rules/default.yaml" "$PW" "sample_rate: 1" ;;
    esac || return 1
    specs[$n.$t]=$spec
    pids[$n.$t]=$LAST_PID
    if [[ ${PW_BENCH_FRESH:-0} == 1 ]]; then
      msg=$TMP/newsletter.eml
      [[ $n == *-clean ]] && msg=$TMP/clean.eml
      "$BIN_MILTER/pw_milter_loadgen" -s "$spec" -F "$msg" -c 16 -m "${PW_BENCH_WARMUP:-500}" -w 2 \
        >/dev/null 2>>"$TMP/loadgen.log" || true
    fi
  done
}

milter_bench() {
  local filters=(noop-plain noop-replbody noop-replbody-nd noop-noreply noop-noreply-replbody pixelwarden)
  [[ -x $PW ]] || { filters=(noop-plain noop-replbody noop-replbody-nd noop-noreply noop-noreply-replbody); echo "NOTE: $PW not built: pixelwarden rows skipped"; }
  # With the audit log on, the same binary without it too: what the audit line costs,
  # apart from what the engine costs, in the same rounds.
  [[ -x $PW && ${PW_BENCH_AUDIT:-0} == 1 ]] && filters+=(pw-noaudit)
  [[ -n ${PW_BENCH_BASELINE:-} ]] && filters+=(pw-baseline)
  # With the audit log on, the baseline without it too: the baseline's own audit line
  # costs what it costs, so the two lines' costs can be compared round by round.
  [[ -n ${PW_BENCH_BASELINE:-} && ${PW_BENCH_AUDIT:-0} == 1 ]] && filters+=(pw-baseline-noaudit)
  # PW_BENCH_NOISE=1: a second daemon identical to pixelwarden (same binary, config and
  # audit log), so that the run measures its own noise band: what two identical daemons
  # differ by in the same rounds.
  [[ -x $PW && ${PW_BENCH_NOISE:-0} == 1 ]] && filters+=(pw-twin)
  local names=("${filters[@]}" noop-noreply-clean)
  [[ -x $PW ]] && names+=(pixelwarden-clean)
  local transports=(unix inet) t n spec round line msg c0 c1
  declare -A specs pids
  for t in "${transports[@]}"; do
    for n in "${filters[@]}"; do
      [[ $n == noop-* ]] || continue
      if [[ $t == unix ]]; then spec="unix:$TMP/$n.sock"; else spec="inet:$(free_port)@127.0.0.1"; fi
      specs[$n.$t]=$spec
      case $n in
        noop-replbody-nd) start_noop "$n.$t" "$spec" replbody -N 1 ;;
        noop-*) start_noop "$n.$t" "$spec" "${n#noop-}" ;;
      esac
      pids[$n.$t]=$LAST_PID
    done
    specs[noop-noreply-clean.$t]=${specs[noop-noreply.$t]}
    pids[noop-noreply-clean.$t]=${pids[noop-noreply.$t]}
    start_pixelwarden_daemons "$t" || return 1
  done
  echo "== milter: pw_milter_loadgen -c 16 -m $MSGS -w 2 -F newsletter.eml ($(wc -c <"$TMP/newsletter.eml") bytes, 3 trackers), $ROUNDS interleaved rounds${PW_BENCH_FRESH:+ (PW_BENCH_FRESH=$PW_BENCH_FRESH: 1 restarts the pixelwarden daemons every round)}" >&2
  local order=()
  for round in $(seq 1 "$ROUNDS"); do
    if [[ ${PW_BENCH_FRESH:-0} == 1 ]] && (( round > 1 )); then
      for t in "${transports[@]}"; do start_pixelwarden_daemons "$t" || return 1; done
    fi
    # pixelwarden and the daemons compared with it in pairs (pw-noaudit, pw-twin, pw-baseline...) run
    # back to back, their order reversed every other round, so that none always follows
    # another (an order bias of ~1% was seen).
    order=("${names[@]}")
    if (( round % 2 == 0 )); then
      local group=() reversed=() i=0
      for n in "${names[@]}"; do paired_row "$n" && group+=("$n"); done
      for (( i = ${#group[@]} - 1; i >= 0; i-- )); do reversed+=("${group[$i]}"); done
      order=(); i=0
      for n in "${names[@]}"; do
        if paired_row "$n"; then order+=("${reversed[$i]}"); i=$((i + 1)); else order+=("$n"); fi
      done
    fi
    for t in "${transports[@]}"; do
      for n in "${order[@]}"; do
        msg=$TMP/newsletter.eml
        [[ $n == *-clean ]] && msg=$TMP/clean.eml
        c0=$(cpu_ticks "${pids[$n.$t]}")
        line=$("$BIN_MILTER/pw_milter_loadgen" -s "${specs[$n.$t]}" -F "$msg" \
                 -c 16 -m "$MSGS" -w 2 2>>"$TMP/loadgen.log" || true)
        c1=$(cpu_ticks "${pids[$n.$t]}")
        # The filter's own CPU per message (user + system, warm-up included): steadier
        # than msgs/s, which the load generator's share of the 2 cores also moves.
        line+=" cpu_us=$(( (c1 - c0) * 1000000 / CLK_TCK / (MSGS + 2 * 16) ))"
        echo "$round $t $n $line" >>"$TMP/milter.results"
        echo "  round $round $t $n: $line" >&2
      done
    done
  done
  echo "### Milter benchmark: 16 connections, 50 KB newsletter, medians of $ROUNDS runs of $MSGS messages"
  echo "Latency: end of body sent -> final reply (p50/p99/p999), and from the first header sent"
  echo "-> final reply (c_p99, what a client waits after its final dot through Postfix). Floor:"
  echo "noop-plain on the same socket type."
  printf '| %-6s | %-21s | %8s | %8s | %8s | %8s | %8s | %7s | %10s | %11s | %8s | %6s |\n' \
    socket milter msgs/s p50_ms p99_ms p999_ms c_p99_ms x_floor p99_added c_p99_added replbody errors
  printf '|%s|\n' "$(printf '%.0s-' $(seq 1 138))"
  local rate p50 p99 p999 c99 frate fp99 fc99 rb err
  for t in "${transports[@]}"; do
    frate=$(milter_median "$t" noop-plain rate)
    fp99=$(milter_median "$t" noop-plain p99_us)
    fc99=$(milter_median "$t" noop-plain content_p99_us)
    for n in "${names[@]}"; do
      rate=$(milter_median "$t" "$n" rate)
      p50=$(milter_median "$t" "$n" p50_us)
      p99=$(milter_median "$t" "$n" p99_us)
      p999=$(milter_median "$t" "$n" p999_us)
      c99=$(milter_median "$t" "$n" content_p99_us)
      rb=$(milter_median "$t" "$n" replbody_msgs)
      err=$(awk -v t="$t" -v n="$n" '$2==t && $3==n' "$TMP/milter.results" |
            sed -n 's/.*errors=\([0-9]*\).*/\1/p' | awk '{s+=$1} END {print s+0}')
      printf '| %-6s | %-21s | %8.0f | %8.2f | %8.2f | %8.2f | %8.2f | %7s | %10s | %11s | %8s | %6s |\n' \
        "$t" "$n" "$rate" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$p999")" "$(ms "$c99")" \
        "$(ratio "$rate" "$frate")" "$(added_ms "$p99" "$fp99")" "$(added_ms "$c99" "$fc99")" \
        "$rb" "$err"
    done
  done
  local pw fl
  for t in "${transports[@]}"; do
    [[ -x $PW ]] || break
    pw=$(milter_median "$t" pixelwarden rate); fl=$(milter_median "$t" noop-noreply-replbody rate)
    target_line "milter $t rewritten mail: pixelwarden / noop-noreply-replbody" "$pw" "$fl" 0.97 "(load generator, not through Postfix; the target is judged end to end)"
    pw=$(milter_median "$t" pixelwarden-clean rate); fl=$(milter_median "$t" noop-noreply-clean rate)
    target_line "milter $t clean mail: pixelwarden-clean / noop-noreply-clean" "$pw" "$fl" 0.97 "(load generator, not through Postfix; the target is judged end to end)"
  done
  for t in "${transports[@]}"; do
    pw=$(milter_median "$t" pixelwarden rate)
    if [[ " ${names[*]} " == *" pw-noaudit "* ]]; then
      target_line "milter $t: pixelwarden (audit line per message) / pw-noaudit (same binary, no audit log)" "$pw" "$(milter_median "$t" pw-noaudit rate)" 0.97 "(audit cost)"
      awk -v t="$t" -v a="$(milter_median "$t" pixelwarden cpu_us)" -v b="$(milter_median "$t" pw-noaudit cpu_us)" -v r="$(paired_ratios "$t" pixelwarden pw-noaudit 0.97)" 'BEGIN {
        printf "(audit cost) milter %s: daemon CPU per message %d us with the audit line, %d us without (%+.1f%%); msgs/s ratio per round (paired runs): %s\n", t, a, b, (b > 0 ? (a - b) * 100 / b : 0), r }'
    fi
    if [[ " ${names[*]} " == *" pw-twin "* ]]; then
      awk -v t="$t" -v a="$pw" -v b="$(milter_median "$t" pw-twin rate)" -v r="$(paired_ratios "$t" pixelwarden pw-twin)" 'BEGIN {
        printf "(noise band) milter %s: pixelwarden / pw-twin (two identical daemons): %.1f / %.1f = %.3f; msgs/s ratio per round (paired runs): %s\n", t, a, b, (b > 0 ? a / b : 0), r }'
    fi
    if [[ " ${names[*]} " == *" pw-baseline "* ]]; then
      target_line "milter $t: pixelwarden / pw-baseline ($PW_BENCH_BASELINE)" "$pw" "$(milter_median "$t" pw-baseline rate)" 0.97
      awk -v t="$t" -v r="$(paired_ratios "$t" pixelwarden pw-baseline 0.97)" 'BEGIN {
        printf "(baseline) milter %s: pixelwarden / pw-baseline, msgs/s ratio per round (paired runs): %s\n", t, r }'
    fi
    if [[ " ${names[*]} " == *" pw-baseline-noaudit "* && " ${names[*]} " == *" pw-noaudit "* ]]; then
      # What the audit line costs now against what the baseline's line cost it, each
      # daemon against itself without an audit log: (pw / pw-noaudit) / (base / base-noaudit).
      awk -v t="$t" -v r="$(paired_ratios "$t" pw-baseline pw-baseline-noaudit)" 'BEGIN {
        printf "(baseline audit cost) milter %s: pw-baseline / pw-baseline-noaudit, msgs/s ratio per round (paired runs): %s\n", t, r }'
      awk -v t="$t" -v r="$(paired_ratios "$t" pixelwarden pw-noaudit 0.97 pw-baseline pw-baseline-noaudit)" 'BEGIN {
        printf "(audit cost against the baseline'"'"'s line) milter %s: (pixelwarden / pw-noaudit) / (pw-baseline / pw-baseline-noaudit), per round: %s\n", t, r }'
    fi
  done
  echo "Spread of pixelwarden's and its floors' msgs/s over the rounds (min-max):"
  for t in "${transports[@]}"; do
    for n in noop-noreply noop-noreply-replbody pixelwarden noop-noreply-clean pixelwarden-clean pw-noaudit pw-twin pw-baseline pw-baseline-noaudit; do
      [[ " ${names[*]} " == *" $n "* ]] || continue
      echo "  $t $n: $(milter_spread "$t" "$n")"
    done
  done
  echo "Older target: pixelwarden msgs/s >= 1.00 x noop-plain. Latency here is at saturation, where it is"
  echo "queueing set by msgs/s; the p99 target is judged at a fixed load (next table). replbody = messages"
  echo "per run that got a body replacement (the 3 trackers must be rewritten: $MSGS expected for pixelwarden)."
  [[ -x $PW ]] && echo "pixelwarden metrics (both sockets, warm-up included): messages $(( $(pw_metric pw-unix pixelwarden_messages_total) + $(pw_metric pw-inet pixelwarden_messages_total) )), modified $(( $(pw_metric pw-unix pixelwarden_messages_modified_total) + $(pw_metric pw-inet pixelwarden_messages_modified_total) ))."
  echo "noop-replbody-nd = noop-replbody with TCP_NODELAY set on its listening socket (same on unix)."
  milter_paced_bench
}

# The same 16 connections paced at half the floor's saturated rate (loadgen -r, open
# loop): every milter gets the same offered load, so the latency difference is what a
# milter adds to a message. At saturation, latency is queueing (Little's law: 16
# connections / msgs/s), and a no-reply milter's client waits at end of message for
# work a lockstep one spreads over every step. For the same reason pixelwarden's p99 is
# compared with the no-op filter that negotiates what it negotiates (no replies to
# headers and body, so their transfer falls after the final write of the message as it
# does for pixelwarden; the body replaced once for rewritten mail): the difference is
# pixelwarden's own work. noop-plain, the lockstep no-op, stays in the table as the
# reference of a message with nothing after its end but the final reply.
milter_paced_bench() {
  local names=(noop-plain noop-noreply-replbody pixelwarden noop-noreply-clean pixelwarden-clean)
  local t n round line before msg
  [[ -x $PW ]] || return 0
  declare -A rates
  for t in unix inet; do
    rates[$t]=$(awk -v r="$(milter_median "$t" noop-plain rate)" 'BEGIN {printf "%d", r / 2}')
  done
  echo "== milter paced: pw_milter_loadgen -c 16 -m $MSGS -r (half the floor's msgs/s), $ROUNDS interleaved rounds" >&2
  for round in $(seq 1 "$ROUNDS"); do
    for t in unix inet; do
      for n in "${names[@]}"; do
        msg=$TMP/newsletter.eml
        [[ $n == *-clean ]] && msg=$TMP/clean.eml
        before=""
        [[ $n == pixelwarden* ]] && before=$(pw_duration_buckets "$(paced_instance "$n" "$t")")
        line=$("$BIN_MILTER/pw_milter_loadgen" -s "${specs[$n.$t]}" -F "$msg" \
                 -c 16 -m "$MSGS" -w 2 -r "${rates[$t]}" 2>>"$TMP/loadgen.log" || true)
        # The daemon's own time per message over the same run (its histogram's change).
        [[ -n $before ]] && line+=" $(duration_between "$before" "$(pw_duration_buckets "$(paced_instance "$n" "$t")")")"
        echo "$round $t $n $line" >>"$TMP/milter.paced"
        echo "  paced round $round $t $n: $line" >&2
      done
    done
  done
  echo
  echo "### Milter latency at a fixed load: 16 connections paced at half the floor's msgs/s, medians of $ROUNDS runs"
  echo "p99_added: p99 minus the p99 of the row's floor (pixelwarden: noop-noreply-replbody;"
  echo "pixelwarden-clean: noop-noreply-clean; the no-reply no-ops: noop-plain). vs_plain: p99"
  echo "minus noop-plain's p99."
  printf '| %-6s | %-21s | %-21s | %8s | %8s | %8s | %8s | %8s | %10s | %9s | %5s |\n' \
    socket milter floor offered p50_ms p99_ms p999_ms c_p99_ms p99_added vs_plain late
  printf '|%s|\n' "$(printf '%.0s-' $(seq 1 141))"
  local p50 p99 p999 c99 fp99 pp99 late floor
  for t in unix inet; do
    pp99=$(paced_median "$t" noop-plain p99_us)
    for n in "${names[@]}"; do
      floor=$(paced_floor "$n")
      fp99=$(paced_median "$t" "$floor" p99_us)
      p50=$(paced_median "$t" "$n" p50_us)
      p99=$(paced_median "$t" "$n" p99_us)
      p999=$(paced_median "$t" "$n" p999_us)
      c99=$(paced_median "$t" "$n" content_p99_us)
      late=$(paced_median "$t" "$n" late)
      printf '| %-6s | %-21s | %-21s | %8s | %8.2f | %8.2f | %8.2f | %8.2f | %10s | %9s | %5s |\n' \
        "$t" "$n" "$floor" "${rates[$t]}" "$(ms "$p50")" "$(ms "$p99")" "$(ms "$p999")" "$(ms "$c99")" \
        "$(added_ms "$p99" "$fp99")" "$(added_ms "$p99" "$pp99")" "$late"
    done
  done
  local what
  for t in unix inet; do
    for n in pixelwarden pixelwarden-clean; do
      what="rewritten mail"
      [[ $n == pixelwarden-clean ]] && what="clean mail"
      target_le "milter $t p99 added at half the floor's load, $what ($n - $(paced_floor "$n"), ms)" \
        "$(awk -v a="$(paced_median "$t" "$n" p99_us)" -v b="$(paced_median "$t" "$(paced_floor "$n")" p99_us)" 'BEGIN {printf "%.2f", (a - b) / 1000}')" 1.00
    done
  done
  echo "Target: p99 added <= +1.00 ms (end of body -> final reply) over the floor of the same"
  echo "protocol. offered = msgs/s asked of the load generator; late = messages started more"
  echo "than one interval behind schedule (0: the milter kept up)."
  local spread=()
  for t in unix inet; do
    for n in "${names[@]}"; do spread+=("$t $n $(paced_spread "$t" "$n" p99_us)"); done
  done
  echo "Spread of p99 over the rounds, ms (min-max): $(IFS=';'; echo "${spread[*]}" | sed 's/;/; /g')"
  # Where pixelwarden's tail is: inside the daemon (end of message to decision, its own
  # histogram) or around it (libmilter handing the session to a worker, the socket, the
  # cores the load generator shares).
  local in99 over
  for t in unix inet; do
    for n in pixelwarden pixelwarden-clean; do
      in99=$(paced_median "$t" "$n" in_p99_ms)
      over=$(paced_median "$t" "$n" over_1ms_pct)
      [[ -n $in99 && $in99 != 0 ]] || continue
      echo "$n $t, inside the daemon (pixelwarden_message_duration_seconds over each paced run, medians):" \
        "p99 <= $in99 ms (histogram bucket), $over% of messages over 1 ms; the load generator's p99 $(awk -v v="$(paced_median "$t" "$n" p99_us)" 'BEGIN {printf "%.2f", v / 1000}') ms"
    done
  done
  # How busy each filter is at that load: the offered msgs/s against the filter's own
  # saturated msgs/s in the same run (the first table). The cores are shared with the
  # load generator, so a tail at the fixed load grows with this share (queueing), not
  # with anything a single message does.
  local share
  for t in unix inet; do
    share=()
    for n in "${names[@]}"; do
      share+=("$n $(awk -v o="${rates[$t]}" -v s="$(milter_median "$t" "$n" rate)" 'BEGIN {printf "%.0f%% (%.0f msgs/s)", (s > 0 ? 100 * o / s : 0), s}')")
    done
    echo "$t: the fixed load (${rates[$t]} msgs/s) as a share of each filter's own saturated msgs/s in this run: $(IFS=';'; echo "${share[*]}" | sed 's/;/; /g')"
  done
}

# paced_floor NAME: the row a paced row's p99 is compared with (the same protocol, no work).
paced_floor() {
  case $1 in
    pixelwarden) echo noop-noreply-replbody ;;
    pixelwarden-clean) echo noop-noreply-clean ;;
    *) echo noop-plain ;;
  esac
}

# paced_instance NAME TRANSPORT: the start_pixelwarden instance name behind a paced row.
paced_instance() {
  case $1 in
    pixelwarden) echo "pw-$2" ;;
    pixelwarden-clean) echo "pw-clean-$2" ;;
  esac
}

# paced_spread TRANSPORT NAME KEY: min-max of KEY (microseconds) over the rounds, in ms.
paced_spread() {
  awk -v t="$1" -v n="$2" '$2==t && $3==n' "$TMP/milter.paced" |
    while read -r line; do kv "$line" "$3"; done | sort -g |
    awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.2f-%.2f", lo / 1000, hi / 1000}'
}

paced_median() {
  awk -v t="$1" -v n="$2" '$2==t && $3==n' "$TMP/milter.paced" |
    while read -r line; do kv "$line" "$3"; done | median
}

ms() { awk -v v="$1" 'BEGIN {print v / 1000}'; }
added_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", (a - b) / 1000}'; }

# cpu_ticks PID: user + system clock ticks the process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
CLK_TCK=$(getconf CLK_TCK)

# paired_ratios TRANSPORT A B [TARGET [C D]]: A's msgs/s / B's in each round (with C and
# D: (A / B) / (C / D), B and D the same daemons as A and C without something), sorted,
# their median, and a 95% interval for the median that assumes nothing of the
# distribution (order statistics k and n-k+1, k the largest with P(Binomial(n, 1/2) <=
# k-1) <= 2.5%; 6 rounds at least). With TARGET: whether the interval decides "median >=
# TARGET".
paired_ratios() {
  awk -v t="$1" -v a="$2" -v b="$3" -v c="${5:-}" -v d="${6:-}" '$2 == t && ($3 == a || $3 == b || $3 == c || $3 == d) {
      for (i = 4; i <= NF; i++) if ($i ~ /^rate=/) { v[$1, $3] = substr($i, 6); rounds[$1] = 1 } }
    END {
      for (r in rounds) {
        if (!(v[r, b] > 0)) continue
        x = v[r, a] / v[r, b]
        if (c != "") { if (!(v[r, c] > 0 && v[r, d] > 0)) continue; x = x / (v[r, c] / v[r, d]) }
        printf "%.3f\n", x
      }
    }' "$TMP/milter.results" |
    sort -g | awk -v target="${4:-}" '{v[NR] = $1; s = s (NR > 1 ? " " : "") $1}
    END {
      if (!NR) exit
      n = NR; k = 0; c = 0; p = 0.5 ^ n
      for (j = 0; j < n; j++) { c += p; if (c > 0.025) break; k = j + 1; p = p * (n - j) / (j + 1) }
      printf "%s (median %s", s, v[int((n + 1) / 2)]
      if (k == 0) { printf "; too few rounds for a 95%% interval)"; exit }
      lo = v[k]; hi = v[n - k + 1]
      printf "; 95%% interval of the median %s-%s", lo, hi
      if (target != "") {
        if (lo + 0 >= target + 0) printf ": >= %s decided, met", target
        else if (hi + 0 < target + 0) printf ": >= %s decided, NOT met", target
        else printf ": >= %s not decided by this run", target
      }
      printf ")"
    }'
}

# paired_row NAME: whether NAME runs next to pixelwarden in every round (the daemons
# compared with it round by round), in an order reversed every other round.
paired_row() {
  case $1 in pixelwarden | pw-noaudit | pw-twin | pw-baseline | pw-baseline-noaudit) return 0 ;; esac
  return 1
}

# milter_spread TRANSPORT NAME: min-max of msgs/s over the rounds.
milter_spread() {
  awk -v t="$1" -v n="$2" '$2==t && $3==n' "$TMP/milter.results" |
    while read -r line; do kv "$line" rate; done | sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.0f-%.0f", lo, hi}'
}

# milter_median TRANSPORT NAME KEY: median of KEY over the rounds.
milter_median() {
  awk -v t="$1" -v n="$2" '$2==t && $3==n' "$TMP/milter.results" |
    while read -r line; do kv "$line" "$3"; done | median
}

milter_bench
