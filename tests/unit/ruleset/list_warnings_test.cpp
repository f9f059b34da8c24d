// Warnings across lists: lure entries that overlap protected, partner or allowed domains.
#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {
const std::string k_brands = "  news-outlets: {domains: [nytimes.com, bbc.co.uk, reuters.com]}\n"
                             "  partners: {domains: [esp.example]}\n";
const std::string k_rules =
    "lures:\n"
    "  - {id: feed, match: {domain_in: feed, where: [header_from, links]}, action: reject}\n"
    "  - {id: look, match: {lookalike_of: news-outlets, unless_domain_in: partners}, action: "
    "quarantine}\n"
    "allow:\n"
    "  - {id: ok, match: {domain_in: [corp.example], dmarc_pass: true}, skip: [lures]}\n"
    "report: {authserv_id: mx.example}\n";

std::vector<std::string> texts(const ruleset::LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& w : r.warnings) out.push_back(w.to_string());
  return out;
}
}  // namespace

TEST_SUITE("ruleset::list_warnings") {
  TEST_CASE("a lure entry equal to a protected brand domain: warning at the entry") {
    TempTree t;
    std::string f =
        t.write("feed.txt", "lure-news.example\n  bbc.co.uk   # from a campaign report\n");
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  feed: {file: feed.txt}\n" + k_brands + k_rules));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(texts(r) ==
          std::vector<std::string>{
              f + ":2:3: lure entry 'bbc.co.uk' (list 'feed', rule 'feed') equals protected brand "
                  "domain 'bbc.co.uk' (lookalike_of of rule 'look'): the lure rule would match its "
                  "mail"});
  }
  TEST_CASE("inside, containing, wildcard; partner and allowed domains; inline lists") {
    TempTree t;
    std::string y = t.write(
        "r.yaml", k_head +
                      "lists:\n  feed: {domains: ['*.reuters.com', news.nytimes.com, co.uk, "
                      "mail.esp.example, corp.example, fine.example]}\n" +
                      k_brands + k_rules);
    auto r = ruleset::load_ruleset(y);
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    const auto w = texts(r);
    REQUIRE(w.size() == 5);
    CHECK(w[0].find(
              y +
              ":3:20: lure entry '*.reuters.com' (list 'feed', rule 'feed') lies inside protected "
              "brand domain 'reuters.com'") == 0);
    CHECK(
        w[1].find(
            "lure entry 'news.nytimes.com' (list 'feed', rule 'feed') lies inside protected brand "
            "domain 'nytimes.com'") != std::string::npos);
    CHECK(w[2].find("lure entry 'co.uk' (list 'feed', rule 'feed') contains protected brand domain "
                    "'bbc.co.uk'") != std::string::npos);
    CHECK(
        w[3].find("'mail.esp.example' (list 'feed', rule 'feed') lies inside domain 'esp.example' "
                  "(unless_domain_in of rule 'look')") != std::string::npos);
    CHECK(
        w[4].find("'corp.example' (list 'feed', rule 'feed') equals allowed domain 'corp.example' "
                  "(domain_in of allow rule 'ok')") != std::string::npos);
  }
  TEST_CASE("an inline domain_in of a lure rule is checked too") {
    TempTree t;
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "lists:\n" + k_brands +
                      "lures:\n  - {id: l, match: {domain_in: [nytimes.com]}, action: reject}\n"
                      "  - {id: look, match: {lookalike_of: news-outlets}, action: tag}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].line == 6);
    CHECK(r.warnings[0].message.find("(the domain_in of rule 'l') equals protected brand domain") !=
          std::string::npos);
  }
  TEST_CASE("no warning without overlap, nor for a list used both ways") {
    TempTree t;
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "lists:\n  feed: {domains: [lure.example, bbc.co.uk.example]}\n" +
                      k_brands + k_rules));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.warnings.size() == 0);
    auto same = ruleset::load_ruleset(t.write(
        "s.yaml",
        k_head + "lists:\n" + k_brands +
            "lures:\n  - {id: a, match: {domain_in: news-outlets, where: [links]}, action: tag}\n"
            "  - {id: b, match: {lookalike_of: news-outlets}, action: tag}\n"));
    REQUIRE_MESSAGE(same.ruleset, all_errors(same));
    CHECK(same.warnings.size() == 0);
  }
}
