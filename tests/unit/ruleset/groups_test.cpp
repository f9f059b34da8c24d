// Recipient groups: who is in a group, and the strictest settings of a message's groups.
#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;
using ruleset::LureAction;
using ruleset::RemoteContentAction;

namespace {
const std::string k_groups =
    "recipient_groups:\n"
    "  - id: members\n"
    "    recipients:\n"
    "      addresses: [MP.Smith@Parliament.example]\n"
    "      file: members.txt\n"
    "    remote_content: neutralize\n"
    "    lookalike_min_label: 3\n"
    "    lure_actions: {quarantine: reject, tag: quarantine}\n"
    "  - id: offices\n"
    "    recipients: {domains: [offices.parliament.example]}\n"
    "    remote_content: proxy\n"
    "    lure_actions: {tag: defang}\n"
    "remote_content:\n  proxy: {base_url: 'https://camo.example', key_file: k}\n";

std::shared_ptr<const ruleset::Ruleset> load(const TempTree& t) {
  t.write("k", "secret\n");
  t.write("members.txt",
          "# members of parliament\njones@parliament.example   # chair\nministers.example\n");
  auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + k_groups));
  INFO(all_errors(r));
  REQUIRE(r.ruleset);
  return r.ruleset;
}
}  // namespace

TEST_SUITE("ruleset::groups") {
  TEST_CASE("no recipient in a group: default, no settings") {
    TempTree t;
    auto rs = load(t);
    auto p = rs->recipient_group({"alice@corp.example", "clerk@parliament.example"});
    CHECK(p.group == "default");
    CHECK(p.groups.empty());
    CHECK_FALSE(p.remote_content);
    CHECK(p.lure_action(LureAction::quarantine) == LureAction::quarantine);
  }
  TEST_CASE("addresses (any case), file entries, domains and their subdomains") {
    TempTree t;
    auto rs = load(t);
    CHECK(rs->recipient_group({"mp.smith@PARLIAMENT.example"}).group == "members");
    CHECK(rs->recipient_group({"jones@parliament.example"}).group == "members");
    CHECK(rs->recipient_group({"x@ministers.example"}).group == "members");
    CHECK(rs->recipient_group({"x@press.ministers.example"}).group == "members");
    CHECK(rs->recipient_group({"aide@offices.parliament.example"}).group == "offices");
    CHECK(rs->recipient_group({"smith@parliament.example"}).group == "default");
  }
  TEST_CASE("one group's settings") {
    TempTree t;
    auto rs = load(t);
    auto p = rs->recipient_group({"aide@offices.parliament.example"});
    CHECK(p.remote_content == RemoteContentAction::proxy);
    CHECK_FALSE(p.lookalike_min_label);
    CHECK(p.lure_action(LureAction::tag) == LureAction::defang);
    CHECK(p.lure_action(LureAction::quarantine) == LureAction::quarantine);
  }
  TEST_CASE("recipients in several groups: the strictest of each setting") {
    TempTree t;
    auto rs = load(t);
    auto p = rs->recipient_group(
        {"aide@offices.parliament.example", "alice@corp.example", "jones@parliament.example"});
    CHECK(p.group == "members");  // the first declared group with a recipient
    CHECK(p.groups == std::vector<std::string>{"members", "offices"});
    CHECK(p.remote_content == RemoteContentAction::neutralize);
    CHECK(p.lookalike_min_label == 3u);
    CHECK(p.lure_action(LureAction::tag) == LureAction::quarantine);
    CHECK(p.lure_action(LureAction::quarantine) == LureAction::reject);
    CHECK(p.lure_action(LureAction::reject) == LureAction::reject);
  }
  TEST_CASE("a group may only be stricter; ids, recipients and file lines are checked") {
    TempTree t;
    t.write("bad.txt", "ok@parliament.example\nnot a domain\n");
    std::string p = t.write(
        "r.yaml", k_head + "remote_content: {action: neutralize}\n"
                           "recipient_groups:\n"
                           "  - id: a\n    recipients: {file: bad.txt}\n    remote_content: keep\n"
                           "  - id: default\n    recipients: {domains: [x.example]}\n"
                           "  - id: b\n    recipients: {addresses: [x.example]}\n"
                           "    lure_actions: {reject: quarantine}\n    lookalike_min_label: 7\n");
    auto r = ruleset::load_ruleset(p);
    CHECK_FALSE(r.ruleset);
    const std::string all = all_errors(r);
    CHECK(all.find(t.path("bad.txt") + ":2:1: not an address or domain: 'not a domain'") !=
          std::string::npos);
    CHECK(all.find(p + ":6:21: a group may only be stricter: remote_content 'keep' is weaker") !=
          std::string::npos);
    CHECK(all.find("group id 'default' must match") != std::string::npos);
    CHECK(all.find(p + ":10:30: not an address: 'x.example'") != std::string::npos);
    CHECK(all.find("'quarantine' is not stronger than 'reject'") != std::string::npos);
    CHECK(all.find("lookalike_min_label must be 1 to 5") != std::string::npos);
  }
  TEST_CASE("only the entry file may declare groups") {
    TempTree t;
    t.write("inc.yaml", "recipient_groups: []\n");
    std::string p = t.write("r.yaml", k_head + "include: [inc.yaml]\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r).find("only the entry file may set 'recipient_groups'") !=
          std::string::npos);
  }
}
