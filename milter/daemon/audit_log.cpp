#include "daemon/audit_log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>

#include "base/build_info.hpp"
#include "daemon/audit_record.hpp"

namespace pixelwarden::daemon {
namespace {

base::Error io_error(const std::string& what, const std::string& path, int err = errno) {
  return base::plain_error(what + " " + path + ": " + std::strerror(err));
}

// Never follows a symlink (one planted before a SIGUSR1 reopen would redirect the
// appends), never blocks on a FIFO, refuses anything but a regular file.
base::Result<int> open_append(const std::string& path) {
  const int fd = ::open(path.c_str(),
                        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
  if (fd < 0) {
    if (errno == ELOOP) {
      return base::plain_error("audit log " + path + " is a symbolic link; it is not followed");
    }
    return io_error("cannot open audit log", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return base::plain_error("audit log " + path + " is not a regular file");
  }
  ::fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);  // blocking writes again
  return fd;
}

base::Result<int> connect_syslog(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return base::plain_error("syslog socket path too long: " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return io_error("cannot create a socket for", path);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot connect to syslog socket", path, err);
  }
  return fd;
}

// What a sink writes to, for error messages.
const std::string& sink_name(const AuditSettings& s) {
  static const std::string k_stdout = "stdout";
  switch (s.sink) {
    case AuditSink::file:
      return s.path;
    case AuditSink::syslog:
      return s.syslog_socket;
    case AuditSink::stdout_:
      break;
  }
  return k_stdout;
}

base::Result<int> open_sink(const AuditSettings& s) {
  switch (s.sink) {
    case AuditSink::file:
      return open_append(s.path);
    case AuditSink::syslog:
      return connect_syslog(s.syslog_socket);
    case AuditSink::stdout_: {
      const int fd = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
      if (fd < 0) return io_error("cannot use", "stdout");
      return fd;
    }
  }
  return base::plain_error("unknown audit sink");
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::int64_t now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// RFC 3164 timestamp, local time as syslog(3) writes it: "Dec  3 13:21:32".
std::string syslog_time(std::int64_t unix_ms) {
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return fmt::format("{} {:2} {:02}:{:02}:{:02}", k_months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

}  // namespace

int syslog_facility(std::string_view name) {
  if (name == "kern") return 0;
  if (name == "user") return 1;
  if (name == "mail") return 2;
  if (name == "daemon") return 3;
  if (name == "auth") return 4;
  if (name == "authpriv") return 10;
  if (name.size() == 6 && name.substr(0, 5) == "local" && name[5] >= '0' && name[5] <= '7') {
    return 16 + (name[5] - '0');
  }
  return -1;
}

AuditLog::AuditLog(AuditSettings settings, int fd, std::string host)
    : m_settings(std::move(settings)), m_fd(fd), m_host(std::move(host)),
      m_syslog_tag(fmt::format("pixelwarden-audit[{}]: ", ::getpid())),
      m_sample_rate_text(fmt::format("{}", m_settings.sample_rate)) {
  if (m_settings.sink != AuditSink::syslog) {
    m_writer = std::thread([this] { writer_loop(); });
    ::pthread_setname_np(m_writer.native_handle(), "pw-audit");
    // SCHED_BATCH: the writer, waking every k_audit_gather, does not preempt a mail
    // thread in the middle of a message; it runs at the next switch, with its fair
    // share. (Measured gain, 16 connections at saturation: 8 to 10 us of daemon CPU per
    // message in two paired runs, within the noise in two others.) Any process may
    // lower its threads to it; if refused, the writer runs as it is.
    sched_param param{};
    (void)::pthread_setschedparam(m_writer.native_handle(), SCHED_BATCH, &param);
  }
}

base::Result<std::unique_ptr<AuditLog>> AuditLog::open(const AuditSettings& settings) {
  auto fd = open_sink(settings);
  if (!fd) return fd.error();
  return std::unique_ptr<AuditLog>(new AuditLog(settings, *fd, host_name()));
}

base::Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path) {
  AuditSettings s;
  s.path = path;
  return open(s);
}

AuditLog::~AuditLog() {
  if (m_writer.joinable()) {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_one();
    m_done.notify_all();
    m_writer.join();  // the writer writes what is queued first
  }
  ::close(m_fd);
}

void AuditLog::set_error_handler(ErrorHandler handler) {
  std::lock_guard lock(m_mutex);
  m_on_error = std::move(handler);
}

bool AuditLog::wants(bool flagged) {
  if (flagged) return true;
  const double rate = m_settings.sample_rate;
  if (rate <= 0) return false;
  if (rate >= 1) return true;
  const auto n = static_cast<double>(m_unflagged.fetch_add(1, std::memory_order_relaxed));
  return std::floor((n + 1) * rate) > std::floor(n * rate);
}

AuditLineContext AuditLog::context(std::int64_t unix_ms, bool sampled) const {
  AuditLineContext cx;
  cx.unix_ms = unix_ms;
  cx.host = m_host;
  cx.version = base::k_version;
  cx.sampled = sampled;
  cx.sample_rate = m_settings.sample_rate;
  cx.sample_rate_text = m_sample_rate_text;
  return cx;
}

base::Status AuditLog::write(const engine::Verdict& verdict, bool sampled) {
  const std::int64_t now = now_unix_ms();
  // Both buffers are this thread's and stay warm: no allocation per line once they are.
  thread_local std::string buffer;
  if (m_settings.sink == AuditSink::syslog) {
    buffer = audit_line(verdict, context(now, sampled), m_settings.line, std::move(buffer));
    base::Status st = send_syslog(buffer);
    if (buffer.capacity() > k_audit_batch_bytes) buffer = std::string();  // after a huge line
    return st;
  }
  buffer.clear();
  const ItemHeader header{now, sampled ? k_item_sampled : 0};
  buffer.append(reinterpret_cast<const char*>(&header), sizeof header);
  encode_audit_record(verdict, buffer);
  base::Status st = queue(buffer);
  if (buffer.capacity() > k_audit_batch_bytes) buffer = std::string();
  return st;
}

base::Status AuditLog::write_line(std::string_view json) {
  if (m_settings.sink == AuditSink::syslog) return send_syslog(json);
  std::string item;
  const ItemHeader header{now_unix_ms(), k_item_json};
  const std::uint64_t length = json.size();
  item.append(reinterpret_cast<const char*>(&header), sizeof header);
  item.append(reinterpret_cast<const char*>(&length), sizeof length);
  item.append(json);
  return queue(item);
}

base::Status AuditLog::queue(std::string_view item) {
  std::unique_lock lock(m_mutex);
  // A disk slower than the mail: wait for room rather than drop a line.
  m_done.wait(lock, [this] { return m_queued.size() < k_audit_max_queued || m_stopping; });
  const bool was_below_batch = m_queued.size() < k_audit_batch_bytes;
  m_queued.append(item);
  ++m_appended;
  // Wake the writer only when it sleeps with no deadline, or for a batch just filled.
  // While mail flows it wakes on its own every k_audit_gather: a wake-up from here
  // would be a system call, and on a VM an interrupt to the other CPU, per batch.
  const bool wake = m_writer_idle || (was_below_batch && m_queued.size() >= k_audit_batch_bytes);
  lock.unlock();
  if (wake) m_wake.notify_one();
  return base::Ok{};
}

std::size_t AuditLog::format_batch(std::string_view items, engine::Verdict& decoded,
                                   std::string& text, std::string& error) {
  std::size_t lost = 0;
  std::string line;  // reused for every line of the batch
  while (!items.empty()) {
    ItemHeader header;
    if (items.size() < sizeof header) break;  // not written by queue(): cannot happen
    std::memcpy(&header, items.data(), sizeof header);
    items.remove_prefix(sizeof header);
    if ((header.flags & k_item_json) != 0) {
      std::uint64_t length = 0;
      if (items.size() < sizeof length) break;
      std::memcpy(&length, items.data(), sizeof length);
      items.remove_prefix(sizeof length);
      if (length > items.size()) break;
      text.append(items.substr(0, length)).push_back('\n');
      items.remove_prefix(length);
      continue;
    }
    if (!decode_audit_record(items, decoded)) break;
    try {
      line = audit_line(decoded, context(header.unix_ms, (header.flags & k_item_sampled) != 0),
                        m_settings.line, std::move(line));
    } catch (const std::exception& ex) {  // memory: the line is lost, the log goes on
      error = std::string("cannot format an audit line: ") + ex.what();
      ++lost;
      continue;
    }
    text.append(line).push_back('\n');
  }
  if (!items.empty()) {
    // The queue holds only what queue() appended whole; a bad item here is a bug. Its
    // line and the batch's rest are reported lost rather than guessed at.
    error = "audit queue corrupted: the rest of a batch was not written";
    ++lost;
  }
  return lost;
}

void AuditLog::flush() {
  if (!m_writer.joinable()) return;
  std::unique_lock lock(m_mutex);
  const std::uint64_t target = m_appended;
  if (m_written >= target) return;
  m_flush_wanted = true;
  m_wake.notify_one();
  m_done.wait(lock, [&] { return m_written >= target; });
}

void AuditLog::writer_loop() {
  std::string batch;        // swapped with the queue: both keep their capacity
  std::string text;         // the batch's lines, written at once
  engine::Verdict decoded;  // each record's verdict, its strings reused from line to line
  std::unique_lock lock(m_mutex);
  bool quiet = true;  // the last gather found nothing to write
  for (;;) {
    if (m_queued.empty()) {
      if (m_stopping) return;  // everything is written
      if (quiet) {
        // No mail for a whole gather: sleep until a line (or the end) wakes us.
        m_writer_idle = true;
        m_wake.wait(lock, [this] { return !m_queued.empty() || m_stopping; });
        m_writer_idle = false;
      }
    }
    // Gather: what the next few milliseconds decide goes out in the same write.
    m_wake.wait_for(lock, k_audit_gather, [this] {
      return m_stopping || m_flush_wanted || m_queued.size() >= k_audit_batch_bytes;
    });
    quiet = m_queued.empty();
    if (quiet) {
      m_flush_wanted = false;
      continue;
    }
    batch.swap(m_queued);
    m_flush_wanted = false;
    const std::uint64_t upto = m_appended;
    m_done.notify_all();  // room again for mail threads waiting on a full queue
    lock.unlock();
    std::string error;
    std::size_t lost = format_batch(batch, decoded, text, error);
    batch.clear();
    std::string write_error;
    if (const std::size_t unwritten = write_batch(text, write_error); unwritten > 0) {
      lost += unwritten;
      error = write_error;
    }
    text.clear();
    if (text.capacity() > 4 * k_audit_batch_bytes) text = std::string();  // after a backlog
    if (batch.capacity() > 4 * k_audit_batch_bytes) batch = std::string();
    lock.lock();
    if (lost > 0) {
      m_lost.fetch_add(lost, std::memory_order_relaxed);
      if (ErrorHandler handler = m_on_error) {
        lock.unlock();
        handler(error, lost);
        lock.lock();
      }
    }
    m_written = upto;
    m_done.notify_all();
  }
}

std::size_t AuditLog::write_batch(std::string_view batch, std::string& error) {
  // O_APPEND: each write(2) lands whole at the end of the file, after any other
  // process's. A short write happens only on a full disk; the rest is retried, and
  // what still fails is reported.
  while (!batch.empty()) {
    const ssize_t n = ::write(m_fd, batch.data(), batch.size());
    const int err = n < 0 ? errno : ENOSPC;  // nothing written and no errno: say why
    if (n < 0 && err == EINTR) continue;
    if (n <= 0) {
      error = io_error("cannot write audit log", sink_name(m_settings), err).message;
      return static_cast<std::size_t>(std::count(batch.begin(), batch.end(), '\n'));
    }
    batch.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

base::Status AuditLog::send_syslog(std::string_view json) {
  const int pri = m_settings.syslog_facility * 8 + 6;  // severity info
  std::string msg = fmt::format("<{}>{} ", pri, syslog_time(now_unix_ms()));
  msg += m_syslog_tag;
  msg.append(json);
  for (int attempt = 0; attempt < 2; ++attempt) {
    // Never blocks a mail thread: a full receiver queue drops the line (counted).
    if (::send(m_fd, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return base::Ok{};
    const int err = errno;
    if (attempt == 0 && (err == ECONNREFUSED || err == ENOTCONN || err == ENOENT)) {
      if (reopen()) continue;  // the syslog daemon restarted: its socket is a new one
    }
    return io_error("cannot send audit line to", m_settings.syslog_socket, err);
  }
  return base::Ok{};
}

base::Status AuditLog::reopen() {
  flush();  // what was decided before the rotation goes to the old file
  if (m_settings.sink == AuditSink::stdout_) return base::Ok{};
  auto fd = open_sink(m_settings);
  if (!fd) return fd.error();
  // dup3 swaps what m_fd refers to atomically; writers never see a closed descriptor.
  const int r = ::dup3(*fd, m_fd, O_CLOEXEC);
  const int err = errno;
  ::close(*fd);
  if (r < 0) return io_error("cannot reopen audit sink", sink_name(m_settings), err);
  return base::Ok{};
}

}  // namespace pixelwarden::daemon
