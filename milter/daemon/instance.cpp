#include "daemon/instance.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/digest.hpp"

namespace pixelwarden::daemon {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string read_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

base::Result<InstanceLock> InstanceLock::acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return base::plain_error("cannot open lock file " + path + ": " + errno_text());
  // Written (truncated, then our pid) as root when root starts the daemon, in a directory
  // the daemon's user may own: a hard link planted there must not make root truncate
  // another file (O_NOFOLLOW covers symlinks only).
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    ::close(fd);
    return base::plain_error("lock file " + path +
                             " is not a regular file with a single link; refusing to use it");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string pid = read_pid(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return base::plain_error("another pixelwarden (pid " + pid +
                               ") is running with this milter socket (lock " + path +
                               " is held); refusing to start a second one");
    }
    return base::plain_error("cannot lock " + path + ": " + std::strerror(err));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    spdlog::warn("cannot write our pid into {}: {}", path, errno_text());
  }
  return InstanceLock(fd, path);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : m_fd(other.m_fd), m_path(std::move(other.m_path)) {
  other.m_fd = -1;
}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = other.m_fd;
    m_path = std::move(other.m_path);
    other.m_fd = -1;
  }
  return *this;
}

// The file stays: unlinking it would let a third process lock a fresh inode while a
// second one still waits on the old one. Closing releases the lock.
InstanceLock::~InstanceLock() {
  if (m_fd >= 0) ::close(m_fd);
}

std::optional<std::string> lock_path_for(const SocketSpec& socket, const std::string& runtime_dir) {
  if (!socket.is_unix() && socket.port == 0) return std::nullopt;  // ephemeral port
  if (!runtime_dir.empty()) {
    base::Sha256 h;
    h.update(socket.to_string());
    return runtime_dir + "/pixelwarden-" + h.hex_digest().substr(0, 16) + ".lock";
  }
  if (socket.is_unix()) return socket.path + ".lock";
  return std::nullopt;
}

std::string runtime_directory() {
  if (const char* d = std::getenv("RUNTIME_DIRECTORY"); d && *d) {
    std::string dir(d);
    return dir.substr(0, dir.find(':'));  // systemd lists several dirs separated by ':'
  }
  constexpr const char* k_run_dir = "/run/pixelwarden";
  if (::access(k_run_dir, W_OK | X_OK) == 0) return k_run_dir;
  if (::geteuid() == 0 && ::mkdir(k_run_dir, 0755) == 0) return k_run_dir;
  return {};
}

base::Status claim_unix_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::Ok{};
    return base::plain_error("cannot inspect milter socket path " + path + ": " + errno_text());
  }
  if (!S_ISSOCK(st.st_mode)) {
    return base::plain_error(path + " exists and is not a socket; refusing to replace it");
  }
  sockaddr_un sa{};
  if (path.size() >= sizeof sa.sun_path) return base::plain_error("socket path too long: " + path);
  sa.sun_family = AF_UNIX;
  std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return base::plain_error("socket(): " + errno_text());
  const int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  const int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN) {  // EAGAIN: alive, its backlog is full
    return base::plain_error("a milter is already listening on unix:" + path +
                             " (another pixelwarden?); refusing to replace its socket");
  }
  if (err != ECONNREFUSED) {
    return base::plain_error("cannot tell whether " + path + " is in use: " + std::strerror(err));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return base::plain_error("cannot remove stale socket " + path + ": " + errno_text());
  }
  spdlog::info("removed stale milter socket {}", path);
  return base::Ok{};
}

}  // namespace pixelwarden::daemon
