#include "mime/encoded_word.hpp"

#include "base/text.hpp"
#include "mime/charset.hpp"
#include "mime/codec.hpp"

namespace pixelwarden::mime {
namespace {

struct EncodedWord {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past "?="
  std::string_view charset;
  std::string bytes;  // decoded, still in charset
};

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && base::hex_value(text[i + 1]) >= 0 &&
               base::hex_value(text[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(base::hex_value(text[i + 1]) * 16 + base::hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Parses an encoded word starting at pos ("=?"); false if there is none there.
bool parse_word(std::string_view s, std::size_t pos, EncodedWord& w) {
  const std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 3 > s.size() || s[q1 + 2] != '?') return false;
  const char enc = base::ascii_lower(s[q1 + 1]);
  if (enc != 'b' && enc != 'q') return false;
  const std::size_t close = s.find("?=", q1 + 3);
  if (close == std::string_view::npos) return false;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  if (charset.empty() || charset.find_first_of(" \t") != std::string_view::npos) return false;
  if (auto star = charset.find('*'); star != std::string_view::npos)
    charset = charset.substr(0, star);
  const std::string_view text = s.substr(q1 + 3, close - q1 - 3);
  w.begin = pos;
  w.end = close + 2;
  w.charset = charset;
  w.bytes = enc == 'b' ? decode_base64(text) : decode_q(text);
  return true;
}

bool only_whitespace(std::string_view s) {
  for (char c : s) {
    if (!base::is_ascii_space(c)) return false;
  }
  return true;
}

}  // namespace

std::string decode_rfc2047(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::string pending;  // bytes of adjacent words in pending_charset, not yet converted
  std::string_view pending_charset;
  std::size_t copied = 0;  // everything before this is in out or pending
  std::size_t pos = s.find("=?");
  while (pos != std::string_view::npos) {
    EncodedWord w;
    if (!parse_word(s, pos, w)) {
      pos = s.find("=?", pos + 2);
      continue;
    }
    const std::string_view gap = s.substr(copied, pos - copied);
    const bool adjacent = !pending_charset.empty() && only_whitespace(gap);
    if (adjacent && base::iequals(w.charset, pending_charset)) {
      pending += w.bytes;
    } else {
      if (!pending_charset.empty()) out += to_utf8_lenient(pending, pending_charset);
      if (!adjacent) out.append(gap);
      pending = std::move(w.bytes);
      pending_charset = w.charset;
    }
    copied = w.end;
    pos = s.find("=?", copied);
  }
  if (!pending_charset.empty()) out += to_utf8_lenient(pending, pending_charset);
  out.append(s.substr(copied));
  return out;
}

}  // namespace pixelwarden::mime
