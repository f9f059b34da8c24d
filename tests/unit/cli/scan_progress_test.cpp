#include <doctest/doctest.h>

#include "cli/scan_progress.hpp"

using namespace pixelwarden::cli;

TEST_SUITE("cli::scan_progress") {
  TEST_CASE("merge adds counters and per-rule and per-recipient counts") {
    ScanStats a;
    a.messages = 2;
    a.per_rule["r1"] = 1;
    a.per_recipient["x@y"] = 1;
    ScanStats b;
    b.messages = 3;
    b.errors = 1;
    b.per_rule["r1"] = 2;
    b.per_rule["r2"] = 1;
    a.merge(b);
    CHECK(a.messages == 5);
    CHECK(a.errors == 1);
    CHECK(a.per_rule["r1"] == 3);
    CHECK(a.per_rule["r2"] == 1);
    CHECK(a.per_recipient["x@y"] == 1);
  }

  TEST_CASE("the progress line shows messages, MB, rate, percent and ETA") {
    CHECK(format_progress(10, 50'000'000, 100'000'000, 2.0) ==
          "10 messages, 50.0 MB, 25.0 MB/s, 50%, ETA 2s");
    CHECK(format_progress(0, 0, 0, 0.0) == "0 messages, 0.0 MB, 0.0 MB/s");
  }

  TEST_CASE("the summary lists rules and recipients by count, largest first") {
    ScanStats s;
    s.files = 2;
    s.messages = 4;
    s.bytes = 2'000'000;
    s.matched = 3;
    s.reported = 3;
    s.per_rule = {{"a-rule", 1}, {"b-rule", 3}};
    s.per_recipient = {{"mp@parliament.example", 2}, {"aide@parliament.example", 1}};
    const std::string out = format_summary(s, 1.0);
    CHECK(out.find("2 files, 4 messages, 2.0 MB in 1.00 s (2.0 MB/s, 4 messages/s)") !=
          std::string::npos);
    CHECK(out.find("3 messages matched, 3 reported") != std::string::npos);
    CHECK(out.find("b-rule") < out.find("a-rule"));
    CHECK(out.find("       2  mp@parliament.example") < out.find("aide@parliament.example"));
  }

  TEST_CASE("a summary with errors says the counts are incomplete; without, it does not") {
    ScanStats s;
    s.messages = 10;
    CHECK(format_summary(s, 1.0).find("INCOMPLETE") == std::string::npos);
    s.errors = 2;
    CHECK(format_summary(s, 1.0).find("scan: INCOMPLETE: 2 inputs could not be (fully) read") !=
          std::string::npos);
  }
}
