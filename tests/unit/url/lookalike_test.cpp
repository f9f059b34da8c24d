#include "url/lookalike.hpp"

#include <doctest/doctest.h>

#include "url/host.hpp"

using namespace pixelwarden::url;

namespace {
const LookalikeDetector k_news({"nytimes.com", "nyt.com", "bbc.co.uk", "bbc.com", "reuters.com"});
std::optional<LookalikeKind> kind(const char* host) {
  auto l = k_news.check(normalize_host(host));
  return l ? std::optional<LookalikeKind>(l->kind) : std::nullopt;
}
}  // namespace

TEST_SUITE("url::lookalike") {
  TEST_CASE("legitimate domains and their subdomains are not look-alikes") {
    CHECK_FALSE(kind("nytimes.com"));
    CHECK_FALSE(kind("www.nytimes.com"));
    CHECK_FALSE(kind("feeds.bbc.co.uk"));
    CHECK_FALSE(kind("bbc.com"));
  }
  TEST_CASE("same label under another suffix") {
    CHECK(kind("nytimes.co") == LookalikeKind::other_suffix);
    CHECK(kind("reuters.co.uk") == LookalikeKind::other_suffix);
    CHECK(k_news.check("nytimes.co")->protected_domain == "nytimes.com");
  }
  TEST_CASE("same TR39 skeleton: Cyrillic a, rn for m") {
    CHECK(kind("nytirnes.com") == LookalikeKind::skeleton);
    CHECK(kind("reutеrs.com") == LookalikeKind::skeleton);                          // Cyrillic е
    CHECK(kind(normalize_host("reutеrs.com").c_str()) == LookalikeKind::skeleton);  // via punycode
  }
  TEST_CASE("Damerau-Levenshtein distance 1 from a label of 5+ chars") {
    CHECK(kind("nytimez.com") == LookalikeKind::edit_distance);
    CHECK(kind("nytime.com") == LookalikeKind::edit_distance);
    CHECK(kind("nyttimes.com") == LookalikeKind::edit_distance);
    CHECK(kind("rueters.com") == LookalikeKind::edit_distance);
    CHECK_FALSE(kind("bbd.com"));  // bbc has fewer than 5 chars
    CHECK_FALSE(kind("nytimezz.com"));
  }
  TEST_CASE("protected label joined by a hyphen") {
    CHECK(kind("bbc-news.example") == LookalikeKind::hyphenated);
    CHECK(kind("alerts-reuters.example") == LookalikeKind::hyphenated);
    CHECK(kind("my-bbc-desk.example") == LookalikeKind::hyphenated);
    CHECK_FALSE(kind("bbcnews.example"));
    CHECK_FALSE(kind("abbc-news.example"));
  }
  TEST_CASE("subdomain: a protected domain as labels left of another registrable domain") {
    CHECK(kind("bbc.co.uk.news-portal.com") == LookalikeKind::subdomain);
    CHECK(kind("login.bbc.co.uk.x.news-portal.com") == LookalikeKind::subdomain);
    CHECK(kind("www.nytimes.com.secure-mail.net") == LookalikeKind::subdomain);
    CHECK(kind("bbc.com.evil.example") == LookalikeKind::subdomain);
    auto l = k_news.check("bbc.co.uk.news-portal.com");
    REQUIRE(l);
    CHECK(l->protected_domain == "bbc.co.uk");
    CHECK(l->registrable == "news-portal.com");
    CHECK(std::string(to_string(l->kind)) == "subdomain");
  }
  TEST_CASE("subdomain: a protected label of 5+ chars as one label, also by skeleton") {
    CHECK(kind("nytimes.secure-mail.net") == LookalikeKind::subdomain);
    CHECK(kind("alerts.reuters.mailer.example") == LookalikeKind::subdomain);
    CHECK(kind("nytirnes.secure-mail.net") == LookalikeKind::subdomain);  // rn for m
    CHECK(kind(normalize_host("reutеrs.mailer.example").c_str()) ==
          LookalikeKind::subdomain);  // Cyrillic е
    CHECK(k_news.check("nytimes.secure-mail.net")->protected_domain == "nytimes.com");
  }
  TEST_CASE("subdomain: short labels only with their whole domain, words inside labels never") {
    CHECK_FALSE(kind("bbc.news-portal.com"));     // bbc alone is under 5 chars
    CHECK_FALSE(kind("bbc.co.news-portal.com"));  // not the whole of bbc.co.uk
    CHECK_FALSE(kind("nyt.secure-mail.net"));
    CHECK_FALSE(kind("nytimesdaily.mailer.example"));
    CHECK_FALSE(kind("co.uk.mailer.example"));
    CHECK_FALSE(kind("news.mailer.example"));
  }
  TEST_CASE("subdomain false-positive guard: the brand's own hosts stay legitimate") {
    CHECK_FALSE(kind("nytimes.nytimes.com"));
    CHECK_FALSE(kind("bbc.co.uk.bbc.com"));  // the brand's other own domain
    CHECK_FALSE(kind("reuters.com.reuters.com"));
    const LookalikeDetector with_host({"nytimes.com", "nytimes.esp.example"});
    CHECK_FALSE(with_host.check("nytimes.esp.example"));        // listed host
    CHECK_FALSE(with_host.check("links.nytimes.esp.example"));  // and below it
    CHECK(with_host.check("nytimes.other-esp.example"));
  }
  TEST_CASE("unrelated domains pass") {
    CHECK_FALSE(kind("example.org"));
    CHECK_FALSE(kind("times.com"));
    CHECK_FALSE(kind(""));
  }
  TEST_CASE("one_edit_apart") {
    CHECK(one_edit_apart(U"abcde", U"abdce"));
    CHECK(one_edit_apart(U"abcde", U"abcd"));
    CHECK_FALSE(one_edit_apart(U"abcde", U"abcde"));
    CHECK_FALSE(one_edit_apart(U"abcde", U"badce"));
  }
  TEST_CASE("skeleton maps confusables together") {
    CHECK(skeleton("rn") == skeleton("m"));
    CHECK(skeleton("раураl") == skeleton("paypal"));
  }
}
