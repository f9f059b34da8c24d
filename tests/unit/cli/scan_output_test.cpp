#include <doctest/doctest.h>

#include "cli/scan_output.hpp"

using namespace pixelwarden::cli;

namespace {

ScanRecord sample() {
  ScanRecord r;
  r.path = "/m/cur/1";
  r.mbox_offset = 1234;
  r.message_id = "<a@b>";
  r.date = "2021-01-01T00:00:00Z";
  r.from = "\"News, Daily\" <news@lure-news.example>";
  r.to = "mp@parliament.example";
  r.decision = "reject";
  r.rules = {"apt31-news-lures", "known-tracker-domains"};
  r.trackers = 2;
  r.verdict_json = R"({"action":"reject"})";
  return r;
}

}  // namespace

TEST_SUITE("cli::scan_output") {
  TEST_CASE("csv_quote quotes only when needed and doubles quotes") {
    CHECK(csv_quote("plain") == "plain");
    CHECK(csv_quote("a,b") == "\"a,b\"");
    CHECK(csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_quote("two\nlines") == "\"two\nlines\"");
    CHECK(csv_quote("") == "");
  }

  TEST_CASE("a csv row has the nine columns of docs/cli.md in order") {
    CHECK(csv_header() == "path,mbox_offset,message_id,date,from,to,decision,rules,trackers\r\n");
    CHECK(
        format_csv(sample()) ==
        "/m/cur/1,1234,<a@b>,2021-01-01T00:00:00Z,\"\"\"News, Daily\"\" <news@lure-news.example>\","
        "mp@parliament.example,reject,apt31-news-lures known-tracker-domains,2\r\n");
  }

  TEST_CASE("csv leaves mbox_offset and absent headers empty") {
    ScanRecord r = sample();
    r.mbox_offset.reset();
    r.message_id.reset();
    CHECK(format_csv(r).rfind("/m/cur/1,,,2021", 0) == 0);
  }

  TEST_CASE("a json line embeds the verdict object and uses null for absent values") {
    ScanRecord r = sample();
    r.mbox_offset.reset();
    r.to.reset();
    CHECK(format_json(r) ==
          "{\"path\":\"/m/cur/1\",\"mbox_offset\":null,\"message_id\":\"<a@b>\","
          "\"date\":\"2021-01-01T00:00:00Z\",\"from\":\"\\\"News, Daily\\\" "
          "<news@lure-news.example>\","
          "\"to\":null,\"verdict\":{\"action\":\"reject\"}}\n");
  }

  TEST_CASE("terminal_safe neutralizes control characters and cuts at a UTF-8 boundary") {
    CHECK(terminal_safe("a\x1b[31mb\r\n", 100) == "a?[31mb??");
    CHECK(terminal_safe("abcdef", 4) == "ab..");
    CHECK(terminal_safe("\xC3\xA9\xC3\xA9\xC3\xA9", 5) == "\xC3\xA9..");
  }

  TEST_CASE("a table row shows date, decision, rules, from, to and the location") {
    const std::string row = format_table(sample());
    CHECK(row.rfind("2021-01-01T00:00:00Z ", 0) == 0);
    CHECK(row.find("reject") != std::string::npos);
    CHECK(row.find("/m/cur/1@1234\n") != std::string::npos);
    CHECK(table_header().rfind("DATE", 0) == 0);
  }

  TEST_CASE("format_header is empty for json and the column line for csv") {
    CHECK(format_header(ScanFormat::json).empty());
    CHECK(format_header(ScanFormat::csv) == csv_header());
  }

  TEST_CASE("matched_rules lists lure then tracker rule ids once each") {
    pixelwarden::engine::Verdict v;
    v.lures.push_back({"l1", "reject", "header_from", "x", false});
    v.trackers.push_back({"t1", "neutralize", "img", "u", "1", "", false});
    v.trackers.push_back({"t1", "neutralize", "img", "u2", "1", "", false});
    v.lures.push_back({"l1", "reject", "links", "y", false});
    CHECK(matched_rules(v) == std::vector<std::string>{"l1", "t1"});
  }
}
