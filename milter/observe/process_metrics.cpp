#include "observe/process_metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace pixelwarden::observe {
namespace {

// /proc gives integers only here.
std::optional<double> to_number(std::string_view s) {
  long long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return static_cast<double>(value);
}

// Splits on single spaces (the /proc/<pid>/stat format).
std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    std::size_t space = s.find(' ');
    if (space != 0) out.push_back(s.substr(0, space));
    if (space == std::string_view::npos) break;
    s.remove_prefix(space + 1);
  }
  return out;
}

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::optional<double> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count - 1;  // the descriptor opendir itself holds
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  f.metric.push_back(std::move(metric));
  return f;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text, long ticks_per_second,
                                        long page_size) {
  std::size_t paren = text.rfind(')');
  if (paren == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  text.remove_prefix(paren + 1);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::vector<std::string_view> f = fields(text);
  // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22, rss 24.
  if (f.size() < 22) return std::nullopt;
  auto utime = to_number(f[11]);
  auto stime = to_number(f[12]);
  auto start = to_number(f[19]);
  auto rss = to_number(f[21]);
  if (!utime || !stime || !start || !rss) return std::nullopt;
  auto ticks = static_cast<double>(ticks_per_second);
  return ProcStat{(*utime + *stime) / ticks, *start / ticks, *rss * static_cast<double>(page_size)};
}

std::optional<double> parse_boot_time(std::string_view proc_stat) {
  std::size_t pos = 0;
  while (pos < proc_stat.size()) {
    std::size_t end = proc_stat.find('\n', pos);
    if (end == std::string_view::npos) end = proc_stat.size();
    std::string_view line = proc_stat.substr(pos, end - pos);
    if (line.substr(0, 6) == "btime ") return to_number(line.substr(6));
    pos = end + 1;
  }
  return std::nullopt;
}

std::vector<prometheus::MetricFamily> process_metrics() {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  auto self = read_file("/proc/self/stat");
  auto system = read_file("/proc/stat");
  std::optional<ProcStat> stat;
  if (self) stat = parse_proc_stat(*self, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
  if (stat) {
    out.push_back(family("process_cpu_seconds_total",
                         "Total user and system CPU time spent in seconds.", MetricType::Counter,
                         stat->cpu_seconds));
    out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                         MetricType::Gauge, stat->resident_bytes));
    std::optional<double> boot = system ? parse_boot_time(*system) : std::nullopt;
    if (boot) {
      out.push_back(family("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           MetricType::Gauge, *boot + stat->start_after_boot));
    }
  }
  if (auto fds = count_open_fds()) {
    out.push_back(
        family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, *fds));
  }
  return out;
}

}  // namespace pixelwarden::observe
