#pragma once
// Lint for URL patterns an analyst wrote (url_patterns, patterns_file): the mistakes
// that compile fine and then match more than meant. Pure functions over the regex text.
// Non-goals: parsing the full Hyperscan syntax; a pattern Hyperscan refuses is an error
// elsewhere, not a lint finding.

#include <cstddef>
#include <optional>
#include <string_view>

namespace pixelwarden::ruleset {

// The byte offset of the first `.` that matches any character where a literal dot was
// most likely meant: not escaped, not inside a [...] class, and not the wildcard of a
// `.*`, `.+`, `.?` or `.{n}` run (those say "anything" on purpose). Nothing when none.
std::optional<std::size_t> literal_dot_unescaped(std::string_view regex);

// A patterns_file line without its trailing comment: whitespace followed by `#` starts
// one (a URL holds no whitespace, and `#` inside a URL fragment follows no space).
std::string_view strip_pattern_comment(std::string_view line);

}  // namespace pixelwarden::ruleset
