#include "daemon/privileges.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace pixelwarden;

TEST_SUITE("daemon::privileges") {
  TEST_CASE("not root: the daemon keeps its identity whatever daemon.user says") {
    daemon::DaemonSection d;
    d.user = "no-such-user-pw";
    auto who = daemon::planned_identity(d, 1000);
    REQUIRE(who.ok());
    CHECK_FALSE(who->has_value());
  }

  TEST_CASE("root: becomes the configured user, with its primary group by default") {
    daemon::DaemonSection d;
    d.user = "nobody";  // in every Debian base system
    auto who = daemon::planned_identity(d, 0);
    REQUIRE(who.ok());
    REQUIRE(who->has_value());
    CHECK((*who)->uid == 65534);
    CHECK((*who)->gid == 65534);
    d.group = "root";
    who = daemon::planned_identity(d, 0);
    REQUIRE(who.ok());
    CHECK((*who)->gid == 0);
  }

  TEST_CASE("root: an unknown user or group refuses to start, naming the key") {
    daemon::DaemonSection d;
    d.user = "no-such-user-pw";
    auto who = daemon::planned_identity(d, 0);
    REQUIRE_FALSE(who.ok());
    CHECK(who.error().message.find("daemon.user") != std::string::npos);
    d.user = "nobody";
    d.group = "no-such-group-pw";
    who = daemon::planned_identity(d, 0);
    REQUIRE_FALSE(who.ok());
    CHECK(who.error().message.find("daemon.group") != std::string::npos);
  }

  TEST_CASE("root stays root only with allow_root") {
    daemon::DaemonSection d;
    d.user = "root";
    CHECK_FALSE(daemon::planned_identity(d, 0).ok());
    d.allow_root = true;
    auto who = daemon::planned_identity(d, 0);
    REQUIRE(who.ok());
    CHECK_FALSE(who->has_value());
  }

  TEST_CASE("the socket group: milter.socket_group, else the daemon's group") {
    const daemon::Identity target{"x", 1234, 4321};
    CHECK(daemon::socket_gid("", target).value() == 4321);
    CHECK(daemon::socket_gid("", std::nullopt).value() == ::getegid());
    CHECK(daemon::socket_gid("root", target).value() == 0);
    auto bad = daemon::socket_gid("no-such-group-pw", target);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("milter.socket_group") != std::string::npos);
  }
}
