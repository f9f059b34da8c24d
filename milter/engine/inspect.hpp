#pragma once
// The staged inspection: one decision engine for the milter, `filter`, `rules test`
// and `scan`. Each stage adds to one Verdict; the milter calls them as the evidence
// arrives (envelope at DATA, or at end of headers when the MTA skips DATA; headers at
// end of headers; body at end of message), the offline tools call all three via
// inspect().
//
//   inspect_envelope(env)           envelope-sender/HELO lures, allow(authenticated)
//   inspect_headers(headers)        header lures, allow rules, Message-ID, read receipts
//   inspect_body(body)              MIME walk, HTML resources, trackers, link/resource
//                                   lures, rewrite and splice, report header
//
// The ruleset is pinned by the caller for the whole message. Nothing here does I/O.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/limits.hpp"
#include "engine/part_filter.hpp"
#include "engine/verdict.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::engine {

// What the header section held in total, including fields the caller did not keep
// (the milter session stops copying at the caps but keeps counting). Bytes count each
// field as "name:value\r\n".
struct HeaderTotals {
  std::size_t fields = 0;
  std::size_t bytes = 0;
};

// A header field as the milter delivers it: name, and the value exactly as received
// (leading space kept, folded lines joined by "\n" or "\r\n"). Owned: the milter's
// strings live only for one callback, so the session keeps copies.
struct ReceivedField {
  std::string name;
  std::string value;
};

// What inspect_headers() reads: views of a field's name and value, in the form of
// ReceivedField. The milter session passes views of its ReceivedField copies, the offline
// inspect() views into the message (mime::HeaderField), so neither copies the header
// section again. The bytes need to live only for the call.
struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// Per-message state across the stages. Owns nothing of the ruleset but a pin. Every
// stage may run after a refusal: it adds its lure matches to the verdict (a complete
// verdict for the audit log) and changes nothing else.
// Owns every field of the Verdict: the caller passes the queue id and the time spent in
// and reads the verdict, never patches it. Stage order: envelope first, then headers
// (at most once; the MTA may skip them), then body; each at most once (asserted).
// Move-only: the per-message state is not shared between copies.
class Inspection {
 public:
  Inspection(std::shared_ptr<const ruleset::Ruleset> rules, Limits limits);
  ~Inspection();
  Inspection(Inspection&&) noexcept;
  Inspection& operator=(Inspection&&) noexcept;

  void inspect_envelope(const Envelope& envelope);
  // totals: when the caller dropped fields past the caps; by default those of headers.
  void inspect_headers(std::span<const HeaderView> headers,
                       std::optional<HeaderTotals> totals = std::nullopt);
  // body: the bytes after the blank line that ends the headers, CRLF or LF.
  // truncated: the body was larger than max_message_bytes and is not complete.
  void inspect_body(std::string_view body, bool truncated = false);

  // The MTA's queue id, when it arrives after the envelope stage (empty: ignored).
  void set_queue_id(std::string_view queue_id);
  // Text parts the filter turns down are not scanned (part_filter.hpp); null: all are.
  // The filter must outlive inspect_body().
  void set_part_filter(const PartFilter* filter) { m_part_filter = filter; }
  // Time the caller spent deciding (the verdict's elapsed_us).
  void set_elapsed_us(std::uint64_t elapsed_us) { m_verdict.elapsed_us = elapsed_us; }

  const Verdict& verdict() const { return m_verdict; }
  Verdict take_verdict() && { return std::move(m_verdict); }
  const ruleset::Ruleset& rules() const { return *m_rules; }

 private:
  struct State;
  std::shared_ptr<const ruleset::Ruleset> m_rules;
  Limits m_limits;
  const PartFilter* m_part_filter = nullptr;
  Verdict m_verdict;
  std::unique_ptr<State> m_state;
};

// Offline: the whole message (headers + body) through all three stages. An empty
// envelope sender / recipient list is reconstructed from the message (Return-Path,
// Delivered-To / X-Original-To, else To/Cc) as `scan` does.
// part_filter: see Inspection::set_part_filter.
Verdict inspect(std::string_view message, Envelope envelope,
                std::shared_ptr<const ruleset::Ruleset> rules, const Limits& limits = {},
                const PartFilter* part_filter = nullptr);

// The message as the milter would leave it: header edits and new body applied to the
// original bytes (the delivered form for accept/quarantine; empty for refusals).
std::string apply_verdict(std::string_view message, const Verdict& verdict);

}  // namespace pixelwarden::engine
