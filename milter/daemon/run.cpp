#include "daemon/run.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "daemon/audit_log.hpp"
#include "daemon/connection_guard.hpp"
#include "daemon/drain.hpp"
#include "daemon/expiry.hpp"
#include "daemon/http_server.hpp"
#include "daemon/instance.hpp"
#include "daemon/milter.hpp"
#include "daemon/privileges.hpp"
#include "daemon/reload.hpp"
#include "daemon/reload_check.hpp"
#include "daemon/session.hpp"
#include "daemon/signals.hpp"
#include "daemon/watch.hpp"
#include "observe/logging.hpp"
#include "observe/metrics.hpp"
#include "ruleset/holder.hpp"

namespace pixelwarden::daemon {
namespace {

bool g_log_to_stderr = true;

// One clear line on stderr; also to syslog when that is where the logs go.
int startup_error(const std::string& message) {
  std::fprintf(stderr, "pixelwarden: error: %s\n", message.c_str());
  if (!g_log_to_stderr) spdlog::error("startup failed: {}", message);
  observe::shutdown_logging();
  return 1;
}

// The main thread's loop while smfi_main runs elsewhere (see signals.hpp); returns when
// the daemon must stop, after the drain on SIGTERM/SIGHUP. False when the stop must not
// wait for messages (SIGINT).
bool serve_signals(SessionEnv& env, const Config& config, ReloadTriggers& triggers, AuditLog* audit,
                   const std::atomic<bool>& milter_exited, Drain& drain) {
  for (;;) {
    const Signal sig = wait_for_signal();
    if (milter_exited) return true;
    switch (sig) {
      case Signal::reload:
        spdlog::info("SIGUSR1: reloading rules and reopening the audit log");
        triggers.request();
        if (audit) {
          if (auto st = audit->reopen(); !st) spdlog::error("{}", st.error().message);
        }
        break;
      case Signal::stop:
        spdlog::info("stop signal: draining in-flight messages (up to {} ms)",
                     config.milter.drain_timeout.count());
        env.draining = true;
        drain.wait(env.in_flight);
        return true;
      case Signal::abort:
        spdlog::info("SIGINT: stopping now");
        return false;
    }
  }
}

AuditSettings audit_settings(const AuditSection& a) {
  AuditSettings s;
  s.sink = a.sink == "syslog"   ? AuditSink::syslog
           : a.sink == "stdout" ? AuditSink::stdout_
                                : AuditSink::file;
  s.path = a.path;
  s.syslog_socket = a.syslog_socket;
  s.syslog_facility = syslog_facility(a.syslog_facility);
  s.sample_rate = a.sample_rate;
  s.line.hash_url_queries = a.hash_url_queries;
  s.line.max_line_bytes = a.max_line_bytes;
  return s;
}

void print_postfix_hint(const Config& config) {
  std::fprintf(stderr,
               "pixelwarden: add to Postfix main.cf:\n"
               "  smtpd_milters = %s\n"
               "  milter_default_action = tempfail\n",
               postfix_milter_endpoint(config.milter.socket, config.milter.postfix_chroot).c_str());
}

// How long POST /-/reload waits for the compile before answering 202 (still running).
constexpr std::chrono::seconds k_reload_wait{60};

HttpReply http_reload(ReloadTriggers& triggers) {
  const auto report = triggers.request_and_wait(k_reload_wait);
  if (!report) {
    return {202, "{\"outcome\":\"pending\",\"message\":\"the reload is still running; see "
                 "pixelwarden_ruleset_info and the log\"}\n"};
  }
  return {reload_http_status(*report), reload_report_json(*report)};
}

// Everything that must hold before the daemon changes anything: our identity, the
// instance lock, and a unix socket path that no live milter owns.
struct Preflight {
  std::optional<Identity> become;
  gid_t socket_group = static_cast<gid_t>(-1);
  std::optional<InstanceLock> lock;
};

base::Result<Preflight> preflight(const Config& config) {
  Preflight p;
  auto who = planned_identity(config.daemon, ::geteuid());
  if (!who) return who.error();
  p.become = *who;
  auto gid = socket_gid(config.milter.socket_group, p.become);
  if (!gid) return gid.error();
  p.socket_group = *gid;
  if (const auto lock_path = lock_path_for(config.milter.socket, runtime_directory())) {
    auto lock = InstanceLock::acquire(*lock_path);
    if (!lock) return lock.error();
    p.lock.emplace(std::move(*lock));
  }
  if (config.milter.socket.is_unix()) {
    if (auto st = claim_unix_socket(config.milter.socket.path); !st) return st.error();
  }
  return p;
}

}  // namespace

std::string postfix_milter_endpoint(const SocketSpec& socket, const std::string& chroot) {
  if (!socket.is_unix()) {
    // Postfix has one type, inet:, for both families; it reads an IPv6 address in
    // brackets. A daemon on every interface is reached on loopback.
    std::string host = socket.host;
    if (socket.kind == SocketSpec::Kind::inet6) {
      if (host.empty() || host == "::" || host == "[::]") host = "::1";
      if (host.front() != '[' && host.find(':') != std::string::npos) host = "[" + host + "]";
    } else if (host.empty() || host == "0.0.0.0") {
      host = "127.0.0.1";
    }
    return fmt::format("inet:{}:{}", host, socket.port);
  }
  const std::string& path = socket.path;
  std::string root = chroot;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (!root.empty() && root != "/" && path.size() > root.size() + 1 &&
      path.compare(0, root.size(), root) == 0 && path[root.size()] == '/') {
    return "unix:" + path.substr(root.size());  // what a chrooted smtpd sees
  }
  return "unix:" + path;
}

int run(const Config& config) {
  block_signals();  // before the first thread (spdlog's) starts
  g_log_to_stderr = config.log.sink == "stderr";
  if (auto st = observe::setup_logging({config.log.level, config.log.format, config.log.sink});
      !st) {
    return startup_error(st.error().message);
  }
  spdlog::info("pixelwarden starting (config {})", config.source);
  observe::Metrics metrics;
  ruleset::RulesetHolder holder;

  std::unique_ptr<ExpiryTimer> expiry;  // scheduled from every publish once running
  ReloadHooks hooks;
  hooks.loaded = [&metrics, &expiry](const ruleset::Ruleset& r) {
    metrics.ruleset_loaded(r);
    if (expiry) expiry->schedule(r.next_expiry_ms());
  };
  hooks.result = [&metrics](ReloadOutcome o) { metrics.reload_result(to_string(o)); };
  hooks.failed = [&metrics](std::string_view reason) { metrics.reload_failure(reason); };
  Reloader reloader(holder, config.rules.path, hooks);
  if (config.reload.require_tests) reloader.set_publish_check(failing_tests_as_errors);
  reloader.set_strict(config.reload.strict);
  if (reloader.reload("startup", true) != ReloadOutcome::success) {
    const auto errors = reloader.last_errors();
    std::string first =
        errors.empty() ? "cannot load rules from " + config.rules.path : errors.front().to_string();
    if (errors.size() > 1) first += fmt::format(" (and {} more errors)", errors.size() - 1);
    return startup_error("rules: " + first);
  }
  expiry = std::make_unique<ExpiryTimer>([&reloader, &metrics] {
    metrics.expiry_reload();
    reloader.reload("expiry", true, true, false);
  });
  expiry->schedule(holder.pin()->next_expiry_ms());

  auto pre = preflight(config);
  if (!pre) return startup_error(pre.error().message);

  SessionEnv env;
  env.holder = &holder;
  env.limits = config.limits;
  env.on_error = config.milter.on_error;
  env.refuse_at_data = config.milter.refuse_at_data;
  env.make_inspector = engine_inspector();
  env.metrics = &metrics;
  // Before the listeners: the descriptor limit decides how many connections fit.
  const std::size_t http_fds =
      config.metrics.listen.empty() ? 0 : static_cast<std::size_t>(config.metrics.threads);
  const std::size_t reserve = k_reserved_fds + http_fds;
  const FdBudget fds = fit_fd_limit(config.milter.max_connections, reserve);
  if (fds.lowered) {
    spdlog::warn("milter.max_connections lowered from {} to {}: the descriptor limit is {} "
                 "and {} are kept for the daemon itself (raise LimitNOFILE)",
                 config.milter.max_connections, fds.max_connections, fds.limit, reserve);
  }

  // The HTTP listener first: a busy metrics address fails before the milter socket exists.
  ReloadTriggers triggers(reloader, config.rules.watch, config.rules.poll_interval);
  std::unique_ptr<HttpServer> http;
  if (!config.metrics.listen.empty()) {
    HttpHandlers h;
    h.metrics = [&metrics] { return metrics.serialize(); };
    h.ready = [&holder] { return holder.ready(); };
    h.reload = [&triggers] { return http_reload(triggers); };
    h.reload_from_any_host = config.metrics.reload_from_any_host;
    auto s = HttpServer::start(config.metrics.listen, std::move(h),
                               {config.metrics.threads, config.metrics.request_timeout});
    if (!s) return startup_error(s.error().message);
    http = std::move(*s);
    const auto colon = config.metrics.listen.rfind(':');
    spdlog::info("metrics listening on {}:{}", config.metrics.listen.substr(0, colon),
                 http->port());
  }

  MilterOptions milter_options{config.milter.socket, config.milter.max_packet_bytes,
                               config.milter.idle_timeout};
  milter_options.socket_owner = pre->become ? pre->become->uid : static_cast<uid_t>(-1);
  milter_options.socket_group = pre->socket_group;
  milter_options.socket_mode = config.milter.socket_mode;
  if (auto st = milter_open(env, milter_options); !st) return startup_error(st.error().message);

  if (pre->become) {
    if (auto st = drop_privileges(*pre->become); !st) return startup_error(st.error().message);
    spdlog::info("running as user {} (uid {}, gid {})", pre->become->user, pre->become->uid,
                 pre->become->gid);
  } else if (::geteuid() == 0) {
    spdlog::warn("running as root (daemon.allow_root): mail is parsed with full privileges");
  }

  // Opened as the daemon's own user, so a reopen after rotation works the same way.
  std::unique_ptr<AuditLog> audit;
  if (config.audit.enabled()) {
    auto a = AuditLog::open(audit_settings(config.audit));
    if (!a) return startup_error(a.error().message);
    audit = std::move(*a);
    audit->set_error_handler([&metrics](const std::string& error, std::size_t lines) {
      spdlog::error("{} ({} audit line{} lost)", error, lines, lines == 1 ? "" : "s");
      for (std::size_t i = 0; i < lines; ++i) metrics.record_error(observe::ErrorKind::audit_log);
    });
  }
  env.audit = audit.get();
  ConnectionLimits limits{fds.max_connections, config.milter.handshake_timeout,
                          config.milter.idle_timeout};
  start_connection_guard(milter_listen_fd(), limits, fds.max_connections + reserve, &metrics);
  triggers.start();

  spdlog::info("milter listening on {} (on_error={}, max_message_bytes={}, refuse_at_data={}, "
               "max_connections={}, fd limit {})",
               config.milter.socket.to_string(), to_string(config.milter.on_error),
               config.limits.max_message_bytes, config.milter.refuse_at_data, fds.max_connections,
               fds.limit);
  print_postfix_hint(config);
  const pthread_t main_thread = pthread_self();
  std::atomic<bool> milter_exited{false};
  std::atomic<bool> clean{true};
  Drain drain(config.milter.drain_timeout);
  std::thread milter_thread([&] {
    clean = milter_main();
    milter_exited = true;
    pthread_kill(main_thread, SIGUSR1);  // wake the signal loop below
  });
  const bool wait_for_messages =
      serve_signals(env, config, triggers, audit.get(), milter_exited, drain);
  // The HTTP listener answered probes during the drain. Its shutdown takes civetweb's
  // master thread up to about a second to notice, libmilter's up to 2 s (milter_stop):
  // side by side, so the exit follows the drain within about 2 s, not the sum.
  std::thread http_stop([&http] { http.reset(); });
  if (!milter_exited) milter_stop();
  milter_thread.join();
  spdlog::info("stopping: milter socket closed");
  if (wait_for_messages) {
    // Callbacks still running, or every in-flight message if libmilter's own thread
    // took the signal: within what is left of the one drain_timeout (drain.hpp).
    env.draining = true;
    drain.wait(env.in_flight);
  }
  http_stop.join();
  triggers.stop();
  expiry.reset();
  stop_connection_guard();
  if (audit) {
    audit->flush();  // while its error handler can still log
    audit->set_error_handler(nullptr);
  }
  spdlog::info("pixelwarden stopped");
  observe::shutdown_logging();
  return clean ? 0 : 1;
}

}  // namespace pixelwarden::daemon
