#pragma once
// The milter connection limits on the real sockets (the decisions are ConnectionTable's).
//
// libmilter owns its listening socket and its accept loop and offers no connection cap,
// no handshake timeout and only a coarse idle timeout (smfi_settimeout bounds each wait
// for the rest of a packet, and a reaper that runs every 600 s closes sessions idle
// longer than it). Unbounded, idle connections exhaust the descriptors (then libmilter's
// listener spins on EMFILE, and a reload cannot open its files) and every connection
// stalled inside a packet holds a worker thread. So:
//
//   accept(2)      this file defines accept() for the process. The dynamic linker
//                  resolves libmilter's (and civetweb's) calls to the executable's
//                  definition first; it forwards to accept4() and, for the milter's
//                  listening socket only, admits the connection into the table. At the
//                  limit it shuts down the oldest connection that has not negotiated
//                  (silent, so not an MTA) to make room, or, when every place is taken
//                  by a negotiated session, closes the new connection at once: the MTA
//                  sees it drop and applies milter_default_action (tempfail), never a
//                  hang. On EMFILE it frees a spare descriptor, accepts and closes, so
//                  libmilter's listener does not spin.
//   callbacks      every milter callback marks its connection busy, then active
//                  (command_begin/command_end, from milter.cpp).
//   poll(2)        this file defines poll() for the process too. libmilter as Debian
//                  builds it (_FFR_WORKERS_POOL) hands a session to a pool worker when
//                  its socket turns readable; the worker then waits for the rest of the
//                  packet with poll(fd, 1, smfi_settimeout), holding its thread. Its
//                  wake-ups can go astray: a session queued while the one idle worker
//                  is already signalled waits until some worker is free, or for the
//                  pool's 10 s timed wait. A peer stalled inside a packet would turn
//                  that into a 10 s stall of the next MTA session (measured: a client
//                  negotiating behind 300 such peers waited > 10 s in one run of two).
//                  So, for a tracked connection, a worker's wait for more of a packet
//                  is cut at k_packet_wait_ms (1 s; an MTA writes a packet at once): the
//                  read times out, libmilter ends the session, and it is counted as
//                  shut down (reason packet_timeout). Waits with no libmilter pool, for
//                  writing, or on any other descriptor pass unchanged.
//   guard thread   every 200 ms shuts down the connections past their handshake or
//                  idle timeout: shutdown(2) on a dup of the descriptor whose inode is
//                  checked first, never close(), since libmilter owns the descriptor.
//                  libmilter then reads end of file, runs the close callback and closes
//                  it itself. It also logs and counts refusals, and drops table entries
//                  whose socket is gone.
//
// Process-wide like libmilter; the guard is never freed (libmilter's detached workers
// may still run callbacks after smfi_main returned), only stopped.

#include <cstddef>
#include <cstdint>

#include "daemon/connection_table.hpp"

namespace pixelwarden::observe {
class Metrics;
}

namespace pixelwarden::daemon {

// Descriptors the daemon keeps for itself beyond the milter connections: ruleset files
// during a reload, inotify, the audit log, logging, HTTP connections (the caller adds
// its HTTP threads to this).
inline constexpr std::size_t k_reserved_fds = 256;

struct FdBudget {
  std::size_t limit = 0;            // RLIMIT_NOFILE (soft) after raising it
  std::size_t max_connections = 0;  // what fits: min(wanted, limit - reserve)
  bool lowered = false;             // max_connections had to be lowered
};

// Raises the soft RLIMIT_NOFILE towards max_connections + reserve (up to the hard
// limit) and says how many milter connections fit beside the reserve.
FdBudget fit_fd_limit(std::size_t max_connections, std::size_t reserve);

// Starts the guard on the milter's listening socket. `fds`: the descriptors the
// process expects to hold at most (max_connections + reserve); the table covers a
// little more, and a connection on a descriptor beyond it is refused. `metrics` may be
// null.
void start_connection_guard(int listen_fd, const ConnectionLimits& limits, std::size_t fds,
                            observe::Metrics* metrics);
// How long a libmilter pool worker waits for more of a packet it began to read.
inline constexpr int k_packet_wait_ms = 1000;

// Stops the guard thread; accept() and poll() pass everything through again.
void stop_connection_guard();

// Whether `fd` is a connection accepted on `listen_fd`: a socket that does not listen
// and whose local address is the listener's (its port, or its unix path). A callback's
// socket the table does not know is either a connection that went on after its close
// callback (SMFIC_QUIT_NC), tracked again, or a sign that the context layout differs.
bool accepted_on(int fd, int listen_fd);

// From the milter callbacks: a command starts / ends on the connection whose socket is
// `fd` (negotiation: the option negotiation), and its close callback ran.
void command_begin(int fd, bool negotiation);
void command_end(int fd);
void connection_closed(int fd);

}  // namespace pixelwarden::daemon
