#include "daemon/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pixelwarden::daemon {
namespace {

int open_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

base::Error io_error(const std::string& what, const std::string& path) {
  return base::plain_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

base::Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path) {
  const int fd = open_append(path);
  if (fd < 0) return io_error("cannot open audit log", path);
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd));
}

AuditLog::~AuditLog() { ::close(m_fd); }

base::Status AuditLog::write(const engine::Verdict& verdict) {
  return write_line(engine::to_json(verdict));
}

base::Status AuditLog::write_line(std::string_view json) {
  std::string line;
  line.reserve(json.size() + 1);
  line.append(json);
  line.push_back('\n');
  // O_APPEND + one write(2): atomic positioning; a short write only on a full disk.
  const ssize_t n = ::write(m_fd, line.data(), line.size());
  if (n < 0 || static_cast<std::size_t>(n) != line.size()) {
    return io_error("cannot write audit log", m_path);
  }
  return base::Ok{};
}

base::Status AuditLog::reopen() {
  const int fd = open_append(m_path);
  if (fd < 0) return io_error("cannot reopen audit log", m_path);
  // dup2 swaps what m_fd refers to atomically; writers never see a closed descriptor.
  const int r = ::dup3(fd, m_fd, O_CLOEXEC);
  ::close(fd);
  if (r < 0) return io_error("cannot reopen audit log", m_path);
  return base::Ok{};
}

}  // namespace pixelwarden::daemon
