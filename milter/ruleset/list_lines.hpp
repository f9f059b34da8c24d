#pragma once
// Line splitting shared by every list file (domains, patterns, filters): UTF-8 BOM
// dropped, each line trimmed, blank lines skipped, and with hash_comments a line
// starting with '#' skipped too (Adblock filters use '!' for comments and '#' for
// element hiding, which the filter parser reports instead). Streams over the bytes: a
// million-line list is never copied. fn(text, line, column), both 1-based.

#include <cstring>
#include <string_view>

#include "base/text.hpp"

namespace pixelwarden::ruleset {

template <typename Fn>
void for_each_list_line(std::string_view bytes, bool hash_comments, Fn&& fn) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  int line = 0;
  while (!bytes.empty()) {
    ++line;
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    const std::size_t len =
        nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data())
                      : bytes.size();
    const std::string_view raw = bytes.substr(0, len);
    bytes.remove_prefix(nl != nullptr ? len + 1 : len);
    const std::string_view t = base::trim(raw);
    if (t.empty() || (hash_comments && t.front() == '#')) continue;
    fn(t, line, static_cast<int>(t.data() - raw.data()) + 1);
  }
}

}  // namespace pixelwarden::ruleset
