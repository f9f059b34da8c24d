#pragma once
// `scan --move-to FOLDER --apply` for IMAP messages, and their undo. Per source folder:
// SELECT (read-write, only now), check that UIDVALIDITY is still the one the scan saw
// (else the UIDs may name other messages: nothing is moved), CREATE FOLDER when
// missing, then UID MOVE (RFC 6851) or, without MOVE, UID COPY + UID STORE \Deleted +
// UID EXPUNGE of exactly those UIDs (UIDPLUS, RFC 4315; without it nothing is moved: a
// plain EXPUNGE would also remove messages the user had marked deleted).
// Journal lines (same file as the Maildir moves), written before the command:
//   {"op":"move","source":"imap","server":..,"from_folder":..,"uidvalidity":..,"uid":..,
//    "to_folder":..,"message_id":..,"time":..}
// and after it, per message, {"op":"moved",..,"to_uidvalidity":..,"to_uid":..} from the
// server's COPYUID, or {"op":"failed",..,"error":..}.
// Undo moves them back with UID MOVE from to_folder (by to_uid, or by Message-ID when
// the server gave no COPYUID), checking to_uidvalidity.

#include <cstdint>
#include <string>
#include <vector>

#include "cli/imap_url.hpp"
#include "cli/scan_output.hpp"

namespace pixelwarden::cli {

struct ImapMoveResult {
  std::uint64_t moved = 0;
  std::vector<std::string> errors;
};

// records: reported IMAP records (uid set), all of one server. url: the server's URL
// (user, host, port, tls) for the connection.
ImapMoveResult imap_move(const ImapUrl& url, const std::string& password,
                         const std::vector<ScanRecord>& records, const std::string& folder,
                         const std::string& journal_path);

struct ImapUndoResult {
  std::uint64_t restored = 0;
  std::vector<std::string> errors;
  bool had_imap = false;  // the journal holds IMAP moves (a password is then needed)
};

// Reads the IMAP lines of the journal and moves those messages back. password_for is
// asked once per server.
ImapUndoResult imap_undo(const std::string& journal_path, const std::string& password);

// True when the journal holds IMAP moves.
bool journal_has_imap(const std::string& journal_path);

}  // namespace pixelwarden::cli
