#pragma once
// daemon::run: the `pixelwarden run` daemon, in the foreground.
//
//   block signals ─▶ logging ─▶ metrics ─▶ first ruleset (else exit 1) ─▶ audit log
//   ─▶ fd limit (fits max_connections) ─▶ milter socket (fail fast) ─▶ connection guard
//   ─▶ HTTP listener ─▶ reload triggers + SIGUSR1 thread
//   ─▶ smfi_main ... SIGTERM/SIGHUP ─▶ drain in-flight messages (drain_timeout in total)
//   ─▶ stop threads ─▶ exit 0
//
// Startup errors print one clear line on stderr ("pixelwarden: error: ...") and return 1.

#include <string>

#include "daemon/config.hpp"
#include "daemon/signals.hpp"  // block_signals(), which the CLI calls first thing

namespace pixelwarden::daemon {

// Returns the process exit status.
int run(const Config& config);

// The Postfix main.cf line for a milter socket spec: "inet:8894@127.0.0.1" ->
// "inet:127.0.0.1:8894", "unix:/run/x.sock" -> "unix:/run/x.sock".
std::string postfix_milter_endpoint(const std::string& socket);

}  // namespace pixelwarden::daemon
