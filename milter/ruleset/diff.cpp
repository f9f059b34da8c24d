#include "ruleset/diff.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace pixelwarden::ruleset {
namespace {

// Entries of a in the order of a that b does not have.
std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  const std::unordered_set<std::string> in_b(b.begin(), b.end());
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (const std::string& e : a) {
    if (in_b.count(e) == 0 && seen.insert(e).second) out.push_back(e);
  }
  return out;
}

// Entries in both lists whose fields differ, in the new list's order (the first
// occurrence of an entry counts, as it does when the list loads).
std::vector<std::string> changed_fields(const ListInventory& o, const ListInventory& l) {
  std::vector<std::string> out;
  if (o.fields.size() != o.entries.size() || l.fields.size() != l.entries.size()) return out;
  std::unordered_map<std::string_view, std::string_view> old_fields;
  for (std::size_t i = 0; i < o.entries.size(); ++i)
    old_fields.try_emplace(o.entries[i], o.fields[i]);
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < l.entries.size(); ++i) {
    if (!seen.insert(l.entries[i]).second) continue;
    const auto it = old_fields.find(l.entries[i]);
    if (it == old_fields.end() || it->second == l.fields[i]) continue;
    const auto shown = [](std::string_view f) {
      return f.empty() ? std::string("(none)") : std::string(f);
    };
    out.push_back(l.entries[i] + ": " + shown(it->second) + " -> " + shown(l.fields[i]));
  }
  return out;
}

void diff_rules(const Inventory& old_inv, const Inventory& new_inv, RulesetDiff& d) {
  std::map<std::string, const RuleInventory*> old_by_id;
  for (const auto& r : old_inv.rules) old_by_id[r.id] = &r;
  std::set<std::string> new_ids;
  for (const auto& r : new_inv.rules) {
    new_ids.insert(r.id);
    const auto it = old_by_id.find(r.id);
    if (it == old_by_id.end()) {
      d.added_rules.push_back(r);
    } else if (it->second->definition != r.definition || it->second->kind != r.kind) {
      d.changed_rules.push_back(r);
    }
  }
  for (const auto& r : old_inv.rules) {
    if (new_ids.count(r.id) == 0) d.removed_rules.push_back(r);
  }
}

void diff_lists(const Inventory& old_inv, const Inventory& new_inv, RulesetDiff& d) {
  std::map<std::string, const ListInventory*> old_by_name;
  for (const auto& l : old_inv.lists) old_by_name[l.name] = &l;
  std::set<std::string> new_names;
  for (const auto& l : new_inv.lists) {
    new_names.insert(l.name);
    ListChange c;
    c.name = l.name;
    c.kind = l.kind;
    const auto it = old_by_name.find(l.name);
    if (it == old_by_name.end()) {
      c.added = true;
      c.old_kind = l.kind;
      c.added_entries = minus(l.entries, {});
      c.entries_known = l.entries_kept;
      d.lists.push_back(std::move(c));
      continue;
    }
    const ListInventory& o = *it->second;
    c.old_kind = o.kind;
    c.entries_known = l.entries_kept && o.entries_kept;
    c.added_entries = minus(l.entries, o.entries);
    c.removed_entries = minus(o.entries, l.entries);
    c.changed_entries = changed_fields(o, l);
    if (c.kind != c.old_kind || !c.added_entries.empty() || !c.removed_entries.empty() ||
        !c.changed_entries.empty()) {
      d.lists.push_back(std::move(c));
    }
  }
  for (const auto& l : old_inv.lists) {
    if (new_names.count(l.name) != 0) continue;
    ListChange c;
    c.name = l.name;
    c.kind = c.old_kind = l.kind;
    c.removed = true;
    c.removed_entries = minus(l.entries, {});
    c.entries_known = l.entries_kept;
    d.lists.push_back(std::move(c));
  }
}

void find_affected(const Inventory& new_inv, RulesetDiff& d) {
  std::set<std::string> changed_lists;
  for (const auto& c : d.lists) changed_lists.insert(c.name);
  std::set<std::string> direct;
  for (const auto& r : d.added_rules) direct.insert(r.id);
  for (const auto& r : d.changed_rules) direct.insert(r.id);
  for (const auto& r : new_inv.rules) {
    const bool uses_changed =
        std::any_of(r.lists.begin(), r.lists.end(),
                    [&](const std::string& l) { return changed_lists.count(l) != 0; });
    if (direct.count(r.id) != 0 || uses_changed) d.affected_rules.push_back(r.id);
  }
}

}  // namespace

std::string RulesetDiff::summary() const {
  std::size_t added = 0;
  std::size_t removed = 0;
  std::size_t changed = 0;
  for (const auto& l : lists) {
    added += l.added_entries.size();
    removed += l.removed_entries.size();
    changed += l.changed_entries.size();
  }
  return std::to_string(added_rules.size()) + " rules added, " +
         std::to_string(changed_rules.size()) + " changed, " +
         std::to_string(removed_rules.size()) + " removed; " + std::to_string(added) +
         " list entries added, " + std::to_string(removed) + " removed, " +
         std::to_string(changed) + " with changed provenance";
}

RulesetDiff diff(const Inventory& old_inv, const Inventory& new_inv) {
  RulesetDiff d;
  diff_rules(old_inv, new_inv, d);
  diff_lists(old_inv, new_inv, d);
  find_affected(new_inv, d);
  return d;
}

RulesetDiff diff(const Ruleset& old_rules, const Ruleset& new_rules) {
  return diff(inventory(old_rules), inventory(new_rules));
}

}  // namespace pixelwarden::ruleset
