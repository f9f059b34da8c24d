#include "url/lookalike.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

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
  TEST_CASE("remembered answers are the computed ones, per min_label, past the memo's bound") {
    // check() remembers its answers by host and min_label, in a bounded memo that is
    // emptied when full. Every answer, first or remembered, from one thread or several,
    // must be what a detector that never saw the host says.
    const std::vector<std::string> legit = {"nytimes.com", "bbc.co.uk", "reuters.com"};
    const std::vector<std::string> hosts = {"nytimes.co",
                                            "nytirnes.com",
                                            "reuter.com",
                                            "bbc-news.example",
                                            "www.nytimes.com",
                                            "example.org",
                                            "bbc.co.uk.portal.example",
                                            "bbcc.com"};
    const auto fresh = [&](const std::string& h, std::size_t min_label) {
      const auto l = LookalikeDetector(legit).check(h, min_label);
      return l ? std::optional<LookalikeKind>(l->kind) : std::nullopt;
    };
    const LookalikeDetector d(legit);
    const auto asked = [&](const std::string& h, std::size_t min_label) {
      const auto l = d.check(h, min_label);
      return l ? std::optional<LookalikeKind>(l->kind) : std::nullopt;
    };
    // min_label is part of the key: bbcc.com is one edit from bbc only below the default.
    REQUIRE(fresh("bbcc.com", 3) != fresh("bbcc.com", k_min_edit_label));
    for (int round = 0; round < 2; ++round) {
      for (const auto& h : hosts) {
        for (const std::size_t m : {std::size_t{3}, k_min_edit_label}) {
          CHECK_MESSAGE(asked(h, m) == fresh(h, m), h << " min_label " << m << " round " << round);
        }
      }
    }
    for (int i = 0; i < 10000; ++i) d.check("host" + std::to_string(i) + ".example");
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 2000; ++i) {
          const std::string& h = hosts[static_cast<std::size_t>(i) % hosts.size()];
          if (d.check("n" + std::to_string(i) + ".example")) ++wrong;
          if (asked(h, k_min_edit_label) != fresh(h, k_min_edit_label)) ++wrong;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong.load() == 0);
  }
  TEST_CASE("skeleton maps confusables together") {
    CHECK(skeleton("rn") == skeleton("m"));
    CHECK(skeleton("раураl") == skeleton("paypal"));
  }
}
