// Builder, rules stage: trackers, lures and allow rules, in file order (the entry
// file's own first, then each included file depth-first).
#include "base/suggest.hpp"
#include "base/text.hpp"
#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {
namespace {

const std::initializer_list<std::string_view> k_where_names = {
    "envelope_from", "header_from", "reply_to", "sender",    "return_path",
    "links",         "resources",   "helo",     "message_id"};

bool valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || base::is_ascii_digit(c) || c == '-')) return false;
  }
  return true;
}

bool monitor_mode(const Checker& c, const YAML::Node& n) {
  if (!n["mode"].IsDefined()) return false;
  auto m = c.choice(n["mode"], "mode", {"enforce", "monitor"});
  return m && *m == 1;
}

}  // namespace

void Builder::build_rules() {
  struct Section {
    const char* key;
    void (Builder::*build)(const Checker&, const YAML::Node&);
  };
  const Section sections[] = {{"trackers", &Builder::build_tracker},
                              {"lures", &Builder::build_lure},
                              {"allow", &Builder::build_allow}};
  for (const SourceFile& f : m_files) {
    Checker c = checker(f);
    for (const Section& s : sections) {
      const YAML::Node seq = f.root[s.key];
      if (!seq.IsDefined() || seq.IsNull()) continue;
      if (!seq.IsSequence()) {
        c.error(seq, std::string(s.key) + " must be a sequence of rules");
        continue;
      }
      for (const YAML::Node& rule : seq) {
        const std::size_t ids_before = m_ids.size();
        (this->*s.build)(c, rule);
        if (m_ids.size() > ids_before) record_source(s.key, rule);
      }
    }
  }
}

// The rule as written, for ruleset::inventory(): a rule whose id was accepted.
void Builder::record_source(const char* section, const YAML::Node& n) {
  RuleSource src;
  src.id = n["id"].Scalar();
  src.kind = std::string(section) == "trackers" ? "tracker"
             : std::string(section) == "lures"  ? "lure"
                                                : "allow";
  src.definition = YAML::Dump(n);
  const YAML::Node m = n["match"];
  if (m.IsDefined() && m.IsMap()) {  // IsMap() throws on a missing key
    for (const char* key : {"domain_in", "url_in", "lookalike_of", "unless_domain_in"}) {
      const YAML::Node ref = m[key];
      if (ref.IsDefined() && ref.IsScalar() && m_list_names.count(ref.Scalar()) != 0) {
        src.lists.push_back(ref.Scalar());
      }
    }
  }
  m_rs->m_rule_sources.push_back(std::move(src));
}

bool Builder::check_id(const Checker& c, const YAML::Node& rule, std::string& id) {
  const YAML::Node n = rule["id"];
  if (!n.IsDefined()) {
    c.error(rule, "a rule needs an id");
    return false;
  }
  auto s = c.scalar(n, "id");
  if (!s) return false;
  id = *s;
  if (!valid_id(id)) {
    c.error(n, "rule id '" + id + "' must match [a-z0-9-]+");
    return false;
  }
  if (!m_ids.insert(id).second) {
    c.error(n, "duplicate rule id '" + id + "'");
    return false;
  }
  return true;
}

int Builder::list_ref(const Checker& c, const YAML::Node& n, bool want_domains,
                      const std::string& rule, const char* key) {
  if (n.IsScalar()) {
    auto it = m_list_names.find(n.Scalar());
    if (it == m_list_names.end()) {
      std::vector<std::string> known;
      for (const auto& [name, index] : m_list_names) known.push_back(name);
      const auto close = base::suggest(n.Scalar(), known, 1);
      c.error(n, "unknown list '" + n.Scalar() + "'" +
                     (close.empty() ? std::string() : "; did you mean '" + close[0] + "'?"));
      return -1;
    }
    if (it->second < 0) return -1;  // the list itself had errors
    ListKind k = m_rs->m_lists[it->second].kind;
    if (want_domains != (k == ListKind::domains)) {
      c.error(n, std::string(key) +
                     (want_domains ? " needs a domains list, '"
                                   : " needs a url_patterns, filters or vendors list, '") +
                     n.Scalar() + "' is " + to_string(k));
      return -1;
    }
    return it->second;
  }
  CompiledList l;
  l.name = "";
  bool ok = false;
  if (want_domains) {
    ok = fill_domains_inline(c, n, false, l);
  } else {
    YAML::Node def;
    def["url_patterns"] = n;
    (void)rule;
    ok = n.IsSequence()
             ? fill_patterns(c, "", def, ListKind::url_patterns, false, l)
             : (c.error(n, std::string(key) + " must be a list name or a sequence"), false);
  }
  if (!ok) return -1;
  m_entries += l.entries;
  m_rs->m_lists.push_back(std::move(l));
  return static_cast<int>(m_rs->m_lists.size()) - 1;
}

std::optional<WhereMask> Builder::where_mask(const Checker& c, const YAML::Node& n,
                                             bool allow_rule) {
  auto items = c.scalars(n, "where", true);
  if (!items) return std::nullopt;
  WhereMask mask = 0;
  for (const auto& [text, node] : *items) {
    auto idx = c.choice(node, "where", k_where_names);
    if (!idx) return std::nullopt;
    Where w = static_cast<Where>(*idx);
    if (allow_rule && w != Where::envelope_from && w != Where::header_from) {
      c.error(node, "allow rules look at envelope_from and header_from only");
      return std::nullopt;
    }
    mask |= where_bit(w);
  }
  if (mask == 0) c.error(n, "where must name at least one place");
  return mask;
}

void Builder::build_tracker(const Checker& c, const YAML::Node& n) {
  if (!c.check_map(n, {"id", "description", "match", "action", "mode"}, "tracker rule")) return;
  TrackerRule r;
  if (!check_id(c, n, r.id)) return;
  r.monitor = monitor_mode(c, n);
  if (!n["action"].IsDefined()) {
    c.error(n, "tracker rule '" + r.id + "' needs an action");
  } else if (auto a = c.choice(n["action"], "action", {"neutralize", "strip", "proxy", "keep"})) {
    r.action = static_cast<TrackerAction>(*a);
    if (r.action == TrackerAction::proxy && !m_rs->settings().remote_content.proxy) {
      c.error(n["action"], "action proxy needs remote_content.proxy in the entry file");
    }
  }
  const YAML::Node m = n["match"];
  if (!m.IsDefined()) {
    c.error(n, "tracker rule '" + r.id + "' needs a match");
    return;
  }
  if (!c.check_map(m, {"domain_in", "url_in", "invisible", "recipient_token"}, "match")) return;
  if (m.size() == 0) c.error(m, "match must have at least one key");
  if (m["domain_in"].IsDefined())
    r.domain_list = list_ref(c, m["domain_in"], true, r.id, "domain_in");
  if (m["url_in"].IsDefined()) r.url_list = list_ref(c, m["url_in"], false, r.id, "url_in");
  if (m["invisible"].IsDefined()) r.invisible = c.boolean(m["invisible"], "invisible");
  if (m["recipient_token"].IsDefined()) {
    r.recipient_token = c.boolean(m["recipient_token"], "recipient_token");
  }
  m_rs->m_trackers.push_back(std::move(r));
}

}  // namespace pixelwarden::ruleset
