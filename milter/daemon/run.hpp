#pragma once
// daemon::run: the `pixelwarden run` daemon, in the foreground.
//
//   block signals ─▶ logging ─▶ metrics ─▶ first ruleset (else exit 1)
//   ─▶ preflight: target user, instance lock, a live milter on the unix socket path
//      (refuse; only a stale socket is unlinked)
//   ─▶ fd limit (fits max_connections) ─▶ HTTP listener ─▶ milter socket (owner, group,
//      mode) ─▶ drop root ─▶ audit log ─▶ connection guard
//   ─▶ reload triggers + SIGUSR1 thread
//   ─▶ smfi_main ... SIGTERM/SIGHUP ─▶ drain in-flight messages (drain_timeout in total)
//   ─▶ stop threads ─▶ exit 0
//
// Startup errors print one clear line on stderr ("pixelwarden: error: ...") and return 1;
// everything that can fail before the milter socket is bound fails before it is, so a
// second instance or a busy port never disturbs a live daemon.

#include <string>

#include "daemon/config.hpp"
#include "daemon/signals.hpp"  // block_signals(), which the CLI calls first thing
#include "daemon/socket_spec.hpp"

namespace pixelwarden::daemon {

// Returns the process exit status.
int run(const Config& config);

// The Postfix main.cf line for a milter socket: inet:8894@127.0.0.1 ->
// "inet:127.0.0.1:8894", inet6:8894@[::1] -> "inet:[::1]:8894" (Postfix has no inet6:
// type), a daemon on every interface -> loopback, unix:/run/x.sock (or local:) ->
// "unix:/run/x.sock"; a unix socket below Postfix's chroot (Debian: /var/spool/postfix)
// is given relative to it.
std::string postfix_milter_endpoint(const SocketSpec& socket,
                                    const std::string& chroot = "/var/spool/postfix");

}  // namespace pixelwarden::daemon
