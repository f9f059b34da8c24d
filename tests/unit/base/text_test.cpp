#include "base/text.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::base;

TEST_SUITE("base::text") {
  TEST_CASE("case-insensitive comparisons are ASCII only") {
    CHECK(iequals("Content-Type", "content-TYPE"));
    CHECK_FALSE(iequals("\xC3\x89", "\xC3\xA9"));
    CHECK(istarts_with("HTTPS://x", "https:"));
    CHECK(iends_with("a.EXAMPLE", ".example"));
    CHECK(ifind("xxBoUnDaRy", "boundary") == 2);
    CHECK(ifind("abc", "d") == std::string_view::npos);
  }
  TEST_CASE("trim and split") {
    CHECK(trim("  a b \r\n") == "a b");
    auto parts = split("a,,b", ',');
    REQUIRE(parts.size() == 3);
    CHECK(parts[1].empty());
  }
}
