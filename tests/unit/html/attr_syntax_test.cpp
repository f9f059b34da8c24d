#include "html/attr_syntax.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::html;

TEST_SUITE("html::attr_syntax") {
  TEST_CASE("srcset candidates with descriptors, commas in URLs and parentheses") {
    std::string_view s = " a.png 1x,b,c.png 2x , d.png (x, y) 3x,e.png,,";
    std::vector<SrcsetCandidate> c;
    parse_srcset(s, c);
    REQUIRE(c.size() == 4);
    CHECK(s.substr(c[0].url_begin, c[0].url_end - c[0].url_begin) == "a.png");
    CHECK(s.substr(c[1].url_begin, c[1].url_end - c[1].url_begin) == "b,c.png");
    CHECK(s.substr(c[2].url_begin, c[2].url_end - c[2].url_begin) == "d.png");
    CHECK(s.substr(c[2].begin, c[2].end - c[2].begin) == "d.png (x, y) 3x,");
    CHECK(s.substr(c[3].url_begin, c[3].url_end - c[3].url_begin) == "e.png");
  }
  TEST_CASE("meta refresh URL forms") {
    std::size_t b = 0, e = 0;
    std::string_view s = "5 ; URL = 'http://x/y' ";
    REQUIRE(refresh_url(s, b, e));
    CHECK(s.substr(b, e - b) == "http://x/y");
    std::string_view t = "0;http://x/z";
    REQUIRE(refresh_url(t, b, e));
    CHECK(t.substr(b, e - b) == "http://x/z");
    CHECK_FALSE(refresh_url("10", b, e));
    CHECK_FALSE(refresh_url("url=http://x", b, e));
  }
  TEST_CASE("fetched link rels") {
    CHECK(rel_is_fetched("Stylesheet"));
    CHECK(rel_is_fetched("alternate stylesheet"));
    CHECK(rel_is_fetched("shortcut icon"));
    CHECK(rel_is_fetched("dns-prefetch"));
    CHECK(rel_is_fetched("compression-dictionary"));  // Chromium fetches the dictionary on open
    CHECK_FALSE(rel_is_fetched("canonical"));
    CHECK_FALSE(rel_is_fetched("alternate"));
    CHECK_FALSE(rel_is_fetched(""));
  }
  TEST_CASE("dimensions") {
    CHECK(parse_dimension("1") == 1);
    CHECK(parse_dimension(" 0px") == 0);
    CHECK(parse_dimension("100%") == 100);
    CHECK(parse_dimension("auto") == -1);
    CHECK(parse_dimension("") == -1);
  }
}
