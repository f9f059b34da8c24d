#include "observe/process_metrics.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

using namespace pixelwarden::observe;

namespace {

// The one sample of the named family (a counter's or a gauge's value).
double value_of(const std::vector<prometheus::MetricFamily>& families, const std::string& name) {
  for (const auto& f : families) {
    if (f.name != name) continue;
    const auto& m = f.metric.at(0);
    return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
  }
  throw std::runtime_error("no family " + name);
}

// User + system CPU of this process, from getrusage (independent of /proc parsing).
double rusage_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace

TEST_SUITE("observe::process_metrics") {
  TEST_CASE("parse_proc_stat counts fields after the last parenthesis of comm") {
    // comm "a) (b" holds a space and parentheses; utime 250, stime 150, starttime 1000,
    // rss 300 pages.
    const std::string text =
        "1234 (a) (b) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 1000 "
        "123456789 300 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";
    auto stat = parse_proc_stat(text, 100, 4096);
    REQUIRE(stat);
    CHECK(stat->cpu_seconds == doctest::Approx(4.0));
    CHECK(stat->start_after_boot == doctest::Approx(10.0));
    CHECK(stat->resident_bytes == doctest::Approx(300.0 * 4096));
  }

  TEST_CASE("parse_proc_stat refuses a truncated line") {
    CHECK_FALSE(parse_proc_stat("1234 (x) S 1 2 3", 100, 4096));
    CHECK_FALSE(parse_proc_stat("no parenthesis", 100, 4096));
  }

  TEST_CASE("parse_boot_time reads the btime line") {
    auto boot = parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n");
    REQUIRE(boot);
    CHECK(*boot == doctest::Approx(1700000000.0));
    CHECK_FALSE(parse_boot_time("cpu 1 2 3\n"));
  }

  TEST_CASE("process_metrics exports the four process families for this process") {
    auto families = process_metrics();
    std::vector<std::string> names;
    for (const auto& f : families) names.push_back(f.name);
    CHECK(names == std::vector<std::string>{"process_cpu_seconds_total",
                                            "process_resident_memory_bytes",
                                            "process_start_time_seconds", "process_open_fds"});
    CHECK(families.at(0).type == prometheus::MetricType::Counter);
    for (std::size_t i = 1; i < families.size(); ++i) {
      CHECK(families[i].type == prometheus::MetricType::Gauge);
    }
  }

  TEST_CASE("process_cpu_seconds_total follows the CPU time the kernel reports") {
    // Spend at least 50 ms of CPU so the counter (10 ms ticks) cannot pass by being 0.
    volatile std::uint64_t sink = 0;
    while (rusage_cpu_seconds() < 0.05) {
      for (int i = 0; i < 100000; ++i) sink = sink + static_cast<std::uint64_t>(i);
    }
    const double before = rusage_cpu_seconds();
    const double reported = value_of(process_metrics(), "process_cpu_seconds_total");
    const double after = rusage_cpu_seconds();
    // /proc counts whole clock ticks: up to one tick (plus rounding) below getrusage.
    CHECK(reported >= before - 0.02);
    CHECK(reported <= after + 0.001);
  }

  TEST_CASE("process_resident_memory_bytes grows with memory the process touches") {
    const double before = value_of(process_metrics(), "process_resident_memory_bytes");
    CHECK(before > 0);
    constexpr std::size_t k_bytes = 64u << 20;
    std::vector<char> block(k_bytes, 1);  // every page written, so resident
    const double during = value_of(process_metrics(), "process_resident_memory_bytes");
    CHECK(block[k_bytes / 2] == 1);
    CHECK(during - before >= 0.9 * static_cast<double>(k_bytes));
  }

  TEST_CASE("process_start_time_seconds is this process's start, in epoch seconds") {
    const double start = value_of(process_metrics(), "process_start_time_seconds");
    const auto now = static_cast<double>(std::time(nullptr));
    // Started before now (the boot time has whole-second precision) and, being a unit
    // test binary, not long ago.
    CHECK(start <= now + 1);
    CHECK(start >= now - 600);
  }

  TEST_CASE("process_open_fds counts a descriptor opened and closed") {
    const double before = value_of(process_metrics(), "process_open_fds");
    CHECK(before >= 1);
    const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK(value_of(process_metrics(), "process_open_fds") == before + 1);
    ::close(fd);
    CHECK(value_of(process_metrics(), "process_open_fds") == before);
  }
}
