#include "intel/misp.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "support.hpp"

using namespace pixelwarden;
using pixelwarden::test::indicator;
using pixelwarden::test::intel_data;
using pixelwarden::test::skipped;

TEST_SUITE("intel::misp") {
  TEST_CASE("the news event: supported types imported, the rest listed with uuid and reason") {
    std::ifstream in(intel_data("misp/news-event.json"), std::ios::binary);
    auto r = intel::read_misp(in, {});
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    const intel::Feed& f = *r;
    CHECK(f.objects == 12);
    CHECK(f.indicators.size() == 7);
    const auto* d = indicator(f, "6a1b2c3d-0001-4e5f-8a6b-7c8d9e0f1a01");
    REQUIRE(d);
    CHECK(d->source == "Parliament CSIRT");
    CHECK(d->campaign == "Inkwell");
    CHECK(d->tlp == "amber");
    CHECK(d->first_seen == "2026-11-16T08:12:00.000000+00:00");
    CHECK(d->valid_until.empty());
    const auto* url = indicator(f, "6a1b2c3d-0003-4e5f-8a6b-7c8d9e0f1a03");
    REQUIRE(url);
    CHECK(url->tlp == "red");  // the attribute's own tag wins over the event's
    CHECK(url->values[0].kind == intel::ValueKind::url);
    CHECK(url->first_seen == "2026-11-23T08:00:00Z");  // from the attribute timestamp
    const auto* pair = indicator(f, "6a1b2c3d-0006-4e5f-8a6b-7c8d9e0f1a06");
    REQUIRE(pair);
    CHECK(pair->values[0].value == "cdn.economist-weekly.example");
    const auto* name = indicator(f, "6a1b2c3d-0005-4e5f-8a6b-7c8d9e0f1a05");
    REQUIRE(name);
    CHECK(name->values[0].kind == intel::ValueKind::display_name);
    CHECK(indicator(f, "6a1b2c3d-0011-4e5f-8a6b-7c8d9e0f1a11"));  // inside an object
    CHECK(skipped(f, "6a1b2c3d-0007-4e5f-8a6b-7c8d9e0f1a07")->reason ==
          intel::SkipReason::unsupported);
    CHECK(skipped(f, "6a1b2c3d-0008-4e5f-8a6b-7c8d9e0f1a08")->reason ==
          intel::SkipReason::unsupported);
    CHECK(skipped(f, "6a1b2c3d-0009-4e5f-8a6b-7c8d9e0f1a09")->reason ==
          intel::SkipReason::not_for_detection);
    CHECK(skipped(f, "6a1b2c3d-0010-4e5f-8a6b-7c8d9e0f1a10")->reason == intel::SkipReason::revoked);
    CHECK(skipped(f, "6a1b2c3d-0012-4e5f-8a6b-7c8d9e0f1a12")->reason ==
          intel::SkipReason::unsupported);
    CHECK(f.skipped.size() == 5);
  }
  TEST_CASE("REST answers, lists of events, and string booleans of older exports") {
    std::istringstream in(R"({"response":[{"Event":{"info":"e1","Orgc":{"name":"O"},"Attribute":[
      {"uuid":"u1","type":"domain","value":"a.example","to_ids":"1"},
      {"uuid":"u2","type":"domain","value":"b.example","to_ids":"0"}]}}]})");
    auto r = intel::read_misp(in, {});
    REQUIRE(r.ok());
    REQUIRE(r->indicators.size() == 1);
    CHECK(r->indicators[0].campaign == "e1");
    CHECK(r->skipped.size() == 1);
  }
  TEST_CASE("truncated JSON and JSON without an event are errors") {
    std::ifstream in(intel_data("misp/truncated.json"), std::ios::binary);
    CHECK_FALSE(intel::read_misp(in, {}).ok());
    std::istringstream other(R"({"type":"bundle"})");
    CHECK_FALSE(intel::read_misp(other, {}).ok());
  }
}
