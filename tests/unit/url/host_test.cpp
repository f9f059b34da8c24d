#include "url/host.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::url;

TEST_SUITE("url::host") {
  TEST_CASE("lowercase, port, trailing dot") {
    CHECK(normalize_host("News.Example.COM") == "news.example.com");
    CHECK(normalize_host("news.example.com:8080") == "news.example.com");
    CHECK(normalize_host("news.example.com.") == "news.example.com");
    CHECK(normalize_host(" news.example.com.:25 ") == "news.example.com");
  }
  TEST_CASE("IP literals and brackets") {
    CHECK(normalize_host("[2001:DB8::1]:443") == "2001:db8::1");
    CHECK(normalize_host("192.0.2.1:80") == "192.0.2.1");
    CHECK(is_ip_literal("192.0.2.1"));
    CHECK_FALSE(is_ip_literal("192.0.2.example"));
  }
  TEST_CASE("non-ASCII hosts become A-labels; Unicode and punycode compare equal") {
    CHECK(normalize_host("Bücher.example") == "xn--bcher-kva.example");
    CHECK(normalize_host("xn--bcher-kva.example") == normalize_host("bücher.example"));
    CHECK(normalize_host("faß.example") == "xn--fa-hia.example");  // IDNA 2008, not ss
  }
  TEST_CASE("garbage is empty") {
    CHECK(normalize_host("").empty());
    CHECK(normalize_host("a..example").empty());
    CHECK(normalize_host("exa mple.com").empty());
    CHECK(normalize_host("host:port").empty());
    CHECK(normalize_host(std::string(64, 'a') + ".example").empty());
    CHECK(normalize_host("[::1").empty());
    // Brackets around fewer than two colons hold no IPv6 address; kept, the host would
    // lose its brackets and then read as host:port (found by fuzz_url).
    CHECK(normalize_host("[2001:]8:B1::80").empty());
    CHECK(normalize_host("[a:80]").empty());
    CHECK(normalize_host("[1.2.3.4]").empty());
    CHECK(normalize_host("[::]") == "::");
    // Four dot-separated digit groups make an IPv4 literal; an empty group does not
    // (found by fuzz_url: "35.1635.168.." kept a trailing dot as an "address").
    CHECK(normalize_host("35.1635.168..").empty());
    CHECK_FALSE(pixelwarden::url::is_ip_literal("1.2.3."));
    CHECK_FALSE(pixelwarden::url::is_ip_literal(".1.2.3"));
    CHECK_FALSE(pixelwarden::url::is_ip_literal("1..2.3"));
    CHECK(pixelwarden::url::is_ip_literal("10.0.0.1"));
    CHECK(normalize_host(":..:..").empty());
    CHECK(pixelwarden::url::is_ip_literal("::ffff:10.0.0.1"));
  }
  TEST_CASE("registrable domains from the PSL, with the default rule") {
    CHECK(registrable_domain("news.bbc.co.uk") == "bbc.co.uk");
    CHECK(registrable_domain("a.b.nytimes.com") == "nytimes.com");
    CHECK(registrable_domain("mail.lure-news.example") == "lure-news.example");
    CHECK(registrable_domain("co.uk").empty());
    CHECK(registrable_domain("192.0.2.1").empty());
  }
  TEST_CASE("to_unicode_host") {
    CHECK(to_unicode_host("xn--bcher-kva.example") == "bücher.example");
    CHECK(to_unicode_host("plain.example") == "plain.example");
  }
}
