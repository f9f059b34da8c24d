#pragma once
// The IMAP source of `pixelwarden scan imap://USER@HOST[:PORT]/FOLDER`: every message of
// the folder (of every selectable folder when the URL names none) through the same
// scan_message() as files. Read-only: folders are opened with EXAMINE and messages
// fetched with BODY.PEEK[] (no \Seen flag set, nothing changed), at most
// max_message_bytes + k_header_allowance bytes of each (BODY.PEEK[]<0.N>), 64 per
// UID FETCH round trip.
// Failures are reported, never hidden: a folder that cannot be opened is an error and
// the other folders are still scanned; a connection that drops or times out mid-fetch
// is an error naming the folder and how many of its messages were scanned, and the
// records already written stay (a partial report, never a silent "0 matched").
// A message expunged by someone else during the scan is counted, not an error.
// --shard: a message's key is imap_message_key(folder, UIDVALIDITY, UID).

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "cli/imap_url.hpp"
#include "cli/scan_runner.hpp"

namespace pixelwarden::cli {

inline constexpr std::size_t k_imap_batch = 64;
inline constexpr std::chrono::seconds k_imap_timeout{60};

struct ImapScanResult {
  ScanStats stats;
  std::vector<std::string> errors;
  std::uint64_t vanished = 0;  // expunged by someone else between SEARCH and FETCH
};

ImapScanResult scan_imap(const ImapUrl& url, const std::string& password, const ScanOptions& opt,
                         std::FILE* out, ScanProgress& progress,
                         const std::function<void(const ScanRecord&)>& on_record);

}  // namespace pixelwarden::cli
