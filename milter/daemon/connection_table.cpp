#include "daemon/connection_table.hpp"

namespace pixelwarden::daemon {

const char* to_string(ExpiryReason r) {
  switch (r) {
    case ExpiryReason::handshake_timeout:
      return "handshake_timeout";
    case ExpiryReason::idle_timeout:
      return "idle_timeout";
    case ExpiryReason::evicted:
      break;
  }
  return "evicted";
}

ConnectionTable::ConnectionTable(ConnectionLimits limits, int max_fd)
    : m_limits(limits), m_entries(new Entry[static_cast<std::size_t>(max_fd > 0 ? max_fd : 1)]),
      m_size(max_fd > 0 ? max_fd : 1) {}

ConnectionTable::Entry* ConnectionTable::entry(int fd) {
  return fd >= 0 && fd < m_size ? &m_entries[static_cast<std::size_t>(fd)] : nullptr;
}

void ConnectionTable::release(Entry& e) {
  if (e.inode.exchange(0) == 0) return;
  --m_open;
  if (e.reported.load()) --m_shut_down;
}

void ConnectionTable::mark_shut_down(Entry& e) {
  e.reported = true;
  ++m_shut_down;
}

std::optional<Expired> ConnectionTable::evict(Nanos now) {
  if (m_expiry_stopped) return std::nullopt;
  const Nanos min_age = std::chrono::nanoseconds(k_evict_after).count();
  int victim = -1;
  Nanos oldest = now - min_age + 1;
  for (int fd = 0; fd < m_high; ++fd) {
    Entry& e = m_entries[static_cast<std::size_t>(fd)];
    if (e.inode.load() == 0 || e.reported.load() || e.negotiated.load()) continue;
    if (e.accepted.load() < oldest) {
      oldest = e.accepted.load();
      victim = fd;
    }
  }
  if (victim < 0) return std::nullopt;
  Entry& e = m_entries[static_cast<std::size_t>(victim)];
  mark_shut_down(e);
  return Expired{victim, e.inode.load(), ExpiryReason::evicted};
}

ConnectionTable::Admission ConnectionTable::admit(int fd, std::uint64_t inode, Nanos now,
                                                  bool negotiated) {
  Admission a;
  Entry* e = entry(fd);
  if (!e) return a;
  std::lock_guard lock(m_mutex);
  release(*e);  // a descriptor still in the table: its old connection is gone
  if (m_open >= m_limits.max_connections + k_overshoot) return a;
  if (m_open - m_shut_down >= m_limits.max_connections) {
    a.evicted = evict(now);
    if (!a.evicted) return a;
  }
  a.admitted = true;
  e->accepted = now;
  e->last_activity = now;
  e->busy = 0;
  e->negotiated = negotiated;
  e->reported = false;
  e->inode = inode;
  ++m_open;
  if (fd + 1 > m_high) m_high = fd + 1;
  return a;
}

bool ConnectionTable::begin(int fd, Nanos now, bool negotiated) {
  Entry* e = entry(fd);
  if (!e || e->inode.load(std::memory_order_acquire) == 0) return false;
  e->busy.fetch_add(1, std::memory_order_relaxed);
  e->last_activity.store(now, std::memory_order_relaxed);
  if (negotiated) e->negotiated.store(true, std::memory_order_relaxed);
  return true;
}

void ConnectionTable::end(int fd, Nanos now) {
  Entry* e = entry(fd);
  if (!e || e->inode.load(std::memory_order_acquire) == 0) return;
  e->last_activity.store(now, std::memory_order_relaxed);
  if (e->busy.fetch_sub(1, std::memory_order_relaxed) <= 0) e->busy.store(0);
}

void ConnectionTable::closed(int fd) {
  Entry* e = entry(fd);
  if (!e) return;
  std::lock_guard lock(m_mutex);
  release(*e);
}

void ConnectionTable::forget(int fd, std::uint64_t inode) {
  Entry* e = entry(fd);
  if (!e) return;
  std::lock_guard lock(m_mutex);
  if (e->inode.load() == inode) release(*e);
}

std::vector<Expired> ConnectionTable::expired(Nanos now) {
  const Nanos handshake = std::chrono::nanoseconds(m_limits.handshake_timeout).count();
  const Nanos idle = std::chrono::nanoseconds(m_limits.idle_timeout).count();
  std::vector<Expired> out;
  if (m_expiry_stopped) return out;
  std::lock_guard lock(m_mutex);
  for (int fd = 0; fd < m_high; ++fd) {
    Entry& e = m_entries[static_cast<std::size_t>(fd)];
    const std::uint64_t inode = e.inode.load();
    if (inode == 0 || e.reported.load()) continue;
    if (!e.negotiated.load()) {
      // The MTA negotiates first thing after connecting; a connection that has not is
      // not an MTA (or one stalled inside its first packet, holding a worker thread).
      if (now - e.accepted.load() >= handshake) {
        mark_shut_down(e);
        out.push_back({fd, inode, ExpiryReason::handshake_timeout});
      }
    } else if (e.busy.load() == 0 && now - e.last_activity.load() >= idle) {
      mark_shut_down(e);
      out.push_back({fd, inode, ExpiryReason::idle_timeout});
    }
  }
  return out;
}

std::vector<std::pair<int, std::uint64_t>> ConnectionTable::tracked() {
  std::vector<std::pair<int, std::uint64_t>> out;
  std::lock_guard lock(m_mutex);
  for (int fd = 0; fd < m_high; ++fd) {
    const std::uint64_t inode = m_entries[static_cast<std::size_t>(fd)].inode.load();
    if (inode != 0) out.emplace_back(fd, inode);
  }
  return out;
}

std::size_t ConnectionTable::open() const {
  std::lock_guard lock(m_mutex);
  return m_open;
}

std::size_t ConnectionTable::counted() const {
  std::lock_guard lock(m_mutex);
  return m_open - m_shut_down;
}

}  // namespace pixelwarden::daemon
