#pragma once
// The libmilter glue: registration, protocol negotiation, and one C callback per
// milter step, each translating into a Session call inside one try/catch (nothing
// unwinds through libmilter's C frames). This and milter.cpp are the only files that
// see libmilter; everything they decide is in Session and apply().
//
// Negotiation asks for CHGBODY|ADDHDRS|CHGHDRS|QUARANTINE|SETSYMLIST, byte-exact header
// values (HDR_LEADSPC), and no-reply for every step but end of message:
// connect/helo/mail/rcpt/header (always "continue"), end of headers and body (a
// header-stage refusal or a failure is answered at end of message; no SKIP, an
// oversized body is read and dropped). DATA is skipped (NODATA, or no-reply where the
// MTA cannot skip it) unless milter.refuse_at_data makes it answer. libmilter grants
// the no-reply bits for any MTA (it answers "continue" itself where the MTA lacks one).
// The macros of every stage are requested explicitly.
// Process-wide: libmilter keeps one filter per process.

#include <sys/types.h>

#include <chrono>
#include <cstddef>

#include "base/result.hpp"
#include "daemon/session.hpp"
#include "daemon/socket_spec.hpp"

namespace pixelwarden::daemon {

struct MilterOptions {
  SocketSpec socket;
  std::size_t max_packet_bytes = 262144;
  // libmilter's own timeout (smfi_settimeout): each wait for the MTA to take a reply, for
  // the rest of a packet (cut at k_packet_wait_ms by connection_guard.hpp when libmilter
  // runs a worker pool), and its reaper of sessions idle this long (which runs only
  // every 600 s). The connection guard enforces milter.idle_timeout precisely; this
  // keeps libmilter from cutting a session the guard still considers live.
  std::chrono::milliseconds idle_timeout{1'800'000};
  // A unix socket's owner, group and mode after the bind (-1: leave as created).
  uid_t socket_owner = static_cast<uid_t>(-1);
  gid_t socket_group = static_cast<gid_t>(-1);
  unsigned socket_mode = 0660;
};

// Registers the filter and binds the socket (fail fast: a socket in use is an error
// here, not later inside smfi_main). `env` must outlive milter_main().
base::Status milter_open(SessionEnv& env, const MilterOptions& options);

// The listening socket milter_open() bound (for the connection guard), or -1.
int milter_listen_fd();

// Runs libmilter until SIGTERM/SIGHUP or milter_stop(); true on a clean stop.
bool milter_main();

// Asks smfi_main to return (as SIGTERM would). libmilter closes the listening socket at
// once (and unlinks a unix socket), but smfi_main itself returns only when its listener
// next wakes, up to 5 s later (MI_CHK_TIME).
void milter_stop();

}  // namespace pixelwarden::daemon
