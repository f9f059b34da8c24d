#pragma once
// HttpServer: the daemon's one HTTP listener (civetweb C API; prometheus-cpp's Exposer
// serves only /metrics). Routes:
//   GET  /metrics   the Prometheus text from the metrics callback
//   GET  /healthz   200 "ok" while the process is alive
//   GET  /readyz    503 until the first ruleset is compiled, then 200
//   POST /-/reload  runs the reload routine and answers with its result (the reload
//                   callback's status and JSON: 200 applied, 422 refused with the
//                   FILE:LINE:COL errors, 202 still compiling); 403 from non-loopback
//                   peers unless reload_from_any_host
// Port 0 binds an ephemeral port; port() tells which.
//
// Slow clients: civetweb serves one connection per worker thread, from the first byte of
// the request to the last of the response, and a client that trickles its request holds
// its worker until request_timeout. With too few workers a handful of such clients
// delays every scrape and health check by up to request_timeout each (2 workers and a
// 10 s timeout made /healthz time out under 4). So there are many workers (idle ones
// only wait on a condition variable), a short request timeout, and no keep-alive (every
// response closes its connection, so an idle client cannot hold a worker either):
// `threads` slow clients at once are absorbed without delaying anyone; beyond that a
// request waits at most request_timeout for a worker.
// Non-goals: TLS, auth (bind it to loopback or a management network).

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/result.hpp"

struct mg_context;

namespace pixelwarden::daemon {

struct HttpReply {
  int status = 200;
  std::string body;  // JSON
};

struct HttpHandlers {
  std::function<std::string()> metrics;
  std::function<bool()> ready;
  std::function<HttpReply()> reload;
  bool reload_from_any_host = false;
};

struct HttpOptions {
  int threads = 256;
  std::chrono::milliseconds request_timeout{2'000};
};

class HttpServer {
 public:
  // listen: "HOST:PORT" ("127.0.0.1:9894", "[::1]:0"); a bare port binds every interface.
  static base::Result<std::unique_ptr<HttpServer>> start(const std::string& listen,
                                                         HttpHandlers handlers,
                                                         HttpOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return m_port; }
  const HttpHandlers& handlers() const { return m_handlers; }

 private:
  explicit HttpServer(HttpHandlers handlers) : m_handlers(std::move(handlers)) {}
  HttpHandlers m_handlers;
  mg_context* m_ctx = nullptr;
  int m_port = 0;
  std::string m_host;  // where to reach the listener from here (for the stop, see .cpp)
};

// True for 127.0.0.0/8, ::1 and ::ffff:127.x (peer addresses as civetweb prints them).
bool is_loopback(const std::string& address);

}  // namespace pixelwarden::daemon
