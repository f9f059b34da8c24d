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

  TEST_CASE("a unix socket below Postfix's chroot is printed relative to it") {
    CHECK(postfix_milter_endpoint("unix:/var/spool/postfix/pixelwarden/milter.sock") ==
          "unix:/pixelwarden/milter.sock");
    CHECK(postfix_milter_endpoint("local:/var/spool/postfix/pw.sock", "/var/spool/postfix/") ==
          "unix:/pw.sock");
    CHECK(postfix_milter_endpoint("unix:/var/spool/postfixx/pw.sock") ==
          "unix:/var/spool/postfixx/pw.sock");
    CHECK(postfix_milter_endpoint("unix:/q/pw.sock", "/q") == "unix:/pw.sock");
    CHECK(postfix_milter_endpoint("unix:/q/pw.sock", "") == "unix:/q/pw.sock");
    CHECK(postfix_milter_endpoint("inet:8894@127.0.0.1", "/q") == "inet:127.0.0.1:8894");
  }
}
