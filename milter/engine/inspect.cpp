#include "engine/inspect.hpp"

#include <algorithm>
#include <cassert>

#include "base/text.hpp"
#include "engine/body.hpp"
#include "engine/decide.hpp"
#include "engine/evidence.hpp"
#include "mime/header.hpp"

namespace pixelwarden::engine {

namespace {

// A link or resource lure names its host; the verdict also gives the URL it came from.
void attach_urls(const ruleset::LureEvidence& lure, const std::vector<std::string_view>& link_urls,
                 const std::vector<std::string_view>& resource_urls, Verdict& verdict) {
  for (LureRecord& l : verdict.lures) {
    const bool link = l.where == "links";
    if (!link && l.where != "resources") continue;
    const auto& hosts = link ? lure.link_hosts : lure.resource_hosts;
    const auto& urls = link ? link_urls : resource_urls;
    for (std::size_t i = 0; i < hosts.size() && i < urls.size(); ++i) {
      if (hosts[i] == l.value) {
        l.url = std::string(urls[i]);
        break;
      }
    }
  }
}

}  // namespace

struct Inspection::State {
  ruleset::LureEvidence lure;
  ruleset::AllowEvidence allow;
  ruleset::AllowDecision allowed;
  ruleset::GroupPolicy group;  // of the envelope recipients; lure.group points here
  std::vector<ruleset::LureHit> hits;
  MessageHeaders headers;
  std::size_t header_bytes = 0;
  std::optional<SkipReason> header_overflow;  // when a header cap was passed
};

namespace {

// How many leading fields fit both header caps.
std::size_t fields_within(std::span<const HeaderView> headers, const Limits& limits) {
  std::size_t bytes = 0;
  const std::size_t n = std::min(headers.size(), limits.max_header_fields);
  for (std::size_t i = 0; i < n; ++i) {
    bytes += headers[i].name.size() + headers[i].value.size() + 3;
    if (bytes > limits.max_header_bytes) return i;
  }
  return n;
}

HeaderTotals totals_of(std::span<const HeaderView> headers) {
  HeaderTotals t{headers.size(), 0};
  for (const auto& h : headers) t.bytes += h.name.size() + h.value.size() + 3;
  return t;
}

}  // namespace

Inspection::Inspection(std::shared_ptr<const ruleset::Ruleset> rules, Limits limits)
    : m_rules(std::move(rules)), m_limits(limits), m_state(std::make_unique<State>()) {
  const auto& meta = m_rules->meta();
  m_verdict.ruleset_name = meta.name;
  m_verdict.ruleset_version = meta.version;
  m_verdict.ruleset_sha256 = meta.sha256;
  m_verdict.mode = m_rules->mode();
}

Inspection::~Inspection() = default;
Inspection::Inspection(Inspection&&) noexcept = default;
Inspection& Inspection::operator=(Inspection&&) noexcept = default;

void Inspection::set_queue_id(std::string_view queue_id) {
  if (queue_id.empty()) return;
  m_verdict.queue_id = queue_id;
  m_verdict.envelope.queue_id = queue_id;
}

void Inspection::inspect_envelope(const Envelope& envelope) {
  assert(m_verdict.stages_seen == 0 && "the envelope stage comes first, once");
  m_verdict.envelope = envelope;
  m_verdict.queue_id = envelope.queue_id;
  m_verdict.stages_seen |= stage_envelope;
  State& s = *m_state;
  const std::string from_domain = address_domain(envelope.mail_from);
  if (!from_domain.empty()) s.lure.envelope_from_domain = from_domain;
  if (!envelope.helo.empty()) s.lure.helo = base::to_lower(envelope.helo);
  s.allow.authenticated = !envelope.auth_user.empty();
  s.allow.envelope_from_domain = s.lure.envelope_from_domain;
  s.group = m_rules->recipient_group(envelope.rcpt);
  s.lure.group = &s.group;
  m_verdict.group = s.group.group;
  m_verdict.groups = s.group.groups;
  evaluate(*m_rules, s.lure, s.allow, s.allowed, s.hits, m_verdict);
}

void Inspection::inspect_headers(std::span<const HeaderView> headers,
                                 std::optional<HeaderTotals> totals) {
  assert(m_verdict.stages_seen == stage_envelope && "headers: after the envelope, once");
  State& s = *m_state;
  const HeaderTotals all = totals ? *totals : totals_of(headers);
  s.header_bytes = all.bytes;
  s.header_overflow =
      all.fields > m_limits.max_header_fields ? std::optional(SkipReason::too_many_headers)
      : all.bytes > m_limits.max_header_bytes ? std::optional(SkipReason::headers_too_large)
                                              : std::nullopt;
  const std::size_t kept = fields_within(headers, m_limits);
  s.headers = read_headers(headers.first(kept), m_rules->report());
  m_verdict.stages_seen |= stage_headers;
  m_verdict.message_id = s.headers.message_id;
  m_verdict.headers = std::move(s.headers.facts);
  s.lure.header_from = s.headers.from;
  s.lure.reply_to = s.headers.reply_to;
  s.lure.sender = s.headers.sender;
  s.lure.return_path = s.headers.return_path;
  s.lure.message_id_domain = s.headers.message_id_domain;
  s.lure.headers_known = true;
  s.allow.from_domains.clear();
  for (const auto& a : s.headers.from) {
    if (!a.domain.empty()) s.allow.from_domains.push_back(a.domain);
  }
  s.allow.dmarc_pass = s.headers.dmarc_pass;
  s.allow.headers_known = true;
  evaluate(*m_rules, s.lure, s.allow, s.allowed, s.hits, m_verdict);
}

void Inspection::inspect_body(std::string_view body, bool truncated) {
  assert((m_verdict.stages_seen & stage_envelope) != 0 &&
         (m_verdict.stages_seen & stage_body) == 0 && "body: after the envelope, once");
  State& s = *m_state;
  // The one size formula: header fields as "name:value\r\n", the blank line, the body.
  m_verdict.message_bytes = s.header_bytes + 2 + body.size();
  m_verdict.stages_seen |= stage_body;
  s.lure.body_known = true;
  const bool refused = m_verdict.final();  // links and resources are only listed
  if (s.header_overflow || truncated || body.size() > m_limits.max_message_bytes) {
    if (refused) return;
    // Not inspected: the header section is past a cap (its Content-Type may lie beyond
    // what was read), or the body is not all here. The malformed policy decides.
    m_verdict.skipped = s.header_overflow.value_or(SkipReason::too_large);
    evaluate(*m_rules, s.lure, s.allow, s.allowed, s.hits, m_verdict);
    finish(*m_rules, s.headers, nullptr, body, m_verdict, &s.group);
    return;
  }
  std::vector<mime::HeaderField> top_fields;
  top_fields.reserve(s.headers.mime_fields.size());
  for (const ReceivedField& f : s.headers.mime_fields)
    top_fields.push_back({f.name, f.value, 0, 0});
  BodyScan scan = scan_body(std::move(top_fields), body, m_limits.walk, m_part_filter);
  // The first URL of each host, beside lure.link_hosts / resource_hosts (same index).
  std::vector<std::string_view> link_urls, resource_urls;
  // A malformed walk still yields the parts found before its cap: they are inspected
  // like any others (lures, trackers); the malformed policy decides what is changed.
  // So does a part with two readings that both hold resources or links (body.hpp).
  if ((scan.walk.malformed || scan.ambiguous_parts > 0) && !refused)
    m_verdict.skipped = SkipReason::malformed_mime;
  if (!refused) {  // a refused message is not delivered: no tracker to neutralize
    const ruleset::RecipientTokens tokens(m_verdict.envelope.rcpt);
    decide_trackers(scan, *m_rules, tokens, s.allowed.skip_trackers, m_verdict);
  }
  // Each host (as written) once, in order of first appearance (a newsletter links to a
  // handful of hosts dozens of times): lure rules report the first host that matches,
  // which repeats cannot change. Marks by host index: a message may hold 100k distinct
  // hosts, and scan_body already normalized each one.
  std::vector<bool> seen_links(scan.hosts.size()), seen_resources(scan.hosts.size());
  const auto add_host = [&scan](std::vector<bool>& seen, std::vector<std::string>& out,
                                std::vector<std::string_view>& urls, std::size_t host,
                                std::string_view url) {
    if (seen[host]) return;
    seen[host] = true;
    out.push_back(scan.hosts[host]);
    urls.push_back(url);
  };
  for (const TextPart& t : scan.parts) {
    for (std::size_t i = 0; i < t.scan.links.size(); ++i)
      add_host(seen_links, s.lure.link_hosts, link_urls, t.link_hosts[i], t.scan.links[i].url);
    for (std::size_t i = 0; i < t.scan.resources.size(); ++i) {
      add_host(seen_resources, s.lure.resource_hosts, resource_urls, t.resource_hosts[i],
               t.scan.resources[i].resolved);
    }
  }
  evaluate(*m_rules, s.lure, s.allow, s.allowed, s.hits, m_verdict);
  attach_urls(s.lure, link_urls, resource_urls, m_verdict);
  if (!refused) finish(*m_rules, s.headers, &scan, body, m_verdict, &s.group);
}

namespace {

// Envelope reconstructed from the message, for offline runs without one.
void reconstruct_envelope(std::span<const HeaderView> headers, Envelope& env) {
  const auto find_all = [&](std::string_view name) {
    std::vector<std::string> out;
    for (const auto& h : headers) {
      if (!base::iequals(h.name, name)) continue;
      for (auto& a : header_address_strings(h.value)) out.push_back(std::move(a));
    }
    return out;
  };
  if (env.mail_from.empty()) {
    auto rp = find_all("Return-Path");
    if (!rp.empty()) env.mail_from = rp.front();
  }
  if (env.rcpt.empty()) {
    for (const char* name : {"Delivered-To", "X-Original-To"}) {
      for (auto& a : find_all(name)) {
        if (std::find(env.rcpt.begin(), env.rcpt.end(), a) == env.rcpt.end()) env.rcpt.push_back(a);
      }
    }
  }
  if (env.rcpt.empty()) {
    for (const char* name : {"To", "Cc"}) {
      for (auto& a : find_all(name)) {
        if (std::find(env.rcpt.begin(), env.rcpt.end(), a) == env.rcpt.end()) env.rcpt.push_back(a);
      }
    }
  }
}

}  // namespace

Verdict inspect(std::string_view message, Envelope envelope,
                std::shared_ptr<const ruleset::Ruleset> rules, const Limits& limits,
                const PartFilter* part_filter) {
  const mime::MessageSplit split = mime::split_message(message);
  const std::vector<mime::HeaderField> fields = mime::parse_header_block(split.header_block);
  std::vector<HeaderView> headers;
  headers.reserve(fields.size());
  for (const auto& f : fields) headers.push_back({f.name, f.value});
  reconstruct_envelope(headers, envelope);
  Inspection insp(std::move(rules), limits);
  insp.set_part_filter(part_filter);
  insp.inspect_envelope(envelope);
  // As the milter: a refusal at DATA sees nothing more; any other runs every stage.
  if (limits.refuse_at_data && insp.verdict().final()) return std::move(insp).take_verdict();
  insp.inspect_headers(headers);
  insp.inspect_body(split.body);
  return std::move(insp).take_verdict();
}

}  // namespace pixelwarden::engine
