#pragma once
// ASCII-only text helpers shared by every layer. They never look at the locale:
// mail protocols are case-insensitive in ASCII only, and the locale of a daemon is
// nobody's business. Non-goals: Unicode case folding (see url/ for IDNA).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::base {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_ascii_alpha(char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// a == b for the short names of markup (tags, attributes): a byte loop the compiler
// inlines, where operator== calls memcmp for every comparison.
constexpr bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
bool iends_with(std::string_view s, std::string_view suffix);
std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from = 0);
std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
std::string hex_encode(std::string_view bytes);

}  // namespace pixelwarden::base
