// `pixelwarden rules diff [--format text|json] OLD NEW`: what a push would change, for
// review before it: rules added, removed and changed, list entries added and removed
// (ruleset/diff.hpp), and the rules whose matches may differ.
#include <cstdio>

#include "base/json.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "ruleset/diff.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_usage =
    "usage: pixelwarden rules diff [--format text|json] OLD NEW\n"
    "  OLD, NEW   entry files of the ruleset in force and of the one to push\n"
    "exit status: 0 no difference, 1 differences, 2 usage error or a ruleset that does not load\n";

std::shared_ptr<const ruleset::Ruleset> load_kept(const std::string& path) {
  ruleset::LoadOptions o;
  o.keep_entries = true;
  ruleset::LoadResult r = ruleset::load_ruleset(path, o);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!r.errors.empty() || !r.ruleset) {
    std::fprintf(stderr, "pixelwarden rules diff: %s does not load (%zu error(s))\n", path.c_str(),
                 r.errors.size());
    return nullptr;
  }
  return r.ruleset;
}

void print_text(const ruleset::RulesetDiff& d) {
  for (const auto& r : d.added_rules) std::printf("+ %s rule %s\n", r.kind.c_str(), r.id.c_str());
  for (const auto& r : d.removed_rules) std::printf("- %s rule %s\n", r.kind.c_str(), r.id.c_str());
  for (const auto& r : d.changed_rules) std::printf("~ %s rule %s\n", r.kind.c_str(), r.id.c_str());
  for (const auto& l : d.lists) {
    const char* what = l.added ? " (new list)" : l.removed ? " (list removed)" : "";
    std::printf("list %s (%s)%s: %zu added, %zu removed, %zu changed\n", l.name.c_str(),
                l.kind.c_str(), what, l.added_entries.size(), l.removed_entries.size(),
                l.changed_entries.size());
    if (!l.old_kind.empty() && l.old_kind != l.kind) {
      std::printf("  kind changed from %s\n", l.old_kind.c_str());
    }
    for (const auto& e : l.added_entries) std::printf("  + %s\n", e.c_str());
    for (const auto& e : l.removed_entries) std::printf("  - %s\n", e.c_str());
    for (const auto& e : l.changed_entries) std::printf("  ~ %s\n", e.c_str());
  }
  if (!d.affected_rules.empty()) {
    std::string ids;
    for (const auto& id : d.affected_rules) ids += (ids.empty() ? "" : ", ") + id;
    std::printf("rules whose matches may change: %s\n", ids.c_str());
  }
  std::printf("%s\n", d.summary().c_str());
}

void rules_json(base::JsonWriter& w, const char* key,
                const std::vector<ruleset::RuleInventory>& rules) {
  w.key(key).begin_array();
  for (const auto& r : rules)
    w.begin_object().key("id").value(r.id).key("kind").value(r.kind).end_object();
  w.end_array();
}

void print_json(const ruleset::RulesetDiff& d) {
  base::JsonWriter w;
  w.begin_object().key("rules").begin_object();
  rules_json(w, "added", d.added_rules);
  rules_json(w, "removed", d.removed_rules);
  rules_json(w, "changed", d.changed_rules);
  w.end_object().key("lists").begin_array();
  for (const auto& l : d.lists) {
    w.begin_object().key("name").value(l.name).key("kind").value(l.kind);
    w.key("added").value(l.added).key("removed").value(l.removed);
    w.key("added_entries").begin_array();
    for (const auto& e : l.added_entries) w.value(e);
    w.end_array().key("removed_entries").begin_array();
    for (const auto& e : l.removed_entries) w.value(e);
    w.end_array().key("changed_entries").begin_array();
    for (const auto& e : l.changed_entries) w.value(e);
    w.end_array().end_object();
  }
  w.end_array().key("affected_rules").begin_array();
  for (const auto& id : d.affected_rules) w.value(id);
  w.end_array().key("summary").value(d.summary()).end_object();
  std::printf("%s\n", w.take().c_str());
}

}  // namespace

int rules_diff_command(const std::vector<std::string>& argv) {
  ArgSpec spec;
  spec.valued = {"--format"};
  spec.flags = {"--help"};
  spec.aliases = {{"-h", "--help"}};
  const auto parsed = Args::parse(argv, spec);
  if (!parsed.ok()) {
    std::fprintf(stderr, "pixelwarden rules diff: %s\n", parsed.error().message.c_str());
    std::fputs(k_usage, stderr);
    return k_exit_usage;
  }
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_usage, stdout);
    return 0;
  }
  const std::string format = args.get("--format").value_or("text");
  if (args.positional().size() != 2 || (format != "text" && format != "json")) {
    std::fputs(k_usage, stderr);
    return k_exit_usage;
  }
  const auto old_rules = load_kept(args.positional()[0]);
  const auto new_rules = old_rules ? load_kept(args.positional()[1]) : nullptr;
  if (!old_rules || !new_rules) return 2;
  const ruleset::RulesetDiff d = ruleset::diff(*old_rules, *new_rules);
  if (format == "json") {
    print_json(d);
  } else {
    print_text(d);
  }
  return d.empty() ? 0 : 1;
}

}  // namespace pixelwarden::cli
