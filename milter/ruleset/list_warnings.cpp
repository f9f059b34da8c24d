// Builder, warnings across lists, once the rules are built: a lure list entry that
// equals, contains or lies inside a domain the same ruleset protects (lookalike_of,
// unless_domain_in) or allows (allow rules' domain_in). Such an entry makes the lure
// rule refuse the brand or partner it was meant to protect (a feed that lists
// `bbc.co.uk` because a campaign used a BBC link). A warning, at the entry's own
// FILE:LINE:COL, so `rules check --strict` can refuse it.
//
// Cost: one suffix lookup per lure entry in a set of the guarded domains (small), and
// one lookup per guarded domain in each lure list; linear in the lure lists.
#include <map>
#include <unordered_map>

#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {
namespace {

struct Guard {
  int list = -1;      // the list it came from
  std::string entry;  // as written, normalized (`*.` kept)
  std::string what;   // "protected brand domain", ...
  std::string where;  // "lookalike_of of rule 'x'", ...
};

std::string written(std::string_view domain, bool subdomains_only) {
  return (subdomains_only ? "*." : "") + std::string(domain);
}

std::string list_label(const CompiledList& l, const std::string& rule) {
  return l.name.empty() ? "the domain_in of rule '" + rule + "'"
                        : "list '" + l.name + "', rule '" + rule + "'";
}

}  // namespace

void Builder::warn_lists() { warn_lure_overlaps(); }

void Builder::warn_lure_overlaps() {
  const auto& lists = m_rs->m_lists;
  std::vector<Guard> guards;
  DomainSet guard_set;
  std::unordered_map<std::uint32_t, std::size_t> guard_at;  // guard_set offset -> guards index
  auto guard_list = [&](int index, const std::string& what, const std::string& where) {
    if (index < 0) return;
    const CompiledList& l = lists[static_cast<std::size_t>(index)];
    for (const auto& s : l.sites) {
      const std::string_view d = l.domains.entry_at(s.offset, s.length);
      guards.push_back({index, written(d, s.subdomains_only), what, where});
      if (auto off = guard_set.add({std::string(d), s.subdomains_only})) {
        guard_at.emplace(*off, guards.size() - 1);
      }
    }
  };
  std::map<int, std::string> lure_lists;  // list index -> first lure rule using it
  for (const LureRule& r : m_rs->m_lures) {
    guard_list(r.lookalike_list, "protected brand domain", "lookalike_of of rule '" + r.id + "'");
    guard_list(r.unless_list, "domain", "unless_domain_in of rule '" + r.id + "'");
    if (r.domain_list >= 0) lure_lists.emplace(r.domain_list, r.id);
  }
  for (const AllowRule& r : m_rs->m_allow) {
    guard_list(r.domain_list, "allowed domain", "domain_in of allow rule '" + r.id + "'");
  }
  if (guards.empty()) return;
  for (const auto& [index, rule] : lure_lists) {
    const CompiledList& l = lists[static_cast<std::size_t>(index)];
    // Lure entries that contain a guarded domain (a parent of it, or a wildcard over it).
    std::unordered_map<std::uint32_t, const Guard*> contains;
    for (const Guard& g : guards) {
      if (g.list == index) continue;
      const std::string_view d =
          std::string_view(g.entry).substr(g.entry.rfind("*.", 0) == 0 ? 2 : 0);
      if (auto m = l.domains.match(d)) contains.emplace(l.domains.offset_of(*m), &g);
    }
    for (const auto& s : l.sites) {
      const std::string_view d = l.domains.entry_at(s.offset, s.length);
      const std::string entry = written(d, s.subdomains_only);
      const Guard* g = nullptr;
      std::string relation;
      if (auto m = guard_set.match(d)) {
        g = &guards[guard_at.at(guard_set.offset_of(*m))];
        relation = g->entry == entry ? "equals" : "lies inside";
      }
      if ((g == nullptr || g->list == index) && contains.count(s.offset) != 0) {
        g = contains.at(s.offset);
        relation = "contains";
      }
      if (g == nullptr || g->list == index) continue;
      std::string message = "lure entry '";
      message.append(entry).append("' (").append(list_label(l, rule)).append(") ");
      message.append(relation).append(" ").append(g->what).append(" '").append(g->entry);
      message.append("' (").append(g->where).append("): the lure rule would match its mail");
      m_out.warnings.push_back(base::Error{std::move(message), l.site_file,
                                           static_cast<int>(s.line), static_cast<int>(s.column)});
    }
  }
}

}  // namespace pixelwarden::ruleset
