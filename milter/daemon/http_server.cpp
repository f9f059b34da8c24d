#include "daemon/http_server.hpp"

#include <civetweb.h>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <thread>

namespace pixelwarden::daemon {
namespace {

void respond(mg_connection* conn, int status, const char* reason, const char* type,
             const std::string& body) {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, reason, type, body.size());
  mg_write(conn, body.data(), body.size());
}

const HttpHandlers& handlers_of(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  return static_cast<HttpServer*>(ri->user_data)->handlers();
}

bool method_is(mg_connection* conn, const char* method) {
  return std::strcmp(mg_get_request_info(conn)->request_method, method) == 0;
}

int on_metrics(mg_connection* conn, void*) {
  if (!method_is(conn, "GET") && !method_is(conn, "HEAD")) {
    respond(conn, 405, "Method Not Allowed", "text/plain", "GET only\n");
    return 405;
  }
  std::string body;
  try {
    body = handlers_of(conn).metrics();
  } catch (const std::exception& e) {
    respond(conn, 500, "Internal Server Error", "text/plain", std::string(e.what()) + "\n");
    return 500;
  }
  respond(conn, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
  return 200;
}

int on_healthz(mg_connection* conn, void*) {
  respond(conn, 200, "OK", "text/plain", "ok\n");
  return 200;
}

int on_readyz(mg_connection* conn, void*) {
  if (handlers_of(conn).ready()) {
    respond(conn, 200, "OK", "text/plain", "ready\n");
    return 200;
  }
  respond(conn, 503, "Service Unavailable", "text/plain", "no ruleset loaded yet\n");
  return 503;
}

int on_reload(mg_connection* conn, void*) {
  if (!method_is(conn, "POST")) {
    respond(conn, 405, "Method Not Allowed", "text/plain", "POST only\n");
    return 405;
  }
  const auto& h = handlers_of(conn);
  if (!h.reload_from_any_host && !is_loopback(mg_get_request_info(conn)->remote_addr)) {
    respond(conn, 403, "Forbidden", "text/plain", "reload is allowed from loopback only\n");
    return 403;
  }
  const HttpReply reply = h.reload();
  const char* reason = reply.status == 200   ? "OK"
                       : reply.status == 202 ? "Accepted"
                       : reply.status == 422 ? "Unprocessable Entity"
                                             : "Error";
  respond(conn, reply.status, reason, "application/json", reply.body);
  return reply.status;
}

// The address to connect to the listener from this host: its own host, or loopback for
// a wildcard (a bare port, 0.0.0.0, [::]).
std::string local_host(const std::string& listen, bool ipv6) {
  const auto colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0" || host == "::") return ipv6 ? "::1" : "127.0.0.1";
  return host;
}

void wake_listener(const std::string& host, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* sa4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* sa6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &sa4->sin_addr) == 1) {
    sa4->sin_family = AF_INET;
    sa4->sin_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &sa6->sin6_addr) == 1) {
    sa6->sin6_family = AF_INET6;
    sa6->sin6_port = htons(static_cast<std::uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return;  // a host name: mg_stop takes its 2 s
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  ::close(fd);
}

}  // namespace

bool is_loopback(const std::string& a) {
  return a.rfind("127.", 0) == 0 || a == "::1" || a.rfind("::ffff:127.", 0) == 0;
}

base::Result<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& listen,
                                                            HttpHandlers handlers,
                                                            HttpOptions opts) {
  static std::once_flag init;
  std::call_once(init, [] { mg_init_library(0); });
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handlers)));
  const std::string threads = std::to_string(opts.threads > 0 ? opts.threads : 1);
  const std::string timeout = std::to_string(opts.request_timeout.count());
  const char* options[] = {
      "listening_ports", listen.c_str(),      "num_threads", threads.c_str(), "request_timeout_ms",
      timeout.c_str(),   "enable_keep_alive", "no",          nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };  // quiet
  server->m_ctx = mg_start(&callbacks, server.get(), options);
  if (!server->m_ctx) {
    return base::plain_error("cannot listen for HTTP on " + listen +
                             " (address in use, or invalid)");
  }
  mg_set_request_handler(server->m_ctx, "/metrics", on_metrics, nullptr);
  mg_set_request_handler(server->m_ctx, "/healthz", on_healthz, nullptr);
  mg_set_request_handler(server->m_ctx, "/readyz", on_readyz, nullptr);
  mg_set_request_handler(server->m_ctx, "/-/reload", on_reload, nullptr);
  mg_server_port ports[4]{};
  const int n = mg_get_server_ports(server->m_ctx, 4, ports);
  if (n > 0) server->m_port = ports[0].port;
  server->m_host = local_host(listen, n > 0 && ports[0].protocol == 2);  // IPv6 only
  return server;
}

// civetweb's master thread polls its listening socket in 2 s quanta and mg_stop() waits
// for it to notice: a connection of our own wakes it (the daemon's exit should follow
// the drain at once).
HttpServer::~HttpServer() {
  if (!m_ctx) return;
  std::atomic<bool> stopped{false};
  std::thread poke([this, &stopped] {
    while (!stopped) {
      wake_listener(m_host, m_port);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  mg_stop(m_ctx);
  stopped = true;
  poke.join();
}

}  // namespace pixelwarden::daemon
