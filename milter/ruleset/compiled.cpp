#include "ruleset/compiled.hpp"

#include "ruleset/abp_filter.hpp"

namespace pixelwarden::ruleset {
namespace {

constexpr WhereMask k_header_where = where_bit(Where::header_from) | where_bit(Where::reply_to) |
                                     where_bit(Where::sender) | where_bit(Where::return_path) |
                                     where_bit(Where::message_id);
constexpr WhereMask k_body_where = where_bit(Where::links) | where_bit(Where::resources);

}  // namespace

const char* to_string(ListKind k) {
  switch (k) {
    case ListKind::domains: return "domains";
    case ListKind::url_patterns: return "url_patterns";
    case ListKind::filters: return "filters";
    case ListKind::vendors: return "vendors";
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
    return TrackerMatch{rule.id, rule.action, rule.monitor || m_mode == Mode::monitor, vendor};
  }
  return std::nullopt;
}

std::optional<std::pair<Where, std::string>> CompiledRuleset::domain_evidence(
    const LureRule& rule, const LureEvidence& ev,
    const std::function<bool(const std::string&)>& test) const {
  auto wants = [&](Where w) { return (rule.where & where_bit(w)) != 0; };
  auto one = [&](Where w, const std::optional<std::string>& d)
      -> std::optional<std::pair<Where, std::string>> {
    if (wants(w) && d && !d->empty() && test(*d)) return std::make_pair(w, *d);
    return std::nullopt;
  };
  auto many = [&](Where w, const std::vector<LureEvidence::Address>& v)
      -> std::optional<std::pair<Where, std::string>> {
    if (!wants(w) || !ev.headers_known) return std::nullopt;
    for (const auto& a : v) {
      if (!a.domain.empty() && test(a.domain)) return std::make_pair(w, a.domain);
    }
    return std::nullopt;
  };
  auto hosts = [&](Where w, const std::vector<std::string>& v)
      -> std::optional<std::pair<Where, std::string>> {
    if (!wants(w) || !ev.body_known) return std::nullopt;
    for (const auto& h : v) {
      if (!h.empty() && test(h)) return std::make_pair(w, h);
    }
    return std::nullopt;
  };
  if (auto h = one(Where::envelope_from, ev.envelope_from_domain)) return h;
  if (auto h = many(Where::header_from, ev.header_from)) return h;
  if (auto h = many(Where::reply_to, ev.reply_to)) return h;
  if (auto h = many(Where::sender, ev.sender)) return h;
  if (auto h = many(Where::return_path, ev.return_path)) return h;
  if (auto h = one(Where::helo, ev.helo)) return h;
  if (ev.headers_known) {
    if (auto h = one(Where::message_id, ev.message_id_domain)) return h;
  }
  if (auto h = hosts(Where::links, ev.link_hosts)) return h;
  return hosts(Where::resources, ev.resource_hosts);
}

std::optional<LureHit> CompiledRuleset::match_lure(const LureRule& rule,
                                                   const LureEvidence& ev) const {
  LureHit hit{rule.id, rule.action, rule.monitor || m_mode == Mode::monitor, rule.reply, "", ""};
  if (rule.domain_list >= 0) {
    const DomainSet& set = m_lists[rule.domain_list].domains;
    auto found = domain_evidence(rule, ev, [&](const std::string& d) { return set.contains(d); });
    if (!found) return std::nullopt;
    hit.where = to_string(found->first);
    hit.value = found->second;
  }
  if (rule.lookalike) {
    auto found = domain_evidence(
        rule, ev, [&](const std::string& d) { return rule.lookalike->check(d).has_value(); });
    if (!found) return std::nullopt;
    if (hit.where.empty()) {
      hit.where = to_string(found->first);
      hit.value = found->second;
    }
  }
  if (rule.display_name) {
    if (!ev.headers_known) return std::nullopt;
    hs_scratch_t* scratch = m_scratch.local();
    const LureEvidence::Address* match = nullptr;
    for (const auto& a : ev.header_from) {
      if (a.display_name.empty() || !rule.display_name->first_match(a.display_name, scratch)) continue;
      if (rule.unless_list >= 0 && !a.domain.empty() &&
          m_lists[rule.unless_list].domains.contains(a.domain)) {
        continue;
      }
      match = &a;
      break;
    }
    if (match == nullptr) return std::nullopt;
    if (hit.where.empty()) {
      hit.where = "display_name";
      hit.value = match->display_name;
    }
  }
  return hit;
}

std::vector<LureHit> CompiledRuleset::match_lures(const LureEvidence& evidence) const {
  std::vector<LureHit> hits;
  for (const LureRule& rule : m_lures) {
    if (auto hit = match_lure(rule, evidence)) hits.push_back(std::move(*hit));
  }
  return hits;
}

bool CompiledRuleset::lures_need_headers() const {
  for (const LureRule& r : m_lures) {
    if (r.display_name || (r.where & k_header_where) != 0) return true;
  }
  return false;
}

bool CompiledRuleset::lures_need_body() const {
  for (const LureRule& r : m_lures) {
    if ((r.where & k_body_where) != 0) return true;
  }
  return false;
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
