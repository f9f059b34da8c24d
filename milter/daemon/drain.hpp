#pragma once
// Drain: the wait for in-flight messages when the daemon stops, bounded by
// milter.drain_timeout IN TOTAL. The stop has two places that wait (before the milter
// socket closes, while Postfix can still finish its messages; and after libmilter's
// loop returned, for callbacks still running); both share the one deadline set when
// the stop began, so one stalled client costs drain_timeout once, not once per wait.
// Non-goals: refusing new messages (Session does that once SessionEnv::draining is set).

#include <atomic>
#include <chrono>
#include <optional>

namespace pixelwarden::daemon {

class Drain {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Drain(std::chrono::milliseconds timeout) : m_timeout(timeout) {}

  // Starts the clock (idempotent: only the first call sets the deadline).
  void begin();
  // The deadline, set by begin() (or by the first wait()).
  Clock::time_point deadline() const { return m_deadline.value_or(Clock::time_point::max()); }

  // Waits until `in_flight` is 0 or the deadline passed (starting the clock if no one
  // did); returns the messages still in flight. Logs progress, and once the warning
  // that the deadline passed with messages left.
  int wait(const std::atomic<int>& in_flight);

 private:
  std::chrono::milliseconds m_timeout;
  std::optional<Clock::time_point> m_deadline;
  bool m_warned = false;
};

}  // namespace pixelwarden::daemon
