#include "daemon/instance.hpp"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.hpp"
#include "unix_socket.hpp"

using namespace pixelwarden;

using testing::listen_unix;

namespace {

daemon::SocketSpec spec(const char* text) {
  auto parsed = daemon::parse_socket_spec(text);
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
  return *parsed;
}

}  // namespace

TEST_SUITE("daemon::instance") {
  TEST_CASE("a socket path that accepts connections is refused and left in place") {
    testing::TempDir dir;
    const std::string path = dir.file("milter.sock");
    const int fd = listen_unix(path);
    auto st = daemon::claim_unix_socket(path);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("already listening") != std::string::npos);
    CHECK(std::filesystem::exists(path));
    ::close(fd);
  }

  TEST_CASE("a stale socket is unlinked") {
    testing::TempDir dir;
    const std::string path = dir.file("milter.sock");
    ::close(listen_unix(path));  // the file stays, nobody listens
    REQUIRE(std::filesystem::exists(path));
    CHECK(daemon::claim_unix_socket(path).ok());
    CHECK_FALSE(std::filesystem::exists(path));
  }

  TEST_CASE("a regular file in the way is an error, not removed") {
    testing::TempDir dir;
    const std::string path = dir.write("milter.sock", "data");
    CHECK_FALSE(daemon::claim_unix_socket(path).ok());
    CHECK(std::filesystem::exists(path));
  }

  TEST_CASE("a missing path is free") {
    testing::TempDir dir;
    CHECK(daemon::claim_unix_socket(dir.file("none.sock")).ok());
  }

  TEST_CASE("a second lock on the same file fails and names the holder's pid") {
    testing::TempDir dir;
    const std::string path = dir.file("x.lock");
    auto first = daemon::InstanceLock::acquire(path);
    REQUIRE(first.ok());
    auto second = daemon::InstanceLock::acquire(path);
    REQUIRE_FALSE(second.ok());
    CHECK(second.error().message.find("pid " + std::to_string(::getpid())) != std::string::npos);
    { auto released = std::move(*first); }  // its destructor releases the lock
    CHECK(daemon::InstanceLock::acquire(path).ok());
  }

  TEST_CASE("a lock path that is a hard link to another file is refused, the file untouched") {
    testing::TempDir dir;
    const std::string other = dir.file("precious");
    { std::ofstream(other) << "keep\n"; }
    const std::string path = dir.file("x.lock");
    REQUIRE(::link(other.c_str(), path.c_str()) == 0);
    auto lock = daemon::InstanceLock::acquire(path);
    REQUIRE_FALSE(lock.ok());
    CHECK(lock.error().message.find("single link") != std::string::npos);
    std::ifstream in(other);
    std::string text;
    std::getline(in, text);
    CHECK(text == "keep");
  }

  TEST_CASE("lock paths: per socket in the runtime dir, beside a unix socket, none for port 0") {
    const auto a = daemon::lock_path_for(spec("inet:8894@127.0.0.1"), "/run/pw");
    const auto b = daemon::lock_path_for(spec("inet:8895@127.0.0.1"), "/run/pw");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    CHECK(a->rfind("/run/pw/pixelwarden-", 0) == 0);
    CHECK(*a != *b);
    CHECK(daemon::lock_path_for(spec("unix:/s/m.sock"), "") ==
          std::optional<std::string>("/s/m.sock.lock"));
    CHECK(daemon::lock_path_for(spec("local:/s/m.sock"), "") ==
          std::optional<std::string>("/s/m.sock.lock"));
    CHECK_FALSE(daemon::lock_path_for(spec("inet:8894@127.0.0.1"), "").has_value());
    CHECK_FALSE(daemon::lock_path_for(spec("inet:0@127.0.0.1"), "/run/pw").has_value());
    CHECK_FALSE(daemon::lock_path_for(spec("inet6:0"), "/run/pw").has_value());
  }

  TEST_CASE("a lock file is named after the spec as written: the names daemons already use") {
    // The first 16 hex digits of SHA-256 of the spec text (printf '%s' SPEC | sha256sum):
    // a daemon started from this build finds the lock of one started before it.
    // Not a structured binding: CAPTURE is a lambda, and Clang 14 cannot capture one.
    for (const auto& spec_and_hash :
         {std::pair{"inet:8894@127.0.0.1", "4288b26797046b9e"},
          {"unix:/var/spool/postfix/pixelwarden/milter.sock", "d4a1656842c0a934"},
          {"local:/run/pw.sock", "159ae40d52acb8c5"},
          {"inet6:8894@[::1]", "ca893f6f66a26d86"}}) {
      CAPTURE(spec_and_hash.first);
      CHECK(daemon::lock_path_for(spec(spec_and_hash.first), "/run/pw") ==
            std::optional<std::string>(std::string("/run/pw/pixelwarden-") + spec_and_hash.second +
                                       ".lock"));
    }
  }
}
