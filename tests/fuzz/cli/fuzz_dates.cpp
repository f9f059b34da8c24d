// libFuzzer target for the date parsers of `scan` (cli/scan_date.hpp): the Date header of
// every scanned message (parse_mail_date) and --since/--until (parse_iso_date). The input
// is read as both. Checked:
// - a Date value that parses names an instant from year 1 to year 9999, give or take the
//   zone (an offset is under 100 hours);
// - the value with a comment appended, and with every space doubled, parses to the same
//   instant: comments and runs of white space carry no meaning;
// - the value with a word appended (" x") parses to the same instant: words past the zone
//   are ignored, a word in place of the zone reads as UTC like a missing zone, and a word
//   is no time of day (this reaches the sixth and seventh words);
// - that instant written as "DD Mon YYYY HH:MM:SS +0000" parses back to itself, and
//   written by format_iso_utc() parses back with parse_iso_date();
// - an ISO date or datetime that parses, written by format_iso_utc(), parses back to the
//   same instant.
// Seeds: tests/data/fuzz/fuzz_dates/ (RFC 5322 dates, obsolete forms, ISO 8601).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "cli/scan_date.hpp"

namespace {

using pixelwarden::cli::epoch_seconds;
using pixelwarden::cli::format_iso_utc;
using pixelwarden::cli::parse_iso_date;
using pixelwarden::cli::parse_mail_date;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_dates: %s: \"%.*s\"\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

constexpr std::int64_t k_zone_slack = 100 * 3600;
const std::int64_t k_first = epoch_seconds(1, 1, 1, 0, 0, 0);
const std::int64_t k_last = epoch_seconds(9999, 12, 31, 23, 59, 59);

// The instant as an RFC 5322 date in UTC, from format_iso_utc's fields.
std::string as_mail_date(std::int64_t epoch) {
  static constexpr std::array<const char*, 12> k_months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string iso = format_iso_utc(epoch);  // YYYY-MM-DDTHH:MM:SSZ
  const int month = std::atoi(iso.substr(5, 2).c_str());
  return iso.substr(8, 2) + " " + k_months[static_cast<std::size_t>(month - 1)] + " " +
         iso.substr(0, 4) + " " + iso.substr(11, 8) + " +0000";
}

void check_mail(std::string_view in) {
  const std::optional<std::int64_t> when = parse_mail_date(in);
  const std::string commented = std::string(in) + " (comment)";
  if (parse_mail_date(commented) != when) fail("a comment appended changed the date", in);
  std::string spaced;
  for (const char c : in) spaced += c == ' ' ? std::string("  ") : std::string(1, c);
  if (parse_mail_date(spaced) != when) fail("doubled spaces changed the date", in);
  if (parse_mail_date(std::string(in) + " x") != when) fail("a word appended changed the date", in);
  if (!when) return;
  if (*when < k_first - k_zone_slack || *when > k_last + k_zone_slack) {
    fail("instant out of range", in);
  }
  if (*when < k_first || *when > k_last) return;  // the zone took it past year 1 or 9999
  if (parse_mail_date(as_mail_date(*when)) != when) fail("UTC form reads another instant", in);
  const auto iso = parse_iso_date(format_iso_utc(*when));
  if (!iso || iso->epoch != *when || iso->date_only) fail("ISO form reads another instant", in);
}

void check_iso(std::string_view in) {
  const auto iso = parse_iso_date(in);
  if (!iso) return;
  if (iso->epoch < k_first - k_zone_slack || iso->epoch > k_last + k_zone_slack) {
    fail("ISO instant out of range", in);
  }
  if (iso->epoch < k_first || iso->epoch > k_last) return;
  const auto again = parse_iso_date(format_iso_utc(iso->epoch));
  if (!again || again->epoch != iso->epoch) fail("ISO date does not read back", in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // a Date header or a command-line argument, not a message
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_mail(in);
  check_iso(in);
  return 0;
}
