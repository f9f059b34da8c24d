#include "daemon/run.hpp"

#include <doctest/doctest.h>

namespace {

// endpoint() of a spec as milter.socket would hold it.
std::string endpoint(const char* text, const std::string& chroot = "/var/spool/postfix") {
  auto spec = pixelwarden::daemon::parse_socket_spec(text);
  REQUIRE_MESSAGE(spec.ok(), spec.error().message);
  return pixelwarden::daemon::postfix_milter_endpoint(*spec, chroot);
}

}  // namespace

TEST_SUITE("daemon::run") {
  TEST_CASE("the Postfix endpoint is derived from the libmilter socket spec") {
    CHECK(endpoint("inet:8894@127.0.0.1") == "inet:127.0.0.1:8894");
    CHECK(endpoint("unix:/run/pw.sock") == "unix:/run/pw.sock");
    CHECK(endpoint("local:/run/pw.sock") == "unix:/run/pw.sock");
    CHECK(endpoint("inet:8894@mx-filter.example") == "inet:mx-filter.example:8894");
  }

  TEST_CASE("Postfix reaches an IPv6 milter through inet: with the address in brackets") {
    CHECK(endpoint("inet6:8894@[::1]") == "inet:[::1]:8894");
    CHECK(endpoint("inet6:8894@[2001:db8::25]") == "inet:[2001:db8::25]:8894");
    CHECK(endpoint("inet6:8894@filter6.example") == "inet:filter6.example:8894");
  }

  TEST_CASE("a milter on every interface is reached on loopback") {
    CHECK(endpoint("inet:8894") == "inet:127.0.0.1:8894");
    CHECK(endpoint("inet:8894@0.0.0.0") == "inet:127.0.0.1:8894");
    CHECK(endpoint("inet6:8894") == "inet:[::1]:8894");
    CHECK(endpoint("inet6:8894@[::]") == "inet:[::1]:8894");
  }

  TEST_CASE("a unix socket below Postfix's chroot is printed relative to it") {
    CHECK(endpoint("unix:/var/spool/postfix/pixelwarden/milter.sock") ==
          "unix:/pixelwarden/milter.sock");
    CHECK(endpoint("local:/var/spool/postfix/pw.sock", "/var/spool/postfix/") == "unix:/pw.sock");
    CHECK(endpoint("unix:/var/spool/postfixx/pw.sock") == "unix:/var/spool/postfixx/pw.sock");
    CHECK(endpoint("unix:/q/pw.sock", "/q") == "unix:/pw.sock");
    CHECK(endpoint("unix:/q/pw.sock", "") == "unix:/q/pw.sock");
    CHECK(endpoint("inet:8894@127.0.0.1", "/q") == "inet:127.0.0.1:8894");
  }
}
