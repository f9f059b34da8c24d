#pragma once
// RFC 3339 / ISO 8601 timestamps as threat feeds write them, to and from milliseconds
// since the Unix epoch (UTC). Accepted: `2026-12-31` (midnight UTC), `2026-12-31T08:00Z`,
// `2026-12-31T08:00:00Z`, `2026-12-31 08:00:00`, fractional seconds, and `+02:00`
// style offsets; a missing zone means UTC. Pure: no clock, no locale, no time zone
// database.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::base {

std::optional<std::int64_t> parse_timestamp_ms(std::string_view text);

// `2026-12-31T08:00:00Z`, with `.123` when the milliseconds are not zero.
std::string format_timestamp_ms(std::int64_t ms);

}  // namespace pixelwarden::base
