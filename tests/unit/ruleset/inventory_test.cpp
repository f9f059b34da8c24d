// ruleset::inventory: rules with their definitions and lists, list entries when kept.
#include <doctest/doctest.h>

#include "ruleset/inventory.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {

const std::string k_rules = k_head + R"(lists:
  lures:
    domains: [lure-news.example, "*.evil.example"]
  pixels:
    file: pixels.txt
  paths:
    url_patterns: ['/open\.gif']
trackers:
  - id: pixel-hosts
    match: {domain_in: pixels, url_in: paths}
    action: neutralize
lures:
  - id: apt31-news
    match: {domain_in: lures, where: [header_from, links]}
    action: reject
  - id: inline-lure
    match: {domain_in: [inline.example], where: [links]}
    action: tag
)";

std::shared_ptr<const ruleset::Ruleset> load(const TempTree& t, bool keep) {
  t.write("pixels.txt", "# pixels\nt.tracker.example\n");
  ruleset::LoadOptions o;
  o.keep_entries = keep;
  auto r = ruleset::load_ruleset(t.write("r.yaml", k_rules), o);
  REQUIRE_MESSAGE(r.ruleset, all_errors(r));
  return r.ruleset;
}

}  // namespace

TEST_SUITE("ruleset::inventory") {
  TEST_CASE("every rule with its kind and the named lists it uses, in file order") {
    TempTree t;
    const auto inv = ruleset::inventory(*load(t, false));
    CHECK(inv.rule_ids() == std::vector<std::string>{"pixel-hosts", "apt31-news", "inline-lure"});
    REQUIRE(inv.rules.size() == 3);
    CHECK(inv.rules[0].kind == "tracker");
    CHECK(inv.rules[0].lists == std::vector<std::string>{"pixels", "paths"});
    CHECK(inv.rules[1].kind == "lure");
    CHECK(inv.rules[1].lists == std::vector<std::string>{"lures"});
    CHECK(inv.rules[2].lists.empty());
    CHECK(inv.rules[1].definition.find("action: reject") != std::string::npos);
    CHECK(inv.rules[2].definition.find("inline.example") != std::string::npos);
  }

  TEST_CASE("named lists only; entries only when the load kept them") {
    TempTree t;
    const auto without = ruleset::inventory(*load(t, false));
    REQUIRE(without.lists.size() == 3);
    CHECK_FALSE(without.lists[0].entries_kept);
    CHECK(without.lists[0].entries.empty());
    const auto with = ruleset::inventory(*load(t, true));
    REQUIRE(with.lists.size() == 3);
    CHECK(with.lists[0].name == "lures");
    CHECK(with.lists[0].kind == "domains");
    CHECK(with.lists[0].entries == std::vector<std::string>{"lure-news.example", "*.evil.example"});
    CHECK(with.lists[1].entries == std::vector<std::string>{"t.tracker.example"});
    CHECK(with.lists[2].kind == "url_patterns");
    CHECK(with.lists[2].entries == std::vector<std::string>{"/open\\.gif"});
  }
}
