#pragma once
// Decisions: lure and allow evaluation at each stage, and the final combination of
// every finding into the verdict's action, reply and header edits.
//
// Precedence: the strongest action of the enforced lure hits wins (ruleset::LureAction
// order); hits of rules in monitor mode (per rule or global) are reported but never act,
// and alone make the decision `monitor`. A refusal (reject, tempfail, discard) is final
// as soon as it is known, unless an allow rule that reads headers could still lift it;
// the later stages still run and add their matches (a complete verdict), but change
// neither the action nor the decision.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/body.hpp"
#include "engine/inspect.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::engine {

// What the engine reads from the header section.
struct MessageHeaders {
  // The top-level MIME fields (Content-Type, -Transfer-Encoding, -Disposition), for the
  // MIME walk: copies of the few it reads, never a re-synthesized header block.
  std::vector<ReceivedField> mime_fields;
  std::string message_id;
  std::optional<std::string> message_id_domain;
  std::vector<ruleset::LureEvidence::Address> from, reply_to, sender, return_path;
  bool dmarc_pass = false;
  std::optional<std::string> subject;  // raw value without the leading space
  HeaderFacts facts;                   // From/Reply-To/Sender as written, Subject, Date
  int report_headers = 0;              // incoming headers named like report.header
  struct Named {
    std::string name;
    int index = 1;  // 1-based among fields of that name
    std::string value;
  };
  std::vector<Named> read_receipts;  // Disposition-Notification-To and friends
};

// Constant work per field (a fixed set of name comparisons, no per-name tables), so a
// header section costs time linear in its size.
MessageHeaders read_headers(std::span<const HeaderView> fields, const ruleset::Report& report);

// Re-evaluates allow and lure rules on the evidence known so far and updates the
// verdict's lures, decision and, where a refusal is already certain, its action. After
// a refusal it only adds lure matches.
void evaluate(const ruleset::Ruleset& rules, const ruleset::LureEvidence& lure,
              const ruleset::AllowEvidence& allow, ruleset::AllowDecision& allowed,
              std::vector<ruleset::LureHit>& hits, Verdict& verdict);

// End of message: the final action, the new body, header edits and the report header.
// scan is null when the body was not inspected (too large).
// group: the recipients' group policy (a stricter remote_content), or null.
void finish(const ruleset::Ruleset& rules, const MessageHeaders& headers, BodyScan* scan,
            std::string_view body, Verdict& verdict, const ruleset::GroupPolicy* group = nullptr);

// The skipped reasons the malformed policy governs: the structure could not be followed
// past a cap (malformed_mime), the body is not all here (too_large), or the header section
// is past a cap (too_many_headers, headers_too_large).
bool is_uninspectable(std::optional<SkipReason> skipped);

}  // namespace pixelwarden::engine
