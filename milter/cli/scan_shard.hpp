#pragma once
// `scan --shard I/N`: which messages one of N cooperating scans takes, so a hunt over a
// store too big for one machine runs as N processes (a Kubernetes Indexed Job) whose
// outputs, put together, are exactly one unsharded run's.
//
// Partition: every message has a key that does not depend on where the store is mounted
// or on the machine: the file's path relative to the directory named on the command line
// (ScanInput::key), plus "@OFFSET" for a message inside an mbox, or
// "imap:FOLDER;UIDVALIDITY=V;UID=U" for an IMAP message. A message belongs to shard
// mix64(fnv1a64(key)) mod N. Both are fixed by their definitions (no seed, no std::hash), so every
// machine and every run agrees. The finalizer matters: FNV-1a's low bits depend only on the low
// bits of each byte, so fnv1a64 mod 4 alone put 8% of a real Maildir's files in one shard and 33%
// in another. Shards are numbered 0..N-1 like Kubernetes' JOB_COMPLETION_INDEX. A message file of
// another shard is not even read; an mbox is read by every shard (its messages are split among
// them).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::cli {

struct Shard {
  std::uint32_t index = 0;  // 0 .. count-1
  std::uint32_t count = 1;
};

// "I/N" with 0 <= I < N <= 65536.
std::optional<Shard> parse_shard(std::string_view text);

std::uint64_t fnv1a64(std::string_view bytes);
// MurmurHash3's 64-bit finalizer (fmix64): every input bit reaches every output bit.
std::uint64_t mix64(std::uint64_t h);

bool in_shard(const Shard& shard, std::string_view key);

std::string mbox_message_key(std::string_view file_key, std::uint64_t offset);
std::string imap_message_key(std::string_view folder, std::uint32_t uidvalidity, std::uint32_t uid);

}  // namespace pixelwarden::cli
