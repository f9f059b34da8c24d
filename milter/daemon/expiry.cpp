#include "daemon/expiry.hpp"

#include <spdlog/spdlog.h>

namespace pixelwarden::daemon {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ExpiryTimer::ExpiryTimer(std::function<void()> fire)
    : m_fire(std::move(fire)), m_thread([this] { loop(); }) {}

ExpiryTimer::~ExpiryTimer() { stop(); }

void ExpiryTimer::schedule(std::optional<std::int64_t> at_ms) {
  {
    std::lock_guard lock(m_mutex);
    m_deadline = at_ms;
    ++m_generation;
  }
  m_cv.notify_all();
}

std::optional<std::int64_t> ExpiryTimer::deadline() const {
  std::lock_guard lock(m_mutex);
  return m_deadline;
}

std::uint64_t ExpiryTimer::fired() const {
  std::lock_guard lock(m_mutex);
  return m_fired;
}

void ExpiryTimer::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void ExpiryTimer::loop() {
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (!m_deadline) {
      m_cv.wait(lock);
      continue;
    }
    const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(*m_deadline));
    if (std::chrono::system_clock::now() < at) {
      m_cv.wait_until(lock, at);
      continue;  // re-check: a new deadline, a stop, or a spurious wake
    }
    const std::uint64_t before = m_generation;
    ++m_fired;
    lock.unlock();
    m_fire();
    lock.lock();
    // A successful reload rescheduled from its loaded hook; otherwise try again soon
    // (the expired entry still matches until a reload succeeds).
    if (m_generation == before && !m_stopping) {
      spdlog::warn("rules: the reload at an entry's expiry did not take; retrying in {} s",
                   k_retry.count());
      m_deadline =
          now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(k_retry).count();
    }
  }
}

}  // namespace pixelwarden::daemon
