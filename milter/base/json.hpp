#pragma once
// A small streaming JSON writer: enough for verdicts, audit lines and scan output,
// with correct escaping of attacker-controlled strings (control characters, quotes,
// invalid UTF-8 replaced by U+FFFD so every line is valid JSON).

#include <cstdint>
#include <string>
#include <string_view>

namespace pixelwarden::base {

// Appends s to out as a JSON string literal, quotes included.
void json_quote(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter() = default;
  // Writes into buffer's storage (cleared): a caller writing many documents hands back
  // what take() returned and allocates nothing once the buffer is large enough.
  explicit JsonWriter(std::string buffer) : m_out(std::move(buffer)) { m_out.clear(); }

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  // A key that needs no escaping (printable ASCII without '"' or '\\', as the literals
  // in the code are): copied without key()'s scan. Checked in debug builds.
  JsonWriter& key_plain(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& null();
  // Inserts already-serialized JSON as one value.
  JsonWriter& raw(std::string_view json);

  // Capacity for a document of about n bytes (one allocation instead of several).
  void reserve(std::size_t n) { m_out.reserve(n); }
  const std::string& str() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  void before_value();
  void open(char bracket);
  std::string m_out;
  // Bit d: the container open at depth d + 1 has no element yet. The writers' nesting
  // is fixed by their code, never by input; open() refuses more than 64 levels.
  std::uint64_t m_first = 0;
  unsigned m_depth = 0;
  bool m_after_key = false;
};

}  // namespace pixelwarden::base
