#pragma once
// DomainSet: a compact, immutable-after-build set of domain entries, looked up per
// label suffix of a host (never through regexes: a million entries must load in
// seconds). Entries live back to back in one string arena; an open-addressing table
// of {64-bit hash, arena offset, length+flags} points into it, so a 1,000,000-entry
// list costs ~20 bytes of arena plus 2 table slots (32 bytes) per entry.
//
// Entry forms (after DomainSet::normalize_entry): `example.com` matches the domain
// and every subdomain; `*.example.com` matches subdomains only. Hosts handed to
// match() must already be normalized (url::normalize_host).
// Thread-safety: const member functions only read; share freely once built.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::ruleset {

// The longest list entry read as a domain: 253 bytes in ASCII, up to four times that as
// written in UTF-8 or defanged ("evil[.]example").
inline constexpr std::size_t k_max_entry_bytes = 1024;

class DomainSet {
 public:
  struct Entry {
    std::string domain;  // normalized, without the `*.` prefix
    bool subdomains_only = false;
  };
  // Normalizes a raw list entry (trim, lowercase, trailing dot, IDNA, refanged
  // `[.]`); nothing when the entry is not a domain.
  static std::optional<Entry> normalize_entry(std::string_view raw);

  void reserve(std::size_t entries);
  // The new entry's arena offset (its identity for ProvenanceTable), or nothing when
  // the domain was already in the set (its flags are merged).
  std::optional<std::uint32_t> add(const Entry& entry);

  // The entry that matches the normalized host (itself or a parent), or nothing.
  std::optional<std::string_view> match(std::string_view host) const;
  bool contains(std::string_view host) const { return match(host).has_value(); }
  // The arena offset of a view match() returned.
  std::uint32_t offset_of(std::string_view matched) const {
    return static_cast<std::uint32_t>(matched.data() - m_arena.data());
  }
  // The domain of the entry add() stored at `offset`, `length` bytes long.
  std::string_view entry_at(std::uint32_t offset, std::size_t length) const {
    return std::string_view(m_arena).substr(offset, length);
  }
  std::size_t size() const { return m_count; }
  std::size_t memory_bytes() const;

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t len_flags = 0;  // length << 2 | flags; 0 = empty slot
  };
  static constexpr std::uint32_t k_whole = 1;     // domain and its subdomains
  static constexpr std::uint32_t k_sub_only = 2;  // subdomains only

  void grow();
  Slot* find_slot(std::string_view domain, std::uint64_t hash);
  const Slot* lookup(std::string_view domain) const;

  std::string m_arena;
  std::vector<Slot> m_table;
  std::size_t m_count = 0;
};

std::uint64_t hash_domain(std::string_view s);

}  // namespace pixelwarden::ruleset
