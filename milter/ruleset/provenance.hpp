#pragma once
// ProvenanceTable: where the entries of one domain list came from (source, campaign,
// TLP), so a match can name the advisory behind it. Entries are identified by their
// DomainSet arena offset, which grows in insertion order: the offset index is a sorted
// vector by construction and a match costs one binary search. Only entries that carry
// fields are recorded, and their (source, campaign, tlp) triples are interned: a
// million-indicator feed of one campaign costs 8 bytes per entry.
// Feed ids, first-seen dates and comments stay in the list file (`rules diff`, `rules
// check` read them there); the daemon does not keep them.
// Thread-safety: build single-threaded, then seal(); const members only read.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pixelwarden::ruleset {

struct Provenance {
  std::string_view source;
  std::string_view campaign;
  std::string_view tlp;
};

class ProvenanceTable {
 public:
  // Offsets must grow from call to call (DomainSet::add order).
  void add(std::uint32_t offset, const Provenance& p);
  std::optional<Provenance> find(std::uint32_t offset) const;
  // Drops the build-time interning maps.
  void seal();
  std::size_t size() const { return m_by_offset.size(); }

 private:
  std::uint32_t intern(std::string_view s);

  std::vector<std::string> m_strings{std::string()};  // id 0: absent
  std::vector<std::array<std::uint32_t, 3>> m_records;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_by_offset;  // offset -> record
  std::unordered_map<std::string, std::uint32_t> m_string_ids;
  std::map<std::array<std::uint32_t, 3>, std::uint32_t> m_record_ids;
};

}  // namespace pixelwarden::ruleset
