#pragma once
// The report lines of `pixelwarden scan`, one record per reported message, carrying
// what an analyst acts on: every finding (rule, its action today, where in the message,
// the indicator value), Subject, Date, Message-ID and where the message is stored
// (a file, an mbox offset, an IMAP folder and UID).
//   json  JSON Lines: {"path", "mbox_offset", "folder", "uid", "message_id", "date",
//         "from", "to", "subject", "findings", "verdict"}; absent values are null;
//         verdict is engine::to_json() embedded; nothing is shortened;
//   csv   RFC 4180 (CRLF line ends, quotes doubled, fields with , " CR LF quoted), one
//         row per finding (a message with three findings has three rows with the same
//         message columns; one row with empty finding columns under --all), nothing
//         shortened: csv_header() names the columns;
//   table fixed-width columns for a terminal, control characters replaced by '?' (a
//         header must not drive the terminal); the indicator, where and the location are
//         never cut; From is cut in its display name before its address; one line per
//         finding (at most k_table_findings, then a "+N more" line).
// "Action today": what the rule would do to such a message if it arrived now (the mail
// was delivered long ago; nothing was rejected): the rule's action, or "monitor" for a
// rule in monitor mode.
// Non-goals: pretty JSON, localized dates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verdict.hpp"

namespace pixelwarden::cli {

enum class ScanFormat { table, json, csv, doveadm };

inline constexpr std::size_t k_table_findings = 5;

struct Finding {
  std::string rule;
  std::string kind;    // lure | tracker
  std::string action;  // the rule's action today; "monitor" for a rule in monitor mode
  std::string where;   // lure: envelope_from, header_from, ..., links, resources, display_name;
                       // tracker: "resources:" + the resource's vector (resources:img)
  std::string value;   // the indicator: the domain or display name matched, the tracker's URL
  // Provenance of the list entry a lure matched (empty when its list has none).
  std::string source = {};
  std::string campaign = {};
};

struct ScanRecord {
  std::string path;                          // the file, or the IMAP folder's URL
  std::optional<std::uint64_t> mbox_offset;  // inside an mbox
  std::optional<std::string> folder;         // Maildir++ folder (INBOX, Archive) or IMAP folder
  std::optional<std::uint32_t> uid;          // IMAP UID
  std::uint32_t uidvalidity = 0;             // IMAP: the folder's UIDVALIDITY (not printed)
  std::string imap_server;                   // IMAP: ImapUrl::server() (not printed)
  std::optional<std::string> message_id;
  std::optional<std::string> date;  // ISO 8601 UTC when parsable, else the raw value
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> subject;  // RFC 2047 decoded
  std::string decision;                // the verdict's decision today
  std::vector<std::string> rules;      // matched rule ids, lures first, first-seen order
  std::vector<Finding> findings;
  std::string verdict_json;
};

// Distinct lure and tracker rule ids of a verdict, lures first, in order.
std::vector<std::string> matched_rules(const engine::Verdict& v);
// Every distinct (rule, where, value) of a verdict, lures first; with only_rules, those
// rules' only.
std::vector<Finding> findings_of(const engine::Verdict& v,
                                 const std::vector<std::string>& only_rules = {});

std::string csv_quote(std::string_view field);
std::string csv_header();
std::string format_csv(const ScanRecord& r);
std::string format_json(const ScanRecord& r);
std::string table_header();
std::string format_table(const ScanRecord& r);
// Where the message is: path, path@offset (mbox) or URL;UID=n (IMAP).
std::string location_of(const ScanRecord& r);
// --format doveadm: one `doveadm move -u USER MOVE_TO mailbox FOLDER header Message-ID ID`
// (or `doveadm expunge ...` when move_to is empty) per message, arguments single-quoted
// for a POSIX shell; a "# not targetable: ..." comment for a message without a Dovecot
// user and folder (mbox, loose .eml) or without a usable Message-ID. USER: the IMAP
// URL's user, or the directory that holds a Maildir (.../alice/Maildir -> alice;
// .../alice when it is the Maildir itself).
std::string format_doveadm(const ScanRecord& r, const std::string& move_to);
std::string shell_quote(std::string_view s);
// Every report line ends with its line ending; the header is empty for json.
std::string format_record(ScanFormat f, const ScanRecord& r, const std::string& move_to = {});
std::string format_header(ScanFormat f);

// Replaces C0 controls and DEL by '?' and cuts to at most max_bytes (UTF-8 safe,
// marking a cut with "..").
std::string terminal_safe(std::string_view s, std::size_t max_bytes);
// A From value cut to max_bytes, the display name first: `"A long name" <a@b.example>`
// becomes `"A lo.." <a@b.example>`, then `<a@b.example>`, then `..b.example>` (the
// domain's end is the indicator an analyst reads).
std::string shorten_address(std::string_view from, std::size_t max_bytes);

}  // namespace pixelwarden::cli
