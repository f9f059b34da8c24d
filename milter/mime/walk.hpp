#pragma once
// The MIME walker: one pass over a message body that yields the part tree as byte ranges,
// never copying or decoding a part body (attachments are skipped by memmem from one
// boundary to the next). It descends into multipart/* and into message/rfc822 and
// message/global parts that are not base64/QP encoded.
//
// Offsets: every Part range is into the BODY view given to walk(). The top-level entity's
// headers are the header_block argument, so its header range is empty at 0.
// Paths: IMAP numbering (RFC 3501 6.4.5): a single-part message's body is "1", the parts
// of a top-level multipart are "1", "2", ..., and "2.1.1" is inside a message attached as
// part 2 whose body is multipart. The top-level multipart container has path ""; the
// multipart body of an attached message at "2" has path "2.TEXT" (IMAP's name for it).
// Tolerance: a missing close delimiter ends the multipart at the end of its range (its last
// part processed normally, counted), delimiter lines may carry trailing whitespace,
// preamble and epilogue are skipped, parts without headers default to text/plain
// (message/rfc822 inside multipart/digest), the first of duplicate Content-Type headers
// wins, an unknown CTE is read as identity, a multipart without boundary (or whose
// boundary never occurs) is a leaf. `malformed` is set only when the structure cannot be
// followed: depth or part-count caps exceeded. Parts found before that are kept.
// Non-goals: decoding (codec.hpp), header semantics beyond the MIME fields.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mime/codec.hpp"
#include "mime/content_type.hpp"
#include "mime/header.hpp"

namespace pixelwarden::mime {

struct Part {
  std::string path;  // IMAP numbering; "" for the top-level multipart container
  ContentType content_type;
  Cte cte = Cte::seven_bit;
  std::string cte_raw;      // unfolded header value as written, "" when absent
  std::string charset;      // lowercased, "" when absent
  std::string disposition;  // lowercased type, "" when absent
  std::string filename;     // Content-Disposition filename, else Content-Type name; UTF-8
  std::size_t header_begin = 0, header_end = 0;  // into the body view
  std::size_t body_begin = 0, body_end = 0;
  int depth = 0;
  int parent = -1;  // index into WalkResult::parts, -1 for the top-level entity
  bool is_multipart = false;
  bool is_message = false;  // message/rfc822 or message/global
  int children = 0;         // direct children (for a message: its body entity)
  bool is_leaf() const { return !is_multipart && children == 0; }
};

// The deepest nesting a walk may be allowed: the walker recurses once per level, about
// 850 bytes of stack each in a release build, and the milter runs it on 1 MiB worker
// stacks (daemon/worker_stack.hpp). mime.max_depth above this is a config error.
inline constexpr int k_max_depth_ceiling = 256;

struct WalkLimits {
  int max_depth = 32;  // clamped to k_max_depth_ceiling
  int max_parts = 2000;
};

struct WalkResult {
  std::vector<Part> parts;  // pre-order, containers included
  bool malformed = false;
  std::string malformed_reason;
  int missing_final_boundaries = 0;
  int duplicate_content_types = 0;
  int invalid_content_types = 0;        // not type/subtype: text/plain assumed
  int unknown_ctes = 0;                 // read as identity
  int multiparts_without_boundary = 0;  // no boundary parameter or it never occurs
  int parts_without_headers = 0;
};

WalkResult walk(std::string_view header_block, std::string_view body,
                const WalkLimits& limits = {});
// The same walk with the top-level header fields already split (the milter receives them
// one by one): the walker reads their MIME fields, no header block is synthesized.
// Views: the fields' strings must outlive the call.
WalkResult walk(std::vector<HeaderField> top_fields, std::string_view body,
                const WalkLimits& limits = {});

// Whether text holds a line the walker reads as a delimiter of a multipart that encloses
// part `index` ("--boundary[--][ \t]*EOL" of any multipart ancestor, also at offset 0).
// A walk never leaves one inside a part's body: a rewritten body that holds one would
// split the part when the message is read again.
bool holds_enclosing_delimiter(const WalkResult& walk, std::size_t index, std::string_view text);

// Views of a part's ranges. top_header_block is the header_block given to walk().
std::string_view part_body(const Part& part, std::string_view body);
std::string_view part_headers(const Part& part, std::string_view top_header_block,
                              std::string_view body);

}  // namespace pixelwarden::mime
