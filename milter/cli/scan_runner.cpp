#include "cli/scan_runner.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <zlib.h>

#include "base/text.hpp"
#include "cli/scan_date.hpp"
#include "cli/scan_maildir.hpp"
#include "cli/scan_mbox.hpp"
#include "mime/message.hpp"

namespace pixelwarden::cli {
namespace {

constexpr std::size_t k_read_buffer = 1024 * 1024;
// The read window of a cut mbox's part before its first separator and after its end.
constexpr std::size_t k_search_window = 64 * 1024;

std::size_t message_cap(const ScanOptions& opt) {
  return opt.limits.max_message_bytes + k_header_allowance;
}

std::string errno_text(const std::string& path, int err) {
  return path + ": " + std::strerror(err);
}

// Scans one message and appends its report line. The engine is not supposed to throw;
// if it does, the message is reported as an error and the scan goes on.
void scan_one(std::string_view bytes, const std::string& path, std::optional<std::uint64_t> offset,
              const ScanOptions& opt, FileResult& result) {
  try {
    if (auto rec = scan_message(bytes, path, offset, opt, result.stats)) {
      result.output += format_record(opt.format, *rec, opt.move_to);
      if (opt.keep_records) result.records.push_back(std::move(*rec));
    }
  } catch (const std::exception& e) {
    result.errors.push_back(path + (offset ? "@" + std::to_string(*offset) : std::string()) +
                            ": internal error: " + e.what());
  }
}

// read(2) until n bytes or end of file; -1 on error.
ssize_t read_full(int fd, char* buf, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

// pread(2) until n bytes or end of file; -1 on error.
ssize_t pread_full(int fd, char* buf, std::size_t n, std::uint64_t offset) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

// An open file descriptor, closed on scope exit.
struct Fd {
  int fd;
  explicit Fd(const std::string& path)
      : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

void count_match(const engine::Verdict& v, const std::vector<std::string>& rules,
                 ScanStats& stats) {
  ++stats.matched;
  for (const auto& r : rules) ++stats.per_rule[r];
  if (v.envelope.rcpt.empty()) ++stats.per_recipient["(unknown recipient)"];
  for (const auto& rcpt : v.envelope.rcpt) ++stats.per_recipient[base::to_lower(rcpt)];
}

// Rules that decide reporting: with --rule, only those named.
std::vector<std::string> selected_rules(const engine::Verdict& v, const ScanOptions& opt) {
  std::vector<std::string> rules = matched_rules(v);
  if (opt.only_rules.empty()) return rules;
  rules.erase(std::remove_if(rules.begin(), rules.end(),
                             [&](const std::string& r) {
                               return std::find(opt.only_rules.begin(), opt.only_rules.end(), r) ==
                                      opt.only_rules.end();
                             }),
              rules.end());
  return rules;
}

void scan_message_file(const ScanInput& input, const ScanOptions& opt, FileResult& result,
                       ScanProgress* progress) {
  Fd f(input.path);
  if (f.fd < 0) return result.errors.push_back(errno_text(input.path, errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return result.errors.push_back(errno_text(input.path, errno));
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  // One read buffer per thread, reused from file to file: no allocation and no zero fill
  // per message. After a message larger than k_keep_read_buffer it is let go, so a worker
  // does not hold the largest message it ever read.
  constexpr std::size_t k_keep_read_buffer = 1 << 20;
  thread_local std::string buf;
  const std::size_t want = std::min(size, message_cap(opt));
  if (buf.size() < want) buf.resize(want);
  const ssize_t n = read_full(f.fd, buf.data(), want);
  if (n < 0) return result.errors.push_back(errno_text(input.path, errno));
  const std::string_view message(buf.data(), static_cast<std::size_t>(n));
  if (progress != nullptr) progress->add_disk_bytes(size);
  scan_one(message, input.path, std::nullopt, opt, result);
  if (progress != nullptr) progress->add_message(message.size());
  if (buf.size() > k_keep_read_buffer) std::string().swap(buf);
}

// Reads a plain or gzip mbox in chunks; chunk(bytes, on_disk_delta) per read.
template <typename Chunk>
std::optional<std::string> read_stream(const std::string& path, Chunk&& chunk) {
  Fd f(path);
  if (f.fd < 0) return std::string(std::strerror(errno));
  std::string buf(k_read_buffer, '\0');
  unsigned char magic[2] = {0, 0};
  const bool gz = ::pread(f.fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (!gz) {
    for (;;) {
      const ssize_t n = read_full(f.fd, buf.data(), buf.size());
      if (n < 0) return std::string(std::strerror(errno));
      if (n == 0) return std::nullopt;
      if (!chunk(std::string_view(buf.data(), static_cast<std::size_t>(n)),
                 static_cast<std::uint64_t>(n))) {
        return std::nullopt;
      }
    }
  }
  gzFile z = gzdopen(::dup(f.fd), "rb");
  if (z == nullptr) return std::string("cannot open gzip stream");
  gzbuffer(z, 256 * 1024);
  std::optional<std::string> error;
  z_off_t disk_before = 0;
  for (;;) {
    const int n = gzread(z, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      int code = 0;
      error = std::string("gzip: ") + gzerror(z, &code);
      break;
    }
    if (n == 0) break;
    const z_off_t disk = gzoffset(z);
    const auto delta = static_cast<std::uint64_t>(std::max<z_off_t>(0, disk - disk_before));
    disk_before = disk;
    if (!chunk(std::string_view(buf.data(), static_cast<std::size_t>(n)), delta)) break;
  }
  gzclose(z);
  return error;
}

// Reads the mbox at input.path (plain or gzip) and splits it into messages, which go
// to `take` in file order, a few at a time (take empties the vector it is given). The
// error that stopped the split or the read, if any, is returned as the line for
// FileResult::errors; the callers add it after the results of the messages before it.
template <class Take>
std::optional<std::string> split_mbox(const ScanInput& input, const ScanOptions& opt,
                                      ScanProgress* progress, Take&& take) {
  MboxSplitter splitter(message_cap(opt));
  std::vector<MboxMessage> done;
  auto io_error = read_stream(input.path, [&](std::string_view chunk, std::uint64_t disk) {
    const bool ok = splitter.feed(chunk, done);
    take(done);
    if (progress != nullptr) progress->add_disk_bytes(disk);
    return ok;
  });
  if (splitter.error().empty() && !io_error) {
    splitter.finish(done);
    take(done);
  }
  if (!splitter.error().empty()) return input.path + ": " + splitter.error();
  if (io_error) {
    return input.path + ": " + *io_error + " (after byte " + std::to_string(splitter.consumed()) +
           ")";
  }
  return std::nullopt;
}

// Scans messages split from the mbox `input` (those of other --shard runs are counted,
// not scanned) and empties the vector.
void scan_mbox_messages(const ScanInput& input, const ScanOptions& opt,
                        std::vector<MboxMessage>& messages, FileResult& result,
                        ScanProgress* progress) {
  for (const MboxMessage& m : messages) {
    if (opt.shard && !in_shard(*opt.shard, mbox_message_key(input.key, m.offset))) {
      ++result.stats.other_shard;
      continue;
    }
    scan_one(m.bytes, input.path, m.offset, opt, result);
    if (progress != nullptr) progress->add_message(m.bytes.size());
  }
  messages.clear();
}

void scan_mbox_file(const ScanInput& input, const ScanOptions& opt, FileResult& result,
                    ScanProgress* progress) {
  auto error = split_mbox(input, opt, progress, [&](std::vector<MboxMessage>& done) {
    scan_mbox_messages(input, opt, done, result, progress);
  });
  if (error) result.errors.push_back(std::move(*error));
}

// The messages of one part of a plain mbox (ScanInput::segment_begin/end), found and
// scanned by this thread alone, at their offsets in the whole file. The part starts at
// the first separator at or after segment_begin (the bytes before it end the message
// of the part before) and ends before the first separator at or after segment_end.
// Reads are linear: the search for the first separator stops at segment_end, and only
// this part's last message is read past it.
void scan_mbox_segment(const ScanInput& input, const ScanOptions& opt, FileResult& result,
                       ScanProgress* progress) {
  const std::uint64_t lo = input.segment_begin;
  const std::uint64_t hi = input.segment_end;
  const auto part_error = [&](const std::string& why) {
    result.errors.push_back(input.path + ": " + why + " (the part from byte " + std::to_string(lo) +
                            (hi == UINT64_MAX ? std::string(" on") : " to " + std::to_string(hi)) +
                            ")");
  };
  Fd f(input.path);
  if (f.fd < 0) return part_error(std::strerror(errno));
  // Every part must read the file that was cut, not one put in its place since.
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return part_error(std::strerror(errno));
  if (static_cast<std::uint64_t>(st.st_dev) != input.device ||
      static_cast<std::uint64_t>(st.st_ino) != input.inode) {
    return part_error("replaced by another file while it was being scanned: not scanned");
  }
  thread_local std::string buf;
  if (buf.size() != k_read_buffer) buf.assign(k_read_buffer, '\0');
  std::uint64_t start = 0;  // the first part starts at the file's start, "From " or not
  if (lo > 0) {
    // A small window: a separator is usually within a message's length of lo, and the
    // bytes searched are read again by the splitter.
    thread_local std::string window(k_search_window, '\0');
    const auto found =
        first_separator(lo, hi, window, [&](std::uint64_t at, char* to, std::size_t n) {
          return static_cast<std::int64_t>(pread_full(f.fd, to, n, at));
        });
    if (!found) return part_error(std::strerror(errno));
    if (*found >= hi) return;  // no message starts in this part
    start = *found;
  }
  MboxSplitter splitter(message_cap(opt), start, hi);
  std::vector<MboxMessage> done;
  std::uint64_t at = start;
  for (;;) {
    // Up to the part's end and a little beyond (where its last message usually ends),
    // then the rest of that message a small window at a time.
    const std::size_t want = at < hi ? static_cast<std::size_t>(std::min<std::uint64_t>(
                                           buf.size(), hi - at + k_search_window))
                                     : k_search_window;
    const ssize_t n = pread_full(f.fd, buf.data(), want, at);
    if (n < 0) {
      result.errors.push_back(input.path + ": " + std::strerror(errno) + " (after byte " +
                              std::to_string(splitter.consumed()) + ")");
      break;
    }
    const std::uint64_t before = splitter.consumed();
    const bool more =
        n > 0 ? splitter.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)), done)
              : (splitter.finish(done), false);
    scan_mbox_messages(input, opt, done, result, progress);
    if (progress != nullptr) progress->add_disk_bytes(splitter.consumed() - before);
    if (!more) break;
    at += static_cast<std::uint64_t>(n);
  }
  if (!splitter.error().empty()) result.errors.push_back(input.path + ": " + splitter.error());
}

// One mbox that cannot be cut (gzip, or less than two parts) scanned by `jobs` threads:
// this thread reads, inflates and splits it and hands batches of messages to the
// workers; the batches' results are merged back in batch order, so the output is byte
// for byte what one thread writes. At most 2 x jobs batches are in flight: memory stays
// bounded by a few batches, not the mbox.
void scan_mbox_jobs(const ScanInput& input, const ScanOptions& opt, unsigned jobs,
                    FileResult& result, ScanProgress* progress) {
  constexpr std::size_t k_batch_messages = 64;
  constexpr std::size_t k_batch_bytes = 4u << 20;
  const std::size_t max_in_flight = 2 * static_cast<std::size_t>(jobs);
  std::mutex mu;
  std::condition_variable work_cv, done_cv;
  std::deque<std::pair<std::size_t, std::vector<MboxMessage>>> queue;
  std::map<std::size_t, FileResult> finished;
  std::size_t issued = 0, merged = 0;
  bool closed = false;
  const auto worker = [&] {
    for (;;) {
      std::pair<std::size_t, std::vector<MboxMessage>> job;
      {
        std::unique_lock<std::mutex> lock(mu);
        work_cv.wait(lock, [&] { return closed || !queue.empty(); });
        if (queue.empty()) return;
        job = std::move(queue.front());
        queue.pop_front();
      }
      FileResult part;
      scan_mbox_messages(input, opt, job.second, part, progress);
      {
        const std::lock_guard<std::mutex> lock(mu);
        finished.emplace(job.first, std::move(part));
      }
      done_cv.notify_all();
    }
  };
  // Appends finished batches in order; waits while too many are in flight (or, at the
  // end, until every batch is merged).
  const auto merge_ready = [&](bool all) {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      auto it = finished.find(merged);
      if (it != finished.end()) {
        FileResult part = std::move(it->second);
        finished.erase(it);
        ++merged;
        lock.unlock();
        result.output += part.output;
        std::move(part.records.begin(), part.records.end(), std::back_inserter(result.records));
        std::move(part.errors.begin(), part.errors.end(), std::back_inserter(result.errors));
        result.stats.merge(part.stats);
        lock.lock();
        continue;
      }
      if (merged == issued || (!all && issued - merged < max_in_flight)) return;
      done_cv.wait(lock);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
  std::vector<MboxMessage> batch;
  std::size_t batch_bytes = 0;
  const auto push = [&] {
    if (batch.empty()) return;
    {
      const std::lock_guard<std::mutex> lock(mu);
      queue.emplace_back(issued++, std::move(batch));
    }
    batch.clear();
    batch_bytes = 0;
    work_cv.notify_one();
    merge_ready(false);
  };
  auto error = split_mbox(input, opt, progress, [&](std::vector<MboxMessage>& done) {
    for (MboxMessage& m : done) {
      batch_bytes += m.bytes.size();
      batch.push_back(std::move(m));
      if (batch.size() >= k_batch_messages || batch_bytes >= k_batch_bytes) push();
    }
    done.clear();
  });
  push();
  {
    const std::lock_guard<std::mutex> lock(mu);
    closed = true;
  }
  work_cv.notify_all();
  merge_ready(true);
  for (auto& t : threads) t.join();
  if (error) result.errors.push_back(std::move(*error));
}

// A message's Date field, as written and as parsed. A plain value and a flag rather than an
// optional: GCC 12 at -O3 misreads an optional's engaged state across the engine call in
// scan_message() (-Wmaybe-uninitialized).
struct DateField {
  std::optional<std::string> text;
  bool dated = false;
  std::int64_t when = 0;
};

DateField read_date(const mime::Message& msg) {
  DateField d;
  d.text = msg.text("Date");
  if (const std::optional<std::int64_t> parsed = d.text ? parse_mail_date(*d.text) : std::nullopt) {
    d.dated = true;
    d.when = *parsed;
  }
  return d;
}

// The report fields read from the message and its verdict (path, offset, date: caller).
ScanRecord make_record(const mime::Message& msg, const engine::Verdict& v, const ScanOptions& opt) {
  ScanRecord rec;
  rec.message_id = msg.text("Message-ID");
  if (rec.message_id) rec.message_id = std::string(base::trim(*rec.message_id));
  rec.from = msg.text("From");
  rec.to = msg.text("To");
  rec.subject = msg.text("Subject");
  if (rec.subject) rec.subject = std::string(base::trim(*rec.subject));
  rec.decision = engine::to_string(v.decision);
  rec.rules = matched_rules(v);
  rec.findings = findings_of(v, opt.only_rules);
  rec.verdict_json = engine::to_json(v);
  return rec;
}

bool affected(const std::string& rule, const ScanOptions& opt) {
  return std::find(opt.affected_rules.begin(), opt.affected_rules.end(), rule) !=
         opt.affected_rules.end();
}

// --new-since: drops from v every match the baseline ruleset also makes on this message.
void keep_new_matches(std::string_view message, const ScanOptions& opt, engine::Verdict& v) {
  const auto not_affected = [&](const auto& m) { return !affected(m.rule, opt); };
  v.lures.erase(std::remove_if(v.lures.begin(), v.lures.end(), not_affected), v.lures.end());
  v.trackers.erase(std::remove_if(v.trackers.begin(), v.trackers.end(), not_affected),
                   v.trackers.end());
  if (v.lures.empty() && v.trackers.empty()) return;
  const engine::Verdict old =
      engine::inspect(message, engine::Envelope{}, opt.baseline, opt.limits);
  const auto old_lure = [&](const engine::LureRecord& l) {
    return std::any_of(old.lures.begin(), old.lures.end(), [&](const engine::LureRecord& o) {
      return o.rule == l.rule && o.where == l.where && o.value == l.value;
    });
  };
  const auto old_tracker = [&](const engine::TrackerRecord& t) {
    return std::any_of(old.trackers.begin(), old.trackers.end(),
                       [&](const engine::TrackerRecord& o) {
                         return o.rule == t.rule && o.vector == t.vector && o.url == t.url;
                       });
  };
  v.lures.erase(std::remove_if(v.lures.begin(), v.lures.end(), old_lure), v.lures.end());
  v.trackers.erase(std::remove_if(v.trackers.begin(), v.trackers.end(), old_tracker),
                   v.trackers.end());
}

// Whether a hunted rule matched (an inspection with the prefilter).
bool matches_hunted(const engine::Verdict& v, const ScanOptions& opt) {
  const auto hunted = [&](const auto& m) {
    return std::find(opt.hunted_rules.begin(), opt.hunted_rules.end(), m.rule) !=
           opt.hunted_rules.end();
  };
  return std::any_of(v.lures.begin(), v.lures.end(), hunted) ||
         std::any_of(v.trackers.begin(), v.trackers.end(), hunted);
}

}  // namespace

std::vector<std::string> hunted_rules(const ScanOptions& opt) {
  if (opt.all && opt.only_rules.empty()) return {};  // every message is reported
  if (!opt.baseline) return opt.only_rules;
  if (opt.only_rules.empty()) return opt.affected_rules;
  std::vector<std::string> both;
  for (const std::string& r : opt.only_rules) {
    if (affected(r, opt)) both.push_back(r);
  }
  return both;
}

std::optional<ScanRecord> scan_message(std::string_view message, const std::string& path,
                                       std::optional<std::uint64_t> mbox_offset,
                                       const ScanOptions& opt, ScanStats& stats) {
  // The Date field is read only for a date range or a reported message: most messages of a
  // scan are neither, and their header fields are never parsed here.
  DateField date;
  if (opt.since || opt.until) {
    date = read_date(mime::Message(message));
    if (!date.dated) {
      ++stats.undated;
    } else if ((opt.since && date.when < *opt.since) || (opt.until && date.when >= *opt.until)) {
      ++stats.out_of_range;
      return std::nullopt;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  if (opt.prefilter) {
    // Most messages of a hunt match none of its rules: the engine decides that without
    // tokenizing the parts that cannot hold their domains.
    const engine::Verdict quick =
        engine::inspect(message, engine::Envelope{}, opt.rules, opt.limits, opt.prefilter.get());
    if (!matches_hunted(quick, opt)) {
      ++stats.messages;
      stats.bytes += message.size();
      if (quick.skipped == engine::SkipReason::too_large) ++stats.too_large;
      return std::nullopt;
    }
  }
  engine::Verdict v = engine::inspect(message, engine::Envelope{}, opt.rules, opt.limits);
  v.elapsed_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                std::chrono::steady_clock::now() - start)
                                                .count());
  if (opt.baseline) keep_new_matches(message, opt, v);
  ++stats.messages;
  stats.bytes += message.size();
  if (v.skipped == engine::SkipReason::too_large) ++stats.too_large;
  const std::vector<std::string> rules = selected_rules(v, opt);
  if (!rules.empty()) count_match(v, rules, stats);
  const bool report = !rules.empty() || (opt.all && opt.only_rules.empty());
  if (!report) return std::nullopt;
  ++stats.reported;
  const mime::Message msg(message);
  if (!opt.since && !opt.until) date = read_date(msg);
  ScanRecord rec = make_record(msg, v, opt);
  rec.path = path;
  rec.mbox_offset = mbox_offset;
  if (!mbox_offset) {
    if (auto place = maildir_place(path)) rec.folder = place->folder;
  }
  if (date.text)
    rec.date = date.dated ? format_iso_utc(date.when) : std::string(base::trim(*date.text));
  return rec;
}

FileResult scan_file(const ScanInput& input, const ScanOptions& opt, ScanProgress* progress) {
  FileResult result;
  result.stats.files = input.segment_begin == 0 ? 1 : 0;  // a file's first part counts it
  if (input.kind == InputKind::mbox && input.segment_end != 0) {
    scan_mbox_segment(input, opt, result, progress);
  } else if (input.kind == InputKind::mbox) {
    scan_mbox_file(input, opt, result, progress);
  } else {
    scan_message_file(input, opt, result, progress);
  }
  result.stats.errors = result.errors.size();
  return result;
}

std::vector<ScanInput> mbox_segments(const std::vector<ScanInput>& inputs,
                                     std::uint64_t segment_bytes) {
  std::vector<ScanInput> out;
  out.reserve(inputs.size());
  for (const ScanInput& in : inputs) {
    char head[5] = {};
    bool plain = false;
    struct stat st {};
    if (in.kind == InputKind::mbox && segment_bytes >= 64 && in.size / 2 >= segment_bytes) {
      const Fd f(in.path);  // an mbox starts with "From " (so not gzip) to be cut
      plain = f.fd >= 0 && ::fstat(f.fd, &st) == 0 && pread_full(f.fd, head, sizeof head, 0) == 5 &&
              std::string_view(head, sizeof head) == "From ";
    }
    if (!plain) {
      out.push_back(in);
      continue;
    }
    ScanInput whole = in;
    whole.size = static_cast<std::uint64_t>(st.st_size);  // as it is now, not when listed
    whole.device = static_cast<std::uint64_t>(st.st_dev);
    whole.inode = static_cast<std::uint64_t>(st.st_ino);
    for (std::uint64_t lo = 0; lo < whole.size; lo += segment_bytes) {
      ScanInput part = whole;
      part.segment_begin = lo;
      // The last part runs to the end of the file, even if it grows while it is scanned.
      part.segment_end = whole.size - lo > segment_bytes ? lo + segment_bytes : UINT64_MAX;
      part.size = std::min(segment_bytes, whole.size - lo);
      const bool last = part.segment_end == UINT64_MAX;
      out.push_back(std::move(part));
      if (last) break;
    }
  }
  return out;
}

ScanStats run_scan(const std::vector<ScanInput>& listed, const ScanOptions& opt, unsigned jobs,
                   std::FILE* out, ScanProgress& progress,
                   const std::function<void(const ScanRecord&)>& on_record) {
  ScanStats total;
  const auto emit = [&](const FileResult& r) {
    std::fwrite(r.output.data(), 1, r.output.size(), out);
    if (on_record) {
      for (const ScanRecord& rec : r.records) on_record(rec);
    }
    for (const auto& e : r.errors) progress.message("pixelwarden scan: " + e);
    total.merge(r.stats);
  };
  if (jobs <= 1) {  // no hand-over between threads at all
    for (const ScanInput& in : listed) emit(scan_file(in, opt, &progress));
    std::fflush(out);
    return total;
  }
  // Large plain mboxes are cut into parts that the jobs take like files.
  const std::vector<ScanInput> inputs = mbox_segments(listed, opt.mbox_segment_bytes);
  // Only whole mboxes (gzip, or too small to cut): the jobs share each mbox's messages,
  // which this thread splits, instead of one thread per file.
  const bool all_mbox = std::all_of(inputs.begin(), inputs.end(), [](const ScanInput& in) {
    return in.kind == InputKind::mbox && in.segment_end == 0;
  });
  if (all_mbox) {
    for (const ScanInput& in : inputs) {
      FileResult r;
      r.stats.files = 1;
      scan_mbox_jobs(in, opt, jobs, r, &progress);
      r.stats.errors = r.errors.size();
      emit(r);
    }
    std::fflush(out);
    return total;
  }
  std::mutex mu;
  std::condition_variable done_cv;             // the writer waits for input `written`
  std::condition_variable window_cv;           // workers wait for the window to move
  std::map<std::size_t, FileResult> finished;  // done, not yet written
  std::size_t next = 0;                        // next input to hand out
  std::size_t written = 0;                     // inputs written so far
  std::size_t blocked = 0;                     // workers waiting on the window
  const auto worker = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock<std::mutex> lock(mu);
        ++blocked;
        window_cv.wait(lock,
                       [&] { return next >= inputs.size() || next < written + k_scan_window; });
        --blocked;
        if (next >= inputs.size()) return;
        i = next++;
      }
      FileResult r = scan_file(inputs[i], opt, &progress);
      bool wanted = false;
      {
        const std::lock_guard<std::mutex> lock(mu);
        finished.emplace(i, std::move(r));
        wanted = i == written;
      }
      if (wanted) done_cv.notify_one();
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    FileResult r;
    bool wake = false;
    {
      std::unique_lock<std::mutex> lock(mu);
      done_cv.wait(lock, [&] { return finished.count(i) != 0; });
      r = std::move(finished.at(i));
      finished.erase(i);
      written = i + 1;
      wake = blocked > 0;
    }
    if (wake) window_cv.notify_all();
    emit(r);
  }
  for (auto& t : threads) t.join();
  std::fflush(out);
  return total;
}

}  // namespace pixelwarden::cli
