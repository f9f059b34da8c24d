#include "daemon/socket_spec.hpp"

#include <doctest/doctest.h>

#include <string>

using pixelwarden::daemon::parse_socket_spec;
using pixelwarden::daemon::SocketSpec;
using Kind = SocketSpec::Kind;

namespace {

SocketSpec parsed(const char* text) {
  auto spec = parse_socket_spec(text);
  REQUIRE_MESSAGE(spec.ok(), spec.error().message);
  return *spec;
}

std::string error_of(const char* text) {
  auto spec = parse_socket_spec(text);
  REQUIRE_FALSE(spec.ok());
  return spec.error().message;
}

const std::string k_not_a_spec = "expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST, got '";

}  // namespace

TEST_SUITE("daemon::SocketSpec") {
  TEST_CASE("unix: and local: name a unix socket by its path") {
    const SocketSpec u = parsed("unix:/var/spool/postfix/pixelwarden/milter.sock");
    CHECK(u.kind == Kind::unix_domain);
    CHECK(u.is_unix());
    CHECK(u.path == "/var/spool/postfix/pixelwarden/milter.sock");
    CHECK_FALSE(u.local_spelling);
    const SocketSpec l = parsed("local:/run/pw.sock");
    CHECK(l.kind == Kind::unix_domain);
    CHECK(l.path == "/run/pw.sock");
    CHECK(l.local_spelling);
    // libmilter takes a relative path (against its working directory) and any byte.
    CHECK(parsed("unix:pw.sock").path == "pw.sock");
    CHECK(parsed("unix:/a:b@c").path == "/a:b@c");
  }

  TEST_CASE("inet: and inet6: take a port and an optional host") {
    const SocketSpec a = parsed("inet:8894@127.0.0.1");
    CHECK(a.kind == Kind::inet);
    CHECK_FALSE(a.is_unix());
    CHECK(a.port == 8894);
    CHECK(a.host == "127.0.0.1");
    const SocketSpec any = parsed("inet:8894");
    CHECK(any.port == 8894);
    CHECK(any.host.empty());  // every interface
    const SocketSpec v6 = parsed("inet6:8894@[::1]");
    CHECK(v6.kind == Kind::inet6);
    CHECK(v6.host == "[::1]");
    CHECK(parsed("inet6:8894@::1").host == "::1");
    CHECK(parsed("inet:25@mail.example.org").host == "mail.example.org");
    CHECK(parsed("inet:0@127.0.0.1").port == 0);  // ephemeral
    CHECK(parsed("inet:65535@127.0.0.1").port == 65535);
  }

  TEST_CASE("to_string() gives back what was parsed, in libmilter's notation") {
    for (const char* text :
         {"unix:/run/pw.sock", "local:/run/pw.sock", "unix:pw.sock", "inet:8894@127.0.0.1",
          "inet:8894", "inet:0@localhost", "inet6:8894@[::1]", "inet6:65535", "inet6:1@::"}) {
      CAPTURE(text);
      CHECK(parsed(text).to_string() == text);
    }
    SocketSpec built;
    built.kind = Kind::inet6;
    built.port = 10025;
    built.host = "[::1]";
    CHECK(built.to_string() == "inet6:10025@[::1]");
    CHECK(parsed(built.to_string().c_str()) == built);
  }

  TEST_CASE("a value without a known scheme, or with nothing after it, is not a spec") {
    for (const char* text : {"", "8894", "/run/pw.sock", "tcp:8894@127.0.0.1", "INET:8894",
                             "Unix:/run/pw.sock", ":8894", "unix:", "local:", "inet:", "inet6:"}) {
      CAPTURE(text);
      CHECK(error_of(text) == k_not_a_spec + text + "'");
    }
  }

  TEST_CASE("a port is a decimal number from 0 to 65535") {
    CHECK(error_of("inet:65536@127.0.0.1") ==
          "expected a port from 0 to 65535, got '65536' in 'inet:65536@127.0.0.1'");
    CHECK(error_of("inet6:99999999999999999999") ==
          "expected a port from 0 to 65535, got '99999999999999999999' in "
          "'inet6:99999999999999999999'");
    for (const char* text : {"inet:-1@127.0.0.1", "inet:+25", "inet:smtp@127.0.0.1",
                             "inet:@127.0.0.1", "inet:88 94", "inet:0x10", "inet6:8894:1"}) {
      CAPTURE(text);
      CHECK(error_of(text).rfind("expected a port from 0 to 65535, got '", 0) == 0);
    }
  }

  TEST_CASE("a host after '@' is not empty, and a bracketed one closes") {
    CHECK(error_of("inet:8894@") == "expected a host after '@' in 'inet:8894@'");
    for (const char* text : {"inet6:8894@[::1", "inet6:8894@[", "inet6:8894@[]"}) {
      CAPTURE(text);
      CHECK(error_of(text).rfind("expected a host or [ADDRESS] after '@', got '", 0) == 0);
    }
  }
}
