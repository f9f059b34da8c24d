#include <doctest/doctest.h>

#include "cli/scan_date.hpp"

using namespace pixelwarden::cli;

TEST_SUITE("cli::scan_date") {
  TEST_CASE("epoch_seconds matches known instants") {
    CHECK(epoch_seconds(1970, 1, 1, 0, 0, 0) == 0);
    CHECK(epoch_seconds(2021, 1, 1, 0, 0, 0) == 1609459200);
    CHECK(epoch_seconds(2000, 2, 29, 12, 0, 0) == 951825600);
  }

  TEST_CASE("an RFC 5322 date with a numeric zone becomes UTC") {
    CHECK(parse_mail_date("Fri, 01 Jan 2021 02:00:00 +0200") == 1609459200);
    CHECK(parse_mail_date("Thu, 31 Dec 2020 19:30:00 -0430") == 1609459200);
  }

  TEST_CASE("obsolete forms: no weekday, no seconds, two-digit year, zone names, comments") {
    CHECK(parse_mail_date("1 Jan 2021 00:00 GMT") == 1609459200);
    CHECK(parse_mail_date("Fri, 1 Jan 21 00:00:00 UT") == 1609459200);
    CHECK(parse_mail_date("Thu, 31 Dec 2020 19:00:00 EST (Eastern)") == 1609459200);
    CHECK(parse_mail_date("  Fri,  1   jan 2021 00:00:00  +0000 (UTC)  ") == 1609459200);
    CHECK(parse_mail_date("Fri, 1 Jan 99 00:00:00 +0000") == epoch_seconds(1999, 1, 1, 0, 0, 0));
  }

  TEST_CASE("a missing or unknown zone reads as UTC") {
    CHECK(parse_mail_date("Fri, 1 Jan 2021 00:00:00") == 1609459200);
    CHECK(parse_mail_date("Fri, 1 Jan 2021 00:00:00 XYZT") == 1609459200);
  }

  TEST_CASE("garbage and impossible dates are not parsed") {
    CHECK_FALSE(parse_mail_date(""));
    CHECK_FALSE(parse_mail_date("yesterday"));
    CHECK_FALSE(parse_mail_date("Fri, 31 Feb 2021 00:00:00 +0000"));
    CHECK_FALSE(parse_mail_date("Fri, 1 Foo 2021 00:00:00 +0000"));
    CHECK_FALSE(parse_mail_date("Fri, 1 Jan 2021 25:00:00 +0000"));
  }

  TEST_CASE("ISO 8601 date alone is midnight UTC and says so") {
    auto d = parse_iso_date("2021-01-01");
    REQUIRE(d);
    CHECK(d->epoch == 1609459200);
    CHECK(d->date_only);
  }

  TEST_CASE("ISO 8601 datetimes with and without zones") {
    CHECK(parse_iso_date("2021-01-01T00:00:00Z")->epoch == 1609459200);
    CHECK(parse_iso_date("2021-01-01T02:00:00+02:00")->epoch == 1609459200);
    CHECK(parse_iso_date("2021-01-01 02:00+0200")->epoch == 1609459200);
    CHECK(parse_iso_date("2021-01-01T00:00")->epoch == 1609459200);
    CHECK_FALSE(parse_iso_date("2021-01-01T00:00:00")->date_only);
  }

  TEST_CASE("malformed ISO 8601 is refused") {
    CHECK_FALSE(parse_iso_date("2021-1-01"));
    CHECK_FALSE(parse_iso_date("2021-13-01"));
    CHECK_FALSE(parse_iso_date("2021-01-01T"));
    CHECK_FALSE(parse_iso_date("2021-01-01T00:00:00+2"));
    CHECK_FALSE(parse_iso_date("01/01/2021"));
  }

  TEST_CASE("format_iso_utc round-trips") {
    CHECK(format_iso_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_iso_utc(1609459200 + 3723) == "2021-01-01T01:02:03Z");
    CHECK(format_iso_utc(951825600) == "2000-02-29T12:00:00Z");
    CHECK(format_iso_utc(-1) == "1969-12-31T23:59:59Z");
  }
}
