#include "observe/histogram.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

using pixelwarden::observe::AtomicHistogram;

TEST_SUITE("observe::AtomicHistogram") {
  TEST_CASE("a value equal to a bound falls in that bound's bucket (le is inclusive)") {
    AtomicHistogram h("h", "help", {1, 2, 4});
    h.observe(2);
    auto family = h.collect();
    const auto& buckets = family.metric.at(0).histogram.bucket;
    REQUIRE(buckets.size() == 4);
    CHECK(buckets[0].cumulative_count == 0);
    CHECK(buckets[1].cumulative_count == 1);
    CHECK(buckets[2].cumulative_count == 1);
    CHECK(buckets[3].cumulative_count == 1);
  }

  TEST_CASE("buckets are cumulative and +Inf holds values above the last bound") {
    AtomicHistogram h("h", "help", {1, 2, 4});
    for (double v : {0.5, 1.5, 3.0, 100.0, 100.0}) h.observe(v);
    auto family = h.collect();
    const auto& m = family.metric.at(0).histogram;
    CHECK(m.bucket[0].cumulative_count == 1);
    CHECK(m.bucket[1].cumulative_count == 2);
    CHECK(m.bucket[2].cumulative_count == 3);
    CHECK(m.bucket[3].cumulative_count == 5);
    CHECK(std::isinf(m.bucket[3].upper_bound));
    CHECK(m.sample_count == 5);
    CHECK(m.sample_sum == doctest::Approx(205.0));
  }

  TEST_CASE("NaN is ignored") {
    AtomicHistogram h("h", "help", {1});
    h.observe(std::nan(""));
    CHECK(h.collect().metric.at(0).histogram.sample_count == 0);
  }

  TEST_CASE("bounds that are not strictly increasing are refused") {
    CHECK_THROWS_AS(AtomicHistogram("h", "help", {1, 1, 2}), std::invalid_argument);
    CHECK_THROWS_AS(AtomicHistogram("h", "help", {2, 1}), std::invalid_argument);
  }

  TEST_CASE("concurrent observations are all counted") {
    AtomicHistogram h("h", "help", {0.5});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&h] {
        for (int i = 0; i < 10000; ++i) h.observe(1.0);
      });
    }
    for (auto& t : threads) t.join();
    const auto m = h.collect().metric.at(0).histogram;
    CHECK(m.sample_count == 40000);
    CHECK(m.sample_sum == doctest::Approx(40000.0));
    CHECK(m.bucket[0].cumulative_count == 0);
  }
}
