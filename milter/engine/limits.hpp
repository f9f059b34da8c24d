#pragma once
// The one set of limits on a message, for every caller: the daemon's config fills it
// (milter.max_message_bytes and the mime: section, docs/config.md), the milter session
// caps what it buffers by it, the offline tools and the engine read the same values.
// Non-goals: connection and protocol limits (daemon/connection_table.hpp), CSS limits
// (html/).

#include <cstddef>

#include "mime/walk.hpp"

namespace pixelwarden::engine {

struct Limits {
  std::size_t max_message_bytes = 26214400;
  mime::WalkLimits walk;  // MIME nesting depth and part count
  // Offline only (inspect()): as the milter with milter.refuse_at_data, an envelope
  // refusal ends the inspection (headers and body not seen).
  bool refuse_at_data = false;
  // The header section: fields past either cap are not read (the message is then
  // skipped=too_many_headers or headers_too_large and handled by the malformed policy).
  // Every per-field step is constant time, so the caps bound work and memory, not a
  // quadratic blow-up.
  std::size_t max_header_bytes = 1048576;
  std::size_t max_header_fields = 1000;
};

}  // namespace pixelwarden::engine
