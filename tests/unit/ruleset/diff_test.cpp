// ruleset::diff: rules added/removed/changed, list entries added/removed, affected rules.
#include <doctest/doctest.h>

#include "ruleset/diff.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {

const std::string k_old = k_head + R"(lists:
  lures:
    file: lures.txt
  brands:
    domains: [bank.example]
  gone:
    domains: [old.example]
lures:
  - id: apt31-news
    match: {domain_in: lures, where: [header_from, links]}
    action: reject
  - id: brand-lookalikes
    match: {lookalike_of: brands, where: [header_from]}
    action: quarantine
  - id: retired
    match: {domain_in: gone, where: [links]}
    action: tag
  - id: inline
    match: {domain_in: [a.example], where: [links]}
    action: tag
)";

// Same as k_old but: lures.txt gains two entries and loses one; brand-lookalikes moved
// (file order and a comment do not count); retired and its list removed; inline's
// inline list changed; a new rule with a new list.
const std::string k_new = k_head + R"(lists:
  brands:
    domains: [bank.example]   # unchanged
  lures:
    file: lures.txt
  fresh:
    domains: [new-campaign.example]
lures:
  - id: brand-lookalikes
    match: {lookalike_of: brands, where: [header_from]}
    action: quarantine
  - id: apt31-news
    match: {domain_in: lures, where: [header_from, links]}
    action: reject
  - id: inline
    match: {domain_in: [a.example, b.example], where: [links]}
    action: tag
  - id: new-campaign
    match: {domain_in: fresh, where: [envelope_from]}
    action: reject
)";

std::shared_ptr<const ruleset::Ruleset> load(const TempTree& t, const std::string& dir,
                                             const std::string& yaml, const std::string& lures) {
  t.write(dir + "/lures.txt", lures);
  ruleset::LoadOptions o;
  o.keep_entries = true;
  auto r = ruleset::load_ruleset(t.write(dir + "/r.yaml", yaml), o);
  REQUIRE_MESSAGE(r.ruleset, all_errors(r));
  return r.ruleset;
}

std::vector<std::string> ids(const std::vector<ruleset::RuleInventory>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(r.id);
  return out;
}

}  // namespace

TEST_SUITE("ruleset::diff") {
  TEST_CASE("rules added, removed and changed; order and comments do not count") {
    TempTree t;
    const auto old_rs = load(t, "old", k_old, "lure-news.example\nstale.example\n");
    const auto new_rs =
        load(t, "new", k_new, "lure-news.example\napnews.update.example\nX.Example\n");
    const auto d = ruleset::diff(*old_rs, *new_rs);
    CHECK(ids(d.added_rules) == std::vector<std::string>{"new-campaign"});
    CHECK(ids(d.removed_rules) == std::vector<std::string>{"retired"});
    CHECK(ids(d.changed_rules) == std::vector<std::string>{"inline"});
    CHECK_FALSE(d.empty());
  }

  TEST_CASE("list entries added and removed, compared normalized; lists added and removed") {
    TempTree t;
    const auto old_rs = load(t, "old", k_old, "lure-news.example\nstale.example\n");
    const auto new_rs =
        load(t, "new", k_new, "lure-news.example\napnews.update.example\nX.Example\n");
    const auto d = ruleset::diff(*old_rs, *new_rs);
    REQUIRE(d.lists.size() == 3);
    CHECK(d.lists[0].name == "lures");
    CHECK(d.lists[0].added_entries ==
          std::vector<std::string>{"apnews.update.example", "x.example"});
    CHECK(d.lists[0].removed_entries == std::vector<std::string>{"stale.example"});
    CHECK(d.lists[0].entries_known);
    CHECK(d.lists[1].name == "fresh");
    CHECK(d.lists[1].added);
    CHECK(d.lists[1].added_entries == std::vector<std::string>{"new-campaign.example"});
    CHECK(d.lists[2].name == "gone");
    CHECK(d.lists[2].removed);
    CHECK(d.summary() == "1 rules added, 1 changed, 1 removed; 3 list entries added, 2 removed, 0 "
                         "with changed provenance");
  }

  TEST_CASE("affected rules: added, changed, and users of a changed list; not the others") {
    TempTree t;
    const auto old_rs = load(t, "old", k_old, "lure-news.example\n");
    const auto new_rs = load(t, "new", k_new, "lure-news.example\napnews.update.example\n");
    const auto d = ruleset::diff(*old_rs, *new_rs);
    CHECK(d.affected_rules == std::vector<std::string>{"apt31-news", "inline", "new-campaign"});
  }

  TEST_CASE("an entry whose provenance changed is a changed entry; its comment does not count") {
    TempTree t;
    const auto old_rs = load(t, "old", k_old,
                             "lure-news.example source=CERT-EU campaign=\"Fake Newsroom\" # first\n"
                             "stale.example valid_until=2099-01-01T00:00:00Z\nplain.example\n");
    const auto new_rs =
        load(t, "new", k_old,
             "lure-news.example campaign=\"Fake Newsroom\"   source=CERT-EU # edited\n"
             "stale.example valid_until=2030-01-01T00:00:00Z\nplain.example tlp=amber\n");
    const auto d = ruleset::diff(*old_rs, *new_rs);
    REQUIRE(d.lists.size() == 1);
    CHECK(d.lists[0].added_entries.empty());
    CHECK(d.lists[0].removed_entries.empty());
    CHECK(d.lists[0].changed_entries ==
          std::vector<std::string>{
              "stale.example: valid_until=2099-01-01T00:00:00Z -> valid_until=2030-01-01T00:00:00Z",
              "plain.example: (none) -> tlp=amber"});
    CHECK(d.affected_rules == std::vector<std::string>{"apt31-news"});
    CHECK(d.summary() == "0 rules added, 0 changed, 0 removed; 0 list entries added, 0 removed, 2 "
                         "with changed provenance");
  }

  TEST_CASE("a ruleset against itself is empty") {
    TempTree t;
    const auto a = load(t, "a", k_old, "lure-news.example\n");
    const auto b = load(t, "b", k_old, "lure-news.example\n");
    const auto d = ruleset::diff(*a, *b);
    CHECK(d.empty());
    CHECK(d.affected_rules.empty());
    CHECK(d.summary() == "0 rules added, 0 changed, 0 removed; 0 list entries added, 0 removed, 0 "
                         "with changed provenance");
  }

  TEST_CASE("an action change is a changed rule; a list of another kind is a changed list") {
    ruleset::Inventory a;
    a.rules.push_back({"r", "lure", "id: r\naction: tag\n", {"l"}});
    a.lists.push_back({"l", "domains", {"x.example"}, {""}, true});
    ruleset::Inventory b = a;
    b.rules[0].definition = "id: r\naction: reject\n";
    b.lists[0].kind = "url_patterns";
    const auto d = ruleset::diff(a, b);
    CHECK(ids(d.changed_rules) == std::vector<std::string>{"r"});
    REQUIRE(d.lists.size() == 1);
    CHECK(d.lists[0].old_kind == "domains");
    CHECK(d.lists[0].kind == "url_patterns");
  }

  TEST_CASE("entries not kept by a load are reported as unknown, not as unchanged") {
    ruleset::Inventory a;
    a.lists.push_back({"l", "domains", {}, {}, false});
    ruleset::Inventory b = a;
    b.lists[0].name = "l2";
    const auto d = ruleset::diff(a, b);
    REQUIRE(d.lists.size() == 2);
    CHECK_FALSE(d.lists[0].entries_known);
  }
}
