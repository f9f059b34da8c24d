#pragma once
// The command-line side of `scan --move-to` and `scan --undo`: collecting the reported
// records during the scan, then the dry-run listing or the journaled moves (Maildir
// through scan_remediate, IMAP through imap_remediate), and the undo of a journal.
// Also where IMAP credentials come from: --password-file FILE (its first line) or the
// environment variable PIXELWARDEN_IMAP_PASSWORD, never an argument.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/imap_url.hpp"
#include "cli/scan_remediate.hpp"

namespace pixelwarden::cli {

inline constexpr const char* k_password_env = "PIXELWARDEN_IMAP_PASSWORD";

// The IMAP password, or nothing with error set.
std::optional<std::string> read_password(const Args& args, std::string& error);

class Remediation {
 public:
  explicit Remediation(std::string folder) : m_folder(std::move(folder)) {}
  // A reported record (files: planned now; IMAP: grouped by server).
  void take(const ScanRecord& r);
  // Dry run (no --apply): lists; --apply: moves and journals. Returns the error count.
  std::size_t apply(const Args& args, const std::string& password);

 private:
  std::string m_folder;
  MovePlan m_files;
  std::map<std::string, std::vector<ScanRecord>> m_imap;  // by ImapUrl::server()
};

// `scan --undo JOURNAL`: Maildir moves, then IMAP moves (a password is read only when
// the journal holds some). Returns the exit status.
int undo_command(const std::string& journal, const Args& args);

}  // namespace pixelwarden::cli
