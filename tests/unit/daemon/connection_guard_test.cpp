#include "daemon/connection_guard.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "temp_dir.hpp"
#include "unix_socket.hpp"

using namespace pixelwarden;

namespace {

// A TCP listener on 127.0.0.1 and an ephemeral port; `port` receives the port.
int tcp_listener(in_port_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t len = sizeof sa;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0);
  port = sa.sin_port;
  return fd;
}

int tcp_client(in_port_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = port;
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
  return fd;
}

}  // namespace

TEST_SUITE("daemon::connection_guard") {
  TEST_CASE("accepted_on: a unix connection accepted on the listener, nothing else") {
    testing::TempDir dir;
    const std::string path = dir.file("milter.sock");
    const int listener = testing::listen_unix(path);
    const int other = testing::listen_unix(dir.file("other.sock"));
    const int client = testing::connect_unix(path);
    const int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(conn >= 0);
    const int other_client = testing::connect_unix(dir.file("other.sock"));
    const int other_conn = ::accept4(other, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(other_conn >= 0);
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);

    CHECK(daemon::accepted_on(conn, listener));
    CHECK_FALSE(daemon::accepted_on(listener, listener));
    CHECK_FALSE(daemon::accepted_on(client, listener));  // the peer's end: unnamed
    CHECK_FALSE(daemon::accepted_on(other_conn, listener));
    CHECK_FALSE(daemon::accepted_on(pair[0], listener));
    CHECK_FALSE(daemon::accepted_on(-1, listener));
    for (int fd : {listener, other, client, conn, other_client, other_conn, pair[0], pair[1]}) {
      ::close(fd);
    }
  }

  TEST_CASE("accepted_on: a TCP connection on the listener's port, not another port's") {
    in_port_t port = 0, other_port = 0;
    const int listener = tcp_listener(port);
    const int other = tcp_listener(other_port);
    const int client = tcp_client(port);
    const int conn = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(conn >= 0);
    const int other_client = tcp_client(other_port);
    const int other_conn = ::accept4(other, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(other_conn >= 0);

    CHECK(daemon::accepted_on(conn, listener));
    CHECK_FALSE(daemon::accepted_on(other_conn, listener));
    CHECK_FALSE(daemon::accepted_on(client, listener));  // local port: an ephemeral one
    CHECK_FALSE(daemon::accepted_on(STDIN_FILENO, listener));
    for (int fd : {listener, other, client, conn, other_client, other_conn}) ::close(fd);
  }
}
