#pragma once
// Dates for `pixelwarden scan`: the RFC 5322 Date header (and the obsolete forms real
// mail still carries: two-digit years, zone names, missing seconds, trailing comments)
// to seconds since the epoch, ISO 8601 dates and datetimes from the command line
// (--since/--until), and ISO 8601 UTC for the output.
// Non-goals: calendars other than the proleptic Gregorian one, sub-second precision,
// locale-dependent month names. Pure functions, no I/O, no time zone database: a zone
// is always a numeric offset (RFC 5322 names map to theirs; unknown names count as UTC).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::cli {

// Seconds since 1970-01-01T00:00:00Z of a civil UTC date and time (no validation).
std::int64_t epoch_seconds(int year, int month, int day, int hour, int minute, int second);

// "Tue, 1 Jan 2021 12:00:00 +0200 (CEST)" -> epoch seconds; nullopt when unparsable.
std::optional<std::int64_t> parse_mail_date(std::string_view value);

struct IsoDate {
  std::int64_t epoch = 0;  // the instant named (midnight UTC for a date only)
  bool date_only = false;  // "2021-01-01" without a time
};

// "2021-01-01", "2021-01-01T12:30[:45][Z|+02:00|+0200]" (also with a space for 'T').
// A datetime without a zone is UTC.
std::optional<IsoDate> parse_iso_date(std::string_view text);

// "2021-01-01T12:00:00Z".
std::string format_iso_utc(std::int64_t epoch);

}  // namespace pixelwarden::cli
