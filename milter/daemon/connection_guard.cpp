#include "daemon/connection_guard.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "observe/metrics.hpp"

namespace pixelwarden::daemon {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto k_tick = std::chrono::milliseconds(200);
constexpr auto k_sweep_every = std::chrono::seconds(2);  // table vs. live sockets
constexpr auto k_refusal_log_every = std::chrono::seconds(10);
constexpr std::size_t k_table_slack = 1024;

ConnectionTable::Nanos now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::uint64_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

struct Guard {
  Guard(int fd, const ConnectionLimits& limits, int max_fd, observe::Metrics* m)
      : listen_fd(fd), table(limits, max_fd), metrics(m) {}

  const int listen_fd;
  ConnectionTable table;
  observe::Metrics* const metrics;
  std::atomic<int> spare_fd{-1};
  std::atomic<std::uint64_t> refused_limit{0};  // since the last refusal log line
  std::atomic<std::uint64_t> refused_fd_limit{0};
  std::atomic<std::uint64_t> evicted{0};  // since the last refusal log line
  std::atomic<bool> unmatched_logged{false};
  // libmilter runs its sessions on a worker pool (see poll() below).
  bool worker_pool = false;
  std::atomic<std::uint64_t> packet_timeouts{0};  // since the last log line

  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

// Written once by start_connection_guard, before smfi_main starts libmilter's threads.
std::atomic<Guard*> g_guard{nullptr};

enum class Refusal { limit, fd_limit };

void count_refusal(Guard& g, Refusal why) {
  const bool limit = why == Refusal::limit;
  (limit ? g.refused_limit : g.refused_fd_limit).fetch_add(1);
  if (g.metrics) g.metrics->milter_connection_refused(limit ? "limit" : "fd_limit");
}

// The process is out of descriptors: without a free one accept() cannot take the
// connection off the queue, and libmilter's listener would poll, fail and retry at full
// speed. Free the spare, take the connection, drop it, and keep a spare again.
void shed_one(Guard& g, int listen_fd) {
  const int spare = g.spare_fd.exchange(-1);
  if (spare >= 0) ::close(spare);
  const int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (c >= 0) ::close(c);
  g.spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  count_refusal(g, Refusal::fd_limit);
}

// Closes nothing: shuts the socket down so its reader (libmilter) sees end of file and
// closes the descriptor itself. The dup pins the socket that `fd` names right now, so a
// descriptor closed and reused since the table looked is never touched.
bool shut_down(int fd, std::uint64_t inode) {
  const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return false;
  const bool same = inode_of(dup) == inode;
  if (same) ::shutdown(dup, SHUT_RDWR);
  ::close(dup);
  return same;
}

// Shuts down the connection an admission evicted, if any (see ConnectionTable::admit).
void shut_down_evicted(Guard& g, const ConnectionTable::Admission& a) {
  if (a.evicted && shut_down(a.evicted->fd, a.evicted->inode)) {
    g.evicted.fetch_add(1);
    if (g.metrics) g.metrics->milter_connection_expired(to_string(ExpiryReason::evicted));
  }
}

void enforce_timeouts(Guard& g) {
  const auto expired = g.table.expired(now_ns());
  std::size_t counts[2] = {0, 0};
  for (const Expired& e : expired) {
    if (!shut_down(e.fd, e.inode)) {
      g.table.forget(e.fd, e.inode);  // already gone
      continue;
    }
    ++counts[e.reason == ExpiryReason::handshake_timeout ? 0 : 1];
    if (g.metrics) g.metrics->milter_connection_expired(to_string(e.reason));
  }
  const auto& l = g.table.limits();
  if (const std::uint64_t cut = g.packet_timeouts.exchange(0); cut > 0) {
    spdlog::warn("closed {} milter connection(s) that stopped inside a packet for {} ms", cut,
                 k_packet_wait_ms);
  }
  if (counts[0] > 0) {
    spdlog::warn("closed {} milter connection(s) that did not negotiate within {} ms "
                 "(milter.handshake_timeout)",
                 counts[0], l.handshake_timeout.count());
  }
  if (counts[1] > 0) {
    spdlog::info("closed {} milter connection(s) idle for {} ms (milter.idle_timeout)", counts[1],
                 l.idle_timeout.count());
  }
}

// A connection whose close callback never reached the table (a session libmilter ended
// without one) would count against the cap forever: drop entries whose socket is gone.
void sweep(Guard& g) {
  for (const auto& [fd, inode] : g.table.tracked()) {
    if (inode_of(fd) != inode) g.table.forget(fd, inode);
  }
}

void log_refusals(Guard& g, Clock::time_point& last) {
  const auto now = Clock::now();
  if (now - last < k_refusal_log_every) return;
  const std::uint64_t limit = g.refused_limit.exchange(0);
  const std::uint64_t fds = g.refused_fd_limit.exchange(0);
  const std::uint64_t evicted = g.evicted.exchange(0);
  if (limit > 0 || evicted > 0) {
    spdlog::warn("milter connection limit reached: {} open (milter.max_connections {}); "
                 "{} silent connection(s) shut down to admit new ones, {} refused (the MTA "
                 "tempfails their mail)",
                 g.table.counted(), g.table.limits().max_connections, evicted, limit);
  }
  if (fds > 0) {
    spdlog::error("out of file descriptors: refused {} milter connection(s); raise "
                  "LimitNOFILE or lower milter.max_connections",
                  fds);
  }
  if (limit > 0 || fds > 0 || evicted > 0) last = now;
}

void run_guard(Guard& g) {
  auto last_sweep = Clock::now();
  auto last_refusal_log = Clock::now() - k_refusal_log_every;
  std::unique_lock lock(g.mutex);
  while (!g.stopping) {
    g.wake.wait_for(lock, k_tick);
    if (g.stopping) break;
    lock.unlock();
    enforce_timeouts(g);
    if (Clock::now() - last_sweep >= k_sweep_every) {
      sweep(g);
      last_sweep = Clock::now();
    }
    log_refusals(g, last_refusal_log);
    if (g.metrics) g.metrics->milter_sockets(g.table.counted(), g.table.limits().max_connections);
    lock.lock();
  }
}

}  // namespace

bool accepted_on(int fd, int listen_fd) {
  if (fd < 0 || fd == listen_fd) return false;
  int listening = 1;
  socklen_t len = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || listening != 0) {
    return false;
  }
  sockaddr_storage a{}, l{};
  socklen_t alen = sizeof a, llen = sizeof l;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &alen) != 0 ||
      ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&l), &llen) != 0 ||
      a.ss_family != l.ss_family) {
    return false;
  }
  switch (a.ss_family) {
    case AF_INET:
      return reinterpret_cast<sockaddr_in&>(a).sin_port ==
             reinterpret_cast<sockaddr_in&>(l).sin_port;
    case AF_INET6:
      return reinterpret_cast<sockaddr_in6&>(a).sin6_port ==
             reinterpret_cast<sockaddr_in6&>(l).sin6_port;
    case AF_UNIX:
      return alen == llen && std::memcmp(&a, &l, alen) == 0;
    default:
      return false;
  }
}

