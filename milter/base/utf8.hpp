#pragma once
// UTF-8 validity as RFC 3629 defines it: no overlong forms, no surrogates, nothing past
// U+10FFFF. Byte-level only; conversions between charsets are mime/charset.hpp's.

#include <cstddef>
#include <string_view>

namespace pixelwarden::base {

// Length (2 to 4) of the valid multi-byte UTF-8 sequence starting at s[i]; 0 when the
// bytes there are not one (ASCII included: callers handle it first).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);

}  // namespace pixelwarden::base
