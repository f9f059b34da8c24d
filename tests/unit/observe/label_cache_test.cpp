#include "observe/label_cache.hpp"

#include <doctest/doctest.h>
#include <prometheus/registry.h>

#include <thread>
#include <vector>

using pixelwarden::observe::LabelCache;

namespace {

prometheus::Family<prometheus::Counter>& make_family(prometheus::Registry& r) {
  return prometheus::BuildCounter().Name("t_total").Help("h").Register(r);
}

double value_of(prometheus::Registry& r, const std::string& label, const std::string& value) {
  for (const auto& family : r.Collect()) {
    for (const auto& m : family.metric) {
      for (const auto& l : m.label) {
        if (l.name == label && l.value == value) return m.counter.value;
      }
    }
  }
  return -1;
}

}  // namespace

TEST_SUITE("observe::LabelCache") {
  TEST_CASE("the same label values give the same child") {
    prometheus::Registry r;
    LabelCache cache(make_family(r), {"rule", "vector"});
    auto& a = cache.child({"r1", "img"});
    auto& b = cache.child({"r1", "img"});
    CHECK(&a == &b);
    CHECK(cache.size() == 1);
  }

  TEST_CASE("different label values give different children with the right labels") {
    prometheus::Registry r;
    LabelCache cache(make_family(r), {"rule", "vector"});
    cache.child({"r1", "img"}).Increment(2);
    cache.child({"r2", "img"}).Increment(5);
    CHECK(value_of(r, "rule", "r1") == 2);
    CHECK(value_of(r, "rule", "r2") == 5);
  }

  TEST_CASE("value boundaries are kept apart (ab|c is not a|bc)") {
    prometheus::Registry r;
    LabelCache cache(make_family(r), {"x", "y"});
    CHECK(&cache.child({"ab", "c"}) != &cache.child({"a", "bc"}));
  }

  TEST_CASE("beyond the cap, new label sets fold into the _overflow child") {
    prometheus::Registry r;
    LabelCache cache(make_family(r), {"rule"}, 2);
    cache.child({"a"}).Increment();
    cache.child({"b"}).Increment();
    auto& c = cache.child({"c"});
    auto& d = cache.child({"d"});
    CHECK(&c == &d);
    c.Increment();
    d.Increment();
    CHECK(value_of(r, "rule", "_overflow") == 2);
    CHECK(value_of(r, "rule", "c") == -1);
    CHECK(value_of(r, "rule", "a") == 1);
  }

  TEST_CASE("children created on other threads are shared, counts add up") {
    prometheus::Registry r;
    LabelCache cache(make_family(r), {"rule"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&cache] {
        for (int i = 0; i < 1000; ++i) cache.child({i % 2 == 0 ? "even" : "odd"}).Increment();
      });
    }
    for (auto& t : threads) t.join();
    CHECK(cache.size() == 2);
    CHECK(value_of(r, "rule", "even") == 2000);
    CHECK(value_of(r, "rule", "odd") == 2000);
  }

  TEST_CASE("two caches on one thread do not see each other's children") {
    prometheus::Registry r1;
    prometheus::Registry r2;
    LabelCache c1(make_family(r1), {"rule"});
    LabelCache c2(make_family(r2), {"rule"});
    c1.child({"x"}).Increment();
    c2.child({"x"}).Increment(3);
    CHECK(value_of(r1, "rule", "x") == 1);
    CHECK(value_of(r2, "rule", "x") == 3);
  }
}
