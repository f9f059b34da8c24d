#include "base/error_list.hpp"

namespace pixelwarden::base {

std::string excerpt(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "\xE2\x80\xA6 (" + std::to_string(text.size()) +
         " bytes)";
}

void ErrorList::push_back(Error e) {
  ++m_total;
  if (full()) return;
  if (e.message.size() > k_max_message_bytes) e.message = excerpt(e.message, k_max_message_bytes);
  m_kept.push_back(std::move(e));
}

}  // namespace pixelwarden::base
