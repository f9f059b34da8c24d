#include "ruleset/domain_set.hpp"

#include <algorithm>

#include "base/text.hpp"
#include "url/host.hpp"

namespace pixelwarden::ruleset {
namespace {

// IOC feeds often "defang" domains (`lure-news[.]example`); accept that form.
std::string refang(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((s[i] == '[' || s[i] == '(') && i + 2 < s.size() && s[i + 1] == '.' &&
        s[i + 2] == (s[i] == '[' ? ']' : ')')) {
      out.push_back('.');
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::uint64_t hash_domain(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then a splitmix finalizer
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

std::optional<DomainSet::Entry> DomainSet::normalize_entry(std::string_view raw) {
  std::string_view s = base::trim(raw);
  // No domain is longer (253 bytes in ASCII, ~4x that as written in UTF-8 or defanged):
  // a 100 MB line is refused without being copied or normalized.
  if (s.size() > k_max_entry_bytes) return std::nullopt;
  Entry e;
  if (s.size() > 2 && s[0] == '*' && s[1] == '.') {
    e.subdomains_only = true;
    s.remove_prefix(2);
  }
  if (s.find_first_of("[(") != std::string_view::npos) {
    e.domain = url::normalize_host(refang(s));
  } else if (s.find_first_of(":/@ ") != std::string_view::npos) {
    return std::nullopt;  // a URL or an address, not a domain
  } else {
    e.domain = url::normalize_host(s);
  }
  if (e.domain.empty() || url::is_ip_literal(e.domain)) return std::nullopt;
  return e;
}

void DomainSet::reserve(std::size_t entries) {
  std::size_t want = 16;
  while (want < entries * 2) want *= 2;
  if (want <= m_table.size()) return;
  std::vector<Slot> old = std::move(m_table);
  m_table.assign(want, Slot{});
  for (const Slot& s : old) {
    if (s.len_flags == 0) continue;
    std::size_t mask = m_table.size() - 1;
    std::size_t i = s.hash & mask;
    while (m_table[i].len_flags != 0) i = (i + 1) & mask;
    m_table[i] = s;
  }
}

void DomainSet::grow() { reserve(std::max<std::size_t>(m_count + 1, m_table.size())); }

DomainSet::Slot* DomainSet::find_slot(std::string_view domain, std::uint64_t hash) {
  std::size_t mask = m_table.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& s = m_table[i];
    if (s.len_flags == 0) return &s;
    if (s.hash == hash && (s.len_flags >> 2) == domain.size() &&
        std::string_view(m_arena).substr(s.offset, domain.size()) == domain) {
      return &s;
    }
  }
}

std::optional<std::uint32_t> DomainSet::add(const Entry& entry) {
  if ((m_count + 1) * 2 > m_table.size()) grow();
  std::uint64_t h = hash_domain(entry.domain);
  Slot* s = find_slot(entry.domain, h);
  std::uint32_t flag = entry.subdomains_only ? k_sub_only : k_whole;
  if (s->len_flags != 0) {
    s->len_flags |= flag;
    return std::nullopt;
  }
  s->hash = h;
  s->offset = static_cast<std::uint32_t>(m_arena.size());
  s->len_flags = static_cast<std::uint32_t>(entry.domain.size() << 2) | flag;
  m_arena.append(entry.domain);
  ++m_count;
  return s->offset;
}

const DomainSet::Slot* DomainSet::lookup(std::string_view domain) const {
  if (m_table.empty()) return nullptr;
  std::uint64_t h = hash_domain(domain);
  std::size_t mask = m_table.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = m_table[i];
    if (s.len_flags == 0) return nullptr;
    if (s.hash == h && (s.len_flags >> 2) == domain.size() &&
        std::string_view(m_arena).substr(s.offset, domain.size()) == domain) {
      return &s;
    }
  }
}

std::optional<std::string_view> DomainSet::match(std::string_view host) const {
  for (std::size_t pos = 0;;) {
    std::string_view suffix = host.substr(pos);
    if (const Slot* s = lookup(suffix)) {
      std::uint32_t needed = pos == 0 ? k_whole : (k_whole | k_sub_only);
      if ((s->len_flags & needed) != 0)
        return std::string_view(m_arena).substr(s->offset, suffix.size());
    }
    pos = host.find('.', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
  }
}

std::size_t DomainSet::memory_bytes() const {
  return m_arena.capacity() + m_table.capacity() * sizeof(Slot);
}

}  // namespace pixelwarden::ruleset
