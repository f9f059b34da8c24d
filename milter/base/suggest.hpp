#pragma once
// "Did you mean": the known names closest to a name that is not known, for error
// messages that name a rule, list or key the user mistyped or shortened (`--rule apt31`
// when the rule is `apt31-news`). Candidates are those that start with or contain the
// given name (case-insensitive), else those within a small edit distance; ASCII only.
// Non-goals: ranking by usage, fuzzy matching of long texts.

#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::base {

// At most `limit` known names, best first; empty when none is close.
std::vector<std::string> suggest(std::string_view given, const std::vector<std::string>& known,
                                 std::size_t limit = 3);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), ASCII
// case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace pixelwarden::base
