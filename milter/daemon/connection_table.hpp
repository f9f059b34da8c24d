#pragma once
// ConnectionTable: every milter connection the daemon accepted and has not closed yet,
// indexed by its socket descriptor, with what the limits need to know about it: when it
// was accepted, whether the MTA finished the option negotiation, when a milter command
// last ran for it, and whether one is running now. Decides admission (the connection
// cap, and which silent connection makes room at it) and expiry (handshake and idle
// timeouts); the glue (connection_guard.hpp) enforces both on the sockets.
//
// Identity: a descriptor number is reused as soon as libmilter closes it, so every entry
// also holds the socket's inode; admitting a descriptor that is still in the table
// means the old connection is gone (its close went unseen) and replaces it.
//
// Threads: admit/closed/expired/forget take the table lock (once per connection, and
// the guard's tick); begin/end run on every milter callback and touch only the entry's
// atomics. Times are steady-clock nanoseconds, passed in (tests drive the clock).
// Non-goals: sockets, logging, metrics.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace pixelwarden::daemon {

struct ConnectionLimits {
  std::size_t max_connections = 4096;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds idle_timeout{1'800'000};
};

enum class ExpiryReason { handshake_timeout, idle_timeout, evicted };

const char* to_string(ExpiryReason r);

struct Expired {
  int fd;
  std::uint64_t inode;
  ExpiryReason reason;
};

class ConnectionTable {
 public:
  using Nanos = std::int64_t;

  // `max_fd`: descriptors at or above it are never tracked (the process's fd limit).
  ConnectionTable(ConnectionLimits limits, int max_fd);

  // Connections shut down (reported by expired() or evicted) no longer count against
  // max_connections, though they hold their descriptor until libmilter closes it
  // (milliseconds); at most this many more than max_connections are ever open.
  static constexpr std::size_t k_overshoot = 128;
  // At the limit, a connection that has not negotiated for this long gives its place
  // to a new one: an MTA negotiates within milliseconds of connecting.
  static constexpr std::chrono::milliseconds k_evict_after{1000};

  struct Admission {
    bool admitted = false;
    std::optional<Expired> evicted;  // to shut down: the new connection took its place
  };
  // A connection was accepted on `fd`. Admitted while fewer than max_connections count;
  // at the limit, admitted in the place of the oldest connection that has not
  // negotiated after k_evict_after (a silent or stalled one), if any; else refused.
  // `negotiated`: the connection is an MTA session already past its option negotiation
  // (one that goes on after its close callback, SMFIC_QUIT_NC): no handshake timeout.
  Admission admit(int fd, std::uint64_t inode, Nanos now, bool negotiated = false);

  // A milter command starts / ends for the connection on `fd`. `negotiated`: the
  // command is the option negotiation. False when `fd` is not a tracked connection.
  bool begin(int fd, Nanos now, bool negotiated = false);
  void end(int fd, Nanos now);

  // The connection on `fd` closed (its close callback ran): it no longer counts.
  void closed(int fd);
  // Drops the entry for `fd` if it still holds `inode` (the guard found the socket gone).
  void forget(int fd, std::uint64_t inode);

  // Connections past their handshake or idle timeout that were not reported before
  // (each is reported once; it stays counted until closed() or forget()).
  std::vector<Expired> expired(Nanos now);
  // Stops reporting expiries and evicting (the cap stays): for when callbacks cannot be
  // matched to their connections, so "never negotiated" and "idle" cannot be known.
  void stop_expiry() { m_expiry_stopped = true; }

  // Every tracked (fd, inode), for the guard's check that the sockets still exist.
  std::vector<std::pair<int, std::uint64_t>> tracked();

  // Whether a connection on `fd` can be tracked at all (below the table's max_fd).
  bool covers(int fd) const { return fd >= 0 && fd < m_size; }
  // Whether `fd` is a tracked connection now (lock-free: one atomic load).
  bool tracks(int fd) const {
    return covers(fd) &&
           m_entries[static_cast<std::size_t>(fd)].inode.load(std::memory_order_relaxed) != 0;
  }

  // Connections tracked (open descriptors), and those that count against the limit.
  std::size_t open() const;
  std::size_t counted() const;
  const ConnectionLimits& limits() const { return m_limits; }

 private:
  struct Entry {
    std::atomic<std::uint64_t> inode{0};  // 0: free
    std::atomic<Nanos> accepted{0};
    std::atomic<Nanos> last_activity{0};
    std::atomic<int> busy{0};
    std::atomic<bool> negotiated{false};
    std::atomic<bool> reported{false};
  };

  Entry* entry(int fd);
  void release(Entry& e);                   // with m_mutex held
  void mark_shut_down(Entry& e);            // with m_mutex held
  std::optional<Expired> evict(Nanos now);  // with m_mutex held

  ConnectionLimits m_limits;
  std::unique_ptr<Entry[]> m_entries;
  int m_size;
  mutable std::mutex m_mutex;
  std::size_t m_open = 0;
  std::size_t m_shut_down = 0;  // open, but shut down (reported or evicted)
  std::atomic<bool> m_expiry_stopped{false};
  int m_high = 0;  // one past the highest fd ever admitted (bounds the scans)
};

}  // namespace pixelwarden::daemon
