#pragma once
// ReloadTriggers: one thread that decides WHEN to call Reloader::reload.
//
//   request() (SIGUSR1, POST /-/reload) ─▶ eventfd ─▶ reload now ("requested", forced hash check)
//   inotify on the DIRECTORIES of every ruleset file ─▶ debounce ~300 ms ─▶ reload
//       (IN_CLOSE_WRITE|IN_MOVED_TO|IN_CREATE|IN_DELETE on a watched name, or on
//        Kubernetes' "..data" symlink swap; IN_Q_OVERFLOW ─▶ reload)
//   every poll_interval ─▶ reload (content hash; "unchanged" is not counted)
//
// Directories rather than files: editors and atomic writers rename a new inode into
// place, which a file watch never sees. After each reload the watch set follows the
// ruleset's current file list (includes may come and go).
// Non-goals: loading (Reloader).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "daemon/reload.hpp"

namespace pixelwarden::daemon {

class ReloadTriggers {
 public:
  ReloadTriggers(Reloader& reloader, bool watch, std::chrono::milliseconds poll_interval,
                 std::chrono::milliseconds debounce = std::chrono::milliseconds(300));
  ~ReloadTriggers();
  ReloadTriggers(const ReloadTriggers&) = delete;
  ReloadTriggers& operator=(const ReloadTriggers&) = delete;

  void start();
  void stop();
  // Asks for a reload soon, from any thread (async-signal-safe: one write(2)).
  void request();
  // Asks for a reload and waits up to `timeout` for a reload that started after this
  // call; its report, or nothing on timeout or stop. Not for signal handlers.
  std::optional<ReloadReport> request_and_wait(std::chrono::milliseconds timeout);

  // Completed reload attempts by this thread (for tests).
  std::uint64_t attempts() const { return m_attempts.load(); }

 private:
  void loop();
  void sync_watches();
  bool drain_inotify();  // true when an event concerns the ruleset
  ReloadReport run_reload(const char* reason, bool force, bool count_unchanged,
                          bool skip_failed = false);

  Reloader& m_reloader;
  bool m_watch;
  std::chrono::milliseconds m_poll;
  std::chrono::milliseconds m_debounce;
  int m_inotify = -1;
  int m_wake = -1;  // eventfd: requests and stop
  std::atomic<bool> m_stopping{false};
  std::atomic<std::uint64_t> m_attempts{0};
  std::map<int, std::string> m_dirs;  // watch descriptor -> directory
  std::set<std::string> m_names;      // base names that matter, plus "..data"
  std::thread m_thread;
  // Waiters of request_and_wait: ticket numbers, and the last reload that covered them.
  std::mutex m_report_mutex;
  std::condition_variable m_report_cv;
  std::uint64_t m_requested = 0;  // guarded by m_report_mutex
  std::uint64_t m_completed = 0;
  ReloadReport m_report;
};

}  // namespace pixelwarden::daemon
