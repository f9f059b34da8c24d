#pragma once
// Process metrics in the names of the Prometheus client guidelines, read from /proc at
// scrape time (prometheus-cpp 1.0 has none): process_resident_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_start_time_seconds.
//
// The parsers are pure functions over the file contents so they are tested with
// literal inputs; process_metrics() does the reading. A file that cannot be read or
// parsed leaves its metric out rather than exporting a wrong value.

#include <prometheus/metric_family.h>

#include <optional>
#include <string_view>
#include <vector>

namespace pixelwarden::observe {

struct ProcStat {
  double cpu_seconds = 0;       // utime + stime
  double start_after_boot = 0;  // seconds after boot
  double resident_bytes = 0;    // rss pages * page size
};

// Parses /proc/<pid>/stat. The comm field may hold spaces and parentheses, so the
// fields are counted from the last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text, long ticks_per_second,
                                        long page_size);

// The `btime` line of /proc/stat: boot time in seconds since the epoch.
std::optional<double> parse_boot_time(std::string_view proc_stat);

// The families for this process, now.
std::vector<prometheus::MetricFamily> process_metrics();

}  // namespace pixelwarden::observe
