#pragma once
// Finding the mail under the paths given to `pixelwarden scan`, in a deterministic
// order (arguments in order; directory entries sorted bytewise; depth-first).
//
// What is a message:
//   - every regular file in a `cur/` or `new/` directory (Maildir, Maildir++ `.Sub/`
//     folders included: they are just more directories with cur/ and new/); `tmp/`
//     (deliveries in progress) and dot files are skipped;
//   - a file named *.eml (any case);
//   - a file named on the command line that is not an mbox.
// What is an mbox: a file that starts with "From " or with the gzip magic (1f 8b),
// or is named *.mbox / *.mbx / *.mbox.gz (then a bad start is reported, not skipped).
// Anything else met while walking a directory (Dovecot indexes, maildirsize, ...) is
// skipped and counted. Symbolic links to directories are not followed while walking
// (no loops); a symbolic link named on the command line is.
// Non-goals: MH folders, mailbox formats of proprietary clients. Read-only: files are
// opened O_RDONLY just to sniff their first bytes.

#include <cstdint>
#include <string>
#include <vector>

namespace pixelwarden::cli {

enum class InputKind { message, mbox };

struct ScanInput {
  std::string path;
  std::string key;  // the path relative to the directory named on the command line (the
                    // base name for a file named there): the same on every machine that
                    // mounts the store elsewhere; scan --shard hashes it
  InputKind kind = InputKind::message;
  std::uint64_t size = 0;  // on disk (compressed size for a gzip mbox); 0 when not listed
                           // (list_inputs without sizes)
  // One part of a plain mbox that --jobs share (run_scan() cuts it): the messages whose
  // "From " lines start in [segment_begin, segment_end). segment_end 0: the whole file.
  std::uint64_t segment_begin = 0;
  std::uint64_t segment_end = 0;
  std::uint64_t device = 0;  // of the file cut: a part checks it reads that file
  std::uint64_t inode = 0;
};

struct StoreIssue {
  std::string path;
  std::string message;
};

struct StoreListing {
  std::vector<ScanInput> inputs;
  std::vector<StoreIssue> errors;   // missing or unreadable paths
  std::uint64_t skipped_files = 0;  // files met in a walk that are no mail
  std::uint64_t total_bytes = 0;    // of the listed sizes
};

// The inputs under `paths`, in name order. Without `sizes`, the message files of a
// Maildir's cur/ and new/ are listed by the directory's entry types alone, with size 0
// (and so not in total_bytes); mboxes and files elsewhere always have their size.
StoreListing list_inputs(const std::vector<std::string>& paths, bool sizes = true);

// The first bytes of a file decide: "From " or gzip magic -> mbox.
bool looks_like_mbox(const std::string& first_bytes);

}  // namespace pixelwarden::cli
