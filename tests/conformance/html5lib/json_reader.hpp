#pragma once
// A small JSON reader for the html5lib test files (test-local; the product has no
// JSON input). Strings are decoded to UTF-8; lone surrogates are kept as their
// 3-byte (WTF-8) form so that such tests can still be compared byte for byte.

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::testing {

struct Json {
  enum class Kind { null, boolean, number, string, array, object } kind = Kind::null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> arr;
  std::vector<std::pair<std::string, Json>> obj;  // in document order

  // Declared here, defaulted below where Json is complete: Clang 14 instantiates the
  // implicit ones inside the class, where std::pair<std::string, Json> is incomplete.
  Json() = default;
  Json(const Json&);
  Json(Json&&) noexcept;
  Json& operator=(const Json&);
  Json& operator=(Json&&) noexcept;
  ~Json();

  const Json* get(std::string_view key) const {
    for (const auto& [k, v] : obj) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

inline Json::Json(const Json&) = default;
inline Json::Json(Json&&) noexcept = default;
inline Json& Json::operator=(const Json&) = default;
inline Json& Json::operator=(Json&&) noexcept = default;
inline Json::~Json() = default;

inline void append_cp(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes \uHHHH sequences (with surrogate pairs) inside already-decoded text: the
// html5lib "doubleEscaped" convention.
inline std::string unescape_u(std::string_view s) {
  std::string out;
  auto hex4 = [&](std::size_t i, std::uint32_t& v) {
    if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return false;
    v = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
      char c = s[k];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return false;
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return true;
  };
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t v = 0, lo = 0;
    if (!hex4(i, v)) {
      out.push_back(s[i++]);
      continue;
    }
    i += 6;
    if (v >= 0xD800 && v <= 0xDBFF && hex4(i, lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
      v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      i += 6;
    }
    append_cp(out, v);
  }
  return out;
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : m_s(text) {}
  Json parse() {
    Json v = value();
    ws();
    if (m_i != m_s.size()) fail("trailing data");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("json: " + what + " at " + std::to_string(m_i));
  }
  void ws() {
    while (m_i < m_s.size() &&
           (m_s[m_i] == ' ' || m_s[m_i] == '\n' || m_s[m_i] == '\r' || m_s[m_i] == '\t'))
      ++m_i;
  }
  bool lit(std::string_view w) {
    if (m_s.substr(m_i, w.size()) != w) return false;
    m_i += w.size();
    return true;
  }
  Json value() {
    ws();
    if (m_i >= m_s.size()) fail("eof");
    Json v;
    char c = m_s[m_i];
    if (c == '{') {
      v.kind = Json::Kind::object;
      ++m_i;
      ws();
      if (lit("}")) return v;
      for (;;) {
        ws();
        std::string k = string();
        ws();
        if (!lit(":")) fail("expected ':'");
        v.obj.emplace_back(std::move(k), value());
        ws();
        if (lit("}")) return v;
        if (!lit(",")) fail("expected ','");
      }
    }
    if (c == '[') {
      v.kind = Json::Kind::array;
      ++m_i;
      ws();
      if (lit("]")) return v;
      for (;;) {
        v.arr.push_back(value());
        ws();
        if (lit("]")) return v;
        if (!lit(",")) fail("expected ','");
      }
    }
    if (c == '"') {
      v.kind = Json::Kind::string;
      v.str = string();
      return v;
    }
    if (lit("true")) return v.kind = Json::Kind::boolean, v.b = true, v;
    if (lit("false")) return v.kind = Json::Kind::boolean, v;
    if (lit("null")) return v;
    std::size_t b = m_i;
    while (m_i < m_s.size() &&
           std::string_view("+-0123456789.eE").find(m_s[m_i]) != std::string_view::npos)
      ++m_i;
    if (b == m_i) fail("unexpected character");
    v.kind = Json::Kind::number;
    v.num = std::stod(std::string(m_s.substr(b, m_i - b)));
    return v;
  }
  std::uint32_t hex4() {
    if (m_i + 4 > m_s.size()) fail("short \\u");
    std::uint32_t v = std::stoul(std::string(m_s.substr(m_i, 4)), nullptr, 16);
    m_i += 4;
    return v;
  }
  std::string string() {
    if (!lit("\"")) fail("expected string");
    std::string out;
    while (m_i < m_s.size() && m_s[m_i] != '"') {
      char c = m_s[m_i++];
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      char e = m_s[m_i++];
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'u': {
          std::uint32_t v = hex4();
          if (v >= 0xD800 && v <= 0xDBFF && m_s.substr(m_i, 2) == "\\u") {
            std::size_t save = m_i;
            m_i += 2;
            std::uint32_t lo = hex4();
            if (lo >= 0xDC00 && lo <= 0xDFFF)
              v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
            else
              m_i = save;
          }
          append_cp(out, v);
          break;
        }
        default:
          out.push_back(e);
      }
    }
    if (!lit("\"")) fail("unterminated string");
    return out;
  }

  std::string_view m_s;
  std::size_t m_i = 0;
};

}  // namespace pixelwarden::testing
