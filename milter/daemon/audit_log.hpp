#pragma once
// AuditLog: one audit line (daemon/audit_line.hpp) per decided message that a rule
// matched, and a configurable sample of the others, to one sink:
//   file    appended with a single write(2) on an O_APPEND descriptor, so concurrent
//           mail threads never interleave within a line. reopen() (SIGUSR1, after
//           logrotate moved the file) swaps the descriptor with dup3(), atomic for
//           concurrent writers: each line lands whole in the old or the new file. The
//           file is opened O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK and must be a regular file:
//           a symlink or FIFO planted at the path is refused, never followed.
//   syslog  one datagram per line (RFC 3164 header, the JSON as the message) to a unix
//           socket, /dev/log by default (journald's and rsyslog's); reopen()
//           reconnects, as does a send that finds the receiver restarted.
//   stdout  one write(2) per line to descriptor 1 (containers).
// Non-goals: rotation itself, buffering, reading.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "daemon/audit_line.hpp"
#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

enum class AuditSink { file, syslog, stdout_ };

struct AuditSettings {
  AuditSink sink = AuditSink::file;
  std::string path;                        // file sink
  std::string syslog_socket = "/dev/log";  // syslog sink
  int syslog_facility = 2;                 // LOG_MAIL >> 3
  double sample_rate = 0;                  // share of unmatched messages logged
  AuditLineOptions line;
};

class AuditLog {
 public:
  static base::Result<std::unique_ptr<AuditLog>> open(const AuditSettings& settings);
  // A file sink at path with default settings.
  static base::Result<std::unique_ptr<AuditLog>> open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Whether a message gets a line: always when a rule matched (flagged), else by the
  // sample rate (deterministic: exactly every 1/rate-th unmatched message).
  bool wants(bool flagged);
  // Formats and writes the verdict's line, stamped now. sampled: wants() said yes for
  // an unmatched message.
  base::Status write(const engine::Verdict& verdict, bool sampled = false);
  // Writes one already-serialized JSON line (a newline is added for file and stdout).
  base::Status write_line(std::string_view json);
  // Reopens the file (creating it) or reconnects the syslog socket.
  base::Status reopen();

  const AuditSettings& settings() const { return m_settings; }

 private:
  AuditLog(AuditSettings settings, int fd, std::string host);
  base::Status send_syslog(std::string_view json);

  AuditSettings m_settings;
  int m_fd;
  std::string m_host;
  std::string m_syslog_tag;        // "pixelwarden-audit[PID]: "
  std::string m_sample_rate_text;  // formatted once, not per line
  std::atomic<std::uint64_t> m_unflagged{0};
};

// Facility name (mail, daemon, user, local0..local7) -> facility number; -1 if unknown.
int syslog_facility(std::string_view name);

}  // namespace pixelwarden::daemon
