#include "daemon/connection_table.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::daemon;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t k_s = 1'000'000'000;  // one second in the table's nanoseconds

ConnectionLimits limits(std::size_t max = 3) {
  ConnectionLimits l;
  l.max_connections = max;
  l.handshake_timeout = 10s;
  l.idle_timeout = 60s;
  return l;
}

}  // namespace

TEST_SUITE("daemon::ConnectionTable") {
  TEST_CASE("admits up to max_connections, then refuses until one closes") {
    ConnectionTable t(limits(2), 64);
    CHECK(t.admit(5, 105, 0).admitted);
    CHECK(t.admit(6, 106, 0).admitted);
    t.begin(5, 0, true);  // negotiated sessions are never evicted
    t.begin(6, 0, true);
    CHECK_FALSE(t.admit(7, 107, 100 * k_s).admitted);
    CHECK(t.open() == 2);
    t.closed(5);
    CHECK(t.open() == 1);
    CHECK(t.admit(7, 107, 0).admitted);
  }

  TEST_CASE("at the limit, the oldest connection silent past k_evict_after gives its place") {
    ConnectionTable t(limits(3), 64);
    t.admit(5, 105, 0);
    t.admit(6, 106, 1 * k_s);
    t.admit(7, 107, 2 * k_s);
    t.begin(5, 2 * k_s, true);  // fd 5 negotiated: an MTA session, kept
    // fd 7 is younger than k_evict_after at 2.5 s: fd 6 is the one to go.
    const auto a = t.admit(8, 108, 2 * k_s + k_s / 2);
    CHECK(a.admitted);
    REQUIRE(a.evicted);
    CHECK(a.evicted->fd == 6);
    CHECK(a.evicted->inode == 106);
    CHECK(a.evicted->reason == ExpiryReason::evicted);
    CHECK(t.counted() == 3);  // 5, 7, 8; 6 holds its descriptor until libmilter closes it
    CHECK(t.open() == 4);
    CHECK(t.expired(2 * k_s + k_s / 2).empty());  // an evicted one is not reported again
    t.closed(6);
    CHECK(t.open() == 3);
    CHECK(t.counted() == 3);
  }

  TEST_CASE("at the limit with every silent connection fresh, the new one is refused") {
    ConnectionTable t(limits(2), 64);
    t.admit(5, 105, 0);
    t.admit(6, 106, 0);
    const auto a = t.admit(7, 107, k_s / 2);  // both silent for 0.5 s only
    CHECK_FALSE(a.admitted);
    CHECK_FALSE(a.evicted);
  }

  TEST_CASE("connections shut down for a timeout no longer count against the limit") {
    ConnectionTable t(limits(2), 64);
    t.admit(5, 105, 0);
    t.admit(6, 106, 0);
    CHECK(t.expired(10 * k_s).size() == 2);
    CHECK(t.counted() == 0);
    CHECK(t.admit(7, 107, 10 * k_s).admitted);
    CHECK(t.open() == 3);
  }

  TEST_CASE("shut-down connections still open bound the overshoot") {
    ConnectionTable t(limits(1), 256);
    t.admit(0, 100, 0);
    for (int fd = 1; fd <= static_cast<int>(ConnectionTable::k_overshoot); ++fd) {
      const auto a = t.admit(fd, 100 + static_cast<std::uint64_t>(fd), 2 * k_s * fd);
      CHECK(a.admitted);
      CHECK(a.evicted);  // each evicts the previous, which libmilter has not closed yet
    }
    CHECK(t.open() == 1 + ConnectionTable::k_overshoot);
    CHECK_FALSE(t.admit(200, 300, 1000 * k_s).admitted);
  }

  TEST_CASE("a descriptor admitted again replaces its unseen-closed connection") {
    ConnectionTable t(limits(2), 64);
    CHECK(t.admit(5, 105, 0).admitted);
    CHECK(t.admit(6, 106, 0).admitted);
    CHECK(t.admit(5, 205, 1).admitted);  // fd 5 reused: the old one is gone, still 2 open
    CHECK(t.open() == 2);
  }

  TEST_CASE("descriptors beyond the table are never admitted") {
    ConnectionTable t(limits(), 8);
    CHECK_FALSE(t.admit(8, 1, 0).admitted);
    CHECK_FALSE(t.admit(-1, 1, 0).admitted);
    CHECK_FALSE(t.begin(8, 0));
    CHECK(t.covers(7));  // the guard counts a refusal beyond the table as fd_limit
    CHECK_FALSE(t.covers(8));
    CHECK_FALSE(t.covers(-1));
  }

  TEST_CASE("no negotiation within handshake_timeout: expired once, still counted") {
    ConnectionTable t(limits(), 64);
    t.admit(5, 105, 0);
    CHECK(t.expired(9 * k_s).empty());
    const auto e = t.expired(10 * k_s);
    REQUIRE(e.size() == 1);
    CHECK(e[0].fd == 5);
    CHECK(e[0].inode == 105);
    CHECK(e[0].reason == ExpiryReason::handshake_timeout);
    CHECK(t.expired(20 * k_s).empty());  // reported once
    CHECK(t.open() == 1);                // until the socket actually closes
  }

  TEST_CASE("admitted as negotiated (a session after QUIT_NC): no handshake timeout, idle still") {
    ConnectionTable t(limits(), 64);
    REQUIRE(t.admit(5, 105, 0, true).admitted);
    CHECK(t.expired(30 * k_s).empty());  // past handshake_timeout: kept
    const auto idle = t.expired(61 * k_s);
    REQUIRE(idle.size() == 1);
    CHECK(idle[0].reason == ExpiryReason::idle_timeout);
  }

  TEST_CASE("a negotiated connection expires after idle_timeout without commands") {
    ConnectionTable t(limits(), 64);
    t.admit(5, 105, 0);
    CHECK(t.begin(5, 1 * k_s, true));
    t.end(5, 1 * k_s);
    CHECK(t.expired(30 * k_s).empty());  // past handshake_timeout: negotiated, fine
    t.begin(5, 40 * k_s);
    t.end(5, 41 * k_s);
    CHECK(t.expired(100 * k_s).empty());
    const auto e = t.expired(101 * k_s);
    REQUIRE(e.size() == 1);
    CHECK(e[0].reason == ExpiryReason::idle_timeout);
  }

  TEST_CASE("a command still running is never idle") {
    ConnectionTable t(limits(), 64);
    t.admit(5, 105, 0);
    t.begin(5, 1 * k_s, true);
    t.end(5, 1 * k_s);
    t.begin(5, 2 * k_s);  // e.g. a long end-of-message
    CHECK(t.expired(1000 * k_s).empty());
    t.end(5, 1000 * k_s);
    CHECK(t.expired(1059 * k_s).empty());
    CHECK(t.expired(1060 * k_s).size() == 1);
  }

  TEST_CASE("forget drops an entry only while it holds the same socket") {
    ConnectionTable t(limits(), 64);
    t.admit(5, 105, 0);
    t.forget(5, 999);
    CHECK(t.open() == 1);
    t.forget(5, 105);
    CHECK(t.open() == 0);
    CHECK_FALSE(t.begin(5, 0));
  }

  TEST_CASE("stop_expiry: no more timeouts or evictions, the cap stays") {
    ConnectionTable t(limits(2), 64);
    t.admit(5, 105, 0);
    t.admit(6, 106, 0);
    t.stop_expiry();
    CHECK(t.expired(100 * k_s).empty());
    const auto a = t.admit(7, 107, 100 * k_s);
    CHECK_FALSE(a.admitted);
    CHECK_FALSE(a.evicted);
  }

  TEST_CASE("tracked lists every open connection with its inode") {
    ConnectionTable t(limits(), 64);
    t.admit(5, 105, 0);
    t.admit(9, 109, 0);
    t.closed(5);
    const auto all = t.tracked();
    REQUIRE(all.size() == 1);
    CHECK(all[0].first == 9);
    CHECK(all[0].second == 109);
  }
}
