#pragma once
// JournalFile: the append-only JSON Lines journal of `scan --move-to --apply` (Maildir
// renames and IMAP moves alike). Each line is written with one write(2) and reaches the
// disk (fdatasync) before the move it announces, so a crash leaves a journal that --undo
// can trust.
//
// The journal is often written as root beside users' mailboxes: it is opened
// O_NOFOLLOW|O_CLOEXEC, created mode 0600, and must be a regular file, so a symlink or
// FIFO planted at its path is refused, never followed or blocked on.
// Non-goals: reading the journal (each remediation reads its own lines), rotation.

#include <string>
#include <string_view>

namespace pixelwarden::cli {

class JournalFile {
 public:
  explicit JournalFile(const std::string& path);
  ~JournalFile();
  JournalFile(const JournalFile&) = delete;
  JournalFile& operator=(const JournalFile&) = delete;

  bool ok() const { return m_fd >= 0; }
  // Why the journal could not be opened ("PATH: reason"); empty when ok().
  const std::string& error() const { return m_error; }
  // Appends `line` and a newline, then waits until they are on disk. False on any failure.
  bool write(std::string_view line);

 private:
  int m_fd = -1;
  std::string m_error;
};

}  // namespace pixelwarden::cli
