// Builder, recipient groups (`recipient_groups:`, entry file only), and the policy a
// message's envelope recipients select. A group may only be stricter than the rest of
// the ruleset: remote content handled more strictly, look-alikes with a lower label
// floor, lure actions raised. A message with recipients in several groups gets the
// strictest of each setting (the milter answers once per message, not per recipient).
#include <algorithm>

#include "base/text.hpp"
#include "ruleset/builder.hpp"
#include "ruleset/list_lines.hpp"
#include "url/host.hpp"

namespace pixelwarden::ruleset {
namespace {

const std::initializer_list<std::string_view> k_lure_actions = {
    "monitor", "tag", "defang", "quarantine", "discard", "tempfail", "reject"};

bool valid_group_id(const std::string& id) {
  if (id.empty() || id == "default") return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || base::is_ascii_digit(c) || c == '-')) return false;
  }
  return true;
}

}  // namespace

// One recipient (an address with '@', else a domain); false when it is neither.
bool Builder::add_recipient(RecipientGroup& g, std::string_view text) {
  if (text.find('@') != std::string_view::npos) {
    const std::size_t at = text.rfind('@');
    if (at == 0 || at + 1 == text.size()) return false;
    const std::string host = url::normalize_host(text.substr(at + 1));
    if (host.empty()) return false;
    g.addresses.push_back(base::to_lower(text.substr(0, at)) + "@" + host);
    return true;
  }
  auto e = DomainSet::normalize_entry(text);
  if (!e) return false;
  g.domains.add(*e);
  return true;
}

void Builder::build_recipients(const Checker& c, const std::string& dir, const YAML::Node& n,
                               RecipientGroup& g) {
  if (!c.check_map(n, {"addresses", "domains", "file"}, "recipients")) return;
  if (n.size() == 0) c.error(n, "recipients needs addresses, domains or file");
  for (const char* key : {"addresses", "domains"}) {
    if (!n[key].IsDefined()) continue;
    auto items = c.scalars(n[key], key);
    if (!items) continue;
    for (const auto& [text, node] : *items) {
      const bool address = text.find('@') != std::string::npos;
      if ((std::string(key) == "addresses") != address || !add_recipient(g, text)) {
        c.error(node, std::string("not ") +
                          (std::string(key) == "addresses" ? "an address" : "a domain") + ": '" +
                          base::excerpt(text) + "'");
      }
    }
  }
  if (n["file"].IsDefined()) {
    auto rel = c.scalar(n["file"], "file");
    if (!rel) return;
    const std::string path = resolve(dir, *rel);
    auto bytes = read_bytes(path, c, n["file"], true);
    if (!bytes) return;
    for_each_list_line(*bytes, true, [&](std::string_view t, int line, int column) {
      std::size_t end = 0;
      while (end < t.size() && t[end] != ' ' && t[end] != '\t') ++end;
      const std::string_view rest = base::trim(t.substr(end));
      if ((!rest.empty() && rest.front() != '#') || !add_recipient(g, t.substr(0, end))) {
        m_out.errors.push_back(base::Error{"not an address or domain: '" + base::excerpt(t) + "'",
                                           path, line, column});
      }
    });
  }
  std::sort(g.addresses.begin(), g.addresses.end());
}

