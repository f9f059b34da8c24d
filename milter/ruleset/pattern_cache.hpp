#pragma once
// Compiled pattern databases by content hash. A reload whose pattern lists did not
// change takes the databases of the ruleset still in service instead of compiling them
// again (10,000 URL regexes cost seconds of CPU; a 1M-domain list alone loads in well
// under one). The key is a SHA-256 over the Hyperscan version and every spec (expression,
// flags, id), so any change to a list, its order or its flags compiles afresh. Entries
// are weak: the cache never keeps a database alive that no ruleset holds.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ruleset/pattern_db.hpp"

namespace pixelwarden::ruleset {

std::string pattern_key(const std::vector<PatternSpec>& specs);

// The database of these specs: the live one compiled earlier, or a fresh compile.
base::Result<std::shared_ptr<const PatternDb>, PatternError> compile_cached(
    const std::vector<PatternSpec>& specs);

// check_expression, remembering the expressions that passed: a reload of an unchanged
// 10,000-regex list would otherwise parse each again (a quarter of a CPU second) only to
// take the compiled database from the cache. Holds at most a few hundred thousand
// expressions; forgets them all past that.
std::optional<std::string> check_expression_cached(const std::string& expression, unsigned flags);

struct PatternCacheStats {
  std::size_t hits = 0;
  std::size_t compiles = 0;
};
PatternCacheStats pattern_cache_stats();

}  // namespace pixelwarden::ruleset
