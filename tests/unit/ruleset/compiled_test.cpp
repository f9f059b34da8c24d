// Matching through the Ruleset interface: trackers, lures, allow, precedence, monitor.
#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;
using Ev = ruleset::LureEvidence;

namespace {
std::shared_ptr<const ruleset::Ruleset> load(const TempTree& t, const std::string& yaml) {
  auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + yaml));
  INFO(all_errors(r));
  REQUIRE(r.ruleset);
  return r.ruleset;
}
std::vector<std::string> ids(const std::vector<ruleset::LureHit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.rule);
  return out;
}
Ev from_header(const std::string& domain, const std::string& name = "") {
  Ev e;
  e.headers_known = true;
  e.header_from.push_back({domain, name});
  return e;
}
const std::string k_lures =
    "lists:\n  bad: {domains: [lure-news.example]}\n"
    "lures:\n"
    "  - id: by-domain\n    match: {domain_in: bad}\n    action: reject\n    reply: '550 5.7.1 "
    "no'\n"
    "  - id: in-links\n    match: {domain_in: bad, where: [links]}\n    action: tag\n"
    "  - id: look\n    match: {lookalike_of: [nytimes.com, bbc.co.uk, reuters.com]}\n    action: "
    "quarantine\n"
    "  - id: names\n    match: {display_name: '(?i)\\b(bbc|new york times)\\b', unless_domain_in: "
    "[bbc.co.uk, nytimes.com]}\n"
    "    action: tag\n    mode: monitor\n";
}  // namespace

