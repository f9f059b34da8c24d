#include "intel/csv.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "base/timestamp.hpp"
#include "support.hpp"

using namespace pixelwarden;
using pixelwarden::test::indicator;
using pixelwarden::test::intel_data;
using pixelwarden::test::skipped;

TEST_SUITE("intel::csv") {
  TEST_CASE("column maps by number and by header name; bad maps are errors") {
    auto m = intel::parse_column_map("value=2, campaign=campaign");
    REQUIRE(m.ok());
    CHECK(m->at("value") == "2");
    CHECK(m->at("campaign") == "campaign");
    CHECK_FALSE(intel::parse_column_map("campaign=3").ok());
    CHECK_FALSE(intel::parse_column_map("value=1,colour=2").ok());
    CHECK_FALSE(intel::parse_column_map("value").ok());
  }
  TEST_CASE("the advisory CSV: quoted fields, expired rows, rows without a value") {
    std::ifstream in(intel_data("csv/advisory.csv"), std::ios::binary);
    intel::CsvOptions co;
    co.header = true;
    co.name = "advisory.csv";
    co.columns = *intel::parse_column_map("value=indicator,first_seen=first_seen,source=reported_"
                                          "by,campaign=campaign,valid_until=expires");
    intel::ReadOptions ro;
    ro.now_ms = *base::parse_timestamp_ms("2026-12-01");
    auto r = intel::read_csv(in, co, ro);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    CHECK(r->objects == 6);
    CHECK(r->indicators.size() == 4);
    const auto* quoted = indicator(*r, "advisory.csv:4");
    REQUIRE(quoted);
    CHECK(quoted->campaign == "Fake Newsroom, wave 2");
    CHECK(quoted->values[0].kind == intel::ValueKind::email);
    CHECK(indicator(*r, "advisory.csv:3")->values[0].kind == intel::ValueKind::url);
    CHECK(skipped(*r, "advisory.csv:5")->reason == intel::SkipReason::expired);
    CHECK(skipped(*r, "advisory.csv:6")->reason == intel::SkipReason::invalid);
  }
  TEST_CASE("a header name that is not there is an error") {
    std::istringstream in("a,b\nx.example,y\n");
    intel::CsvOptions co;
    co.header = true;
    co.columns = {{"value", "domain"}};
    CHECK_FALSE(intel::read_csv(in, co, {}).ok());
  }
  TEST_CASE("other delimiters, doubled quotes and a field over two lines") {
    std::istringstream in("x.example;\"say \"\"hi\"\"\nthere\"\ny.example;c\n");
    intel::CsvOptions co;
    co.delimiter = ';';
    co.columns = {{"value", "1"}, {"comment", "2"}};
    auto r = intel::read_csv(in, co, {});
    REQUIRE(r.ok());
    REQUIRE(r->indicators.size() == 2);
    CHECK(r->indicators[0].comment == "say \"hi\"\nthere");
    CHECK(r->indicators[1].id == "input:3");
  }
  TEST_CASE("plain lists: comments and blank lines skipped, ids are FILE:LINE") {
    std::ifstream in(intel_data("csv/plain.txt"), std::ios::binary);
    intel::ReadOptions ro;
    ro.default_source = "Advisory 2026-117";
    auto f = intel::read_plain(in, "plain.txt", ro);
    REQUIRE(f.indicators.size() == 3);
    CHECK(f.indicators[0].id == "plain.txt:2");
    CHECK(f.indicators[2].values[0].kind == intel::ValueKind::url);
    CHECK(f.indicators[0].source == "Advisory 2026-117");
  }
}
