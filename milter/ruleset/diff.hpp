#pragma once
// RulesetDiff: what changed between two loaded rulesets, as an analyst reads a feed
// update: rules added, removed and changed (their parsed YAML definition differs), and
// per named list the entries added and removed (or the list added, removed, or of
// another kind). Shared by `pixelwarden scan --new-since OLD` (which hunts only what
// the update can newly find) and `pixelwarden rules diff`; both load the two rulesets
// with LoadOptions::keep_entries so list entries can be compared.
// Comparison is by value: a rule is identified by its id, a list by its name, an entry
// by its normalized text (domains lower-cased, A-labels; patterns as written); order,
// comments and layout of the files do not count. An entry in both lists whose
// provenance fields (source, feed, first_seen, valid_until, tlp, campaign) differ is a
// changed entry.
// Non-goals: top-level settings (mode, report, remote_content) and tests; inline lists
// are part of their rule's definition, so a change to one is a changed rule.

#include <string>
#include <vector>

#include "ruleset/inventory.hpp"

namespace pixelwarden::ruleset {

struct ListChange {
  std::string name;
  std::string kind;      // in the new ruleset (the old one's when the list was removed)
  std::string old_kind;  // differs from kind when the list changed kind
  bool added = false;    // the list is new
  bool removed = false;  // the list is gone
  std::vector<std::string> added_entries;    // in the new list, not in the old one
  std::vector<std::string> removed_entries;  // in the old list, not in the new one
  // In both lists with other provenance fields (a campaign renamed, an expiry moved):
  // "ENTRY: OLD-FIELDS -> NEW-FIELDS".
  std::vector<std::string> changed_entries;
  bool entries_known = true;  // false when either load did not keep entries
};

struct RulesetDiff {
  std::vector<RuleInventory> added_rules;    // as in the new ruleset
  std::vector<RuleInventory> removed_rules;  // as in the old ruleset
  std::vector<RuleInventory> changed_rules;  // as in the new ruleset
  std::vector<ListChange> lists;             // only lists that changed, new order then removed
  // Rules of the new ruleset whose matches may differ from the old one's: added and
  // changed rules, and rules that use a list that changed in any way.
  std::vector<std::string> affected_rules;

  bool empty() const {
    return added_rules.empty() && removed_rules.empty() && changed_rules.empty() && lists.empty();
  }
  // One line: "2 rules added, 1 changed, 0 removed; 37 list entries added, 3 removed".
  std::string summary() const;
};

RulesetDiff diff(const Inventory& old_inv, const Inventory& new_inv);
RulesetDiff diff(const Ruleset& old_rules, const Ruleset& new_rules);

}  // namespace pixelwarden::ruleset
