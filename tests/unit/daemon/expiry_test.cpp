#include "daemon/expiry.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace pixelwarden;
using namespace std::chrono_literals;

namespace {
std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
bool wait_for(const std::function<bool()>& ok) {
  for (int i = 0; i < 300; ++i) {
    if (ok()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return ok();
}
}  // namespace

TEST_SUITE("daemon::ExpiryTimer") {
  TEST_CASE("fires once at the deadline; the loaded hook's schedule replaces it") {
    std::atomic<int> fired{0};
    std::atomic<std::int64_t> fired_at{0};
    daemon::ExpiryTimer* self = nullptr;
    daemon::ExpiryTimer t([&] {
      fired_at = now_ms();
      ++fired;
      self->schedule(std::nullopt);  // what a successful reload's hook does
    });
    self = &t;
    const std::int64_t at = now_ms() + 150;
    t.schedule(at);
    REQUIRE(wait_for([&] { return fired == 1; }));
    CHECK(fired_at >= at);
    CHECK(fired_at < at + 1000);
    std::this_thread::sleep_for(100ms);
    CHECK(fired == 1);
    CHECK_FALSE(t.deadline());
  }
  TEST_CASE("a later schedule moves the deadline; none cancels it") {
    std::atomic<int> fired{0};
    daemon::ExpiryTimer t([&] { ++fired; });
    t.schedule(now_ms() + 100);
    t.schedule(std::nullopt);
    std::this_thread::sleep_for(250ms);
    CHECK(fired == 0);
  }
  TEST_CASE("a fire that does not reschedule (failed reload) retries later, not at once") {
    std::atomic<int> fired{0};
    daemon::ExpiryTimer t([&] { ++fired; });
    t.schedule(now_ms() - 1);
    REQUIRE(wait_for([&] { return fired == 1; }));
    std::this_thread::sleep_for(200ms);
    CHECK(fired == 1);
    REQUIRE(t.deadline());
    CHECK(*t.deadline() > now_ms() + 5000);
  }
}
