#pragma once
// ErrorList: a bounded collection of errors. The first `keep` errors are stored (each
// message cut to k_max_message_bytes); the rest are only counted, so a 100 MB list of
// bad lines costs a hundred stored errors and one count, not four million strings.
// Reads like the std::vector it replaces (size(), [], iteration over what is stored);
// total() and dropped() say how many there were.
// Non-goals: deduplication, ordering by severity.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pixelwarden::base {

class ErrorList {
 public:
  static constexpr std::size_t k_default_keep = 100;
  static constexpr std::size_t k_max_message_bytes = 1024;

  explicit ErrorList(std::size_t keep = k_default_keep) : m_keep(keep) {}

  void push_back(Error e);
  // True once further errors are only counted: callers may skip building their text.
  bool full() const { return m_kept.size() >= m_keep; }
  // Counts one error that is not stored (for callers that skipped building it).
  void count_dropped() { ++m_total; }

  std::size_t size() const { return m_kept.size(); }  // stored
  std::size_t total() const { return m_total; }       // stored + dropped
  std::size_t dropped() const { return m_total - m_kept.size(); }
  bool empty() const { return m_total == 0; }
  void clear() {
    m_kept.clear();
    m_total = 0;
  }

  const Error& operator[](std::size_t i) const { return m_kept[i]; }
  const Error& front() const { return m_kept.front(); }
  const Error& back() const { return m_kept.back(); }
  std::vector<Error>::const_iterator begin() const { return m_kept.begin(); }
  std::vector<Error>::const_iterator end() const { return m_kept.end(); }
  const std::vector<Error>& stored() const { return m_kept; }

 private:
  std::size_t m_keep;
  std::size_t m_total = 0;
  std::vector<Error> m_kept;
};

// At most max bytes of text for a message, with the full length said when cut (never
// splitting a UTF-8 sequence): "abc… (104857600 bytes)".
std::string excerpt(std::string_view text, std::size_t max = 120);

}  // namespace pixelwarden::base
