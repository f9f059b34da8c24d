#pragma once
// The scanning of `pixelwarden scan`: one message through engine::inspect() with an
// empty envelope (the engine reconstructs it from the message), the filters (--rule,
// --since/--until, --all), and the files: a message file read whole, an mbox (plain or
// gzip) streamed through MboxSplitter with a 1 MiB buffer, so memory stays bounded by
// one message per thread.
//
// Parallelism: run_scan() hands whole files to `jobs` threads; each file's report lines
// are formatted by its thread and written by the caller's thread in input order, so the
// output is the same for any --jobs. At most k_scan_window files may be finished ahead of
// the oldest unfinished one (bounded buffering behind one slow, big mbox). A large plain
// mbox is first cut at byte offsets (mbox_segments()): each part is read and split by
// the thread that takes it, so one mbox is shared by all jobs, reading included. A gzip
// mbox cannot be cut: one thread inflates and splits it, and the jobs scan its messages.
// Read-only: files are opened O_RDONLY, never locked, moved or written.
//
// --new-since: a match counts only when its rule is among the diff's affected rules and
// the baseline ruleset, run on the same message, does not make the same match (rule,
// where, value; for trackers rule, vector, URL). The baseline runs only on messages
// that still have a candidate match, so a hunt costs about one engine pass. The verdict
// reported then lists only the new matches.
//
// Date filter: [since, until). A message without a parsable Date header is scanned and
// reported like any other under --since/--until (a forged or missing Date must not hide a
// lure from a hunt), and counted as undated.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/scan_output.hpp"
#include "cli/scan_progress.hpp"
#include "cli/scan_shard.hpp"
#include "cli/scan_store.hpp"
#include "engine/inspect.hpp"

namespace pixelwarden::cli {

inline constexpr std::size_t k_scan_window = 1024;
// Header bytes allowed beyond max_message_bytes before a message is cut: a cut message
// is still over the limit, so the engine sees it as too_large and checks its headers.
inline constexpr std::size_t k_header_allowance = 1024 * 1024;

struct ScanOptions {
  std::shared_ptr<const ruleset::Ruleset> rules;
  engine::Limits limits;
  ScanFormat format = ScanFormat::json;
  bool all = false;                     // report every message
  std::vector<std::string> only_rules;  // --rule: report only messages these matched
  std::optional<std::int64_t> since;    // epoch seconds, inclusive
  std::optional<std::int64_t> until;    // epoch seconds, exclusive
  bool keep_records = false;            // FileResult::records (for --move-to)
  std::string move_to;                  // --move-to (--format doveadm writes move commands)
  std::optional<Shard> shard;           // --shard: mbox messages of other shards are skipped
  // --new-since: the earlier ruleset and the rules whose matches may differ from it
  // (ruleset::diff); only matches the baseline would not have made are reported.
  std::shared_ptr<const ruleset::Ruleset> baseline;
  std::vector<std::string> affected_rules;
  // A hunt for some lure rules (--rule, --new-since): the rules a message must match to
  // be reported, and the filter that lets the engine skip text parts that cannot hold
  // their domains (hunt_prefilter.hpp). A message they match is inspected again in full.
  std::vector<std::string> hunted_rules;
  std::shared_ptr<const engine::PartFilter> prefilter;
  // With --jobs > 1, a plain mbox of at least two segments of this size is cut at these
  // offsets and its parts scanned by the jobs side by side (smaller in tests).
  std::uint64_t mbox_segment_bytes = 4u << 20;
};

// The rules a hunt with these options reports matches of (--rule, and with --new-since
// only the affected ones); empty when it reports more than the matches of some rules.
std::vector<std::string> hunted_rules(const ScanOptions& opt);

struct FileResult {
  std::string output;  // formatted report lines
  ScanStats stats;
  std::vector<std::string> errors;  // "PATH: what went wrong"
  std::vector<ScanRecord> records;  // the reported records, with ScanOptions::keep_records
};

// One message: filters, inspection, counting. Returns the record when it is reported.
std::optional<ScanRecord> scan_message(std::string_view message, const std::string& path,
                                       std::optional<std::uint64_t> mbox_offset,
                                       const ScanOptions& opt, ScanStats& stats);

// The inputs with every plain mbox of at least 2 x segment_bytes (and starting with
// "From ") replaced by its parts of segment_bytes (ScanInput::segment_begin/end), cut at
// its size when this is called; each part scans only the file it was cut from (device
// and inode). The parts' results, in order, are the whole file's (only the first part
// counts the file).
std::vector<ScanInput> mbox_segments(const std::vector<ScanInput>& inputs,
                                     std::uint64_t segment_bytes);

// One input file, or one part of an mbox. progress may be null.
FileResult scan_file(const ScanInput& input, const ScanOptions& opt, ScanProgress* progress);

// Every input with `jobs` threads; report lines go to out in input order, errors to
// stderr through progress. Returns the merged counts.
// on_record (optional) sees every kept record, in input order, on the caller's thread.
ScanStats run_scan(const std::vector<ScanInput>& inputs, const ScanOptions& opt, unsigned jobs,
                   std::FILE* out, ScanProgress& progress,
                   const std::function<void(const ScanRecord&)>& on_record = {});

}  // namespace pixelwarden::cli
