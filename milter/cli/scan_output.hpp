#pragma once
// The report lines of `pixelwarden scan`, one per reported message:
//   json  JSON Lines: {"path", "mbox_offset", "message_id", "date", "from", "to",
//         "verdict"}; absent headers are null; verdict is engine::to_json() embedded;
//   csv   RFC 4180 (CRLF line ends, quotes doubled, fields with , " CR LF quoted):
//         path,mbox_offset,message_id,date,from,to,decision,rules,trackers, where rules
//         is the matched rule ids separated by spaces and trackers the number of
//         remote resources decided as trackers;
//   table fixed-width columns for a terminal, control characters replaced by '?' (a
//         header must not drive the terminal), long values cut at a UTF-8 boundary.
// Non-goals: pretty JSON, localized dates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verdict.hpp"

namespace pixelwarden::cli {

enum class ScanFormat { table, json, csv };

struct ScanRecord {
  std::string path;
  std::optional<std::uint64_t> mbox_offset;
  std::optional<std::string> message_id;
  std::optional<std::string> date;  // ISO 8601 UTC when parsable, else the raw value
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::string decision;
  std::vector<std::string> rules;  // matched lure and tracker rule ids, first-seen order
  std::uint64_t trackers = 0;
  std::string verdict_json;
};

// Distinct lure and tracker rule ids of a verdict, lures first, in order.
std::vector<std::string> matched_rules(const engine::Verdict& v);

std::string csv_quote(std::string_view field);
std::string csv_header();
std::string format_csv(const ScanRecord& r);
std::string format_json(const ScanRecord& r);
std::string table_header();
std::string format_table(const ScanRecord& r);
// Every report line ends with its line ending; the header is empty for json.
std::string format_record(ScanFormat f, const ScanRecord& r);
std::string format_header(ScanFormat f);

// Replaces C0 controls and DEL by '?' and cuts to at most max_bytes (UTF-8 safe,
// marking a cut with "..").
std::string terminal_safe(std::string_view s, std::size_t max_bytes);

}  // namespace pixelwarden::cli
