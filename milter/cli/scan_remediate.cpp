#include "cli/scan_remediate.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include "base/json.hpp"
#include "base/utf8.hpp"
#include "cli/journal_file.hpp"
#include "cli/scan_date.hpp"
#include "cli/scan_maildir.hpp"
#include "mime/charset.hpp"

namespace pixelwarden::cli {
namespace {

bool exists(const std::string& path, struct stat* st = nullptr) {
  struct stat local {};
  return ::lstat(path.c_str(), st != nullptr ? st : &local) == 0;
}

// An existing entry must be a real directory: a symlink planted in a mailbox (its owner
// can) would send the moves of a scan run as root into someone else's mailbox.
bool make_dir(const std::string& path, std::string& error) {
  if (::mkdir(path.c_str(), 0700) == 0) return true;
  if (errno != EEXIST) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return true;
  error = path + ": exists and is not a directory (a symbolic link is not followed)";
  return false;
}

// ROOT/.FOLDER with cur/ new/ tmp/ and the maildirfolder marker Maildir++ readers expect.
bool make_folder(const std::string& dir, std::string& error) {
  for (const std::string& d : {dir, dir + "/cur", dir + "/new", dir + "/tmp"}) {
    if (!make_dir(d, error)) return false;
  }
  const std::string marker = dir + "/maildirfolder";
  const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    error = marker + ": " + std::strerror(errno);
    return false;
  }
  ::close(fd);
  return true;
}

// rename(2) that never replaces an existing target.
int rename_noreplace(const std::string& from, const std::string& to) {
  const int r = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (r == 0 || errno != EINVAL) return r;
  // A filesystem without RENAME_NOREPLACE: check, then rename (a race is reported by
  // the next undo as a size mismatch, never silently lost).
  if (exists(to)) {
    errno = EEXIST;
    return -1;
  }
  return ::rename(from.c_str(), to.c_str());
}

std::string now_iso() { return format_iso_utc(static_cast<std::int64_t>(std::time(nullptr))); }

std::string move_line(const PlannedMove& m, std::uint64_t size) {
  base::JsonWriter w;
  w.begin_object().key("op").value("move").key("source").value("maildir");
  w.key("from").value(m.from).key("to").value(m.to).key("message_id").value(m.message_id);
  w.key("rules").begin_array();
  for (const auto& r : m.rules) w.value(r);
  w.end_array().key("size").value(size).key("time").value(now_iso()).end_object();
  return w.take();
}

std::string failed_line(const PlannedMove& m, const std::string& error) {
  base::JsonWriter w;
  w.begin_object().key("op").value("failed").key("from").value(m.from).key("to").value(m.to);
  w.key("error").value(error).end_object();
  return w.take();
}

struct JournaledMove {
  std::string from;
  std::string to;
  std::uint64_t size = 0;
  bool failed = false;
};

std::vector<JournaledMove> read_journal(const std::string& path, std::vector<std::string>& errors) {
  std::vector<JournaledMove> moves;
  std::ifstream in(path);
  if (!in) {
    errors.push_back(path + ": " + std::strerror(errno));
    return moves;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      // A JSON object is YAML flow syntax; yaml-cpp reads the lines apply_moves writes.
      const YAML::Node j = YAML::Load(line);
      if (!j.IsMap()) throw std::runtime_error("not an object");
      // IMAP moves are imap_remediate's; a "failed" line has no source.
      if (j["source"].IsDefined() && j["source"].as<std::string>() != "maildir") continue;
      const std::string op = j["op"].as<std::string>();
      const std::string from = j["from"].as<std::string>();
      const std::string to = j["to"].as<std::string>();
      if (op == "move") {
        moves.push_back(JournaledMove{from, to, j["size"].as<std::uint64_t>(), false});
      } else if (op == "failed" && !moves.empty() && moves.back().from == from &&
                 moves.back().to == to) {
        moves.back().failed = true;
      }
    } catch (const std::exception& e) {
      errors.push_back(path + ":" + std::to_string(n) + ": not a journal line: " + e.what());
    }
  }
  return moves;
}

}  // namespace

