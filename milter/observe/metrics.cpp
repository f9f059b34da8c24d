#include "observe/metrics.hpp"

#include <hs/hs.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <iterator>

#include "base/build_info.hpp"
#include "observe/process_metrics.hpp"

namespace pixelwarden::observe {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;

constexpr std::array<const char*, 5> k_actions = {"accept", "reject", "tempfail", "discard",
                                                  "quarantine"};  // engine::Action order
constexpr std::array<const char*, 4> k_rule_kinds = {"tracker", "lure", "allow", "list_entries"};
constexpr std::array<const char*, 3> k_reload_results = {"success", "failure", "unchanged"};
// The closed vector set of docs/ruleset.md, created up front so rates start at zero.
constexpr std::array<const char*, 19> k_vectors = {
    "img",       "srcset",     "picture_source", "input_image", "video_poster",
    "media_src", "embed",      "object",         "iframe",      "link",
    "script",    "background", "meta_refresh",   "svg_image",   "vml",
    "css_url",   "css_import", "font_face",      "mdn_header"};
constexpr std::array<const char*, 2> k_refusal_reasons = {"limit", "fd_limit"};
constexpr std::array<const char*, 4> k_expiry_reasons = {"handshake_timeout", "idle_timeout",
                                                         "evicted", "packet_timeout"};

// An empty label value would read as a missing label in PromQL.
std::string_view or_unknown(std::string_view s) { return s.empty() ? "unknown" : s; }

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& r, const char* name,
                                                 const char* help) {
  return BuildCounter().Name(name).Help(help).Register(r);
}

prometheus::Family<prometheus::Gauge>& gauge(prometheus::Registry& r, const char* name,
                                             const char* help) {
  return BuildGauge().Name(name).Help(help).Register(r);
}

// hs_version() reads "5.4.0 2023-04-13": the label keeps the version only.
std::string hyperscan_version() {
  std::string_view v = hs_version();
  return std::string(v.substr(0, v.find(' ')));
}

}  // namespace

Metrics::Metrics() : Metrics(hyperscan_version()) {}

