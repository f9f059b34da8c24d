#include "daemon/http_server.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>

using namespace pixelwarden;

namespace {

// A tiny blocking HTTP/1.1 client: returns the whole response.
std::string http(int port, const std::string& method, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return "";
  }
  const std::string req = method + " " + path +
                          " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  [[maybe_unused]] auto w = write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  return out;
}

struct Server {
  std::atomic<bool> ready{false};
  std::atomic<int> reloads{0};
  std::unique_ptr<daemon::HttpServer> server;
  explicit Server(bool any_host = false) {
    daemon::HttpHandlers h;
    h.metrics = [] { return std::string("pixelwarden_up 1\n"); };
    h.ready = [this] { return ready.load(); };
    h.reload = [this] {
      ++reloads;
      return daemon::HttpReply{422, "{\"outcome\":\"failure\"}\n"};
    };
    h.reload_from_any_host = any_host;
    auto s = daemon::HttpServer::start("127.0.0.1:0", std::move(h));
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    server = std::move(*s);
  }
};

// The tests that only make requests share one server.
Server& shared() {
  static Server s;
  return s;
}

}  // namespace

TEST_SUITE("daemon::HttpServer") {
  TEST_CASE("port 0 binds an ephemeral port that port() reports") {
    Server& s = shared();
    CHECK(s.server->port() > 0);
  }

  TEST_CASE("GET /metrics serves the metrics text") {
    Server& s = shared();
    const auto r = http(s.server->port(), "GET", "/metrics");
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.find("text/plain; version=0.0.4") != std::string::npos);
    CHECK(r.find("\r\n\r\npixelwarden_up 1\n") != std::string::npos);
  }

  TEST_CASE("GET /healthz is 200 ok") {
    Server& s = shared();
    const auto r = http(s.server->port(), "GET", "/healthz");
    CHECK(r.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(r.find("\r\n\r\nok\n") != std::string::npos);
  }

  TEST_CASE("GET /readyz is 503 until the ruleset is ready, then 200") {
    Server& s = shared();
    s.ready = false;
    CHECK(http(s.server->port(), "GET", "/readyz").rfind("HTTP/1.1 503", 0) == 0);
    s.ready = true;
    CHECK(http(s.server->port(), "GET", "/readyz").rfind("HTTP/1.1 200", 0) == 0);
  }

  TEST_CASE("POST /-/reload from loopback runs one reload and answers with its status") {
    Server& s = shared();
    const int before = s.reloads;
    const std::string reply = http(s.server->port(), "POST", "/-/reload");
    CHECK(reply.rfind("HTTP/1.1 422", 0) == 0);
    CHECK(reply.find("application/json") != std::string::npos);
    CHECK(reply.find("{\"outcome\":\"failure\"}") != std::string::npos);
    CHECK(s.reloads == before + 1);
  }

  TEST_CASE("GET /-/reload is refused") {
    Server& s = shared();
    const int before = s.reloads;
    CHECK(http(s.server->port(), "GET", "/-/reload").rfind("HTTP/1.1 405", 0) == 0);
    CHECK(s.reloads == before);
  }

  TEST_CASE("clients that trickle their request hold a worker each, not the listener") {
    // Fewer workers than slow clients: /healthz waits for a request timeout. More: it
    // answers at once. (2 workers and 2 slow clients made it wait 10 s before.)
    daemon::HttpHandlers h;
    h.metrics = [] { return std::string(); };
    h.ready = [] { return true; };
    h.reload = [] { return daemon::HttpReply{}; };
    auto s = daemon::HttpServer::start("127.0.0.1:0", h, {8, std::chrono::seconds(30)});
    REQUIRE(s.ok());
    const int port = (*s)->port();
    std::vector<int> slow;
    for (int i = 0; i < 4; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(static_cast<std::uint16_t>(port));
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
      const std::string partial = "GET /metrics HTTP/1.1\r\nHost: slow\r\n";
      [[maybe_unused]] auto w = write(fd, partial.data(), partial.size());
      slow.push_back(fd);
    }
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(http(port, "GET", "/healthz").rfind("HTTP/1.1 200", 0) == 0);
    // Far below the 30 s request timeout the slow clients would otherwise cost.
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
    for (int fd : slow) close(fd);
  }

  TEST_CASE("a port in use is a startup error") {
    Server& s = shared();
    daemon::HttpHandlers h;
    h.metrics = [] { return std::string(); };
    h.ready = [] { return true; };
    h.reload = [] { return daemon::HttpReply{}; };
    auto second = daemon::HttpServer::start("127.0.0.1:" + std::to_string(s.server->port()), h);
    CHECK_FALSE(second.ok());
  }
}

TEST_SUITE("daemon::is_loopback") {
  TEST_CASE("loopback peers") {
    CHECK(daemon::is_loopback("127.0.0.1"));
    CHECK(daemon::is_loopback("127.8.9.10"));
    CHECK(daemon::is_loopback("::1"));
    CHECK(daemon::is_loopback("::ffff:127.0.0.1"));
    CHECK_FALSE(daemon::is_loopback("10.0.0.1"));
    CHECK_FALSE(daemon::is_loopback("128.0.0.1"));
    CHECK_FALSE(daemon::is_loopback("::2"));
  }
}
