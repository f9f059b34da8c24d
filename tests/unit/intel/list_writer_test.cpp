// The writer end to end: a feed of the suite -> list file -> compiled ruleset, where
// every supported indicator matches and names its source and campaign.
#include "intel/list_writer.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include "base/timestamp.hpp"
#include "intel/misp.hpp"
#include "intel/stix.hpp"
#include "ruleset/ruleset.hpp"
#include "support.hpp"

using namespace pixelwarden;
using pixelwarden::test::intel_data;
using pixelwarden::test::skipped;

namespace {

struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pwintel-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& rel, const std::string& text) const {
    std::ofstream(path + "/" + rel, std::ios::binary) << text;
    return path + "/" + rel;
  }
  std::string path;
};

// A ruleset with one lure rule over the list, loaded at 2026-12-01.
ruleset::LoadResult compile(const TempDir& d, const std::string& list) {
  d.write("feed.txt", list);
  ruleset::LoadOptions o;
  o.now_ms = *base::parse_timestamp_ms("2026-12-01");
  return ruleset::load_ruleset(
      d.write("r.yaml",
              "ruleset: {name: t, version: '1'}\nlists:\n  feed: {file: feed.txt}\n"
              "lures:\n  - {id: feed, match: {domain_in: feed, where: [links]}, action: reject}\n"),
      o);
}

std::optional<ruleset::LureHit> hit(const ruleset::Ruleset& r, const std::string& host) {
  ruleset::LureEvidence ev;
  ev.body_known = true;
  ev.link_hosts = {host};
  auto hits = r.match_lures(ev);
  if (hits.empty()) return std::nullopt;
  return hits[0];
}

intel::Feed stix(const char* rel) {
  std::ifstream in(intel_data(rel), std::ios::binary);
  intel::ReadOptions o;
  o.now_ms = *base::parse_timestamp_ms("2026-12-01");
  return std::move(intel::read_stix(in, o)).value();
}

}  // namespace

