#pragma once
// Remediation of `pixelwarden scan --move-to FOLDER`: the matched messages of a Maildir
// are moved into a Maildir++ folder of the same mailbox (ROOT/.FOLDER, created with its
// cur/ new/ tmp/ and maildirfolder when missing), keeping their subdirectory (cur/new)
// and file name, so the flags in ":2,FLAGS" stay. A move is one rename(2) on the same
// filesystem (the folder lives inside the mailbox), never a copy: a message is in one
// place or the other, never half-written or doubled; an existing target is never
// overwritten (RENAME_NOREPLACE).
//
// Journal (JSON Lines, one object per line, written and flushed before each rename):
//   {"op":"move","source":"maildir","from":PATH,"to":PATH,"message_id":..,"rules":[..],
//    "size":N,"time":ISO8601}
//   {"op":"failed","from":PATH,"to":PATH,"error":TEXT}  the move just before did not happen
// undo_journal() renames every journaled move back, newest first; a message already back
// in place is counted, not an error; a message moved or changed since (size differs) is
// reported and left alone.
// Never moved (reported instead): messages in mbox files (an mbox is never modified; the
// report names its offset), loose .eml files (no Maildir), messages already in FOLDER,
// paths the journal could not record faithfully (not UTF-8).
// Dry run (the default): plan_moves() alone; nothing on disk changes.

#include <cstdint>
#include <string>
#include <vector>

#include "cli/scan_output.hpp"

namespace pixelwarden::cli {

struct PlannedMove {
  std::string from;
  std::string to;
  std::string folder_dir;  // the target folder's directory, created on apply
  std::string message_id;
  std::vector<std::string> rules;
};

struct NotMoved {
  std::string location;
  std::string why;
};

struct MovePlan {
  std::vector<PlannedMove> moves;
  std::vector<NotMoved> not_moved;
};

// A Maildir++ folder name: not empty, no '/', no leading '.', no "..", no control
// characters. Returns an error text or "".
std::string check_folder_name(const std::string& folder);

// Adds a record's move (or why it cannot be moved) to the plan.
void plan_move(const ScanRecord& record, const std::string& folder, MovePlan& plan);

struct MoveResult {
  std::uint64_t moved = 0;
  std::vector<std::string> errors;  // "FROM: why", one per message not moved
};

// Creates target folders, journals and renames. journal_path is created (appended to
// when it exists).
MoveResult apply_moves(const MovePlan& plan, const std::string& journal_path);

struct UndoResult {
  std::uint64_t restored = 0;
  std::uint64_t already_back = 0;
  std::vector<std::string> errors;
};

UndoResult undo_journal(const std::string& journal_path);

}  // namespace pixelwarden::cli
