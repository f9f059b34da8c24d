#include "daemon/drain.hpp"

#include <spdlog/spdlog.h>

#include <thread>

namespace pixelwarden::daemon {

void Drain::begin() {
  if (!m_deadline) m_deadline = Clock::now() + m_timeout;
}

int Drain::wait(const std::atomic<int>& in_flight) {
  begin();
  int last = -1;
  for (;;) {
    const int n = in_flight.load();
    if (n <= 0) return 0;
    if (Clock::now() >= *m_deadline) {
      if (!m_warned) {
        spdlog::warn("drain timeout: {} message(s) still in flight; the MTA will retry them", n);
        m_warned = true;
      }
      return n;
    }
    if (n != last) spdlog::info("draining: {} message(s) in flight", n);
    last = n;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace pixelwarden::daemon