FdBudget fit_fd_limit(std::size_t max_connections, std::size_t reserve) {
  rlimit rl{};
  FdBudget b;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return {0, max_connections, false};
  const rlim_t wanted = static_cast<rlim_t>(max_connections + reserve);
  if (rl.rlim_cur < wanted && rl.rlim_cur != RLIM_INFINITY) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, rl.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  b.limit = rl.rlim_cur == RLIM_INFINITY ? wanted : static_cast<std::size_t>(rl.rlim_cur);
  const std::size_t fits = b.limit > reserve ? b.limit - reserve : 1;
  b.max_connections = std::min(max_connections, std::max<std::size_t>(fits, 1));
  b.lowered = b.max_connections < max_connections;
  return b;
}

void start_connection_guard(int listen_fd, const ConnectionLimits& limits, std::size_t fds,
                            observe::Metrics* metrics) {
  // Descriptors are allocated lowest first, so with at most `fds` open every connection
  // gets one below it; the slack covers descriptors the guard does not count. Sized by
  // the budget, not the limit: a soft limit of a million would cost 48 MB of entries.
  rlimit rl{};
  std::size_t max_fd = fds + k_table_slack;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    max_fd = std::min<std::size_t>(max_fd, rl.rlim_cur);
  }
  auto* g = new Guard(listen_fd, limits, static_cast<int>(max_fd), metrics);  // never freed
  // mi_start_session exists only in a libmilter built with _FFR_WORKERS_POOL (Debian's).
  // Without the pool, a session's wait for its next command is also a poll() on its
  // socket, which must never be cut short.
  g->worker_pool = ::dlsym(RTLD_DEFAULT, "mi_start_session") != nullptr;
  g->spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (metrics) metrics->milter_sockets(0, limits.max_connections);
  g->thread = std::thread([g] { run_guard(*g); });
  g_guard.store(g, std::memory_order_release);
}

