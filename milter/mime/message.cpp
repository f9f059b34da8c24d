#include "mime/message.hpp"

#include "base/text.hpp"
#include "mime/encoded_word.hpp"

namespace pixelwarden::mime {

const std::vector<HeaderField>& Message::fields() const {
  if (!m_fields) m_fields = parse_header_block(m_split.header_block);
  return *m_fields;
}

std::optional<std::string_view> Message::raw_value(std::string_view name) const {
  if (const HeaderField* f = find_field(fields(), name)) return f->value;
  return std::nullopt;
}

std::optional<std::string> Message::text(std::string_view name) const {
  if (const HeaderField* f = find_field(fields(), name)) return decode_rfc2047(unfold(f->value));
  return std::nullopt;
}

std::vector<std::string> Message::texts(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields()) {
    if (base::iequals(f.name, name)) out.push_back(decode_rfc2047(unfold(f.value)));
  }
  return out;
}

WalkResult Message::walk(const WalkLimits& limits) const {
  return mime::walk(m_split.header_block, m_split.body, limits);
}

}  // namespace pixelwarden::mime
