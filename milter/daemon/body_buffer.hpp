#pragma once
// BodyBuffer: a message body as the MTA hands it over (64 KiB chunks), in one
// contiguous block that grows with realloc. std::string's doubling copied a large body
// about twice more and faulted fresh pages in at every step; realloc grows in place
// when it can, and glibc grows a large mmap'ed block with mremap, which moves page
// mappings instead of bytes. (After the first large body, glibc's dynamic mmap
// threshold rises and later ones grow inside the thread's arena instead: still in
// place when the top of the arena is free.)
// Non-goals: shrinking below what one message needed (release() frees, or keeps).

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>

namespace pixelwarden::daemon {

class BodyBuffer {
 public:
  BodyBuffer() = default;
  ~BodyBuffer() { std::free(m_data); }
  BodyBuffer(const BodyBuffer&) = delete;
  BodyBuffer& operator=(const BodyBuffer&) = delete;

  void append(std::string_view chunk) {
    if (chunk.empty()) return;
    if (chunk.size() > m_capacity - m_size) grow(m_size + chunk.size());
    std::memcpy(m_data + m_size, chunk.data(), chunk.size());
    m_size += chunk.size();
  }

  // Empties the buffer; its memory is kept for the next message when it is at most
  // `keep` bytes, else given back (a 25 MB buffer must not stay with an idle
  // connection).
  void clear(std::size_t keep) {
    m_size = 0;
    if (m_capacity > keep) {
      std::free(m_data);
      m_data = nullptr;
      m_capacity = 0;
    }
  }

  std::size_t size() const { return m_size; }
  std::size_t capacity() const { return m_capacity; }
  std::string_view view() const { return {m_data, m_size}; }

 private:
  void grow(std::size_t need) {
    const std::size_t cap = std::max({need, 2 * m_capacity, k_min_capacity});
    void* p = std::realloc(m_data, cap);
    if (p == nullptr) throw std::bad_alloc();
    m_data = static_cast<char*>(p);
    m_capacity = cap;
  }

  static constexpr std::size_t k_min_capacity = 64 * 1024;
  char* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0;
};

}  // namespace pixelwarden::daemon
