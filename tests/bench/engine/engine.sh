# Engine benchmark, sourced by tests/bench/run: pw_engine_bench pinned to CPU 0, with
# the default ruleset and a generated 1,000,000-domain ruleset.
if [[ -x $BIN_ENGINE/pw_engine_bench ]]; then
  echo "== engine: generating the 1M-domain ruleset" >&2
  big=$(need_big_rules)
  echo "### Engine benchmark: engine::inspect(), one core (taskset -c 0), median of 5"
  echo '```'
  echo "\$ taskset -c 0 pw_engine_bench --big-rules $big"
  taskset -c 0 "$BIN_ENGINE/pw_engine_bench" --big-rules "$big"
  echo '```'
else
  echo "### Engine benchmark: SKIPPED (pw_engine_bench does not build yet)"
fi
