#include "base/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

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

}  // namespace

void json_quote(std::string& out, std::string_view s) {
  // Most strings (every key, most values) need no escape: one scan, one append.
  std::size_t plain = 0;
  while (plain < s.size() && plain_ascii(static_cast<unsigned char>(s[plain]))) ++plain;
  out.push_back('"');
  out.append(s.data(), plain);
  for (std::size_t i = plain; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (plain_ascii(c)) {
      std::size_t end = i + 1;
      while (end < s.size() && plain_ascii(static_cast<unsigned char>(s[end]))) ++end;
      out.append(s.data() + i, end - i);
      i = end;
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
  if (!m_first.empty()) {
    if (!m_first.back()) m_out.push_back(',');
    m_first.back() = false;
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  m_out.push_back('{');
  m_first.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  m_out.push_back('}');
  m_first.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  m_out.push_back('[');
  m_first.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  m_out.push_back(']');
  m_first.pop_back();
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
