# Ruleset benchmark, sourced by tests/bench/run: bench_ruleset with 1,000,000 lure
# domains and 10,000 URL patterns (load and compile, a reload whose patterns did not
# change, URL scans against the patterns), with the targets.
BIN_RULESET=$BUILD/tests/bench/ruleset/bench_ruleset
if [[ -x $BIN_RULESET ]]; then
  echo "### Ruleset benchmark: 1,000,000 domains + 10,000 URL patterns"
  echo "\$ bench_ruleset 1000000 10000"
  out=$("$BIN_RULESET" 1000000 10000)
  echo '```'
  echo "$out"
  echo '```'
  load_wall=$(sed -n 's/^load+compile: \([0-9.]*\) s wall.*/\1/p' <<<"$out")
  reload_wall=$(sed -n 's/^reload, patterns unchanged: \([0-9.]*\) s wall.*/\1/p' <<<"$out")
  scans_cpu=$(sed -n 's/.*wall, \([0-9]*\) urls per CPU second.*/\1/p' <<<"$out")
  target_le "compile of 1M domains + 10k patterns (s, wall; CPU above)" "$load_wall" 3
  target_le "reload with unchanged patterns (s, wall)" "$reload_wall" 1
  target_line "URL scans per CPU second against 10k patterns" "$scans_cpu" 1000000 1
  echo "(Wall times need a quiet machine: compare them with the CPU times printed above.)"
else
  echo "### Ruleset benchmark: SKIPPED (bench_ruleset does not build)"
fi
