#include "mime/header.hpp"

#include <algorithm>
#include <cstring>

#include "base/text.hpp"

namespace pixelwarden::mime {
namespace {

// End of the line starting at pos, including its '\n' (or the end of text).
std::size_t line_end(std::string_view text, std::size_t pos) {
  const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
  return nl == nullptr ? text.size()
                       : static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) + 1;
}

bool is_blank_line(std::string_view line) {
  return line == "\n" || line == "\r\n" || line == "\r" || line.empty();
}

// Length of the field name if line starts a field ("name" [WSP] ":"), else 0.
std::size_t field_name_length(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size()) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == ':' || c <= 32 || c == 127) break;  // 8bit names: tolerated
    ++i;
  }
  const std::size_t name_len = i;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (name_len == 0 || i >= line.size() || line[i] != ':') return 0;
  return name_len;
}

bool is_continuation(std::string_view line) {
  return !line.empty() && (line[0] == ' ' || line[0] == '\t');
}

std::string_view strip_eol(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

MessageSplit split_message(std::string_view message) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    const std::size_t end = line_end(message, pos);
    const std::string_view line = message.substr(pos, end - pos);
    if (is_blank_line(line)) {
      return {message.substr(0, pos), message.substr(end), end};
    }
    const bool mbox_from = pos == 0 && line.substr(0, 5) == "From ";
    if (!mbox_from && !is_continuation(line) && field_name_length(line) == 0) {
      return {message.substr(0, pos), message.substr(pos), pos};
    }
    pos = end;
  }
  return {message, message.substr(message.size()), message.size()};
}

bool starts_like_header(std::string_view text) {
  const std::string_view line = text.substr(0, line_end(text, 0));
  return is_continuation(line) || field_name_length(line) > 0 || line.starts_with("From ");
}

std::vector<HeaderField> parse_header_block(std::string_view block) {
  std::vector<HeaderField> fields;
  if (block.empty()) return fields;  // a part without header fields: nothing allocated
  // At most one field per line: one allocation instead of one per doubling for a header of
  // up to k_reserved fields (a message's has 10 to 40, a part's 1 to 3). Past that the
  // vector grows with the fields found, not with the lines, as it did before.
  constexpr std::size_t k_reserved = 64;
  const auto lines = static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n')) +
                     (block.back() != '\n' ? 1 : 0);
  fields.reserve(std::min(lines, k_reserved));
  std::size_t pos = 0;
  bool in_field = false;
  while (pos < block.size()) {
    const std::size_t end = line_end(block, pos);
    const std::string_view line = block.substr(pos, end - pos);
    if (in_field && is_continuation(line)) {
      HeaderField& f = fields.back();
      f.end = end;
      const std::size_t value_begin = static_cast<std::size_t>(f.value.data() - block.data());
      f.value = strip_eol(block.substr(value_begin, end - value_begin));
      pos = end;
      continue;
    }
    in_field = false;
    if (const std::size_t name_len = field_name_length(line); name_len > 0) {
      const std::size_t colon = line.find(':', name_len);
      HeaderField f;
      f.name = line.substr(0, name_len);
      f.value = strip_eol(line.substr(colon + 1));
      f.begin = pos;
      f.end = end;
      fields.push_back(f);
      in_field = true;
    }
    pos = end;
  }
  return fields;
}

std::string unfold(std::string_view raw_value) {
  const std::string_view v = base::trim(raw_value);
  // Most values are one line: then the trimmed value is the answer, copied at once.
  if (v.find('\n') == std::string_view::npos && v.find('\r') == std::string_view::npos)
    return std::string(v);
  std::string out(v.size(), '\0');
  std::size_t n = 0;
  for (char c : v) {
    if (c != '\r' && c != '\n') out[n++] = c;
  }
  out.resize(n);
  return out;
}

const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (base::iequals(f.name, name)) return &f;
  }
  return nullptr;
}

std::size_t count_fields(const std::vector<HeaderField>& fields, std::string_view name) {
  std::size_t n = 0;
  for (const auto& f : fields) n += base::iequals(f.name, name) ? 1 : 0;
  return n;
}

std::string_view detect_eol(std::string_view text, std::string_view fallback) {
  const std::size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return fallback;
  return (nl > 0 && text[nl - 1] == '\r') ? std::string_view("\r\n") : std::string_view("\n");
}

}  // namespace pixelwarden::mime
