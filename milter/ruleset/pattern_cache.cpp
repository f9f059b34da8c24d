#include "ruleset/pattern_cache.hpp"

#include <hs/hs.h>

#include <iterator>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "base/digest.hpp"

namespace pixelwarden::ruleset {
namespace {

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::string, std::weak_ptr<const PatternDb>> entries;
  PatternCacheStats stats;
};

Cache& cache() {
  static Cache c;
  return c;
}

constexpr std::size_t k_max_valid_expressions = 500000;

struct ValidExpressions {
  std::mutex mutex;
  std::unordered_set<std::string> keys;  // flags ':' expression
};

ValidExpressions& valid_expressions() {
  static ValidExpressions v;
  return v;
}

}  // namespace

std::string pattern_key(const std::vector<PatternSpec>& specs) {
  base::Sha256 sha;
  sha.update(hs_version());
  for (const PatternSpec& s : specs) {
    // Length-prefixed, so that no two different spec lists hash the same bytes.
    const std::string head = std::to_string(s.expression.size()) + ':' + std::to_string(s.flags) +
                             ':' + std::to_string(s.id) + ':';
    sha.update(head);
    sha.update(s.expression);
  }
  return sha.hex_digest();
}

base::Result<std::shared_ptr<const PatternDb>, PatternError> compile_cached(
    const std::vector<PatternSpec>& specs) {
  const std::string key = pattern_key(specs);
  Cache& c = cache();
  {
    std::lock_guard lock(c.mutex);
    auto it = c.entries.find(key);
    if (it != c.entries.end()) {
      if (auto live = it->second.lock()) {
        ++c.stats.hits;
        return live;
      }
    }
  }
  // Compiled outside the lock: two loads of different rulesets do not wait on each other.
  auto compiled = PatternDb::compile(specs);
  if (!compiled.ok()) return compiled.error();
  std::shared_ptr<const PatternDb> db = std::move(compiled).value();
  std::lock_guard lock(c.mutex);
  ++c.stats.compiles;
  for (auto it = c.entries.begin(); it != c.entries.end();) {
    it = it->second.expired() ? c.entries.erase(it) : std::next(it);
  }
  c.entries[key] = db;
  return db;
}

std::optional<std::string> check_expression_cached(const std::string& expression, unsigned flags) {
  std::string key = std::to_string(flags) + ':' + expression;
  ValidExpressions& v = valid_expressions();
  {
    std::lock_guard lock(v.mutex);
    if (v.keys.count(key) != 0) return std::nullopt;
  }
  auto err = check_expression(expression, flags);
  if (err) return err;
  std::lock_guard lock(v.mutex);
  if (v.keys.size() >= k_max_valid_expressions) v.keys.clear();
  v.keys.insert(std::move(key));
  return std::nullopt;
}

PatternCacheStats pattern_cache_stats() {
  std::lock_guard lock(cache().mutex);
  return cache().stats;
}

}  // namespace pixelwarden::ruleset
