#include "ruleset/pattern_cache.hpp"

#include <doctest/doctest.h>

#include <hs/hs.h>

using namespace pixelwarden::ruleset;

namespace {

std::shared_ptr<const PatternDb> cached(const std::vector<PatternSpec>& specs) {
  auto r = compile_cached(specs);
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_SUITE("ruleset::pattern_cache") {
  TEST_CASE("the same specs while a database is alive: the same database, not compiled again") {
    const std::vector<PatternSpec> specs{{"cache-test/[a-z]+/px\\.gif", HS_FLAG_CASELESS, 1},
                                         {"cache-test/open\\?id=", HS_FLAG_CASELESS, 2}};
    auto first = cached(specs);
    const auto before = pattern_cache_stats();
    auto second = cached(specs);
    CHECK(second.get() == first.get());
    CHECK(pattern_cache_stats().hits == before.hits + 1);
    CHECK(pattern_cache_stats().compiles == before.compiles);
  }

  TEST_CASE("a database no ruleset holds is compiled again") {
    const std::vector<PatternSpec> specs{{"cache-test-gone/x[0-9]+", 0, 1}};
    const auto before = pattern_cache_stats();
    cached(specs).reset();
    auto again = cached(specs);
    CHECK(pattern_cache_stats().compiles == before.compiles + 2);
    ScratchSet scratch;
    REQUIRE(scratch.add(*again));
    CHECK(again->first_match("cache-test-gone/x42", scratch.local()) == 1u);
  }

  TEST_CASE("the key covers expression, flags, id and order") {
    const std::vector<PatternSpec> a{{"a\\.b", 0, 1}, {"c", 0, 2}};
    CHECK(pattern_key(a) == pattern_key(a));
    CHECK(pattern_key(a) != pattern_key({{"a\\.b", HS_FLAG_CASELESS, 1}, {"c", 0, 2}}));
    CHECK(pattern_key(a) != pattern_key({{"a\\.b", 0, 3}, {"c", 0, 2}}));
    CHECK(pattern_key(a) != pattern_key({{"c", 0, 2}, {"a\\.b", 0, 1}}));
    CHECK(pattern_key(a) != pattern_key({{"a\\.bc", 0, 1}, {"", 0, 2}}));
  }

  TEST_CASE("a failed compile is reported and not cached") {
    auto r = compile_cached({{"ok", 0, 0}, {"bad(", 0, 1}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().index == 1);
  }
}

TEST_SUITE("ruleset::check_expression_cached") {
  TEST_CASE("answers as check_expression does, the first time and the next") {
    for (int round = 0; round < 2; ++round) {
      CHECK_FALSE(check_expression_cached("valid-cached/[a-z]+", 0).has_value());
      CHECK(check_expression_cached("invalid-cached(", 0).has_value());
      CHECK(check_expression_cached("a*", 0).has_value());  // matches the empty string
    }
  }
}
