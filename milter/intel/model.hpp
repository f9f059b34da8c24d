#pragma once
// The neutral form every threat-intel reader (STIX 2.1, MISP, CSV) produces and the
// list writer consumes: indicators with their observable values and provenance, and
// every object that was not imported with its id and why. Nothing is dropped without a
// Skipped record: an analyst must see what a feed held that the ruleset will not.
// Non-goals: matching (the ruleset does that), network access (feeds are files).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pixelwarden::intel {

enum class ValueKind { domain, url, email, display_name };
const char* to_string(ValueKind k);

struct Observable {
  ValueKind kind = ValueKind::domain;
  std::string value;  // as the feed wrote it
};

struct Indicator {
  std::string id;  // STIX indicator id, MISP attribute uuid, or FILE:LINE
  std::vector<Observable> values;
  std::string source;
  std::string campaign;
  std::string tlp;  // lowercase, without "tlp:" (white, green, amber, amber+strict, red, clear)
  std::string first_seen;   // RFC 3339 as written
  std::string valid_until;  // RFC 3339 as written; empty when open-ended
  std::string comment;
};

enum class SkipReason { unsupported, invalid, revoked, expired, not_for_detection };
const char* to_string(SkipReason r);

struct Skipped {
  std::string id;
  SkipReason reason = SkipReason::unsupported;
  std::string detail;
};

struct Feed {
  std::vector<Indicator> indicators;
  std::vector<Skipped> skipped;
  std::size_t objects = 0;  // objects / attributes / rows read
};

// Settings shared by the readers.
struct ReadOptions {
  std::int64_t now_ms = 0;     // indicators whose valid_until is not after this are expired
  std::string default_source;  // when the feed names none
  std::string default_campaign;
  std::string default_tlp;
};

}  // namespace pixelwarden::intel
