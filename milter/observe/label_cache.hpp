#pragma once
// LabelCache: the children of one prometheus-cpp counter family, reached from the mail
// path without a lock.
//
// Family::Add hashes the label map and takes the family's mutex on every call, and
// building a prometheus::Labels (std::map<string,string>) allocates. So each thread
// keeps its own small hash map from the joined label values to the Counter*; only a
// miss (first use of a label set on that thread) goes to a shared map under a mutex,
// and only a globally new label set calls Family::Add. Children are never removed from
// these families, so the cached pointers stay valid for the life of the family.
//
// Bounded cardinality: label values come from the ruleset or enums, but a cap per
// family (max_children) folds any label set beyond it into one child whose every label
// is `_overflow`, so a mistake elsewhere cannot blow up the scrape.

#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pixelwarden::observe {

class LabelCache {
 public:
  static constexpr std::size_t k_default_max_children = 10000;
  static constexpr std::string_view k_overflow = "_overflow";

  LabelCache(prometheus::Family<prometheus::Counter>& family, std::vector<std::string> label_names,
             std::size_t max_children = k_default_max_children);
  LabelCache(const LabelCache&) = delete;
  LabelCache& operator=(const LabelCache&) = delete;

  // The child for these label values, in the order of label_names.
  prometheus::Counter& child(std::initializer_list<std::string_view> values);

  // Number of distinct children created through this cache (overflow child included).
  std::size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, prometheus::Counter*, Hash, std::equal_to<>>;

  prometheus::Counter& slow_child(const std::string& key,
                                  std::initializer_list<std::string_view> values);
  Map& thread_map() const;

  prometheus::Family<prometheus::Counter>& m_family;
  std::vector<std::string> m_label_names;
  std::size_t m_max_children;
  std::uint64_t m_id;  // unique per instance, never reused: keys the per-thread maps

  mutable std::mutex m_mutex;  // guards m_shared (miss path only)
  Map m_shared;
};

}  // namespace pixelwarden::observe
