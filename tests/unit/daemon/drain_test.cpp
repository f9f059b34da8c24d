#include "daemon/drain.hpp"

#include <doctest/doctest.h>

#include <thread>

using pixelwarden::daemon::Drain;
using namespace std::chrono_literals;

TEST_SUITE("daemon::Drain") {
  TEST_CASE("nothing in flight: wait returns at once with 0") {
    Drain d(10s);
    std::atomic<int> in_flight{0};
    CHECK(d.wait(in_flight) == 0);
  }

  TEST_CASE("the deadline is set once, by the first begin()") {
    Drain d(50ms);
    d.begin();
    const auto first = d.deadline();
    std::this_thread::sleep_for(5ms);
    d.begin();
    CHECK(d.deadline() == first);
  }

  TEST_CASE("a stalled message: the second wait shares the first one's deadline") {
    Drain d(300ms);
    std::atomic<int> in_flight{1};
    CHECK(d.wait(in_flight) == 1);
    CHECK(Drain::Clock::now() >= d.deadline());
    // A second drain that waited drain_timeout again would take another 300 ms; this
    // one finds the deadline passed and returns on its first look.
    const auto before = Drain::Clock::now();
    CHECK(d.wait(in_flight) == 1);
    CHECK(Drain::Clock::now() - before < 250ms);
  }

  TEST_CASE("wait returns as soon as the last message leaves") {
    Drain d(10s);
    std::atomic<int> in_flight{1};
    std::thread t([&] {
      std::this_thread::sleep_for(30ms);
      in_flight = 0;
    });
    CHECK(d.wait(in_flight) == 0);
    t.join();
    CHECK(Drain::Clock::now() < d.deadline());
  }
}
