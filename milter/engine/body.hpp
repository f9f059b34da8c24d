#pragma once
// The body stage: walks the MIME tree, finds remote resources and links in every HTML
// and text part, decides each resource against the tracker rules, and rewrites only the
// parts that change (decode -> rewrite -> re-encode in the part's own CTE -> splice).
//
// Two phases, because link and resource lures are only known once every part was seen,
// and a `defang` decision changes what gets rewritten:
//   scan_body()    -> BodyScan: parts, their decoded HTML, resources, links
//   rewrite_body() -> the new body, or nothing when no part changed

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/part_filter.hpp"
#include "engine/verdict.hpp"
#include "html/resource.hpp"
#include "mime/codec.hpp"
#include "mime/walk.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::engine {

// One text part (HTML or plain) that the engine looked into.
struct TextPart {
  std::size_t part_index = 0;  // into WalkResult::parts
  bool html = false;
  bool amp = false;         // text/x-amp-html (AMP for Email): read with its components
  std::string charset;      // charset the bytes are in ("" = ASCII-compatible, as is)
  bool transcoded = false;  // content was converted to UTF-8 for scanning
  std::string decoded;      // decoded (and maybe transcoded) content
  // Transcoded parts only: the transfer-decoded bytes before the conversion to UTF-8,
  // which the re-encoder compares the converted-back content with. Empty otherwise, so
  // an ordinary part holds its content once.
  std::string transfer_decoded;
  // Quoted-printable parts: where the decoder was at some line starts of the encoded body
  // (offsets into the transfer-decoded bytes), for the re-encoder.
  std::vector<mime::QpMark> qp_marks;
  html::ScanResult scan;  // resources and links (links only for text/plain)
  // Per resource / per link: index of its host in BodyScan::hosts.
  std::vector<std::size_t> resource_hosts, link_hosts;
  std::vector<std::optional<ruleset::TrackerMatch>> matches;  // per resource
  // A label only some clients decode, whose bytes and decoded readings both hold
  // resources or links: only one reading can be rewritten, so the message is malformed.
  bool ambiguous = false;
  // Such a label (ICU decodes it, browsers render the bytes): the part has two readings,
  // `transcoded` says which one was chosen, and a rewrite must leave the other one holding
  // nothing the chosen one does not. Empty for a part with one reading.
  std::string second_label;
};

struct BodyScan {
  mime::WalkResult walk;
  std::vector<TextPart> parts;
  std::size_t remote_resources = 0;
  std::size_t ambiguous_parts = 0;  // TextPart::ambiguous
  // Each distinct host of the message's resources and links as written, normalized
  // (url::normalize_host) once: the tracker rules and the link and resource lures read
  // the same hosts, and a newsletter repeats a handful of them dozens of times.
  std::vector<std::string> hosts;
};

// top_fields: the top-level header fields (views, at least the MIME ones).
// filter: when given, a text part it turns down is kept with an empty scan (part_filter.hpp).
BodyScan scan_body(std::vector<mime::HeaderField> top_fields, std::string_view body,
                   const mime::WalkLimits& limits, const PartFilter* filter = nullptr);

// Decides every remote resource against the tracker rules (unless skipped by allow),
// and records trackers and resource facts in the verdict.
void decide_trackers(BodyScan& scan, const ruleset::Ruleset& rules,
                     const ruleset::RecipientTokens& tokens, bool skip_trackers, Verdict& verdict);

struct RewritePlan {
  bool enforce = true;  // false in monitor mode: nothing is changed
  bool defang = false;  // neutralize every remote resource
  // A recipient group's stricter remote_content, replacing the ruleset's.
  std::optional<ruleset::RemoteContentAction> remote_content = std::nullopt;
};

struct BodyRewrite {
  std::optional<std::string> body;  // nullopt when no part changed
  // Parts that could not be rewritten without changing how the message is read again
  // (a line of the part would become a delimiter of an enclosing multipart, even with
  // every removed element kept and without the banner): their paths. They are left as
  // they were in `body`; the caller handles the message as malformed (docs/ruleset.md).
  std::vector<std::string> unsafe_parts;
};

// The new body of every part that changes, each checked to keep the message's structure.
// Applies the ruleset's banner.
BodyRewrite rewrite_body(std::string_view body, const BodyScan& scan, const ruleset::Ruleset& rules,
                         const RewritePlan& plan);

// The decoded content of every text/html part of a message (text/plain too when
// with_plain), for `rules test` expectations on what a reader would see.
std::vector<std::string> decoded_text_parts(std::string_view message, bool with_plain);

}  // namespace pixelwarden::engine
