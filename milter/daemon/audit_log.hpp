#pragma once
// AuditLog: one audit line (daemon/audit_line.hpp) per decided message that a rule
// matched, and a configurable sample of the others, to one sink:
//   file    appended on an O_APPEND descriptor by the log's writer thread. A mail thread
//           stamps the verdict with the time, packs what the line reads of it into the
//           queue (audit_record.hpp: one copy into one buffer, no system call, no
//           formatting) and frees the verdict itself; the writer formats what arrives
//           within k_audit_gather and writes it with one write(2), so lines never
//           interleave and a burst costs one write, not one per message. (Formatting a
//           line on a mail thread, between two messages' inspection, cost about four
//           times as much as formatting a batch in a row: the code and the buffers are
//           cold. Handed the verdict itself, the writer freed it into the mail thread's
//           malloc arena: in a profile, its largest cost.)
//           While mail flows the writer wakes on its own every k_audit_gather; a mail
//           thread wakes it only after a quiet interval put it to sleep. A slow
//           disk never blocks a mail thread until k_audit_max_queued bytes wait; then
//           the mail threads wait for room (nothing is dropped). Lines not yet written
//           when the process is killed (SIGKILL, a crash) are lost: at most the last
//           k_audit_gather of decisions. flush() and the destructor write everything.
//           reopen() (SIGUSR1, after logrotate moved the file) flushes, then swaps the
//           descriptor with dup3(): each line lands whole in the old or the new file.
//           The file is opened O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK and must be a regular
//           file: a symlink or FIFO planted at the path is refused, never followed.
//   syslog  one datagram per line (RFC 3164 header, the JSON as the message) to a unix
//           socket, /dev/log by default (journald's and rsyslog's), sent by the mail
//           thread without blocking; reopen() reconnects, as does a send that finds the
//           receiver restarted.
//   stdout  as file, to a duplicate of descriptor 1 (containers).
// Lines the writer cannot write (disk full) are reported to the error handler.
// Non-goals: rotation itself, reading.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "base/result.hpp"
#include "daemon/audit_line.hpp"
#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

// How long the writer gathers lines before one write; and how much may wait for it.
inline constexpr std::chrono::milliseconds k_audit_gather{5};
inline constexpr std::size_t k_audit_batch_bytes = 256 * 1024;       // written at once when reached
inline constexpr std::size_t k_audit_max_queued = 16 * 1024 * 1024;  // then mail threads wait

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
  // The verdict's line, stamped now: formatted and sent (syslog), or packed into the
  // queue for the writer to format and write (file, stdout). sampled: wants() said yes
  // for an unmatched message. An error is a line the syslog sink could not send; a
  // queued line's fate goes to the error handler.
  base::Status write(const engine::Verdict& verdict, bool sampled = false);
  // One already-serialized JSON line (a newline is added for file and stdout).
  base::Status write_line(std::string_view json);
  // Returns once every line queued before the call is written (or reported lost).
  void flush();
  // Flushes, then reopens the file (creating it) or reconnects the syslog socket.
  base::Status reopen();
  // Called on the writer thread with the error and the number of lines it cost. Set it
  // before the first line; nullptr: errors are only counted in lost_lines().
  using ErrorHandler = std::function<void(const std::string& error, std::size_t lines)>;
  void set_error_handler(ErrorHandler handler);
  // Lines the writer could not write since open.
  std::uint64_t lost_lines() const { return m_lost.load(std::memory_order_relaxed); }

  const AuditSettings& settings() const { return m_settings; }

 private:
  AuditLog(AuditSettings settings, int fd, std::string host);
  // What waits for the writer, in m_queued: per line an ItemHeader, then the verdict's
  // record (encode_audit_record) or, for a line given as JSON, its length and bytes.
  struct ItemHeader {
    std::int64_t unix_ms = 0;
    std::uint64_t flags = 0;  // k_item_sampled, k_item_json
  };
  static constexpr std::uint64_t k_item_sampled = 1;
  static constexpr std::uint64_t k_item_json = 2;
  AuditLineContext context(std::int64_t unix_ms, bool sampled) const;
  base::Status send_syslog(std::string_view json);
  // Appends one item (already packed by the caller) to the queue.
  base::Status queue(std::string_view item);
  void writer_loop();
  // Formats the items' lines into text; the number of lines that could not be.
  // decoded: the verdict each record is decoded into, reused from line to line.
  std::size_t format_batch(std::string_view items, engine::Verdict& decoded, std::string& text,
                           std::string& error);
  // Writes the batch (whole, retrying short writes); the lines it could not write.
  std::size_t write_batch(std::string_view batch, std::string& error);

  AuditSettings m_settings;
  int m_fd;
  std::string m_host;
  std::string m_syslog_tag;        // "pixelwarden-audit[PID]: "
  std::string m_sample_rate_text;  // formatted once, not per line
  std::atomic<std::uint64_t> m_unflagged{0};
  std::atomic<std::uint64_t> m_lost{0};

  // The writer's queue (file and stdout sinks), under m_mutex.
  std::mutex m_mutex;
  std::condition_variable m_wake;  // the writer: lines queued, a flush, the end
  std::condition_variable m_done;  // mail threads: room in the queue, a flush done
  std::string m_queued;            // items, back to back
  std::uint64_t m_appended = 0;    // lines queued since open
  std::uint64_t m_written = 0;     // of those, written or reported lost
  bool m_flush_wanted = false;
  bool m_stopping = false;
  bool m_writer_idle = false;  // the writer waits with no deadline: wake it for a line
  ErrorHandler m_on_error;
  std::thread m_writer;  // last: started once the rest is constructed
};

// Facility name (mail, daemon, user, local0..local7) -> facility number; -1 if unknown.
int syslog_facility(std::string_view name);

}  // namespace pixelwarden::daemon
