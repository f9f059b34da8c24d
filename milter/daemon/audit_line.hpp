#pragma once
// The audit line: one JSON object per decided message (JSON Lines), the record an
// investigation starts from ("who received what") and what a SIEM ingests. Its fields
// are a stable contract, versioned by `schema_version` and described by
// docs/audit-log.schema.json; add fields, never rename or retype one without bumping
// the version.
//
// Every value taken from mail (addresses, display names, Subject, Date, URLs, matched
// values) is attacker-controlled: it is JSON-escaped (control characters, quotes,
// invalid UTF-8 as U+FFFD) and cut to k_max_value_bytes on a UTF-8 boundary, address
// lists from headers to k_max_header_addresses entries. The whole line stays under
// max_line_bytes: beyond k_max_listed_trackers tracker matches are summarized per rule,
// and if the line is still too long the lists are cut further (see audit_line()).
// Pure: the caller supplies the clock and the host name.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

inline constexpr int k_audit_schema_version = 1;
inline constexpr std::size_t k_max_value_bytes = 1024;
inline constexpr std::size_t k_max_header_addresses = 20;
inline constexpr std::size_t k_max_listed_trackers = 50;

struct AuditLineOptions {
  std::size_t max_line_bytes = 65536;  // the line without its newline
  bool hash_url_queries = false;       // URLs' query strings replaced by a digest
};

struct AuditLineContext {
  std::int64_t unix_ms = 0;  // when the message was decided
  std::string_view host;
  std::string_view version;  // pixelwarden's
  bool sampled = false;      // written by sampling: no rule matched
  double sample_rate = 0;    // audit.sample_rate, for scaling sampled counts
  // sample_rate as written in the line, when the caller formatted it once already.
  std::string_view sample_rate_text;
};

// buffer: storage to write the line into (its contents are discarded), so that a caller
// writing a line per message can reuse one buffer instead of allocating each time.
std::string audit_line(const engine::Verdict& v, const AuditLineContext& cx,
                       const AuditLineOptions& options, std::string buffer = {});

// "2026-12-03T13:21:32.123Z".
std::string rfc3339_utc_ms(std::int64_t unix_ms);

// The URL with its query string (between '?' and '#') replaced by "sha256=" and the
// first 16 hex digits of its SHA-256: the same token still correlates across lines,
// the token itself is not logged. A URL without a query is returned as is.
std::string hash_url_query(std::string_view url);

// At most max bytes of s, cut before a UTF-8 sequence that would not fit.
std::string_view utf8_prefix(std::string_view s, std::size_t max);

}  // namespace pixelwarden::daemon
