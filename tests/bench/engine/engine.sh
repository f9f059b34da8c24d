# Engine benchmark, sourced by tests/bench/run: pw_engine_bench pinned to CPU 0, with
# the default ruleset and a generated 1,000,000-domain ruleset.
if [[ -x $BIN_ENGINE/pw_engine_bench ]]; then
  echo "== engine: generating the 1M-domain ruleset" >&2
  big=$(need_big_rules)
  echo "### Engine benchmark: engine::inspect(), one core (taskset -c 0), median of 5"
  echo '```'
  echo "\$ GLIBC_TUNABLES=$SERVICE_TUNABLES taskset -c 0 pw_engine_bench --big-rules $big"
  GLIBC_TUNABLES=$SERVICE_TUNABLES taskset -c 0 "$BIN_ENGINE/pw_engine_bench" --big-rules "$big" ${PW_BENCH_CORPUS:+--corpus "$PW_BENCH_CORPUS"}
  echo '```'
else
  echo "### Engine benchmark: SKIPPED (pw_engine_bench does not build yet)"
fi

# Linearity: each engine stage at S, 2S and 4S (thread CPU time, median of 5, the sizes
# taking turns). First with the allocator setting the service runs with (the systemd
# unit, the image: $SERVICE_TUNABLES), the target's table; then with glibc's defaults,
# where a stage whose buffers glibc maps fresh for every call pays a page fault per
# 4 KiB (the faults column), reported to show what the setting buys.
if [[ -x $BIN_ENGINE/pw_stage_bench ]]; then
  echo
  echo "### Engine stages: CPU time per input size (each doubling should cost <= 2.2x), as the service runs"
  echo "\$ GLIBC_TUNABLES=$SERVICE_TUNABLES taskset -c 0 pw_stage_bench --size ${PW_BENCH_STAGE_SIZE:-4194304} --runs 5"
  GLIBC_TUNABLES=$SERVICE_TUNABLES taskset -c 0 "$BIN_ENGINE/pw_stage_bench" \
    --size "${PW_BENCH_STAGE_SIZE:-4194304}" --runs 5 || true
  echo
  echo "### Engine stages with glibc's default allocator settings (for comparison)"
  echo "\$ GLIBC_TUNABLES= taskset -c 0 pw_stage_bench --size ${PW_BENCH_STAGE_SIZE:-4194304} --runs 5"
  GLIBC_TUNABLES= taskset -c 0 "$BIN_ENGINE/pw_stage_bench" \
    --size "${PW_BENCH_STAGE_SIZE:-4194304}" --runs 5 || true
  # The same stages inside the caches: what is over the target above but linear here,
  # with page faults or a memory-bound loop at the larger sizes, is the memory system's.
  echo
  echo "### Engine stages, cache-resident sizes (256 KB to 1 MB), median of 9"
  echo "\$ taskset -c 0 pw_stage_bench --size 262144 --runs 9"
  taskset -c 0 "$BIN_ENGINE/pw_stage_bench" --size 262144 --runs 9 || true
else
  echo "### Engine stages: SKIPPED (pw_stage_bench does not build yet)"
fi

# Capacity: CPU per message against message size and tracker count (docs/capacity.md).
if [[ -x $BIN_ENGINE/pw_stage_bench ]]; then
  echo
  echo "### Capacity: engine::inspect() CPU per message, one core, median of 5"
  echo "\$ taskset -c 0 pw_stage_bench --capacity 1 --runs 5"
  taskset -c 0 "$BIN_ENGINE/pw_stage_bench" --capacity 1 --runs 5 || true
  # The same with the caches emptied before each message (PW_BENCH_EVICT bytes written
  # first, untimed; default 64 MiB, past the last-level cache of the machines measured):
  # what a message costs when the MTA's processes ran in between, as through Postfix.
  evict=${PW_BENCH_EVICT:-67108864}
  echo
  echo "### Capacity, caches evicted before each message: median of 5 samples of 20 messages"
  echo "\$ taskset -c 0 pw_stage_bench --capacity 1 --runs 5 --evict $evict"
  taskset -c 0 "$BIN_ENGINE/pw_stage_bench" --capacity 1 --runs 5 --evict "$evict" || true
fi
