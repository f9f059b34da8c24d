#pragma once
// Start-up guards that keep a second `pixelwarden run` from breaking a live one. They run
// before the daemon changes anything (no socket bound or unlinked, no port taken):
//
//   InstanceLock      flock(2) on a lock file named after the milter socket: a second
//                     daemon for the same socket fails at once, naming the first's pid.
//                     The kernel drops the lock when the process dies, so a crash never
//                     leaves a stale lock behind.
//   claim_unix_socket a unix socket path that accepts a connection belongs to a live
//                     milter: refuse. Only a stale socket (connection refused) is
//                     unlinked; any other file in the way is an error.
//
// Non-goals: binding (milter.cpp, http_server.cpp).

#include <optional>
#include <string>

#include "base/result.hpp"
#include "daemon/socket_spec.hpp"

namespace pixelwarden::daemon {

class InstanceLock {
 public:
  // Takes the lock at `path` (created 0644) and writes our pid into it.
  static base::Result<InstanceLock> acquire(const std::string& path);
  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  const std::string& path() const { return m_path; }

 private:
  InstanceLock(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
  int m_fd = -1;
  std::string m_path;
};

// Where the lock for a milter socket lives: `runtime_dir`/pixelwarden-<hash>.lock (the
// hash of socket.to_string()), or, when runtime_dir is empty, beside a unix socket
// (<path>.lock). Nothing for an ephemeral inet port (port 0 never collides) or an inet
// socket without a runtime dir.
std::optional<std::string> lock_path_for(const SocketSpec& socket, const std::string& runtime_dir);

// The directory for lock files: $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=), else
// /run/pixelwarden when it exists or can be made; empty when neither is usable.
std::string runtime_directory();

// Makes `path` free for a new unix socket, or says why it must not be taken.
base::Status claim_unix_socket(const std::string& path);

}  // namespace pixelwarden::daemon
