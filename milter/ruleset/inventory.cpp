#include "ruleset/inventory.hpp"

#include "ruleset/compiled.hpp"

namespace pixelwarden::ruleset {

std::vector<std::string> Inventory::rule_ids() const {
  std::vector<std::string> out;
  out.reserve(rules.size());
  for (const auto& r : rules) out.push_back(r.id);
  return out;
}

Inventory inventory(const Ruleset& rules) {
  Inventory out;
  const auto* compiled = dynamic_cast<const CompiledRuleset*>(&rules);
  if (compiled == nullptr) return out;
  for (const RuleSource& r : compiled->m_rule_sources)
    out.rules.push_back(RuleInventory{r.id, r.kind, r.definition, r.lists});
  for (const CompiledList& l : compiled->m_lists) {
    if (l.name.empty()) continue;  // inline lists are part of their rule's definition
    out.lists.push_back(ListInventory{l.name, to_string(l.kind), l.source_entries, l.source_fields,
                                      compiled->m_entries_kept});
  }
  return out;
}

}  // namespace pixelwarden::ruleset
