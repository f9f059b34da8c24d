#include "mime/address.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;

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
  TEST_CASE("empty and junk input does not produce addresses") {
    CHECK(parse_address_list("").empty());
    CHECK(parse_address_list(" , ;").empty());
  }
}