TEST_SUITE("intel::list_writer") {
  TEST_CASE("domain_of: URLs give their host, addresses their domain, IPs are unsupported") {
    CHECK(
        intel::domain_of({intel::ValueKind::url, "hxxps://px.lure[.]example:8443/o.gif"}).domain ==
        "px.lure.example");
    CHECK(intel::domain_of({intel::ValueKind::email, "Desk <desk@Lure.Example>"}).domain ==
          "lure.example");
    CHECK(intel::domain_of({intel::ValueKind::domain, "bücher.example"}).domain ==
          "xn--bcher-kva.example");
    auto ip = intel::domain_of({intel::ValueKind::url, "http://203.0.113.7/x"});
    CHECK(ip.domain.empty());
    CHECK(ip.unsupported);
    auto bad = intel::domain_of({intel::ValueKind::domain, "not a domain"});
    CHECK(bad.domain.empty());
    CHECK_FALSE(bad.unsupported);
  }
  TEST_CASE("news-impersonation bundle: every indicator's domain is in the compiled ruleset") {
    auto feed = stix("stix/news-impersonation.json");
    std::ostringstream out;
    auto stats = intel::write_list(feed, "news-impersonation.json", out);
    CHECK(stats.entries == 5);
    TempDir d;
    auto r = compile(d, out.str());
    REQUIRE_MESSAGE(r.ruleset, (r.errors.empty() ? "" : r.errors[0].to_string()));
    for (const char* host :
         {"world-news-daily.example", "cdn.reuters-briefing.example",
          "img.world-news-daily.example", "bbc-newsdesk.example", "ft-politics.example"}) {
      auto h = hit(*r.ruleset, host);
      REQUIRE_MESSAGE(h, host);
      CHECK(h->source == "CERT-EU");
      CHECK(h->campaign == "Fake Newsroom");
    }
    CHECK_FALSE(hit(*r.ruleset, "reuters-briefing.example"));  // only the URL's host was listed
    CHECK(r.ruleset->next_expiry_ms() == base::parse_timestamp_ms("2099-01-01"));
  }
  TEST_CASE("mixed bundle: imported entries match, left-out ones do not, bad values are listed") {
    auto feed = stix("stix/mixed.json");
    std::ostringstream out;
    auto stats = intel::write_list(feed, "mixed.json", out);
    CHECK(stats.entries == 4);
    const auto* bad = skipped(feed, "indicator--e5000000-0000-4000-8000-000000000004");
    REQUIRE(bad);
    CHECK(bad->reason == intel::SkipReason::invalid);
    TempDir d;
    auto r = compile(d, out.str());
    REQUIRE(r.ruleset);
    for (const char* host : {"politico-brief.example", "lemonde-actu.example",
                             "spiegel-eilmeldung.example", "elpais-ultima.example"}) {
      CHECK_MESSAGE(hit(*r.ruleset, host), host);
    }
    for (const char* host : {"legit-newsroom.example", "old-campaign.example", "stage1.example",
                             "bad-dates.example"}) {
      CHECK_FALSE_MESSAGE(hit(*r.ruleset, host), host);
    }
    CHECK(hit(*r.ruleset, "politico-brief.example")->campaign == "Inkwell");
  }
  TEST_CASE("MISP event: entries compile; duplicates counted once; display names returned") {
    std::ifstream in(intel_data("misp/news-event.json"), std::ios::binary);
    auto feed = std::move(intel::read_misp(in, {})).value();
    feed.indicators.push_back(feed.indicators[0]);  // the same domain from a second attribute
    std::ostringstream out;
    auto stats = intel::write_list(feed, "news-event.json", out);
    CHECK(stats.entries == 6);
    CHECK(stats.duplicates == 1);
    REQUIRE(stats.display_names.size() == 1);
    CHECK(stats.display_names[0] == "The Economist Weekly");
    TempDir d;
    auto r = compile(d, out.str());
    REQUIRE(r.ruleset);
    auto h = hit(*r.ruleset, "track.nyt-briefing.example");
    REQUIRE(h);
    CHECK(h->source == "Parliament CSIRT");
  }
  TEST_CASE("quotes and control characters in provenance cannot break the line format") {
    intel::Feed feed;
    feed.indicators.push_back({"id 1",
                               {{intel::ValueKind::domain, "q.example"}},
                               "Src \"A\"",
                               "C\tD",
                               "amber",
                               "",
                               "",
                               "line\nbreak # x"});
    std::ostringstream out;
    intel::write_list(feed, "x", out);
    CHECK(out.str().find("q.example source=\"Src 'A'\" feed=\"id 1\" tlp=amber campaign=\"C D\" # "
                         "line break # x\n") != std::string::npos);
    TempDir d;
    auto r = compile(d, out.str());
    REQUIRE(r.ruleset);
    CHECK(hit(*r.ruleset, "q.example")->campaign == "C D");
  }
  TEST_CASE("the include defines the list and a display-name rule that compiles") {
    std::ostringstream y;
    intel::write_include(y, "news", "news.txt", "e.json",
                         {"The Economist Weekly", "Reuters (Desk)"}, "quarantine");
    TempDir d;
    d.write("news.txt", "a.example\n");
    const std::string inc = d.write("news.yaml", y.str());
    auto r = ruleset::load_ruleset(
        d.write("r.yaml", "ruleset: {name: t, version: '1'}\ninclude: [news.yaml]\n"));
    REQUIRE_MESSAGE(r.ruleset, (r.errors.empty() ? y.str() : r.errors[0].to_string()));
    ruleset::LureEvidence ev;
    ev.headers_known = true;
    ev.header_from = {{"x.example", "Reuters (Desk)"}};
    auto hits = r.ruleset->match_lures(ev);
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].rule == "news-display-names");
    ev.header_from = {{"x.example", "Reuters Desk"}};
    CHECK(r.ruleset->match_lures(ev).empty());
  }
}
