#include "html/entities.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::html;

namespace {
std::string dec(std::string_view raw) {
  std::string out;
  decode_attribute(raw, out);
  return out;
}
}  // namespace

TEST_SUITE("html::entities") {
  TEST_CASE("table is the full WHATWG table, sorted") {
    auto t = named_entities();
    CHECK(t.size() == 2231);
    for (std::size_t i = 1; i < t.size(); ++i) CHECK(t[i - 1].name < t[i].name);
  }
  TEST_CASE("every named reference with ';' decodes in an attribute") {
    for (const NamedEntity& e : named_entities()) {
      if (e.name.back() != ';') continue;
      CHECK(dec("&" + std::string(e.name)) == e.value);
    }
  }
  TEST_CASE("URL-relevant references") {
    CHECK(dec("&#x68;ttps&colon;&sol;&sol;t&period;example&#47;p") == "https://t.example/p");
    CHECK(dec("&#104;&#116;tp://x") == "http://x");
  }
  TEST_CASE("legacy names without ';' and the attribute special case") {
    CHECK(dec("a&ampb") == "a&ampb");    // followed by alnum: literal
    CHECK(dec("a&amp=b") == "a&amp=b");  // followed by '=': literal
    CHECK(dec("a&amp b") == "a& b");
    CHECK(dec("&notit;") == "&notit;");  // not in attribute: legacy 'not' blocked by alnum
    CHECK(dec("&not;") == "\xC2\xAC");
    CHECK(dec("&copy") == "\xC2\xA9");
  }
  TEST_CASE("numeric edge cases") {
    CHECK(dec("&#0;") == "\xEF\xBF\xBD");
    CHECK(dec("&#x80;") == "\xE2\x82\xAC");
    CHECK(dec("&#xD800;") == "\xEF\xBF\xBD");
    CHECK(dec("&#x110000;") == "\xEF\xBF\xBD");
    CHECK(dec("&#65") == "A");
    CHECK(dec("&#;") == "&#;");
    CHECK(dec("&#x;") == "&#x;");
  }
  TEST_CASE("offset map points back to raw constructs") {
    std::string out;
    std::vector<std::uint32_t> map;
    decode_attribute("a&amp;b", out, &map);
    CHECK(out == "a&b");
    REQUIRE(map.size() == 4);
    CHECK(map[0] == 0);
    CHECK(map[1] == 1);
    CHECK(map[2] == 6);
    CHECK(map[3] == 7);
  }
  TEST_CASE("plain detection") {
    CHECK(attribute_is_plain("http://x/y"));
    CHECK_FALSE(attribute_is_plain("a&amp;b"));
  }
}
