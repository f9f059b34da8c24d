#include "ruleset/provenance.hpp"

#include <algorithm>

namespace pixelwarden::ruleset {

std::uint32_t ProvenanceTable::intern(std::string_view s) {
  if (s.empty()) return 0;
  auto [it, inserted] =
      m_string_ids.try_emplace(std::string(s), static_cast<std::uint32_t>(m_strings.size()));
  if (inserted) m_strings.emplace_back(s);
  return it->second;
}

void ProvenanceTable::add(std::uint32_t offset, const Provenance& p) {
  const std::array<std::uint32_t, 3> key{intern(p.source), intern(p.campaign), intern(p.tlp)};
  auto [it, inserted] = m_record_ids.try_emplace(key, static_cast<std::uint32_t>(m_records.size()));
  if (inserted) m_records.push_back(key);
  m_by_offset.emplace_back(offset, it->second);
}

std::optional<Provenance> ProvenanceTable::find(std::uint32_t offset) const {
  auto it = std::lower_bound(m_by_offset.begin(), m_by_offset.end(), offset,
                             [](const auto& e, std::uint32_t o) { return e.first < o; });
  if (it == m_by_offset.end() || it->first != offset) return std::nullopt;
  const auto& r = m_records[it->second];
  return Provenance{m_strings[r[0]], m_strings[r[1]], m_strings[r[2]]};
}

void ProvenanceTable::seal() {
  m_string_ids = {};
  m_record_ids = {};
  m_by_offset.shrink_to_fit();
}

}  // namespace pixelwarden::ruleset
