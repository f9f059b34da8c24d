#include "observe/process_metrics.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::observe;

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
                                            "process_start_time_seconds",
                                            "process_open_fds"});
    for (const auto& f : families) {
      const auto& m = f.metric.at(0);
      CHECK((m.gauge.value > 0 || m.counter.value >= 0));
    }
  }
}
