#pragma once
// Verdict: everything the staged inspection decided about one message, and the edits
// that carry it out. The milter applies it through MilterActions; `filter`, `rules
// test` and `scan` read it directly. to_json() is the verdict JSON of docs/cli.md.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ruleset/model.hpp"

namespace pixelwarden::engine {

// The MTA-facing outcome.
enum class Action { accept, reject, tempfail, discard, quarantine };

// The strongest rule action; `none` when no rule matched.
enum class Decision { none, monitor, tag, defang, quarantine, discard, tempfail, reject };

// Why a message was not fully inspected (the verdict's `skipped`, docs/cli.md).
//   too_large, too_many_headers, headers_too_large: past a size cap;
//   malformed_mime: the MIME structure could not be followed (past a walk cap);
//   allowed: an allow rule skipped both lure and tracker checks;
//   error: exported by the metrics at 0, never set by the engine today.
enum class SkipReason {
  too_large,
  malformed_mime,
  too_many_headers,
  headers_too_large,
  allowed,
  error
};
inline constexpr std::size_t k_skip_reason_count = 6;

const char* to_string(Action a);
const char* to_string(Decision d);
const char* to_string(SkipReason r);
// The reason spelled as to_string() writes it; nullopt for any other text.
std::optional<SkipReason> skip_reason_from(std::string_view text);

struct Envelope {
  std::string mail_from;          // without angle brackets; empty for the null sender
  std::vector<std::string> rcpt;  // without angle brackets
  std::string client_ip;
  std::string helo;
  std::string auth_user;  // {auth_authen}; empty when not authenticated
  std::string queue_id;   // milter only
};

struct LureRecord {
  std::string rule;
  ruleset::LureAction action = ruleset::LureAction::monitor;
  std::string where;
  std::string value;
  bool monitor = false;
  std::string url;  // links / resources: the first URL with the matching host
  // Provenance of the list entry that matched; empty when none. Initialized so that
  // brace-initialized records written before these fields existed stay warning-free.
  std::string source = {};
  std::string campaign = {};
};

// An address of a header field, as written (local@domain) with its decoded display name.
struct MailAddress {
  std::string address;
  std::string display_name;
};

// What the header section says about the message, for the audit log. Values are as
// the sender wrote them (decoded, unfolded), never trusted: writers must escape them.
struct HeaderFacts {
  std::vector<MailAddress> from, reply_to, sender;
  std::optional<std::string> subject;  // RFC 2047 decoded, unfolded
  std::optional<std::string> date;     // unfolded, trimmed
};

// The stages of the staged inspection; a verdict records which ones ran.
enum Stage : unsigned { stage_envelope = 1, stage_headers = 2, stage_body = 4 };

struct TrackerRecord {
  std::string rule;
  ruleset::TrackerAction action = ruleset::TrackerAction::keep;
  std::string vector;
  std::string url;
  std::string part;
  std::string vendor;
  bool monitor = false;
};

struct HeaderEdit {
  enum class Kind { add, change, remove };
  Kind kind = Kind::add;
  std::string name;
  int index = 1;      // 1-based occurrence among headers of that name (change/remove)
  std::string value;  // unfolded, without leading space; continuation lines use "\n\t"
};

struct Reply {
  std::string code = "550";  // 4xx or 5xx
  std::string xcode = "5.7.1";
  std::string text;  // may hold several lines separated by '\n'
};

// A field the audit line reads (daemon/audit_line.cpp) must also be in the audit record
// (fields() in daemon/audit_record.cpp): the line is formatted from the record, on the
// audit log's writer thread.
struct Verdict {
  Action action = Action::accept;
  Decision decision = Decision::none;
  bool modified = false;
  ruleset::Mode mode = ruleset::Mode::enforce;
  std::string ruleset_name;
  std::string ruleset_version;
  std::string ruleset_sha256;
  std::string queue_id;
  std::string message_id;
  Envelope envelope;
  HeaderFacts headers;
  // Stages that inspected this message (Stage bits). A refusal at DATA leaves headers and
  // body unseen; any other refusal still runs every stage, so the verdict lists every
  // match (the answer is settled by the first stage that refused).
  unsigned stages_seen = 0;
  std::vector<LureRecord> lures;
  std::vector<TrackerRecord> trackers;
  std::vector<std::string> allow_rules;
  // The recipient group whose settings applied (ruleset recipient_groups): the first
  // declared group with an envelope recipient, else "default"; every such group.
  std::string group = "default";
  std::vector<std::string> groups;
  std::uint64_t remote_resources = 0;
  std::vector<std::string> vectors_seen;  // vector of every remote resource (for metrics)
  // What the bounds of the <style> invisibility check left out (html::ScanResult), summed
  // over the HTML parts; in the JSON only when not 0.
  std::uint64_t style_capped = 0;
  std::optional<SkipReason> skipped;
  std::uint64_t elapsed_us = 0;
  std::uint64_t message_bytes = 0;

  // Edits, applied by the milter in this order: body, then headers.
  std::optional<std::string> new_body;  // replacement body (bytes after the header block)
  std::vector<HeaderEdit> header_edits;
  std::optional<Reply> reply;  // for reject / tempfail

  // True once the decision is final (a refusal): later stages change nothing.
  bool final() const {
    return action == Action::reject || action == Action::tempfail || action == Action::discard;
  }
  // A rule of any kind matched (the audit log records such messages).
  bool flagged() const {
    return !lures.empty() || !trackers.empty() || skipped == SkipReason::malformed_mime ||
           skipped == SkipReason::too_many_headers || skipped == SkipReason::headers_too_large;
  }
};

// The stages that did not inspect the message, in stage order ("headers", "body").
std::vector<const char*> stages_not_seen(const Verdict& v);

std::string to_json(const Verdict& v);

}  // namespace pixelwarden::engine
