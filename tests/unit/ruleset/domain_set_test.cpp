#include "ruleset/domain_set.hpp"

#include <doctest/doctest.h>

using pixelwarden::ruleset::DomainSet;

namespace {
DomainSet make(std::initializer_list<const char*> entries) {
  DomainSet s;
  for (const char* e : entries) s.add(*DomainSet::normalize_entry(e));
  return s;
}
}  // namespace

TEST_SUITE("ruleset::DomainSet") {
  TEST_CASE("an entry matches itself and every subdomain") {
    DomainSet s = make({"lure-news.example"});
    CHECK(s.contains("lure-news.example"));
    CHECK(s.contains("a.b.lure-news.example"));
    CHECK_FALSE(s.contains("xlure-news.example"));
    CHECK_FALSE(s.contains("example"));
  }
  TEST_CASE("a wildcard entry matches subdomains only") {
    DomainSet s = make({"*.cdn.example"});
    CHECK(s.contains("a.cdn.example"));
    CHECK_FALSE(s.contains("cdn.example"));
  }
  TEST_CASE("plain and wildcard forms of one domain combine") {
    DomainSet s = make({"*.cdn.example", "cdn.example"});
    CHECK(s.contains("cdn.example"));
    CHECK(s.size() == 1);
  }
  TEST_CASE("entries are normalized: case, trailing dot, whitespace") {
    DomainSet s = make({"  Lure-News.EXAMPLE.  "});
    CHECK(s.contains("lure-news.example"));
    CHECK(*s.match("www.lure-news.example") == "lure-news.example");
  }
  TEST_CASE("Unicode entries match their punycode hosts") {
    DomainSet s = make({"bücher.example"});
    CHECK(s.contains("xn--bcher-kva.example"));
    DomainSet p = make({"xn--bcher-kva.example"});
    CHECK(p.contains("xn--bcher-kva.example"));
  }
  TEST_CASE("defanged IOC entries are accepted") {
    DomainSet s = make({"lure-news[.]example"});
    CHECK(s.contains("lure-news.example"));
  }
  TEST_CASE("non-domains are refused") {
    CHECK_FALSE(DomainSet::normalize_entry("http://x.example/"));
    CHECK_FALSE(DomainSet::normalize_entry("a..b"));
    CHECK_FALSE(DomainSet::normalize_entry("user@x.example"));
    CHECK_FALSE(DomainSet::normalize_entry("10.0.0.1"));
    CHECK_FALSE(DomainSet::normalize_entry(""));
  }
  TEST_CASE("a large set grows and finds every entry") {
    DomainSet s;
    for (int i = 0; i < 50000; ++i)
      s.add(*DomainSet::normalize_entry("d" + std::to_string(i) + ".example"));
    CHECK(s.size() == 50000);
    for (int i = 0; i < 50000; i += 997) CHECK(s.contains("x.d" + std::to_string(i) + ".example"));
    CHECK_FALSE(s.contains("d50000.example"));
  }
  TEST_CASE("an empty set matches nothing") {
    DomainSet s;
    CHECK_FALSE(s.contains("example.com"));
  }
  TEST_CASE("an entry longer than any domain is refused without being read") {
    CHECK_FALSE(DomainSet::normalize_entry(std::string(2000, 'a') + ".example"));
    CHECK(DomainSet::normalize_entry(std::string(60, 'a') + ".example"));
  }
}
