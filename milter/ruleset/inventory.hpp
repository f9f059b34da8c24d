#pragma once
// Inventory: what a loaded ruleset contains, as plain values a tool can compare or
// print: every rule (id, kind, its definition as parsed YAML, the named lists it uses)
// and every named list (kind, entries). `scan --rule` checks rule ids against it;
// ruleset::diff (diff.hpp) compares two inventories.
// Entries are kept only when the ruleset was loaded with LoadOptions::keep_entries
// (the daemon does not pay for a second copy of its lists); otherwise
// ListInventory::entries_kept is false and entries is empty.
// Non-goals: inline (anonymous) lists appear only inside their rule's definition.

#include <string>
#include <vector>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::ruleset {

struct RuleInventory {
  std::string id;
  std::string kind;                // tracker | lure | allow
  std::string definition;          // the rule's YAML as parsed (comments and layout do not count)
  std::vector<std::string> lists;  // named lists the rule refers to
};

struct ListInventory {
  std::string name;
  std::string kind;                  // domains | url_patterns | filters | vendors
  std::vector<std::string> entries;  // normalized, in file order
  std::vector<std::string> fields;   // parallel to entries: canonical_fields() of each
  bool entries_kept = false;
};

struct Inventory {
  std::vector<RuleInventory> rules;  // trackers, lures, allow rules, in file order
  std::vector<ListInventory> lists;  // named lists, in file order
  std::vector<std::string> rule_ids() const;
};

// The inventory of a ruleset built by load_ruleset; empty for other Ruleset kinds.
Inventory inventory(const Ruleset& rules);

}  // namespace pixelwarden::ruleset
