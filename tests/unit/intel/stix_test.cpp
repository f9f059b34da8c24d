#include "intel/stix.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "base/timestamp.hpp"
#include "support.hpp"

using namespace pixelwarden;
using pixelwarden::test::indicator;
using pixelwarden::test::intel_data;
using pixelwarden::test::skipped;

namespace {
intel::ReadOptions at_2026() {
  intel::ReadOptions o;
  o.now_ms = *base::parse_timestamp_ms("2026-12-01");
  return o;
}
intel::Feed read_file(const std::string& rel) {
  std::ifstream in(intel_data(rel), std::ios::binary);
  auto r = intel::read_stix(in, at_2026());
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return std::move(r).value();
}
}  // namespace

TEST_SUITE("intel::stix") {
  TEST_CASE("provenance comes from the bundle: identity, campaign, TLP marking, dates, labels") {
    auto f = read_file("stix/news-impersonation.json");
    CHECK(f.objects == 8);
    CHECK(f.skipped.empty());
    REQUIRE(f.indicators.size() == 3);
    const auto* i = indicator(f, "indicator--0b6a5b1e-2f55-4c3c-9d4f-5a1c0f2e7d11");
    REQUIRE(i);
    CHECK(i->source == "CERT-EU");
    CHECK(i->campaign == "Fake Newsroom");
    CHECK(i->tlp == "amber");
    CHECK(i->first_seen == "2026-11-02T00:00:00Z");
    CHECK(i->valid_until == "2099-01-01T00:00:00Z");
    CHECK(i->comment ==
          "Sender domain of the fake newsletter; labels: phishing,tracking-pixel; kill_chain: "
          "mitre-attack:reconnaissance");
    const auto* both = indicator(f, "indicator--2d8c7d3a-4b77-4e5e-bf61-7c3e2a4a9f33");
    REQUIRE(both);
    CHECK(both->values.size() == 2);
  }
  TEST_CASE("the mixed bundle: every indicator is imported or listed with its id and why") {
    auto f = read_file("stix/mixed.json");
    CHECK(f.indicators.size() == 3);
    CHECK(f.skipped.size() == 10);
    auto reason = [&](const char* id) {
      const auto* s = skipped(f, id);
      REQUIRE_MESSAGE(s, id);
      return s->reason;
    };
    for (const char* id : {"indicator--b2000000-0000-4000-8000-000000000001",
                           "indicator--b2000000-0000-4000-8000-000000000002",
                           "indicator--b2000000-0000-4000-8000-000000000003",
                           "indicator--b2000000-0000-4000-8000-000000000004",
                           "indicator--b2000000-0000-4000-8000-000000000005"}) {
      CHECK(reason(id) == intel::SkipReason::unsupported);
    }
    CHECK(reason("indicator--c3000000-0000-4000-8000-000000000001") == intel::SkipReason::revoked);
    CHECK(reason("indicator--d4000000-0000-4000-8000-000000000001") == intel::SkipReason::expired);
    for (const char* id : {"indicator--e5000000-0000-4000-8000-000000000001",
                           "indicator--e5000000-0000-4000-8000-000000000002",
                           "indicator--e5000000-0000-4000-8000-000000000003"}) {
      CHECK(reason(id) == intel::SkipReason::invalid);
    }
    const auto* strict = indicator(f, "indicator--a1000000-0000-4000-8000-000000000001");
    REQUIRE(strict);
    CHECK(strict->tlp == "amber+strict");  // a TLP 2.0 marking defined in the bundle
    CHECK(strict->campaign == "Inkwell");  // an intrusion set, for want of a campaign
    CHECK(strict->source == "Parliament SOC");
    const auto* anon = indicator(f, "indicator--a1000000-0000-4000-8000-000000000002");
    REQUIRE(anon);
    CHECK(anon->values.size() == 3);
    CHECK(anon->source.empty());
  }
  TEST_CASE("defaults fill what the bundle does not say") {
    std::istringstream in(R"({"type":"bundle","objects":[{"type":"indicator","id":"indicator--1",
      "pattern":"[domain-name:value = 'a.example']","valid_from":"2026-01-01T00:00:00Z"}]})");
    auto o = at_2026();
    o.default_source = "Advisory 17";
    o.default_campaign = "News";
    o.default_tlp = "green";
    auto r = intel::read_stix(in, o);
    REQUIRE(r.ok());
    REQUIRE(r->indicators.size() == 1);
    CHECK(r->indicators[0].source == "Advisory 17");
    CHECK(r->indicators[0].campaign == "News");
    CHECK(r->indicators[0].tlp == "green");
  }
  TEST_CASE("not JSON, truncated JSON and JSON that is not a bundle are errors") {
    for (const char* rel : {"stix/truncated.json", "stix/not-a-bundle.json"}) {
      std::ifstream in(intel_data(rel), std::ios::binary);
      CHECK_FALSE(intel::read_stix(in, at_2026()).ok());
    }
    std::istringstream junk("[1, 2]");
    CHECK_FALSE(intel::read_stix(junk, at_2026()).ok());
  }
  TEST_CASE("a non-object element of objects is invalid, not fatal") {
    std::istringstream in(R"({"type":"bundle","objects":[42,{"type":"indicator","id":"indicator--2",
      "pattern":"[domain-name:value = 'b.example']"}]})");
    auto r = intel::read_stix(in, at_2026());
    REQUIRE(r.ok());
    CHECK(r->indicators.size() == 1);
    REQUIRE(r->skipped.size() == 1);
    CHECK(r->skipped[0].reason == intel::SkipReason::invalid);
  }
}
