#include <doctest/doctest.h>

#include "html/resource.hpp"

using pixelwarden::html::scan_text_links;

TEST_SUITE("html::scan_text_links") {
  TEST_CASE("the host drops userinfo and port, and is lowercased") {
    const auto l = scan_text_links("see HTTPS://User:pw@Mail.Lure-News.EXAMPLE:8443/a?b#c now");
    REQUIRE(l.size() == 1);
    CHECK(l[0].host == "mail.lure-news.example");
    CHECK(l[0].url == "HTTPS://User:pw@Mail.Lure-News.EXAMPLE:8443/a?b#c");
  }
  TEST_CASE("www. links keep their host") {
    const auto l = scan_text_links("go to www.Example.org/x.");
    REQUIRE(l.size() == 1);
    CHECK(l[0].host == "www.example.org");
    CHECK(l[0].url == "www.Example.org/x");
  }
  TEST_CASE("IPv6 literals, percent-encoded hosts and empty hosts") {
    auto l = scan_text_links("http://[2001:db8::1]:80/p and http://%6Cure.example/ and http:///x");
    REQUIRE(l.size() == 2);
    CHECK(l[0].host == "2001:db8::1");
    CHECK(l[1].host == "lure.example");
  }
  TEST_CASE("a URL inside another URL's query is part of the first link") {
    const auto l = scan_text_links("https://r.example/?u=https://lure.example/x");
    REQUIRE(l.size() == 1);
    CHECK(l[0].host == "r.example");
  }
}
