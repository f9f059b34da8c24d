#include "intel/json_frames.hpp"

#include <utility>

namespace pixelwarden::intel {
namespace {

constexpr std::size_t k_chunk = 1u << 20;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

JsonFrames::JsonFrames(std::istream& in, std::string array_key)
    : m_in(in), m_key(std::move(array_key)), m_buf(k_chunk) {}

bool JsonFrames::fill() {
  m_offset += m_len;
  m_in.read(m_buf.data(), static_cast<std::streamsize>(m_buf.size()));
  m_len = static_cast<std::size_t>(m_in.gcount());
  m_at = 0;
  return m_len > 0;
}

void JsonFrames::fail(std::string message) {
  if (!m_error) m_error = std::move(message) + " at byte " + std::to_string(m_offset + m_at);
}

bool JsonFrames::end_of_input() {
  if (!m_started) {
    fail("empty input");
  } else if (m_in_string || m_depth > 0) {
    fail("unexpected end of the JSON input");
  }
  return false;
}

bool JsonFrames::next(std::string_view& element) {
  if (m_error) return false;
  for (;;) {
    if (m_at == m_len && !fill()) return end_of_input();
    std::string& out = m_in_element ? m_element : m_skeleton;

    if (m_in_string && !m_escape && (m_depth != 1 || m_in_element)) {
      // The bulk of a bundle: string bytes that are neither a quote nor a backslash.
      const char* from = m_buf.data() + m_at;
      const char* end = m_buf.data() + m_len;
      const char* to = from;
      while (to != end && *to != '"' && *to != '\\') ++to;
      out.append(from, to);
      m_at += static_cast<std::size_t>(to - from);
      if (to == end) continue;
    }
    const char c = m_buf[m_at];
    if (m_in_string) {
      if (m_escape) {
        m_escape = false;
      } else if (c == '\\') {
        m_escape = true;
      } else if (c == '"') {
        m_in_string = false;
        if (m_depth == 1 && !m_in_element) m_key_pending = true;
      } else if (m_depth == 1 && !m_in_element && m_last_string.size() <= m_key.size()) {
        m_last_string.push_back(c);
      }
      out.push_back(c);
      ++m_at;
      continue;
    }

    if (m_in_element && m_scalar && m_depth == 2 && (c == ',' || c == ']' || is_space(c))) {
      m_in_element = false;  // the byte that ends a scalar is not part of it
      element = m_element;
      return true;
    }

    if (m_in_target && !m_in_element && m_depth == 2 && c != ']' && c != ',' && !is_space(c)) {
      m_in_element = true;
      m_scalar = c != '{' && c != '[';
      m_element.clear();
      m_element_offset = m_offset + m_at;
      m_skeleton.push_back('0');
      if (m_skeleton.size() > k_max_skeleton) {
        fail("more than 16 MiB of JSON outside the framed array");
        return false;
      }
      continue;  // the same byte again, now as the element's first
    }

    if (!m_started && !is_space(c)) {
      if (c != '{') {
        fail("the top level of the JSON input is not an object");
        return false;
      }
      m_started = true;
    }
    const bool top_level = m_depth == 1 && !m_in_element;
    if (top_level && !is_space(c) && c != ':' && c != '"') m_key_pending = false;
    switch (c) {
      case '"':
        m_in_string = true;
        m_escape = false;
        if (top_level) m_last_string.clear();
        break;
      case '{':
      case '[':
        if (top_level && c == '[' && m_current_key == m_key) m_in_target = true;
        ++m_depth;
        break;
      case '}':
      case ']':
        if (--m_depth < 0) {
          fail("unbalanced brackets in the JSON input");
          return false;
        }
        if (m_depth < 2) m_in_target = false;
        break;
      case ':':
        if (top_level && m_key_pending) {
          m_current_key = m_last_string.size() <= m_key.size() ? m_last_string : std::string();
          m_key_pending = false;
        }
        break;
      case ',':
        if (top_level) m_current_key.clear();
        break;
      default:
        break;
    }
    out.push_back(c);
    ++m_at;
    if (!m_in_element && m_skeleton.size() > k_max_skeleton) {
      fail("more than 16 MiB of JSON outside the framed array");
      return false;
    }
    if (m_in_element && !m_scalar && m_depth == 2 && (c == '}' || c == ']')) {
      m_in_element = false;
      element = m_element;
      return true;
    }
  }
}

}  // namespace pixelwarden::intel