std::string check_folder_name(const std::string& folder) {
  if (folder.empty()) return "--move-to needs a folder name";
  if (folder[0] == '.' || folder.find('/') != std::string::npos ||
      folder.find("..") != std::string::npos) {
    return "--move-to " + folder +
           ": a Maildir++ folder name has no '/', no leading '.' and no '..'";
  }
  for (char c : folder) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "--move-to: control characters in the folder name";
  }
  if (folder == "INBOX") return "--move-to INBOX: the matches are to leave INBOX, not enter it";
  return {};
}

void plan_move(const ScanRecord& r, const std::string& folder, MovePlan& plan) {
  const std::string where = location_of(r);
  if (r.mbox_offset) {
    plan.not_moved.push_back(
        {where, "in an mbox file, which is never modified (the offset names the message)"});
    return;
  }
  if (r.uid) {
    plan.not_moved.push_back({where, "an IMAP message (moved over IMAP only)"});
    return;
  }
  const auto place = maildir_place(r.path);
  if (!place) {
    plan.not_moved.push_back({where, "not in a Maildir's cur/ or new/"});
    return;
  }
  if (place->folder == folder) {
    plan.not_moved.push_back({where, "already in " + folder});
    return;
  }
  if (!base::is_valid_utf8(r.path)) {
    plan.not_moved.push_back({where, "the path is not UTF-8 and the journal could not restore it"});
    return;
  }
  PlannedMove m;
  m.from = r.path;
  m.folder_dir = folder_dir(place->root, folder);
  m.to = m.folder_dir + "/" + place->subdir + "/" + place->name;
  m.message_id = r.message_id.value_or("");
  m.rules = r.rules;
  plan.moves.push_back(std::move(m));
}

MoveResult apply_moves(const MovePlan& plan, const std::string& journal_path) {
  MoveResult result;
  if (plan.moves.empty()) return result;
  JournalFile journal(journal_path);
  if (!journal.ok()) {
    result.errors.push_back(journal.error() + " (nothing was moved)");
    return result;
  }
  for (const PlannedMove& m : plan.moves) {
    std::string error;
    struct stat st {};
    if (!exists(m.from, &st)) {
      result.errors.push_back(m.from + ": " + std::strerror(errno));
      continue;
    }
    if (!make_folder(m.folder_dir, error)) {
      result.errors.push_back(m.from + ": " + error);
      continue;
    }
    if (!journal.write(move_line(m, static_cast<std::uint64_t>(st.st_size)))) {
      result.errors.push_back(journal_path +
                              ": cannot write the journal (stopped; nothing more moved)");
      return result;
    }
    if (rename_noreplace(m.from, m.to) != 0) {
      error = std::strerror(errno);
      journal.write(failed_line(m, error));
      result.errors.push_back(m.from + ": " + error + " (to " + m.to + ")");
      continue;
    }
    ++result.moved;
  }
  return result;
}

UndoResult undo_journal(const std::string& journal_path) {
  UndoResult result;
  std::vector<JournaledMove> moves = read_journal(journal_path, result.errors);
  // Last to first (no std::views::reverse: Clang 14 with libstdc++ 12 cannot compile it).
  // NOLINTNEXTLINE(modernize-loop-convert)
  for (auto it = moves.rbegin(); it != moves.rend(); ++it) {
    if (it->failed) continue;
    struct stat st {};
    const bool at_target = exists(it->to, &st);
    const bool at_source = exists(it->from);
    if (!at_target && at_source) {
      ++result.already_back;
    } else if (!at_target) {
      result.errors.push_back(it->to + ": gone (moved or deleted since); not restored");
    } else if (at_source) {
      result.errors.push_back(it->from + ": a file is in the way; " + it->to + " left in place");
    } else if (static_cast<std::uint64_t>(st.st_size) != it->size) {
      result.errors.push_back(it->to + ": changed since the move (size); left in place");
    } else if (rename_noreplace(it->to, it->from) != 0) {
      result.errors.push_back(it->to + ": " + std::strerror(errno));
    } else {
      ++result.restored;
    }
  }
  return result;
}

}  // namespace pixelwarden::cli
