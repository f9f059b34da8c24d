#include "ruleset/pattern_lint.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::ruleset;

TEST_SUITE("ruleset::pattern_lint") {
  TEST_CASE("an unescaped dot between literal characters is found") {
    CHECK(literal_dot_unescaped("t.tracker\\.example/open") == 1u);
    CHECK(literal_dot_unescaped("open\\.php\\?u=.*&x.y") == 17u);
    CHECK(literal_dot_unescaped("a.") == 1u);
  }
  TEST_CASE("escaped dots, classes and wildcard runs are not") {
    CHECK_FALSE(literal_dot_unescaped("/wf/open\\?upn="));
    CHECK_FALSE(literal_dot_unescaped("tracker\\.example/.*"));
    CHECK_FALSE(literal_dot_unescaped("/e/o/[A-Za-z0-9.]+"));
    CHECK_FALSE(literal_dot_unescaped("x.+y.?z.{3}"));
    CHECK_FALSE(literal_dot_unescaped("[].]x"));  // ']' first in a class is a member
    CHECK_FALSE(literal_dot_unescaped("[^].]x"));
    CHECK_FALSE(literal_dot_unescaped("\\\\\\."));  // an escaped backslash, then \.
  }
  TEST_CASE("an escaped backslash does not escape the dot after it") {
    CHECK(literal_dot_unescaped("a\\\\.b") == 3u);
  }
  TEST_CASE("a comment starts at whitespace then #") {
    CHECK(strip_pattern_comment("/open\\.php   # SendGrid opens") == "/open\\.php");
    CHECK(strip_pattern_comment("/page#frag") == "/page#frag");
    CHECK(strip_pattern_comment("/a\t#x") == "/a");
    CHECK(strip_pattern_comment("/a") == "/a");
  }
}
