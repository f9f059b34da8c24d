// Domain list lines with provenance and expiry: what matches, what a match names, what
// is left out as expired, and when the ruleset must be rebuilt.
#include <doctest/doctest.h>

#include "base/timestamp.hpp"
#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {

const std::string k_lure_rule =
    "lists:\n  feed: {file: feed.txt}\n"
    "lures:\n  - {id: news, match: {domain_in: feed, where: [envelope_from]}, action: reject}\n";

std::vector<ruleset::LureHit> hits_for(const ruleset::Ruleset& r, const std::string& domain) {
  ruleset::LureEvidence ev;
  ev.envelope_from_domain = domain;
  return r.match_lures(ev);
}

ruleset::LoadResult load_at(const TempTree& t, const std::string& feed, const char* now) {
  t.write("feed.txt", feed);
  ruleset::LoadOptions o;
  o.now_ms = *base::parse_timestamp_ms(now);
  return ruleset::load_ruleset(t.write("r.yaml", k_head + k_lure_rule), o);
}

}  // namespace

TEST_SUITE("ruleset::list_entries") {
  TEST_CASE("a match names the entry's source and campaign; plain entries name none") {
    TempTree t;
    auto r = load_at(t,
                     "lure-news.example source=CERT-EU feed=indicator--1 tlp=amber "
                     "campaign=\"Fake outlets\" # from the advisory\n"
                     "plain.example\n"
                     "commented.example  # no fields\n",
                     "2026-12-01");
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    auto h = hits_for(*r.ruleset, "www.lure-news.example");
    REQUIRE(h.size() == 1);
    CHECK(h[0].source == "CERT-EU");
    CHECK(h[0].campaign == "Fake outlets");
    CHECK(h[0].value == "www.lure-news.example");
    h = hits_for(*r.ruleset, "plain.example");
    REQUIRE(h.size() == 1);
    CHECK(h[0].source.empty());
    CHECK(h[0].campaign.empty());
    CHECK(hits_for(*r.ruleset, "commented.example").size() == 1);
    CHECK_FALSE(r.ruleset->next_expiry_ms());
  }
  TEST_CASE("an entry past its valid_until is left out and listed; the next expiry is kept") {
    TempTree t;
    auto r = load_at(t,
                     "old.example valid_until=2026-11-30T00:00:00Z source=s\n"
                     "soon.example valid_until=2026-12-01T00:00:05Z\n"
                     "later.example valid_until=2027-01-01\n",
                     "2026-12-01T00:00:00Z");
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(hits_for(*r.ruleset, "old.example").empty());
    CHECK(hits_for(*r.ruleset, "soon.example").size() == 1);
    REQUIRE(r.expired.size() == 1);
    CHECK(r.expired[0].list == "feed");
    CHECK(r.expired[0].entry == "old.example");
    CHECK(r.expired[0].line == 1);
    CHECK(base::format_timestamp_ms(r.expired[0].valid_until_ms) == "2026-11-30T00:00:00Z");
    REQUIRE(r.ruleset->next_expiry_ms());
    CHECK(base::format_timestamp_ms(*r.ruleset->next_expiry_ms()) == "2026-12-01T00:00:05Z");
  }
  TEST_CASE("at valid_until exactly the entry no longer matches") {
    TempTree t;
    auto r = load_at(t, "soon.example valid_until=2026-12-01T00:00:05Z\n", "2026-12-01T00:00:05Z");
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(hits_for(*r.ruleset, "soon.example").empty());
    CHECK(r.expired.size() == 1);
    CHECK_FALSE(r.ruleset->next_expiry_ms());
  }
  TEST_CASE("bad fields and dates are errors at their column; skip makes them warnings") {
    TempTree t;
    t.write("feed.txt", "a.example valid_until=soon\nb.example colour=red\nc.example\n");
    std::string l = t.path("feed.txt");
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + k_lure_rule));
    CHECK(all_errors(r) == l + ":1:23: valid_until is not a date (RFC 3339): 'soon'\n" + l +
                               ":2:11: unknown entry field 'colour' (source, feed, first_seen, "
                               "valid_until, tlp, campaign)\n");
    auto s = ruleset::load_ruleset(
        t.write("s.yaml",
                k_head + "lists:\n  feed: {file: feed.txt, on_invalid: skip}\n"
                         "lures:\n  - {id: news, match: {domain_in: feed, where: [envelope_from]}, "
                         "action: reject}\n"));
    REQUIRE_MESSAGE(s.ruleset, all_errors(s));
    CHECK(s.warnings.size() == 2);
    CHECK(hits_for(*s.ruleset, "c.example").size() == 1);
    CHECK(hits_for(*s.ruleset, "a.example").empty());
  }
}
