#pragma once
// Builder: the stages of load_ruleset over one run (internal to the ruleset folder).
//   load_files   entry YAML + includes (depth-first, globs sorted bytewise, cycles; an
//                explicit chain, not recursion, at most k_max_include_depth files deep)
//   build_lists  every `lists:` entry of every file -> CompiledList
//   build_top    entry-only settings (ruleset, mode, remote_content, report, ...)
//   build_rules  trackers, lures, allow (entry file's first, then includes in order)
//   build_tests  `tests:` with paths resolved against the naming file
// Every stage reports all its errors; later stages still run so one run shows all.

#include <yaml-cpp/yaml.h>

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/digest.hpp"
#include "ruleset/compiled.hpp"
#include "ruleset/entry_line.hpp"
#include "ruleset/yaml_check.hpp"

namespace pixelwarden::ruleset {

struct SourceFile {
  std::string path;  // as reported in errors
  std::string dir;   // for resolving relative paths
  YAML::Node root;
  bool entry = false;
};

// The deepest include chain (entry file included): deeper is an error naming the chain.
// Real rulesets nest two or three files; the bound keeps a hostile push from costing
// more than this many open files' worth of work on one path.
inline constexpr std::size_t k_max_include_depth = 32;

// Appended to the warning of a list entry that `on_invalid: skip` left out, so the
// analyst sees it is gone, not merely questioned.
inline constexpr const char* k_skipped_note = " (left out: on_invalid: skip)";

class Builder {
 public:
  explicit Builder(LoadResult& out, bool keep_entries = false);
  void load_files(const std::string& entry);
  void build_lists();
  void build_top();
  void build_groups();  // recipient_groups (groups.cpp), after build_top
  void build_rules();
  void build_tests();
  // Warnings across lists and rules, once the rules are built (list_warnings.cpp).
  void warn_lists();
  std::shared_ptr<CompiledRuleset> finish(double seconds);
  void set_now_ms(std::int64_t now_ms) { m_now_ms = now_ms; }

 private:
  // files
  // One file on the include path whose includes are being loaded: the walk keeps these
  // on a heap-allocated chain instead of the call stack, so a chain of any length costs
  // no stack and ends at k_max_include_depth with an error naming every include site.
  struct Level {
    std::string canon;  // canonical path, for cycle detection
    Checker checker;    // of this file, for errors at its include entries
    struct Target {
      std::string path;
      YAML::Node node;  // the include entry, for positions
      bool missing = false;
    };
    std::vector<Target> targets;  // globs expanded and sorted, in file order
    std::size_t next = 0;
  };
  void load_file(const std::string& path, const Checker* from, const YAML::Node* from_node,
                 std::vector<Level>& chain);
  std::vector<Level::Target> include_targets(const SourceFile& f);
  std::optional<std::string> read_bytes(const std::string& path, const Checker& c,
                                        const YAML::Node& n, bool hash);
  Checker checker(const SourceFile& f) { return Checker(f.path, m_out.errors, m_out.warnings); }
  static std::string resolve(const std::string& dir, const std::string& rel);

  // lists
  void build_list(const Checker& c, const std::string& dir, const std::string& name,
                  const YAML::Node& def);
  bool fill_domains_inline(const Checker& c, const YAML::Node& n, bool skip, CompiledList& l);
  bool fill_domains_file(const Checker& c, const std::string& path, const YAML::Node& n, bool skip,
                         CompiledList& l);
  bool fill_patterns(const Checker& c, const std::string& dir, const YAML::Node& def, ListKind kind,
                     bool skip, CompiledList& l);
  // list entries with provenance and expiry (list_entries.cpp)
  bool entry_fields(const std::string& path, const std::string& list, std::string_view text,
                    int line, int column, bool skip, EntryLine& out, bool& ok);
  void note_provenance(CompiledList& l, std::optional<std::uint32_t> offset,
                       const EntryLine& fields);
  // list warnings (list_warnings.cpp)
  void warn_lure_overlaps();
  int list_ref(const Checker& c, const YAML::Node& n, bool want_domains, const std::string& rule,
               const char* key);

  // recipient groups (groups.cpp)
  void build_group(const Checker& c, const std::string& dir, const YAML::Node& n);
  void build_recipients(const Checker& c, const std::string& dir, const YAML::Node& n,
                        RecipientGroup& g);
  static bool add_recipient(RecipientGroup& g, std::string_view text);

  // rules
  bool check_id(const Checker& c, const YAML::Node& rule, std::string& id);
  void build_tracker(const Checker& c, const YAML::Node& n);
  void build_lure(const Checker& c, const YAML::Node& n);
  void build_allow(const Checker& c, const YAML::Node& n);
  std::optional<WhereMask> where_mask(const Checker& c, const YAML::Node& n, bool allow_rule);
  void build_test(const Checker& c, const SourceFile& f, const YAML::Node& n);
  void record_source(const char* section, const YAML::Node& n);

  LoadResult& m_out;
  std::shared_ptr<CompiledRuleset> m_rs;
  std::deque<SourceFile> m_files;  // deque: references stay valid while includes load
  std::set<std::string> m_loaded;  // canonical paths of YAML files
  std::map<std::string, int> m_list_names;
  std::set<std::string> m_ids;
  base::Sha256 m_sha;
  std::size_t m_entries = 0;
  bool m_keep_entries = false;  // LoadOptions::keep_entries
  std::int64_t m_now_ms = 0;
};

}  // namespace pixelwarden::ruleset
