#pragma once
// AuditLog: one JSON line (engine::to_json) per message that any rule matched,
// appended to a file. Each line is written with a single write(2) on an O_APPEND
// descriptor, so concurrent mail threads never interleave within a line. reopen()
// (on SIGUSR1, after logrotate moved the file) swaps the descriptor with dup2(), which
// is atomic for concurrent writers: each line lands whole in the old or the new file.
// Non-goals: rotation itself, buffering, reading.

#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

class AuditLog {
 public:
  static base::Result<std::unique_ptr<AuditLog>> open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends the verdict JSON and a newline.
  base::Status write(const engine::Verdict& verdict);
  // Appends one already-serialized JSON line (a newline is added).
  base::Status write_line(std::string_view json);
  // Reopens the path (creating it), for log rotation.
  base::Status reopen();

  const std::string& path() const { return m_path; }

 private:
  AuditLog(std::string path, int fd) : m_path(std::move(path)), m_fd(fd) {}
  std::string m_path;
  int m_fd;
};

}  // namespace pixelwarden::daemon
