#include "observe/label_cache.hpp"

#include <atomic>
#include <cassert>
#include <memory>
#include <utility>

namespace pixelwarden::observe {
namespace {

std::atomic<std::uint64_t> g_next_id{1};

// Joins label values; the separator cannot appear in a rule id, vendor or enum.
constexpr char k_separator = '\x1f';

// Per-thread maps of caches that no longer exist are dropped wholesale past this many
// (only tests create many Metrics; a daemon has one, with a handful of caches).
constexpr std::size_t k_max_thread_maps = 64;

}  // namespace

LabelCache::LabelCache(prometheus::Family<prometheus::Counter>& family,
                       std::vector<std::string> label_names, std::size_t max_children)
    : m_family(family), m_label_names(std::move(label_names)), m_max_children(max_children),
      m_id(g_next_id.fetch_add(1, std::memory_order_relaxed)) {}

prometheus::Counter& LabelCache::child(std::initializer_list<std::string_view> values) {
  // Reused per thread: after warm-up, a hit allocates nothing.
  thread_local std::string key;
  key.clear();
  for (std::string_view v : values) {
    key.append(v);
    key.push_back(k_separator);
  }
  Map& local = thread_map();
  if (auto it = local.find(std::string_view(key)); it != local.end()) return *it->second;
  prometheus::Counter& counter = slow_child(key, values);
  local.emplace(key, &counter);
  return counter;
}

std::size_t LabelCache::size() const {
  std::lock_guard lock(m_mutex);
  return m_shared.size();
}

prometheus::Counter& LabelCache::slow_child(const std::string& key,
                                            std::initializer_list<std::string_view> values) {
  assert(values.size() == m_label_names.size());
  std::lock_guard lock(m_mutex);
  if (auto it = m_shared.find(key); it != m_shared.end()) return *it->second;

  prometheus::Labels labels;
  std::string shared_key = key;
  if (m_shared.size() >= m_max_children) {
    shared_key.clear();
    for (const std::string& name : m_label_names) {
      labels.emplace(name, k_overflow);
      shared_key.append(k_overflow);
      shared_key.push_back(k_separator);
    }
    if (auto it = m_shared.find(shared_key); it != m_shared.end()) return *it->second;
  } else {
    std::size_t i = 0;
    for (std::string_view v : values) labels.emplace(m_label_names[i++], std::string(v));
  }
  prometheus::Counter& counter = m_family.Add(labels);
  m_shared.emplace(std::move(shared_key), &counter);
  return counter;
}

LabelCache::Map& LabelCache::thread_map() const {
  thread_local std::vector<std::pair<std::uint64_t, std::unique_ptr<Map>>> maps;
  for (auto& [id, map] : maps) {
    if (id == m_id) return *map;
  }
  if (maps.size() >= k_max_thread_maps) maps.clear();
  maps.emplace_back(m_id, std::make_unique<Map>());
  return *maps.back().second;
}

}  // namespace pixelwarden::observe
