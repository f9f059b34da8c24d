#include "mime/address.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace pixelwarden::mime;

namespace {
bool same(const std::vector<Address>& a, const std::vector<Address>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].display_name != b[i].display_name || a[i].local_part != b[i].local_part ||
        a[i].domain != b[i].domain)
      return false;
  }
  return true;
}
}  // namespace

TEST_SUITE("mime::Address") {
  TEST_CASE("name-addr and bare addr-spec") {
    const auto a = parse_address_list("\"Doe, John\" <john@example.com>, jane@example.org");
    REQUIRE(a.size() == 2);
    CHECK(a[0].display_name == "Doe, John");
    CHECK(a[0].local_part == "john");
    CHECK(a[0].domain == "example.com");
    CHECK(a[1].display_name.empty());
    CHECK(a[1].domain == "example.org");
  }
  TEST_CASE("groups are flattened") {
    const auto a = parse_address_list("team: a@x, b@y;, c@z");
    REQUIRE(a.size() == 3);
    CHECK(a[0].local_part == "a");
    CHECK(a[2].domain == "z");
  }
  TEST_CASE("encoded-word display name is decoded") {
    const auto a = parse_address_list("=?utf-8?q?J=C3=B6rg?= <j@x.de>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].display_name == "J\xC3\xB6rg");
  }
  TEST_CASE("comment after addr-spec becomes the display name") {
    const auto a = parse_address_list("a@x (Alice)");
    REQUIRE(a.size() == 1);
    CHECK(a[0].display_name == "Alice");
  }
  TEST_CASE("quoted local part, domain literal, obsolete route") {
    const auto a = parse_address_list("\"a b\"@[192.0.2.1], <@relay.example:c@d.example>");
    REQUIRE(a.size() == 2);
    CHECK(a[0].local_part == "a b");
    CHECK(a[0].domain == "192.0.2.1");
    CHECK(a[1].local_part == "c");
    CHECK(a[1].domain == "d.example");
  }
  TEST_CASE("RFC 6532 UTF-8 and folding") {
    const auto a = parse_address_list(" J\xC3\xB6rg\r\n <j\xC3\xB6rg@b\xC3\xBC"
                                      "cher.example>");
    REQUIRE(a.size() == 1);
    CHECK(a[0].display_name == "J\xC3\xB6rg");
    CHECK(a[0].local_part == "j\xC3\xB6rg");
  }
  TEST_CASE("the plain single address shortcut") {
    auto one = [](const char* value, const char* display, const char* local, const char* domain) {
      CAPTURE(value);
      const auto a = parse_address_list(value);
      REQUIRE(a.size() == 1);
      CHECK(a[0].display_name == display);
      CHECK(a[0].local_part == local);
      CHECK(a[0].domain == domain);
    };
    one("  Alice \t Smith\r\n <a lice@x.example>  ", "Alice Smith", "alice", "x.example");
    one(" user3@parliament.example ", "", "user3", "parliament.example");
    one("News <news@shop.example> ", "News", "news", "shop.example");
    CHECK(parse_address_list("<>").empty());
  }
  TEST_CASE("the shortcut gives what the general parser gives") {
    const char* cases[] = {"a@x",
                           "<a@x>",
                           "Name <a@x>",
                           " Name  Two <a @ x> ",
                           "<a@x> trailing",
                           "a@x>",
                           "<a@x",
                           "<<a@x>>",
                           "<@route:a@x>",
                           "<@a@x>",
                           "< @a@x>",
                           "a@b@c",
                           "@x",
                           "a@",
                           "=?utf-8?q?A?= <a@x>",
                           "A=? <a@x>",
                           "\"A\" <a@x>",
                           "a@x (A)",
                           "a@[1.2.3.4]",
                           "a@x, b@y",
                           "a@x;",
                           "g: a@x",
                           "a\\b@x",
                           "J\xC3\xB6rg <j@b\xC3\xBC.example>",
                           "",
                           "   ",
                           "<>",
                           "\x01 <\x01@\x01>"};
    for (const char* c : cases) {
      CAPTURE(c);
      CHECK(same(parse_address_list(c), parse_address_list_without_shortcut(c)));
    }
  }
  TEST_CASE("random address-shaped strings agree with the general parser") {
    const char* pieces[] = {"a",  "B", "@", ".",    "x.example", " ", "\t", "\r\n ", "<",  ">",
                            "\"", "(", ")", "[",    "]",         ",", ";",  ":",     "\\", "=?",
                            "?=", "=", "?", "\xC3", "\xA9",      "-", "_",  "utf-8", "q",  "\x00"};
    std::uint32_t seed = 11;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (int round = 0; round < 20000; ++round) {
      std::string s;
      for (std::size_t n = rng() % 10; n > 0; --n) s += pieces[rng() % 30];
      if (rng() % 3 == 0) s = "Name " + s + " <u@" + s + ">";
      CAPTURE(s);
      REQUIRE(same(parse_address_list(s), parse_address_list_without_shortcut(s)));
    }
  }
  TEST_CASE("empty and junk input does not produce addresses") {
    CHECK(parse_address_list("").empty());
    CHECK(parse_address_list(" , ;").empty());
  }
}
