#pragma once
// ExpiryTimer: rebuilds the ruleset when a list entry's valid_until passes, so an
// expired indicator stops matching on time without anyone pushing.
//
//   Reloader publishes ─▶ hooks.loaded ─▶ schedule(ruleset.next_expiry_ms())
//   the deadline passes ─▶ fire() (the daemon: Reloader::reload("expiry", force))
//       ├─ the new ruleset has a later expiry ─▶ schedule() again from hooks.loaded
//       └─ the reload failed (the files are broken right now) ─▶ retry after k_retry
//
// The deadline is wall-clock time (valid_until is a calendar date), waited for on the
// system clock, so a clock step forward fires at once. Its own thread: the reload it
// triggers may take as long as a compile, and no mail thread ever waits for it.
// Non-goals: deciding what expires (the loader does, see ruleset/entry_line.hpp).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace pixelwarden::daemon {

class ExpiryTimer {
 public:
  static constexpr std::chrono::seconds k_retry{10};

  explicit ExpiryTimer(std::function<void()> fire);
  ~ExpiryTimer();
  ExpiryTimer(const ExpiryTimer&) = delete;
  ExpiryTimer& operator=(const ExpiryTimer&) = delete;

  // The next deadline (ms since the epoch), or none; replaces the previous one.
  void schedule(std::optional<std::int64_t> at_ms);
  std::optional<std::int64_t> deadline() const;
  std::uint64_t fired() const;  // for tests
  void stop();

 private:
  void loop();

  std::function<void()> m_fire;
  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::optional<std::int64_t> m_deadline;
  std::uint64_t m_generation = 0;  // bumped by schedule(): a fire() reschedules or not
  std::uint64_t m_fired = 0;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace pixelwarden::daemon
