#include "intel/stix_pattern.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pixelwarden::intel;

namespace {
std::vector<Observable> values(const char* p) {
  auto r = parse_stix_pattern(p);
  REQUIRE_MESSAGE(std::holds_alternative<std::vector<Observable>>(r), p);
  return std::get<std::vector<Observable>>(r);
}
std::string unsupported(const char* p) {
  auto r = parse_stix_pattern(p);
  REQUIRE_MESSAGE(std::holds_alternative<PatternUnsupported>(r), p);
  return std::get<PatternUnsupported>(r).detail;
}
bool invalid(const char* p) {
  return std::holds_alternative<PatternInvalid>(parse_stix_pattern(p));
}
}  // namespace

TEST_SUITE("intel::stix_pattern") {
  TEST_CASE("each supported object path gives its value and kind") {
    auto v = values("[domain-name:value = 'a.example']");
    REQUIRE(v.size() == 1);
    CHECK(v[0].kind == ValueKind::domain);
    CHECK(v[0].value == "a.example");
    CHECK(values("[url:value = 'https://b.example/x']")[0].kind == ValueKind::url);
    CHECK(values("[email-addr:value = 'a@c.example']")[0].kind == ValueKind::email);
    CHECK(values("[email-message:from_ref.value = 'a@d.example']")[0].kind == ValueKind::email);
  }
  TEST_CASE("OR, AND and parentheses in one observation give every value") {
    auto v = values("[(domain-name:value = 'a.example' OR url:value = 'http://b.example/') AND "
                    "email-message:from_ref.value = 'x@c.example']");
    REQUIRE(v.size() == 3);
    CHECK(v[2].value == "x@c.example");
  }
  TEST_CASE("escaped quotes in string literals") {
    CHECK(values("[url:value = 'http://a.example/it\\'s']")[0].value == "http://a.example/it's");
  }
  TEST_CASE("other objects, operators, several observations and qualifiers are unsupported") {
    CHECK(unsupported("[ipv4-addr:value = '203.0.113.7']") == "object path ipv4-addr:value");
    CHECK(unsupported("[file:hashes.'SHA-256' = 'ab']") == "object path file:hashes.'SHA-256'");
    CHECK(unsupported("[email-message:to_refs[*].value = 'a@b.example']") ==
          "object path email-message:to_refs[*].value");
    CHECK(unsupported("[domain-name:value LIKE '%.example']") == "domain-name:value LIKE");
    CHECK(unsupported("[domain-name:value != 'a.example']") == "domain-name:value !=");
    CHECK(unsupported("[domain-name:value IN ('a.example', 'b.example')]") ==
          "domain-name:value IN (...)");
    CHECK(unsupported("[domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']") ==
          "observation operator or qualifier 'OR'");
    CHECK(unsupported("[domain-name:value = 'a.example'] WITHIN 60 SECONDS") ==
          "observation operator or qualifier 'WITHIN'");
    CHECK(unsupported("[domain-name:value = 'a.example' OR ipv4-addr:value = '1.2.3.4']") ==
          "object path ipv4-addr:value");
  }
  TEST_CASE("parentheses: nested a little is fine, nested without end is an error, not a crash") {
    CHECK(values("[((((domain-name:value = 'a.example'))))]").size() == 1);
    const std::string deep = "[" + std::string(200000, '(') + "domain-name:value = 'a.example'" +
                             std::string(200000, ')') + "]";
    const auto r = parse_stix_pattern(deep);
    REQUIRE(std::holds_alternative<PatternInvalid>(r));
    CHECK(std::get<PatternInvalid>(r).detail.find("nested deeper than") != std::string::npos);
  }

  TEST_CASE("syntax errors are invalid") {
    CHECK(invalid("domain-name:value = 'a.example'"));
    CHECK(invalid("[domain-name:value = 'a.example'"));
    CHECK(invalid("[domain-name:value = 'a.example]"));
    CHECK(invalid("[domain-name:value = ]"));
    CHECK(invalid("[domain-name:value = '']"));
    CHECK(invalid("[(domain-name:value = 'a.example']"));
    CHECK(invalid(""));
  }
}