void Builder::build_group(const Checker& c, const std::string& dir, const YAML::Node& n) {
  if (!c.check_map(n,
                   {"id", "description", "recipients", "remote_content", "lookalike_min_label",
                    "lure_actions"},
                   "recipient group")) {
    return;
  }
  RecipientGroup g;
  if (!n["id"].IsDefined()) {
    c.error(n, "a recipient group needs an id");
    return;
  }
  if (auto id = c.scalar(n["id"], "id")) g.id = *id;
  if (!valid_group_id(g.id)) {
    c.error(n["id"], "group id '" + g.id + "' must match [a-z0-9-]+ and not be 'default'");
    return;
  }
  for (const auto& other : m_rs->m_groups) {
    if (other.id == g.id) c.error(n["id"], "duplicate group id '" + g.id + "'");
  }
  if (!n["recipients"].IsDefined()) {
    c.error(n, "recipient group '" + g.id + "' needs recipients");
  } else {
    build_recipients(c, dir, n["recipients"], g);
  }
  if (n["remote_content"].IsDefined()) {
    if (auto a = c.choice(n["remote_content"], "remote_content", {"keep", "proxy", "neutralize"})) {
      g.remote_content = static_cast<RemoteContentAction>(*a);
      if (*g.remote_content < m_rs->settings().remote_content.action) {
        c.error(n["remote_content"], "a group may only be stricter: remote_content '" +
                                         std::string(n["remote_content"].Scalar()) +
                                         "' is weaker than the ruleset's");
      } else if (*g.remote_content == RemoteContentAction::proxy &&
                 !m_rs->settings().remote_content.proxy) {
        c.error(n["remote_content"],
                "remote_content proxy needs remote_content.proxy in the entry file");
      }
    }
  }
  if (n["lookalike_min_label"].IsDefined()) {
    auto v = c.scalar(n["lookalike_min_label"], "lookalike_min_label");
    const bool ok = v && v->size() == 1 && *v >= "1" && *v <= "5";
    if (!ok) {
      c.error(n["lookalike_min_label"], "lookalike_min_label must be 1 to 5 (the default is 5)");
    } else {
      g.lookalike_min_label = static_cast<std::size_t>((*v)[0] - '0');
    }
  }
  const YAML::Node la = n["lure_actions"];
  if (la.IsDefined()) {
    if (!la.IsMap()) {
      c.error(la, "lure_actions must be a map of a rule's action to a stronger one");
    } else {
      for (auto it = la.begin(); it != la.end(); ++it) {
        const YAML::Node from_node = it->first;  // copies: it-> yields temporaries
        const YAML::Node to_node = it->second;
        auto from = c.choice(from_node, "lure action", k_lure_actions);
        auto to = c.choice(to_node, "lure action", k_lure_actions);
        if (!from || !to) continue;
        if (*to <= *from) {
          c.error(to_node, "a group may only be stricter: '" + to_node.Scalar() +
                               "' is not stronger than '" + from_node.Scalar() + "'");
          continue;
        }
        g.lure_actions.emplace_back(static_cast<LureAction>(*from), static_cast<LureAction>(*to));
      }
    }
  }
  m_rs->m_groups.push_back(std::move(g));
}

void Builder::build_groups() {
  if (m_files.empty() || !m_files.front().entry) return;
  const SourceFile& f = m_files.front();
  const YAML::Node seq = f.root["recipient_groups"];
  if (!seq.IsDefined() || seq.IsNull()) return;
  Checker c = checker(f);
  if (!seq.IsSequence()) {
    c.error(seq, "recipient_groups must be a sequence of groups");
    return;
  }
  for (const YAML::Node& g : seq) build_group(c, f.dir, g);
}

GroupPolicy CompiledRuleset::recipient_group(const std::vector<std::string>& rcpt) const {
  GroupPolicy p;
  if (m_groups.empty()) return p;
  std::vector<std::string> addresses;
  std::vector<std::string> hosts;
  for (const auto& r : rcpt) {
    const std::size_t at = r.rfind('@');
    if (at == std::string::npos) continue;
    const std::string host = url::normalize_host(std::string_view(r).substr(at + 1));
    addresses.push_back(base::to_lower(std::string_view(r).substr(0, at)) + "@" + host);
    hosts.push_back(host);
  }
  std::vector<LureAction> table;
  for (const RecipientGroup& g : m_groups) {
    bool member = false;
    for (std::size_t i = 0; i < addresses.size() && !member; ++i) {
      member = std::binary_search(g.addresses.begin(), g.addresses.end(), addresses[i]) ||
               (!hosts[i].empty() && g.domains.contains(hosts[i]));
    }
    if (!member) continue;
    if (p.groups.empty()) p.group = g.id;
    p.groups.push_back(g.id);
    if (g.remote_content && (!p.remote_content || *g.remote_content > *p.remote_content)) {
      p.remote_content = g.remote_content;
    }
    if (g.lookalike_min_label &&
        (!p.lookalike_min_label || *g.lookalike_min_label < *p.lookalike_min_label)) {
      p.lookalike_min_label = g.lookalike_min_label;
    }
    for (const auto& [from, to] : g.lure_actions) {
      if (table.empty()) {
        for (std::size_t a = 0; a < k_lure_actions.size(); ++a)
          table.push_back(static_cast<LureAction>(a));
      }
      auto& slot = table[static_cast<std::size_t>(from)];
      slot = std::max(slot, to);
    }
  }
  p.lure_actions = std::move(table);
  return p;
}

}  // namespace pixelwarden::ruleset