Metrics::Metrics(std::string_view hyperscan)
    : m_registry(std::make_shared<prometheus::Registry>()),
      m_trackers(counter(*m_registry, "pixelwarden_trackers_total",
                         "Remote resources decided as trackers (the blocked pixels)."),
                 {"rule", "action", "vector"}),
      m_vendors(counter(*m_registry, "pixelwarden_tracker_vendors_total",
                        "Tracker hits by tracking service (vendor list name, else rule id)."),
                {"vendor"}),
      m_lures(counter(*m_registry, "pixelwarden_lure_hits_total", "Lure rule matches."),
              {"rule", "where", "action"}),
      // Group ids come from the ruleset (declared ids and `default`); the cap folds
      // anything past it into `_overflow`.
      m_groups(counter(*m_registry, "pixelwarden_recipient_group_messages_total",
                       "Messages decided, by the recipient group whose settings applied."),
               {"group", "action"}, 1000),
      m_resources(counter(*m_registry, "pixelwarden_remote_resources_total",
                          "Remote resources seen in HTML parts."),
                  {"vector"}),
      m_skipped(counter(*m_registry, "pixelwarden_skipped_total",
                        "Messages passed without full inspection."),
                {"reason"}),
      m_errors(counter(*m_registry, "pixelwarden_errors_total",
                       "Internal errors (each is also logged)."),
               {"kind"}),
      m_reloads(counter(*m_registry, "pixelwarden_ruleset_reloads_total",
                        "Ruleset reload attempts (unchanged: same content hash)."),
                {"result"}),
      m_duration("pixelwarden_message_duration_seconds",
                 "Time in the filter per message, end of message to decision.", k_duration_buckets),
      m_size("pixelwarden_message_size_bytes", "Message size in bytes.", k_size_buckets) {
  prometheus::Registry& r = *m_registry;
  auto& messages = counter(r, "pixelwarden_messages_total", "Messages decided, by MTA action.");
  for (std::size_t i = 0; i < k_actions.size(); ++i) {
    m_messages[i] = &messages.Add({{"action", k_actions[i]}});
  }
  m_modified = &counter(r, "pixelwarden_messages_modified_total",
                        "Messages whose body or headers were changed.")
                    .Add({});
  m_connections =
      &gauge(r, "pixelwarden_milter_connections", "SMTP sessions currently open to the milter.")
           .Add({});
  auto& refused = counter(r, "pixelwarden_milter_connections_refused_total",
                          "Milter connections closed at once when accepted, by reason.");
  for (std::size_t i = 0; i < k_refusal_reasons.size(); ++i) {
    m_refused[i] = &refused.Add({{"reason", k_refusal_reasons[i]}});
  }
  auto& expired = counter(r, "pixelwarden_milter_connections_shut_down_total",
                          "Milter connections shut down by the daemon, by reason.");
  for (std::size_t i = 0; i < k_expiry_reasons.size(); ++i) {
    m_expired[i] = &expired.Add({{"reason", k_expiry_reasons[i]}});
  }
  m_open_sockets = &gauge(r, "pixelwarden_milter_open_sockets",
                          "Milter connections accepted and not closed, negotiated or not.")
                        .Add({});
  m_connection_limit = &gauge(r, "pixelwarden_milter_connection_limit",
                              "milter.max_connections in force (after the fd limit).")
                            .Add({});
  m_ruleset_info = &gauge(r, "pixelwarden_ruleset_info", "The ruleset in force (value 1).");
  auto& rules = gauge(r, "pixelwarden_ruleset_rules", "Size of the ruleset in force.");
  for (std::size_t i = 0; i < k_rule_kinds.size(); ++i) {
    m_ruleset_rules[i] = &rules.Add({{"kind", k_rule_kinds[i]}});
  }
  m_last_reload = &gauge(r, "pixelwarden_ruleset_last_reload_success_timestamp_seconds",
                         "When the ruleset in force was loaded (unix time).")
                       .Add({});
  m_compile_seconds = &gauge(r, "pixelwarden_ruleset_compile_seconds",
                             "How long the ruleset in force took to compile.")
                           .Add({});
  m_next_expiry = &gauge(r, "pixelwarden_ruleset_next_expiry_timestamp_seconds",
                         "When the next list entry of the ruleset in force expires (unix time; "
                         "0: none).")
                       .Add({});
  auto& failures = counter(r, "pixelwarden_ruleset_reload_failures_total",
                           "Refused reloads, by reason (rules: invalid; tests: its tests fail).");
  m_reload_failures[0] = &failures.Add({{"reason", "rules"}});
  m_reload_failures[1] = &failures.Add({{"reason", "tests"}});
  m_expiry_reloads = &counter(r, "pixelwarden_ruleset_expiry_reloads_total",
                              "Reloads scheduled at a list entry's valid_until.")
                          .Add({});
  gauge(r, "pixelwarden_build_info", "Build information (value 1).")
      .Add({{"version", base::k_version}, {"hyperscan", std::string(hyperscan)}})
      .Set(1);
  for (const char* result : k_reload_results) m_reloads.child({result});
  for (const char* vector : k_vectors) m_resources.child({vector});
  for (std::size_t i = 0; i < engine::k_skip_reason_count; ++i) {
    m_skipped.child({engine::to_string(static_cast<engine::SkipReason>(i))});
  }
}

std::string Metrics::serialize() {
  std::vector<prometheus::MetricFamily> families = m_registry->Collect();
  families.push_back(m_duration.collect());
  families.push_back(m_size.collect());
  std::vector<prometheus::MetricFamily> process = process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  return prometheus::TextSerializer().Serialize(families);
}

void Metrics::record_message(const engine::Verdict& v, double seconds) {
  auto action = static_cast<std::size_t>(v.action);
  if (action < m_messages.size()) m_messages[action]->Increment();
  if (v.modified) m_modified->Increment();
  m_groups.child({or_unknown(v.group), engine::to_string(v.action)}).Increment();
  record_trackers(v);
  record_lures(v);
  for (const std::string& vector : v.vectors_seen)
    m_resources.child({or_unknown(vector)}).Increment();
  if (v.skipped) m_skipped.child({engine::to_string(*v.skipped)}).Increment();
  m_duration.observe(seconds);
  m_size.observe(static_cast<double>(v.message_bytes));
}

