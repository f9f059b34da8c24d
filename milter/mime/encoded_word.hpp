#pragma once
// RFC 2047 encoded words ("=?charset?B|Q?text?=") in unstructured header text and phrases,
// decoded to UTF-8 for matching (ICU for the charsets, lenient: never fails). Whitespace
// between two adjacent encoded words is dropped; adjacent words in the same charset are
// joined before conversion, since senders split multibyte characters across words.
// Text outside encoded words is kept byte for byte (RFC 6532 UTF-8 headers pass through).
// RFC 2231 language suffixes ("=?utf-8*en?Q?...?=") are accepted and ignored.
// Non-goals: re-encoding headers; deciding which header fields allow encoded words.

#include <string>
#include <string_view>

namespace pixelwarden::mime {

std::string decode_rfc2047(std::string_view unfolded);

}  // namespace pixelwarden::mime
