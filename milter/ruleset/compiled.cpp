#include "ruleset/compiled.hpp"

#include "ruleset/abp_filter.hpp"

namespace pixelwarden::ruleset {
const char* to_string(ListKind k) {
  switch (k) {
    case ListKind::domains:
      return "domains";
    case ListKind::url_patterns:
      return "url_patterns";
    case ListKind::filters:
      return "filters";
    case ListKind::vendors:
      return "vendors";
  }
  return "?";
}

bool CompiledRuleset::url_in(const CompiledList& list, std::string_view url,
                             std::string& vendor) const {
  hs_scratch_t* scratch = m_scratch.local();
  std::optional<unsigned> id = list.patterns->first_match(url, scratch);
  if (!id && list.kind == ListKind::filters && url.find('%') != std::string_view::npos) {
    id = list.patterns->first_match(percent_decode_all(url), scratch);
  }
  if (!id) return false;
  if (list.kind == ListKind::vendors && *id < list.vendor_of.size()) vendor = list.vendor_of[*id];
  return true;
}

std::optional<TrackerMatch> CompiledRuleset::match_tracker(const ResourceFacts& r,
                                                           const RecipientTokens& tokens) const {
  for (const TrackerRule& rule : m_trackers) {
    std::string vendor;
    if (rule.invisible && *rule.invisible != r.invisible) continue;
    if (rule.domain_list >= 0 && !m_lists[rule.domain_list].domains.contains(r.host)) continue;
    if (rule.url_list >= 0 && !url_in(m_lists[rule.url_list], r.url, vendor)) continue;
    if (rule.recipient_token && *rule.recipient_token != tokens.found_in(r.url)) continue;
    return TrackerMatch{rule.id, rule.action, rule.monitor || mode() == Mode::monitor, vendor};
  }
  return std::nullopt;
}

namespace {

// Every `where` the rule reads that holds a domain passing `test(const std::string&)`, with
// its first such domain: the verdict lists a lure in the envelope and in a link as two
// findings, not one. A template, not a std::function: match_lure's lambdas are called in
// place, with no closure allocated per rule and message.
template <class Test>
std::vector<std::pair<Where, std::string>> domain_evidence(const LureRule& rule,
                                                           const LureEvidence& ev, Test&& test) {
  std::vector<std::pair<Where, std::string>> found;
  auto wants = [&](Where w) { return (rule.where & where_bit(w)) != 0; };
  auto one = [&](Where w, const std::optional<std::string>& d) {
    if (wants(w) && d && !d->empty() && test(*d)) found.emplace_back(w, *d);
  };
  auto many = [&](Where w, const std::vector<LureEvidence::Address>& v) {
    if (!wants(w) || !ev.headers_known) return;
    for (const auto& a : v) {
      if (!a.domain.empty() && test(a.domain)) {
        found.emplace_back(w, a.domain);
        return;
      }
    }
  };
  auto hosts = [&](Where w, const std::vector<std::string>& v) {
    if (!wants(w) || !ev.body_known) return;
    for (const auto& h : v) {
      if (!h.empty() && test(h)) {
        found.emplace_back(w, h);
        return;
      }
    }
  };
  one(Where::envelope_from, ev.envelope_from_domain);
  many(Where::header_from, ev.header_from);
  many(Where::reply_to, ev.reply_to);
  many(Where::sender, ev.sender);
  many(Where::return_path, ev.return_path);
  one(Where::helo, ev.helo);
  if (ev.headers_known) one(Where::message_id, ev.message_id_domain);
  hosts(Where::links, ev.link_hosts);
  hosts(Where::resources, ev.resource_hosts);
  return found;
}

}  // namespace

void CompiledRuleset::name_provenance(const CompiledList& list, const std::string& host,
                                      LureHit& hit) const {
  if (list.provenance.size() == 0) return;
  const auto entry = list.domains.match(host);
  if (!entry) return;
  if (const auto p = list.provenance.find(list.domains.offset_of(*entry))) {
    hit.source = p->source;
    hit.campaign = p->campaign;
  }
}

void CompiledRuleset::match_lure(const LureRule& rule, const LureEvidence& ev,
                                 std::vector<LureHit>& hits) const {
  // Each key of the match must hold; the findings are those of the first domain key.
  std::vector<std::pair<Where, std::string>> found;
  if (rule.domain_list >= 0) {
    const DomainSet& set = m_lists[rule.domain_list].domains;
    found = domain_evidence(rule, ev, [&](const std::string& d) { return set.contains(d); });
    if (found.empty()) return;
  }
  if (rule.lookalike) {
    // unless_domain_in: the brand's partners (its mailing service's domains) are no
    // look-alikes of it, whatever their names say.
    const DomainSet* partners =
        rule.unless_list >= 0 ? &m_lists[rule.unless_list].domains : nullptr;
    const std::size_t min_label = ev.group != nullptr && ev.group->lookalike_min_label
                                      ? *ev.group->lookalike_min_label
                                      : url::k_min_edit_label;
    auto alike = domain_evidence(rule, ev, [&](const std::string& d) {
      return rule.lookalike->check(d, min_label).has_value() &&
             (partners == nullptr || !partners->contains(d));
    });
    if (alike.empty()) return;
    if (found.empty()) found = std::move(alike);
  }
  std::optional<std::string> display_name;
  if (rule.display_name) {
    if (!ev.headers_known) return;
    hs_scratch_t* scratch = m_scratch.local();
    const LureEvidence::Address* match = nullptr;
    for (const auto& a : ev.header_from) {
      if (a.display_name.empty() || !rule.display_name->first_match(a.display_name, scratch))
        continue;
      if (rule.unless_list >= 0 && !a.domain.empty() &&
          m_lists[rule.unless_list].domains.contains(a.domain)) {
        continue;
      }
      match = &a;
      break;
    }
    if (match == nullptr) return;
    display_name = match->display_name;
  }
  // Made only for a rule that matched: most rules match no message, and the id and reply
  // are copies.
  const LureAction action = ev.group != nullptr ? ev.group->lure_action(rule.action) : rule.action;
  const LureHit base{rule.id, action, rule.monitor || mode() == Mode::monitor, rule.reply, "", "",
                     "",      ""};
  if (found.empty() && display_name) {
    LureHit hit = base;
    hit.where = "display_name";
    hit.value = *display_name;
    hits.push_back(std::move(hit));
  }
  for (auto& [where, value] : found) {
    LureHit hit = base;
    hit.where = to_string(where);
    if (rule.domain_list >= 0) name_provenance(m_lists[rule.domain_list], value, hit);
    hit.value = std::move(value);
    hits.push_back(std::move(hit));
  }
}

std::vector<LureHit> CompiledRuleset::match_lures(const LureEvidence& evidence) const {
  std::vector<LureHit> hits;
  for (const LureRule& rule : m_lures) {
    match_lure(rule, evidence, hits);
  }
  return hits;
}

bool CompiledRuleset::allow_depends_on_headers() const {
  for (const AllowRule& r : m_allow) {
    if (r.dmarc_pass || (r.domain_list >= 0 && (r.where & where_bit(Where::header_from)) != 0)) {
      return true;
    }
  }
  return false;
}

AllowDecision CompiledRuleset::match_allow(const AllowEvidence& ev) const {
  AllowDecision d;
  for (const AllowRule& r : m_allow) {
    if (r.authenticated && *r.authenticated != ev.authenticated) continue;
    if (r.dmarc_pass && (!ev.headers_known || *r.dmarc_pass != ev.dmarc_pass)) continue;
    if (r.domain_list >= 0) {
      const DomainSet& set = m_lists[r.domain_list].domains;
      bool found = false;
      if ((r.where & where_bit(Where::envelope_from)) != 0 && ev.envelope_from_domain) {
        found = set.contains(*ev.envelope_from_domain);
      }
      if (!found && (r.where & where_bit(Where::header_from)) != 0 && ev.headers_known) {
        for (const auto& dom : ev.from_domains) found = found || set.contains(dom);
      }
      if (!found) continue;
    }
    if (r.monitor) {  // a globally monitored ruleset still reports what allow would skip
      d.monitor_rules.push_back(r.id);
      continue;
    }
    d.rules.push_back(r.id);
    d.skip_lures = d.skip_lures || r.skip_lures;
    d.skip_trackers = d.skip_trackers || r.skip_trackers;
  }
  return d;
}

}  // namespace pixelwarden::ruleset