// A record of a rule in monitor mode changed nothing: its action label says `monitor`,
// so "blocked" panels can leave it out.
void Metrics::record_trackers(const engine::Verdict& v) {
  const bool all_monitor = v.mode == ruleset::Mode::monitor;
  for (const engine::TrackerRecord& t : v.trackers) {
    std::string_view action = (t.monitor || all_monitor) ? "monitor" : ruleset::to_string(t.action);
    m_trackers.child({or_unknown(t.rule), action, or_unknown(t.vector)}).Increment();
    m_vendors.child({t.vendor.empty() ? or_unknown(t.rule) : t.vendor}).Increment();
  }
}

void Metrics::record_lures(const engine::Verdict& v) {
  const bool all_monitor = v.mode == ruleset::Mode::monitor;
  for (const engine::LureRecord& l : v.lures) {
    std::string_view action = (l.monitor || all_monitor) ? "monitor" : ruleset::to_string(l.action);
    m_lures.child({or_unknown(l.rule), or_unknown(l.where), action}).Increment();
  }
}

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::callback:
      return "callback";
    case ErrorKind::milter_action:
      return "milter_action";
    case ErrorKind::audit_log:
      return "audit_log";
  }
  return "callback";
}

void Metrics::record_error(ErrorKind kind) { m_errors.child({to_string(kind)}).Increment(); }

void Metrics::connection_opened() { m_connections->Increment(); }

void Metrics::connection_closed() { m_connections->Decrement(); }

namespace {
template <std::size_t N>
prometheus::Counter* by_reason(const std::array<const char*, N>& reasons,
                               const std::array<prometheus::Counter*, N>& children,
                               std::string_view reason) {
  for (std::size_t i = 0; i < N; ++i) {
    if (reason == reasons[i]) return children[i];
  }
  return nullptr;
}
}  // namespace

void Metrics::milter_connection_refused(std::string_view reason) {
  if (auto* c = by_reason(k_refusal_reasons, m_refused, reason)) c->Increment();
}

void Metrics::milter_connection_expired(std::string_view reason) {
  if (auto* c = by_reason(k_expiry_reasons, m_expired, reason)) c->Increment();
}

void Metrics::milter_sockets(std::size_t open, std::size_t limit) {
  m_open_sockets->Set(static_cast<double>(open));
  m_connection_limit->Set(static_cast<double>(limit));
}

void Metrics::ruleset_loaded(const ruleset::Ruleset& rules) {
  const ruleset::Meta& meta = rules.meta();
  const ruleset::Ruleset::Sizes sizes = rules.sizes();
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::lock_guard lock(m_ruleset_mutex);
  // Only the ruleset in force has a series: the old one disappears from the scrape.
  if (m_ruleset_info_child != nullptr) m_ruleset_info->Remove(m_ruleset_info_child);
  m_ruleset_info_child = &m_ruleset_info->Add(
      {{"name", meta.name}, {"version", meta.version}, {"sha256", meta.sha256}});
  m_ruleset_info_child->Set(1);
  m_ruleset_rules[0]->Set(static_cast<double>(sizes.trackers));
  m_ruleset_rules[1]->Set(static_cast<double>(sizes.lures));
  m_ruleset_rules[2]->Set(static_cast<double>(sizes.allow));
  m_ruleset_rules[3]->Set(static_cast<double>(sizes.list_entries));
  m_compile_seconds->Set(sizes.compile_seconds);
  m_last_reload->Set(now);
  const auto expiry = rules.next_expiry_ms();
  m_next_expiry->Set(expiry ? static_cast<double>(*expiry) / 1000.0 : 0.0);
}

void Metrics::reload_failure(std::string_view reason) {
  m_reload_failures[reason == "tests" ? 1 : 0]->Increment();
}

void Metrics::expiry_reload() { m_expiry_reloads->Increment(); }

void Metrics::reload_result(std::string_view result) {
  m_reloads.child({or_unknown(result)}).Increment();
}

}  // namespace pixelwarden::observe
