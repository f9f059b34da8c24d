#pragma once
// A message over one contiguous buffer: header block and body as spans, header fields
// parsed on first use, then values looked up by name and, on request, unfolded and
// RFC 2047-decoded to UTF-8 for matching. CRLF and bare LF input both work.
// Ownership: Message holds views only; the caller keeps the buffer alive and unchanged.
// Body offsets (walk(), splice()) are relative to body(); add body_offset() for the message.
// Non-goals: header edits (the milter applies those through libmilter).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/header.hpp"
#include "mime/walk.hpp"

namespace pixelwarden::mime {

class Message {
 public:
  explicit Message(std::string_view raw) : m_raw(raw), m_split(split_message(raw)) {}

  std::string_view raw() const { return m_raw; }
  std::string_view header_block() const { return m_split.header_block; }
  std::string_view body() const { return m_split.body; }
  std::size_t body_offset() const { return m_split.body_offset; }

  const std::vector<HeaderField>& fields() const;  // parsed once, on first call
  std::optional<std::string_view> raw_value(std::string_view name) const;  // first field
  std::optional<std::string> text(std::string_view name) const;            // unfolded + RFC 2047
  std::vector<std::string> texts(std::string_view name) const;  // every field of that name

  WalkResult walk(const WalkLimits& limits = {}) const;

 private:
  std::string_view m_raw;
  MessageSplit m_split;
  mutable std::optional<std::vector<HeaderField>> m_fields;
};

}  // namespace pixelwarden::mime
