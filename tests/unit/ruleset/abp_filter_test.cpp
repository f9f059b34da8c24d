#include "ruleset/abp_filter.hpp"

#include <doctest/doctest.h>

#include <regex>

using namespace pixelwarden::ruleset;

namespace {
// The translated regexes are plain ECMAScript-compatible here; std::regex checks them.
bool matches(std::string_view rule, const std::string& url) {
  auto parsed = parse_abp_line(rule);
  REQUIRE(std::holds_alternative<AbpFilter>(parsed));
  std::regex re(std::get<AbpFilter>(parsed).regex, std::regex::icase);
  return std::regex_search(url, re);
}
}  // namespace

TEST_SUITE("ruleset::abp_filter") {
  TEST_CASE("plain rules are substrings, case-insensitive") {
    CHECK(matches(".awstrack.me/", "https://x.r.AWSTRACK.me/I0/abc"));
    CHECK_FALSE(matches(".awstrack.me/", "https://awstrack.me.example/"));
  }
  TEST_CASE("star matches any run") {
    CHECK(matches("/track/*/open.gif", "https://a.example/track/12/34/open.gif"));
  }
  TEST_CASE("caret matches a separator or the end") {
    CHECK(matches("/o.gif^", "https://a.example/o.gif?x=1"));
    CHECK(matches("/o.gif^", "https://a.example/o.gif"));
    CHECK_FALSE(matches("/o.gif^", "https://a.example/o.gifs"));
  }
  TEST_CASE("pipe anchors the start and end") {
    CHECK(matches("|https://t.example/", "https://t.example/x"));
    CHECK_FALSE(matches("|https://t.example/", "http://r.example/?https://t.example/"));
    CHECK(matches(".gif|", "https://a.example/x.gif"));
    CHECK_FALSE(matches(".gif|", "https://a.example/x.gif?1"));
  }
  TEST_CASE("double pipe anchors at a domain or subdomain") {
    CHECK(matches("||tracker.example^", "https://tracker.example/p"));
    CHECK(matches("||tracker.example^", "https://a.tracker.example/p"));
    CHECK_FALSE(matches("||tracker.example^", "https://nottracker.example/p"));
  }
  TEST_CASE("options are kept as facts") {
    auto f = std::get<AbpFilter>(parse_abp_line(".acemlna.com/lt.php?$image,third-party"));
    CHECK(f.image);
    CHECK(f.third_party);
    CHECK_FALSE(f.all);
    CHECK(std::get<AbpFilter>(parse_abp_line("/x$all")).all);
  }
  TEST_CASE("comments and headers are skipped") {
    CHECK(std::holds_alternative<AbpSkip>(parse_abp_line("! comment")));
    CHECK(std::holds_alternative<AbpSkip>(parse_abp_line("[Adblock Plus 2.0]")));
  }
  TEST_CASE("unsupported forms are errors") {
    CHECK(std::holds_alternative<std::string>(parse_abp_line("@@||good.example^")));
    CHECK(std::holds_alternative<std::string>(parse_abp_line("example.com##.ad")));
    CHECK(std::holds_alternative<std::string>(parse_abp_line("/x$script")));
    CHECK(std::holds_alternative<std::string>(parse_abp_line("*")));
  }
  TEST_CASE("percent-encoded rules also get a decoded form") {
    auto f = std::get<AbpFilter>(parse_abp_line("%2Fo.gif&"));
    CHECK(std::regex_search("https://p.example/?u=%2Fo.gif&x",
                            std::regex(f.regex, std::regex::icase)));
    REQUIRE_FALSE(f.decoded_regex.empty());
    CHECK(std::regex_search("https://p.example/?u=/o.gif&x",
                            std::regex(f.decoded_regex, std::regex::icase)));
  }
  TEST_CASE("regex rules pass through") {
    auto f = std::get<AbpFilter>(parse_abp_line("/\\/px[0-9]+\\.gif/"));
    CHECK(f.regex == "\\/px[0-9]+\\.gif");
  }
  TEST_CASE("percent_decode_all keeps invalid escapes") {
    CHECK(percent_decode_all("a%2Fb%zz%4") == "a/b%zz%4");
  }
}