void stop_connection_guard() {
  Guard* g = g_guard.exchange(nullptr);
  if (!g) return;
  {
    std::lock_guard lock(g->mutex);
    g->stopping = true;
  }
  g->wake.notify_all();
  if (g->thread.joinable()) g->thread.join();
}

// Every callback's socket is one the guard accepted, unless the socket read from the
// SMFICTX is not its socket (a libmilter whose context layout differs). Then no
// connection can be known to have negotiated or to be idle, and the timeouts and the
// eviction would cut real MTA sessions: stop them, keep the cap.
void command_begin(int fd, bool negotiation) {
  Guard* g = g_guard.load(std::memory_order_acquire);
  if (!g) return;
  const ConnectionTable::Nanos now = now_ns();
  if (g->table.begin(fd, now, negotiation)) return;
  // SMFIC_QUIT_NC ends a session, runs its close callback (which untracked it) and goes
  // on with the next one on the same connection, without a new negotiation. Any client
  // of the milter socket can send it: track that connection again, as negotiated, rather
  // than take it for a context layout mismatch and turn the timeouts off for everyone.
  if (accepted_on(fd, g->listen_fd)) {
    const ConnectionTable::Admission a = g->table.admit(fd, inode_of(fd), now, true);
    shut_down_evicted(*g, a);
    if (a.admitted) g->table.begin(fd, now, negotiation);
    return;  // not admitted (at the cap): untracked, like a refused connection
  }
  if (!g->unmatched_logged.exchange(true)) {
    g->table.stop_expiry();
    spdlog::error("a milter callback's socket ({}) is not a connection the daemon accepted; "
                  "milter.handshake_timeout and milter.idle_timeout are off (libmilter's "
                  "context layout is not the expected one)",
                  fd);
  }
}

void command_end(int fd) {
  if (Guard* g = g_guard.load(std::memory_order_acquire)) g->table.end(fd, now_ns());
}

void connection_closed(int fd) {
  if (Guard* g = g_guard.load(std::memory_order_acquire)) g->table.closed(fd);
}

}  // namespace pixelwarden::daemon

// accept(2) for the whole process (see connection_guard.hpp). Connections on any socket
// but the milter's listener pass through unchanged.
extern "C" int accept(int fd, sockaddr* __restrict addr, socklen_t* __restrict len) {
  using namespace pixelwarden::daemon;
  Guard* g = g_guard.load(std::memory_order_acquire);
  const int c = ::accept4(fd, addr, len, 0);
  if (!g || fd != g->listen_fd) return c;
  if (c < 0) {
    if (errno == EMFILE || errno == ENFILE) {
      shed_one(*g, fd);
      errno = ECONNABORTED;  // libmilter's listener retries quietly
    }
    return -1;
  }
  const ConnectionTable::Admission a = g->table.admit(c, inode_of(c), now_ns());
  shut_down_evicted(*g, a);
  if (a.admitted) return c;
  ::close(c);  // the MTA sees its connection drop: milter_default_action
  // A descriptor beyond the table means more are open than the budget planned for.
  count_refusal(*g, g->table.covers(c) ? Refusal::limit : Refusal::fd_limit);
  errno = ECONNABORTED;
  return -1;
}

// poll(2) for the whole process (see connection_guard.hpp): a libmilter pool worker's wait
// for more of a packet on a milter connection is cut at k_packet_wait_ms.
extern "C" int poll(pollfd* fds, nfds_t n, int timeout_ms) {
  using namespace pixelwarden::daemon;
  using PollFn = int (*)(pollfd*, nfds_t, int);
  static const auto real_poll = reinterpret_cast<PollFn>(::dlsym(RTLD_NEXT, "poll"));
  Guard* g = g_guard.load(std::memory_order_acquire);
  if (!g || !g->worker_pool || n != 1 || (timeout_ms >= 0 && timeout_ms <= k_packet_wait_ms) ||
      (fds[0].events & POLLIN) == 0 || (fds[0].events & POLLOUT) != 0 ||
      !g->table.tracks(fds[0].fd)) {
    return real_poll(fds, n, timeout_ms);
  }
  const int r = real_poll(fds, n, k_packet_wait_ms);
  if (r == 0) {  // libmilter reads a timeout and ends the session
    g->packet_timeouts.fetch_add(1, std::memory_order_relaxed);
    if (g->metrics) g->metrics->milter_connection_expired("packet_timeout");
  }
  return r;
}
