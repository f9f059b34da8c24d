#include "daemon/http_server.hpp"

#include <civetweb.h>
#include <fmt/format.h>

#include <cstring>
#include <mutex>

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
  h.reload();
  respond(conn, 202, "Accepted", "text/plain", "reload requested\n");
  return 202;
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
  const char* options[] = {"listening_ports", listen.c_str(),
                           "num_threads", threads.c_str(),
                           "request_timeout_ms", timeout.c_str(),
                           "enable_keep_alive", "no",
                           nullptr};
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
  return server;
}

HttpServer::~HttpServer() {
  if (m_ctx) mg_stop(m_ctx);
}

}  // namespace pixelwarden::daemon
