#pragma once
// CompiledRuleset: the concrete, immutable Ruleset built by load_ruleset. Lists are
// compiled once (domain hash sets, Hyperscan databases) and rules refer to them by
// index; inline lists in rules are anonymous lists of the same kinds. Matching walks
// rules in file order and never locks: Hyperscan scratch comes from ScratchSet.
// Internal to the ruleset folder; the engine sees only ruleset.hpp.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ruleset/abp_filter.hpp"
#include "ruleset/domain_set.hpp"
#include "ruleset/pattern_db.hpp"
#include "ruleset/provenance.hpp"
#include "ruleset/ruleset.hpp"
#include "url/lookalike.hpp"

namespace pixelwarden::ruleset {

enum class ListKind { domains, url_patterns, filters, vendors };
const char* to_string(ListKind k);

struct CompiledList {
  std::string name;  // empty for an inline list
  ListKind kind = ListKind::domains;
  DomainSet domains;                          // kind == domains
  std::vector<std::string> domain_entries;    // kind == domains, for lookalike_of by name
  std::shared_ptr<const PatternDb> patterns;  // every other kind (shared across reloads)
  std::vector<std::string> vendor_of;         // vendors: pattern id -> vendor name
  std::vector<AbpFilter> filter_facts;        // filters: pattern id -> options
  std::size_t entries = 0;
  ProvenanceTable provenance;  // kind == domains: entries written with source/campaign/tlp
  std::vector<std::string> source_entries;  // with LoadOptions::keep_entries: every entry
  // With keep_entries, parallel to source_entries: the entry's provenance fields in one
  // canonical text ("source=... campaign=..."), empty when it has none.
  std::vector<std::string> source_fields;
  // Where each distinct entry of a domains list was written, for warnings at its
  // FILE:LINE:COL (list_warnings.cpp). Load time only: the builder drops it when done.
  struct EntrySite {
    std::uint32_t offset = 0;  // in `domains` (DomainSet::entry_at)
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::uint16_t length = 0;
    bool subdomains_only = false;
  };
  std::string site_file;
  std::vector<EntrySite> sites;
};

// A rule as written, for ruleset::inventory(): kind, YAML definition, named lists used.
struct RuleSource {
  std::string id;
  std::string kind;
  std::string definition;
  std::vector<std::string> lists;
};

struct TrackerRule {
  std::string id;
  TrackerAction action = TrackerAction::keep;
  bool monitor = false;
  int domain_list = -1;  // index into lists, -1 when the key is absent
  int url_list = -1;
  std::optional<bool> invisible;
  std::optional<bool> recipient_token;
};

using WhereMask = std::uint32_t;
constexpr WhereMask where_bit(Where w) { return 1u << static_cast<unsigned>(w); }

struct LureRule {
  std::string id;
  LureAction action = LureAction::monitor;
  bool monitor = false;
  std::string reply;
  WhereMask where = 0;
  int domain_list = -1;
  std::shared_ptr<const url::LookalikeDetector> lookalike;
  int lookalike_list = -1;  // the lookalike_of list (for rules check warnings)
  std::unique_ptr<PatternDb> display_name;
  int unless_list = -1;
};

struct AllowRule {
  std::string id;
  bool monitor = false;
  std::optional<bool> authenticated;
  int domain_list = -1;
  WhereMask where = 0;
  std::optional<bool> dmarc_pass;
  bool skip_lures = false;
  bool skip_trackers = false;
};

// A `recipient_groups:` entry: who is in it and how much stricter it is.
struct RecipientGroup {
  std::string id;
  std::vector<std::string> addresses;  // lower-cased, sorted
  DomainSet domains;                   // the recipient's domain or a parent of it
  std::optional<RemoteContentAction> remote_content;
  std::optional<std::size_t> lookalike_min_label;
  std::vector<std::pair<LureAction, LureAction>> lure_actions;  // from -> stronger
};

class Builder;
struct Inventory;

class CompiledRuleset final : public Ruleset {
 public:
  CompiledRuleset() = default;

  std::optional<TrackerMatch> match_tracker(const ResourceFacts& resource,
                                            const RecipientTokens& tokens) const override;
  std::vector<LureHit> match_lures(const LureEvidence& evidence) const override;
  bool allow_depends_on_headers() const override;
  AllowDecision match_allow(const AllowEvidence& evidence) const override;
  GroupPolicy recipient_group(const std::vector<std::string>& rcpt) const override;

 private:
  // Builder (load_ruleset) fills everything before the object is published; nothing
  // changes it afterwards. inventory() reads the rules and lists as written.
  friend class Builder;
  friend Inventory inventory(const Ruleset& rules);

  Settings& settings() { return m_settings; }

  std::vector<CompiledList> m_lists;
  std::vector<TrackerRule> m_trackers;
  std::vector<LureRule> m_lures;
  std::vector<AllowRule> m_allow;
  std::vector<RecipientGroup> m_groups;
  std::vector<RuleSource> m_rule_sources;  // every rule, file order
  bool m_entries_kept = false;
  ScratchSet m_scratch;

  bool url_in(const CompiledList& list, std::string_view url, std::string& vendor) const;
  // Appends one hit per `where` the rule matched (or one display_name hit).
  // Fills hit.source/campaign from the list entry that matches `host`.
  void name_provenance(const CompiledList& list, const std::string& host, LureHit& hit) const;
  void match_lure(const LureRule& rule, const LureEvidence& ev, std::vector<LureHit>& hits) const;
};

}  // namespace pixelwarden::ruleset
