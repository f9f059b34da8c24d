#include "daemon/run.hpp"

#include <doctest/doctest.h>

using pixelwarden::daemon::postfix_milter_endpoint;

TEST_SUITE("daemon::run") {
  TEST_CASE("the Postfix endpoint is derived from the libmilter socket spec") {
    CHECK(postfix_milter_endpoint("inet:8894@127.0.0.1") == "inet:127.0.0.1:8894");
    CHECK(postfix_milter_endpoint("inet6:8894@[::1]") == "inet6:[::1]:8894");
    CHECK(postfix_milter_endpoint("unix:/run/pw.sock") == "unix:/run/pw.sock");
    CHECK(postfix_milter_endpoint("local:/run/pw.sock") == "unix:/run/pw.sock");
  }
}
