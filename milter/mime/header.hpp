#pragma once
// Header blocks: splitting a message (or a MIME part) into header block and body, and
// cutting a header block into fields. Everything is a view into the caller's buffer; no
// value is copied until unfold() is asked for it.
//
// Offsets: HeaderField::begin/end are relative to the view handed to parse_header_block
// and cover the whole field including its folded lines and final line ending.
// Line endings: CRLF and bare LF are both accepted, also mixed in one block.
// The header block ends at the first empty line, or at the first line that is neither a
// field ("name:", printable ASCII or 8bit name, whitespace before the colon tolerated) nor a
// continuation: such a line starts the body (a MIME part without headers does exactly
// that). An mbox "From " line at the very start belongs to the block but is no field.
// Non-goals: header semantics (see content_type.hpp, address.hpp, encoded_word.hpp).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::mime {

struct HeaderField {
  std::string_view name;   // as written, without the colon or whitespace before it
  std::string_view value;  // raw, after the colon, folding kept, final line ending removed
  std::size_t begin = 0;   // byte range of the whole field incl. its line ending
  std::size_t end = 0;
};

std::vector<HeaderField> parse_header_block(std::string_view block);

struct MessageSplit {
  std::string_view header_block;  // includes the line ending of its last line
  std::string_view body;          // after the blank line (or from the first non-header line)
  std::size_t body_offset = 0;    // offset of body in the message
};

// No blank line and only header lines: everything is header, the body is empty.
MessageSplit split_message(std::string_view message);

// Whether the first line of text would be read as a header line (a field, a folded
// continuation, or the mbox "From " line split_message() skips at the start of a part
// without headers) if it followed a header block with no blank line in between.
bool starts_like_header(std::string_view text);

// Removes folding line breaks and trims surrounding whitespace.
std::string unfold(std::string_view raw_value);

// First field with this name (ASCII case-insensitive), or nullptr.
const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name);
std::size_t count_fields(const std::vector<HeaderField>& fields, std::string_view name);

// "\r\n" if the first line ending in text is CRLF, "\n" if it is LF, fallback if none.
std::string_view detect_eol(std::string_view text, std::string_view fallback = "\r\n");

}  // namespace pixelwarden::mime
