#include "cli/scan_progress.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pixelwarden::cli {
namespace {

constexpr double k_mb = 1e6;

std::string duration(double seconds) {
  const auto s = static_cast<std::uint64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

// Map entries sorted by count, largest first, then by key.
std::vector<std::pair<std::string, std::uint64_t>> by_count(
    const std::map<std::string, std::uint64_t>& m) {
  std::vector<std::pair<std::string, std::uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return v;
}

}  // namespace

void ScanStats::merge(const ScanStats& o) {
  files += o.files;
  messages += o.messages;
  bytes += o.bytes;
  matched += o.matched;
  reported += o.reported;
  out_of_range += o.out_of_range;
  undated += o.undated;
  too_large += o.too_large;
  errors += o.errors;
  skipped_files += o.skipped_files;
  other_shard += o.other_shard;
  for (const auto& [k, v] : o.per_rule) per_rule[k] += v;
  for (const auto& [k, v] : o.per_recipient) per_recipient[k] += v;
}

std::string format_progress(std::uint64_t messages, std::uint64_t bytes, std::uint64_t total_bytes,
                            double seconds) {
  const double rate = seconds > 0 ? static_cast<double>(bytes) / k_mb / seconds : 0.0;
  std::string out = fmt::format("{} messages, {:.1f} MB, {:.1f} MB/s", messages,
                                static_cast<double>(bytes) / k_mb, rate);
  if (total_bytes > 0) {
    const double done =
        std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_bytes));
    out += fmt::format(", {:.0f}%", done * 100.0);
    if (bytes > 0 && rate > 0 && done < 1.0) {
      out += ", ETA " + duration(static_cast<double>(total_bytes - bytes) / k_mb / rate);
    }
  }
  return out;
}

std::string format_summary(const ScanStats& s, double seconds) {
  const double mb = static_cast<double>(s.bytes) / k_mb;
  std::string out = fmt::format(
      "scan: {} files, {} messages, {:.1f} MB in {:.2f} s ({:.1f} MB/s, {:.0f} messages/s)\n",
      s.files, s.messages, mb, seconds, seconds > 0 ? mb / seconds : 0.0,
      seconds > 0 ? static_cast<double>(s.messages) / seconds : 0.0);
  out += fmt::format("scan: {} messages matched, {} reported", s.matched, s.reported);
  if (s.out_of_range > 0) out += fmt::format(", {} outside --since/--until", s.out_of_range);
  if (s.undated > 0) out += fmt::format(", {} without a parsable Date (scanned)", s.undated);
  if (s.too_large > 0) out += fmt::format(", {} too large (headers only)", s.too_large);
  if (s.skipped_files > 0) out += fmt::format(", {} files not mail (skipped)", s.skipped_files);
  if (s.other_shard > 0) out += fmt::format(", {} in other shards", s.other_shard);
  out += fmt::format(", {} errors\n", s.errors);
  if (s.errors > 0) {
    out += fmt::format(
        "scan: INCOMPLETE: {} inputs could not be (fully) read; the counts above cover only "
        "the mail that was read\n",
        s.errors);
  }
  if (!s.per_rule.empty()) out += "matches per rule (messages):\n";
  for (const auto& [rule, n] : by_count(s.per_rule)) out += fmt::format("  {:>8}  {}\n", n, rule);
  if (!s.per_recipient.empty()) out += "matches per recipient (messages):\n";
  for (const auto& [rcpt, n] : by_count(s.per_recipient))
    out += fmt::format("  {:>8}  {}\n", n, rcpt);
  return out;
}

ScanProgress::ScanProgress(bool enabled, std::uint64_t total_bytes)
    : m_enabled(enabled), m_total(total_bytes), m_start(std::chrono::steady_clock::now()) {
  if (m_enabled) m_thread = std::thread([this] { draw_loop(); });
}

ScanProgress::~ScanProgress() { stop(); }

void ScanProgress::message(const std::string& line) {
  const std::lock_guard<std::mutex> lock(m_mu);
  if (m_enabled && !m_stop) std::fputs("\r\033[K", stderr);
  std::fputs(line.c_str(), stderr);
  std::fputc('\n', stderr);
}

void ScanProgress::stop() {
  {
    const std::lock_guard<std::mutex> lock(m_mu);
    if (m_stop) return;
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
  if (m_enabled) std::fputs("\r\033[K", stderr);
}

void ScanProgress::draw_loop() {
  std::unique_lock<std::mutex> lock(m_mu);
  while (!m_stop) {
    m_cv.wait_for(lock, std::chrono::milliseconds(250));
    if (!m_stop) draw(false);
  }
}

void ScanProgress::draw(bool /*final*/) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  // Percent and ETA from on-disk bytes (what the inputs weigh, gzip included); the
  // rate shown is of the uncompressed mail the engine reads.
  const std::uint64_t disk = m_disk_bytes.load(std::memory_order_relaxed);
  std::string line = format_progress(m_messages.load(std::memory_order_relaxed),
                                     m_bytes.load(std::memory_order_relaxed), 0, seconds);
  if (m_total > 0) {
    const double done = std::min(1.0, static_cast<double>(disk) / static_cast<double>(m_total));
    line += fmt::format(", {:.0f}%", done * 100.0);
    if (done > 0.0 && done < 1.0) line += ", ETA " + duration(seconds / done - seconds);
  }
  std::fprintf(stderr, "\r\033[Kscan: %s", line.c_str());
  std::fflush(stderr);
}

}  // namespace pixelwarden::cli
