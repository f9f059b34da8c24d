#pragma once
// Metrics: the one place where every metric of docs/metrics.md is declared. The daemon
// owns one instance for the life of the process, calls the record_* functions from
// mail threads and the control plane, and serves serialize() at GET /metrics.
//
// Cost model: every family and every fixed-label child (actions, reload results,
// ruleset kinds) is created in the constructor. Children whose labels come from the
// ruleset (rule ids, vendors) or from the closed vector set are created on first use
// and then reached through a per-thread cache (LabelCache), so the mail path takes no
// lock: counters are atomics, histograms are lock-free (AtomicHistogram).
// Label values are never taken from message content: rule ids, vendor names from
// vendor lists, enums. A per-family cap folds anything beyond it into `_overflow`.
//
// Non-goals: no HTTP here (the daemon serves the string), no logging.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/verdict.hpp"
#include "observe/histogram.hpp"
#include "observe/label_cache.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::observe {

// Bucket bounds of docs/metrics.md.
inline const std::vector<double> k_duration_buckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
inline const std::vector<double> k_size_buckets = {1024,    4096,    16384,    65536,   262144,
                                                   1048576, 4194304, 16777216, 67108864};

// The `kind` of pixelwarden_errors_total (docs/metrics.md): an exception escaped a
// milter callback, the MTA refused a modification request, an audit line was not written.
enum class ErrorKind { callback, milter_action, audit_log };
const char* to_string(ErrorKind k);

class Metrics {
 public:
  // Hyperscan's version comes from hs_version().
  Metrics();
  // For tests and tools that must not depend on the Hyperscan build: the given string
  // becomes build_info's `hyperscan` label.
  explicit Metrics(std::string_view hyperscan_version);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The Prometheus text exposition (format 0.0.4) of every metric, process metrics
  // read from /proc now.
  std::string serialize();

  // Mail path (any thread, lock-free once warm).
  void record_message(const engine::Verdict& v, double seconds);
  void record_error(ErrorKind kind);
  void connection_opened();
  void connection_closed();

  // Milter connection limits (daemon/connection_guard.hpp): a connection refused
  // (reason limit | fd_limit), one shut down by the guard (handshake_timeout |
  // idle_timeout | evicted), and the connections counted against the cap.
  void milter_connection_refused(std::string_view reason);
  void milter_connection_expired(std::string_view reason);
  void milter_sockets(std::size_t open, std::size_t limit);

  // Control plane.
  void ruleset_loaded(const ruleset::Ruleset& rules);
  void reload_result(std::string_view result);   // success | failure | unchanged
  void reload_failure(std::string_view reason);  // rules | tests
  void expiry_reload();                          // a reload scheduled at an entry's valid_until

  // The registry, kept alive by this object (and by whoever holds the pointer).
  std::shared_ptr<prometheus::Registry> registry() const { return m_registry; }

 private:
  using CounterFamily = prometheus::Family<prometheus::Counter>;
  using GaugeFamily = prometheus::Family<prometheus::Gauge>;

  void record_trackers(const engine::Verdict& v);
  void record_lures(const engine::Verdict& v);

  std::shared_ptr<prometheus::Registry> m_registry;

  std::array<prometheus::Counter*, 5> m_messages{};  // indexed by engine::Action
  prometheus::Counter* m_modified = nullptr;
  LabelCache m_trackers;
  LabelCache m_vendors;
  LabelCache m_lures;
  LabelCache m_groups;  // group (declared ids and default; capped) x action
  LabelCache m_resources;
  LabelCache m_skipped;
  LabelCache m_errors;
  LabelCache m_reloads;
  prometheus::Gauge* m_connections = nullptr;
  std::array<prometheus::Counter*, 2> m_refused{};  // limit, fd_limit
  std::array<prometheus::Counter*, 4> m_expired{};  // handshake_timeout, idle_timeout, evicted,
                                                    // packet_timeout
  prometheus::Gauge* m_open_sockets = nullptr;
  prometheus::Gauge* m_connection_limit = nullptr;

  AtomicHistogram m_duration;
  AtomicHistogram m_size;

  // Control plane state, guarded by m_ruleset_mutex (ruleset_loaded is rare).
  std::mutex m_ruleset_mutex;
  GaugeFamily* m_ruleset_info = nullptr;
  prometheus::Gauge* m_ruleset_info_child = nullptr;
  std::array<prometheus::Gauge*, 4> m_ruleset_rules{};  // tracker, lure, allow, list_entries
  prometheus::Gauge* m_last_reload = nullptr;
  prometheus::Gauge* m_compile_seconds = nullptr;
  prometheus::Gauge* m_next_expiry = nullptr;
  std::array<prometheus::Counter*, 2> m_reload_failures{};  // rules, tests
  prometheus::Counter* m_expiry_reloads = nullptr;
};

}  // namespace pixelwarden::observe
