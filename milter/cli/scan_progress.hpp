#pragma once
// What `pixelwarden scan` tells on stderr: a progress line redrawn in place while
// stderr is a terminal (messages, MB, rate, ETA; silent otherwise), error lines that
// do not tear it, and the summary at the end (what a security team needs to tell each
// targeted person what reached them: matches per rule and per recipient).
// Counters are relaxed atomics bumped by the scanning threads once per chunk or
// message; a single drawing thread reads them four times a second.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace pixelwarden::cli {

struct ScanStats {
  std::uint64_t files = 0;
  std::uint64_t messages = 0;       // inspected by the engine
  std::uint64_t bytes = 0;          // of those messages (uncompressed)
  std::uint64_t matched = 0;        // a lure or tracker rule (of --rule, if given) matched
  std::uint64_t reported = 0;       // lines written
  std::uint64_t out_of_range = 0;   // left out by --since/--until
  std::uint64_t undated = 0;        // no parsable Date under --since/--until: scanned anyway
  std::uint64_t too_large = 0;      // over max_message_bytes: headers only
  std::uint64_t errors = 0;         // unreadable files, mboxes that could not be split
  std::uint64_t skipped_files = 0;  // files in the walk that are no mail
  std::uint64_t other_shard = 0;    // messages (and message files) left to other --shard runs
  std::map<std::string, std::uint64_t> per_rule;       // matched messages per rule id
  std::map<std::string, std::uint64_t> per_recipient;  // matched messages per recipient

  void merge(const ScanStats& o);
};

// "12 messages, 3.4 MB, 120.0 MB/s" and, when total_bytes is known, percent and ETA.
std::string format_progress(std::uint64_t messages, std::uint64_t bytes, std::uint64_t total_bytes,
                            double seconds);
// The end-of-scan summary, several lines, each ending in '\n'.
std::string format_summary(const ScanStats& s, double seconds);

class ScanProgress {
 public:
  // enabled: draw (stderr is a TTY). total_bytes: on-disk size of all inputs.
  ScanProgress(bool enabled, std::uint64_t total_bytes);
  ~ScanProgress();
  ScanProgress(const ScanProgress&) = delete;
  ScanProgress& operator=(const ScanProgress&) = delete;

  void add_disk_bytes(std::uint64_t n) { m_disk_bytes.fetch_add(n, std::memory_order_relaxed); }
  void add_message(std::uint64_t bytes) {
    m_messages.fetch_add(1, std::memory_order_relaxed);
    m_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  // Prints a line to stderr without tearing the progress line.
  void message(const std::string& line);
  // Stops drawing and clears the progress line.
  void stop();

 private:
  void draw_loop();
  void draw(bool final);

  bool m_enabled;
  std::uint64_t m_total;
  std::atomic<std::uint64_t> m_disk_bytes{0};
  std::atomic<std::uint64_t> m_messages{0};
  std::atomic<std::uint64_t> m_bytes{0};
  std::chrono::steady_clock::time_point m_start;
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace pixelwarden::cli