TEST_SUITE("ruleset::CompiledRuleset") {
  TEST_CASE("tracker: all match keys must hold, first rule wins") {
    TempTree t;
    t.write("k", "secret\n");
    auto rs =
        load(t, "trackers:\n"
                "  - {id: both, match: {domain_in: [t.example], invisible: true}, action: strip}\n"
                "  - {id: dom, match: {domain_in: [t.example]}, action: neutralize}\n"
                "  - {id: tok, match: {recipient_token: true}, action: proxy}\n"
                "remote_content: {proxy: {base_url: 'https://camo.example/', key_file: k}}\n");
    ruleset::ResourceFacts f{"https://a.t.example/p.gif", "a.t.example", "img", true};
    CHECK(rs->match_tracker(f, {})->rule == "both");
    CHECK(rs->match_tracker(f, {})->action == ruleset::TrackerAction::strip);
    f.invisible = false;
    CHECK(rs->match_tracker(f, {})->rule == "dom");
    ruleset::ResourceFacts g{"https://o.example/p?u=bob.x@corp.example", "o.example", "img", false};
    CHECK_FALSE(rs->match_tracker(g, {}));
    CHECK(rs->match_tracker(g, ruleset::RecipientTokens({"bob.x@corp.example"}))->rule == "tok");
  }
  TEST_CASE("tracker monitor: per rule and global") {
    TempTree t;
    auto rs =
        load(t, "trackers:\n  - {id: a, match: {invisible: true}, action: strip, mode: monitor}\n"
                "  - {id: b, match: {invisible: false}, action: strip}\n");
    CHECK(rs->match_tracker({"https://x.example/", "x.example", "img", true}, {})->monitor);
    CHECK_FALSE(rs->match_tracker({"https://x.example/", "x.example", "img", false}, {})->monitor);
    auto g = load(
        t, "mode: monitor\ntrackers:\n  - {id: b, match: {invisible: false}, action: strip}\n");
    CHECK(g->mode() == ruleset::Mode::monitor);
    CHECK(g->match_tracker({"https://x.example/", "x.example", "img", false}, {})->monitor);
  }
  TEST_CASE("lure domain_in with the default where") {
    TempTree t;
    auto rs = load(t, k_lures);
    Ev e;
    e.envelope_from_domain = "mail.lure-news.example";
    auto hits = rs->match_lures(e);
    REQUIRE(ids(hits) == std::vector<std::string>{"by-domain"});
    CHECK(hits[0].action == ruleset::LureAction::reject);
    CHECK(hits[0].reply == "550 5.7.1 no");
    CHECK(hits[0].where == "envelope_from");
    CHECK(hits[0].value == "mail.lure-news.example");
  }
  TEST_CASE("lure evidence not yet known does not match") {
    TempTree t;
    auto rs = load(t, k_lures);
    Ev e;
    e.header_from.push_back({"lure-news.example", ""});
    e.link_hosts.push_back("lure-news.example");
    CHECK(rs->match_lures(e).empty());  // headers_known and body_known are false
    e.headers_known = true;
    CHECK(ids(rs->match_lures(e)) == std::vector<std::string>{"by-domain"});
    e.body_known = true;
    CHECK(ids(rs->match_lures(e)) == std::vector<std::string>{"by-domain", "in-links"});
  }
  TEST_CASE("where: links does not look at senders") {
    TempTree t;
    auto rs = load(t, k_lures);
    Ev e;
    e.body_known = true;
    e.resource_hosts.push_back("lure-news.example");
    CHECK(rs->match_lures(e).empty());
    e.link_hosts.push_back("x.lure-news.example");
    CHECK(ids(rs->match_lures(e)) == std::vector<std::string>{"in-links"});
  }
  TEST_CASE("every matching lure rule is returned with its own action") {
    TempTree t;
    auto rs = load(t, k_lures);
    Ev e = from_header("nytimes-alerts.example", "The New York Times");
    auto hits = rs->match_lures(e);
    REQUIRE(ids(hits) == std::vector<std::string>{"look", "names"});
    CHECK(hits[0].action == ruleset::LureAction::quarantine);
    CHECK(hits[1].monitor);
    CHECK(hits[1].where == "display_name");
    CHECK(ruleset::LureAction::reject > ruleset::LureAction::quarantine);
  }
  TEST_CASE("display_name: unless_domain_in spares the real sender") {
    TempTree t;
    auto rs = load(t, k_lures);
    CHECK(rs->match_lures(from_header("news.bbc.co.uk", "BBC News")).empty());
    CHECK(ids(rs->match_lures(from_header("mail.example", "BBC News"))) ==
          std::vector<std::string>{"names"});
    CHECK(rs->match_lures(from_header("mail.example", "Abbc Shop")).empty());
  }
  TEST_CASE("lookalike_of: legitimate domains and subdomains are not look-alikes") {
    TempTree t;
    auto rs = load(t, k_lures);
    CHECK(rs->match_lures(from_header("www.nytimes.com")).empty());
    CHECK(ids(rs->match_lures(from_header("nytimes.co"))) == std::vector<std::string>{"look"});
    CHECK(ids(rs->match_lures(from_header("reuter.com"))) == std::vector<std::string>{"look"});
    CHECK(ids(rs->match_lures(from_header("bbc-news.example"))) ==
          std::vector<std::string>{"look"});
  }
  TEST_CASE("lookalike_of: a brand in the subdomain labels, partners in unless_domain_in") {
    TempTree t;
    auto rs =
        load(t, "lists:\n  esp: {domains: [esp-partner.example]}\n"
                "lures:\n  - id: look\n    match: {lookalike_of: [nytimes.com, bbc.co.uk], "
                "unless_domain_in: esp, where: [header_from, links]}\n    action: quarantine\n");
    CHECK(ids(rs->match_lures(from_header("bbc.co.uk.news-portal.com"))) ==
          std::vector<std::string>{"look"});
    CHECK(ids(rs->match_lures(from_header("nytimes.secure-mail.net"))) ==
          std::vector<std::string>{"look"});
    CHECK(rs->match_lures(from_header("nytimes.esp-partner.example")).empty());
    CHECK(rs->match_lures(from_header("nytimes-alerts.esp-partner.example")).empty());
    Ev links;
    links.body_known = true;
    links.link_hosts = {"www.nytimes.com.login-check.example"};
    auto hits = rs->match_lures(links);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].where == "links");
    CHECK(hits[0].value == "www.nytimes.com.login-check.example");
  }
  TEST_CASE("unless_domain_in needs display_name or lookalike_of") {
    TempTree t;
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lures:\n  - {id: a, match: {domain_in: [x.example], "
                                   "unless_domain_in: [y.example]}, action: tag}\n"));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message == "unless_domain_in applies to display_name and lookalike_of");
  }
  TEST_CASE("helo and message_id evidence") {
    TempTree t;
    auto rs = load(t, "lures:\n  - {id: h, match: {domain_in: [bad.example], where: [helo, "
                      "message_id]}, action: tag}\n");
    Ev e;
    e.helo = "mx.bad.example";
    CHECK(rs->match_lures(e)[0].where == "helo");
    Ev m;
    m.headers_known = true;
    m.message_id_domain = "bad.example";
    CHECK(rs->match_lures(m)[0].where == "message_id");
  }
  TEST_CASE("allow: authenticated skips what it says") {
    TempTree t;
    auto rs =
        load(t, "allow:\n  - {id: auth, match: {authenticated: true}, skip: [lures, trackers]}\n");
    ruleset::AllowEvidence e;
    CHECK(rs->match_allow(e).rules.empty());
    e.authenticated = true;
    auto d = rs->match_allow(e);
    CHECK(d.rules == std::vector<std::string>{"auth"});
    CHECK(d.skip_lures);
    CHECK(d.skip_trackers);
    CHECK_FALSE(rs->allow_depends_on_headers());
  }
  TEST_CASE("allow: header domain needs dmarc_pass and known headers") {
    TempTree t;
    auto rs = load(t, "report: {authserv_id: mx.corp.example}\n"
                      "allow:\n  - {id: p, match: {domain_in: [partner.example], where: "
                      "[header_from], dmarc_pass: true}, skip: [trackers]}\n");
    CHECK(rs->allow_depends_on_headers());
    ruleset::AllowEvidence e;
    e.from_domains = {"news.partner.example"};
    e.dmarc_pass = true;
    CHECK(rs->match_allow(e).rules.empty());
    e.headers_known = true;
    auto d = rs->match_allow(e);
    CHECK(d.rules == std::vector<std::string>{"p"});
    CHECK(d.skip_trackers);
    CHECK_FALSE(d.skip_lures);
    e.dmarc_pass = false;
    CHECK(rs->match_allow(e).rules.empty());
  }
  TEST_CASE("allow in monitor mode reports but does not skip") {
    TempTree t;
    auto rs = load(
        t, "allow:\n  - {id: a, match: {authenticated: true}, skip: [lures], mode: monitor}\n");
    ruleset::AllowEvidence e;
    e.authenticated = true;
    auto d = rs->match_allow(e);
    CHECK(d.monitor_rules == std::vector<std::string>{"a"});
    CHECK_FALSE(d.skip_lures);
  }
  TEST_CASE("rules check warns about allow on header domains without dmarc_pass") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "allow:\n  - {id: a, match: {domain_in: [p.example]}, skip: [lures]}\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.ruleset);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].line == 3);
    CHECK(r.warnings[0].message.find("without dmarc_pass") != std::string::npos);
  }
  TEST_CASE("dmarc_pass without report.authserv_id is an error") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "allow:\n  - {id: a, match: {dmarc_pass: true}, skip: [lures]}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(r.errors.size() == 1);
    CHECK(r.errors[0].message.find("authserv_id") != std::string::npos);
  }
  TEST_CASE("reply must fit the action") {
    TempTree t;
    std::string p = t.write(
        "r.yaml",
        k_head + "lures:\n  - {id: a, match: {domain_in: [x.example]}, action: reject, reply: '450 "
                 "later'}\n"
                 "  - {id: b, match: {domain_in: [x.example]}, action: tag, reply: '550 no'}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(r.errors.size() == 2);
  }
  TEST_CASE("a bad display_name regex is an error at the regex") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "lures:\n  - {id: a, match: {display_name: '(x'}, action: tag}\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].column == 35);
  }
  TEST_CASE("lookalike_of by list name and Unicode display names") {
    TempTree t;
    auto rs = load(
        t, "lists:\n  news: {domains: [reuters.com]}\n"
           "lures:\n  - {id: l, match: {lookalike_of: news, where: [header_from]}, action: tag}\n"
           "  - {id: n, match: {display_name: 'Ünïcode'}, action: tag}\n");
    CHECK(ids(rs->match_lures(from_header("alerts-reuters.example"))) ==
          std::vector<std::string>{"l"});
    CHECK(ids(rs->match_lures(from_header("x.example", "Ünïcode Desk"))) ==
          std::vector<std::string>{"n"});
  }
}
