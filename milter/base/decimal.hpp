#pragma once
// Strict decimal numbers from protocol and command-line text: all of the string, ASCII
// digits only (no sign, no space, no base prefix), within the type. Header-only.

#include <charconv>
#include <optional>
#include <string_view>

namespace pixelwarden::base {

// All of `s` as a decimal number of unsigned type T: nothing when it is empty, has a
// sign or any other character, or overflows T.
template <typename T> std::optional<T> parse_decimal(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace pixelwarden::base
