#include "base/timestamp.hpp"

#include <doctest/doctest.h>

using pixelwarden::base::format_timestamp_ms;
using pixelwarden::base::parse_timestamp_ms;

TEST_SUITE("base::timestamp") {
  TEST_CASE("a date alone is midnight UTC") {
    CHECK(parse_timestamp_ms("1970-01-01") == 0);
    CHECK(parse_timestamp_ms("2026-12-31") == 1798675200000LL);
  }
  TEST_CASE("RFC 3339 forms: Z, offsets, fractions, a space instead of T, no seconds") {
    CHECK(parse_timestamp_ms("2026-12-31T00:00:00Z") == 1798675200000LL);
    CHECK(parse_timestamp_ms("2026-12-31T02:00:00+02:00") == 1798675200000LL);
    CHECK(parse_timestamp_ms("2026-12-30T19:00:00-0500") == 1798675200000LL);
    CHECK(parse_timestamp_ms("2026-12-31T00:00:00.250Z") == 1798675200250LL);
    CHECK(parse_timestamp_ms("2026-12-31 00:00:01") == 1798675201000LL);
    CHECK(parse_timestamp_ms("2026-12-31T00:01Z") == 1798675260000LL);
  }
  TEST_CASE("leap days and bad dates") {
    CHECK(parse_timestamp_ms("2024-02-29").has_value());
    CHECK_FALSE(parse_timestamp_ms("2026-02-29").has_value());
    CHECK_FALSE(parse_timestamp_ms("2026-13-01").has_value());
    CHECK_FALSE(parse_timestamp_ms("2026-12-31T25:00:00Z").has_value());
    CHECK_FALSE(parse_timestamp_ms("2026-12-31T00:00:00Zjunk").has_value());
    CHECK_FALSE(parse_timestamp_ms("next tuesday").has_value());
    CHECK_FALSE(parse_timestamp_ms("").has_value());
  }
  TEST_CASE("formatting round-trips, milliseconds only when present") {
    CHECK(format_timestamp_ms(0) == "1970-01-01T00:00:00Z");
    CHECK(format_timestamp_ms(1798675200250LL) == "2026-12-31T00:00:00.250Z");
    for (const char* s : {"2024-02-29T23:59:59Z", "2000-03-01T00:00:00Z", "1969-12-31T23:59:59Z"}) {
      CHECK(format_timestamp_ms(*parse_timestamp_ms(s)) == s);
    }
  }
}
