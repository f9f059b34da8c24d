#include "base/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "base/utf8.hpp"

namespace pixelwarden::base {
namespace {

// Printable ASCII that needs no escape: copied in runs, not byte by byte (an audit line
// is almost all such bytes).
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable k_plain;

bool plain_ascii(unsigned char c) { return k_plain.plain[c]; }

// Whether any of the 8 bytes in x needs an escape (below 0x20, '"', '\\', 0x7F, or not
// ASCII): the classic "has a zero / smaller byte" word tricks, exact for the yes/no answer.
bool word_needs_escape(std::uint64_t x) {
  constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
  constexpr std::uint64_t k_high = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t w) { return (w - k_ones) & ~w & k_high; };
  const std::uint64_t below_space = (x - k_ones * 0x20) & ~x & k_high;
  return ((x & k_high) | below_space | has_zero(x ^ (k_ones * '"')) |
          has_zero(x ^ (k_ones * '\\')) | has_zero(x ^ (k_ones * 0x7F))) != 0;
}

// The length of s's leading run of bytes that need no escape; 8 bytes per step (an audit
// line is almost all such bytes, and this scan was a third of its formatting time).
std::size_t plain_run(std::string_view s, std::size_t from) {
  std::size_t i = from;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    if (word_needs_escape(w)) break;
  }
  while (i < s.size() && plain_ascii(static_cast<unsigned char>(s[i]))) ++i;
  return i - from;
}

}  // namespace

void json_quote(std::string& out, std::string_view s) {
  // Most strings (every key, most values) need no escape: one scan, one append.
  const std::size_t plain = plain_run(s, 0);
  out.push_back('"');
  out.append(s.data(), plain);
  for (std::size_t i = plain; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (plain_ascii(c)) {
      const std::size_t run = plain_run(s, i);
      out.append(s.data() + i, run);
      i += run;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            out += fmt::format("\\u{:04x}", c);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  out.push_back('"');
}

void JsonWriter::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_depth == 0) return;
  const std::uint64_t bit = std::uint64_t{1} << (m_depth - 1);
  if ((m_first & bit) == 0) m_out.push_back(',');
  m_first &= ~bit;
}

void JsonWriter::open(char bracket) {
  if (m_depth == 64) throw std::logic_error("JsonWriter: more than 64 nested containers");
  before_value();
  m_out.push_back(bracket);
  m_first |= std::uint64_t{1} << m_depth;
  ++m_depth;
}

JsonWriter& JsonWriter::begin_object() {
  open('{');
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  assert(m_depth > 0);
  m_out.push_back('}');
  --m_depth;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open('[');
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  assert(m_depth > 0);
  m_out.push_back(']');
  --m_depth;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  json_quote(m_out, k);
  m_out.push_back(':');
  m_after_key = true;
  return *this;
}

JsonWriter& JsonWriter::key_plain(std::string_view k) {
  assert(std::all_of(k.begin(), k.end(),
                     [](char c) { return plain_ascii(static_cast<unsigned char>(c)); }));
  before_value();
  m_out.push_back('"');
  m_out.append(k);
  m_out.append("\":", 2);
  m_after_key = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  json_quote(m_out, s);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  m_out += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
  before_value();
  m_out += std::to_string(n);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t n) {
  before_value();
  m_out += std::to_string(n);
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  m_out += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  m_out.append(json);
  return *this;
}

}  // namespace pixelwarden::base
