#include "daemon/watch.hpp"

#include "daemon/reload_check.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

namespace pixelwarden::daemon {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t k_events = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE;

int remaining_ms(std::optional<Clock::time_point> deadline) {
  if (!deadline) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
}

}  // namespace

ReloadTriggers::ReloadTriggers(Reloader& reloader, bool watch,
                               std::chrono::milliseconds poll_interval,
                               std::chrono::milliseconds debounce)
    : m_reloader(reloader), m_watch(watch), m_poll(poll_interval), m_debounce(debounce) {
  m_wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (m_watch) {
    m_inotify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (m_inotify < 0) spdlog::warn("inotify unavailable; relying on the poll and SIGUSR1");
  }
}

ReloadTriggers::~ReloadTriggers() {
  stop();
  if (m_inotify >= 0) ::close(m_inotify);
  if (m_wake >= 0) ::close(m_wake);
}

void ReloadTriggers::start() {
  if (m_thread.joinable()) return;
  sync_watches();
  m_thread = std::thread([this] { loop(); });
}

void ReloadTriggers::stop() {
  {
    std::lock_guard lock(m_report_mutex);
    m_stopping = true;
  }
  m_report_cv.notify_all();
  request();
  if (m_thread.joinable()) m_thread.join();
}

void ReloadTriggers::request() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(m_wake, &one, sizeof one);
}

void ReloadTriggers::sync_watches() {
  if (m_inotify < 0) return;
  std::set<std::string> dirs;
  m_names = {"..data"};
  for (const auto& f : m_reloader.files()) {
    const fs::path p = fs::absolute(fs::path(f));
    dirs.insert(p.parent_path().string());
    m_names.insert(p.filename().string());
  }
  for (auto it = m_dirs.begin(); it != m_dirs.end();) {
    if (dirs.count(it->second) == 0) {
      ::inotify_rm_watch(m_inotify, it->first);
      it = m_dirs.erase(it);
    } else {
      dirs.erase(it->second);
      ++it;
    }
  }
  for (const auto& d : dirs) {
    const int wd = ::inotify_add_watch(m_inotify, d.c_str(), k_events);
    if (wd < 0) {
      spdlog::warn("cannot watch {} for rule changes", d);
      continue;
    }
    m_dirs[wd] = d;
  }
}

bool ReloadTriggers::drain_inotify() {
  alignas(inotify_event) char buf[8192];
  bool relevant = false;
  for (;;) {
    const ssize_t n = ::read(m_inotify, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) relevant = true;
      if (ev->len > 0 && m_names.count(ev->name) > 0) relevant = true;
    }
  }
  return relevant;
}

ReloadReport ReloadTriggers::run_reload(const char* reason, bool force, bool count_unchanged,
                                        bool skip_failed) {
  ReloadReport report;
  try {
    report.outcome = m_reloader.reload(reason, force, count_unchanged, true, skip_failed);
    if (report.outcome == ReloadOutcome::failure) {
      report.errors = m_reloader.last_errors();
      report.reason = m_reloader.last_failure_reason();
      if (report.reason == "tests") report.failed_tests = failed_test_names(report.errors);
    }
  } catch (const std::exception& e) {
    spdlog::error("rules reload ({}) failed: {}", reason, e.what());
    report.errors = {base::plain_error(e.what())};
  }
  if (const auto r = m_reloader.in_force()) report.in_force = r->meta();
  ++m_attempts;
  sync_watches();
  return report;
}

std::optional<ReloadReport> ReloadTriggers::request_and_wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_report_mutex);
  const std::uint64_t ticket = ++m_requested;
  request();
  const bool done = m_report_cv.wait_for(
      lock, timeout, [&] { return m_completed >= ticket || m_stopping.load(); });
  if (!done || m_completed < ticket) return std::nullopt;
  return m_report;
}

void ReloadTriggers::loop() {
  std::optional<Clock::time_point> debounce_at;
  std::optional<Clock::time_point> poll_at;
  if (m_poll.count() > 0) poll_at = Clock::now() + m_poll;
  while (!m_stopping) {
    auto next = debounce_at;
    if (poll_at && (!next || *poll_at < *next)) next = poll_at;
    pollfd fds[2] = {{m_wake, POLLIN, 0}, {m_inotify, POLLIN, 0}};
    const int r = ::poll(fds, m_inotify >= 0 ? 2 : 1, remaining_ms(next));
    if (m_stopping) break;
    if (r > 0 && (fds[0].revents & POLLIN)) {
      std::uint64_t v = 0;
      [[maybe_unused]] auto n = ::read(m_wake, &v, sizeof v);
      std::uint64_t covers = 0;  // every ticket taken before this reload starts
      {
        std::lock_guard lock(m_report_mutex);
        covers = m_requested;
      }
      ReloadReport report = run_reload("requested", false, true);
      {
        std::lock_guard lock(m_report_mutex);
        m_completed = covers;
        m_report = std::move(report);
      }
      m_report_cv.notify_all();
      debounce_at.reset();
      continue;
    }
    if (r > 0 && m_inotify >= 0 && (fds[1].revents & POLLIN) && drain_inotify()) {
      debounce_at = Clock::now() + m_debounce;  // every new event restarts the quiet period
      continue;
    }
    const auto now = Clock::now();
    if (debounce_at && now >= *debounce_at) {
      debounce_at.reset();
      run_reload("file change", false, true);
    } else if (poll_at && now >= *poll_at) {
      poll_at = now + m_poll;
      run_reload("poll", false, false, true);
    }
  }
}

}  // namespace pixelwarden::daemon
