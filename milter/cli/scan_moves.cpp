#include "cli/scan_moves.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include "cli/imap_remediate.hpp"
#include "cli/scan_date.hpp"

namespace pixelwarden::cli {
namespace {

std::string default_journal() {
  std::string stamp = format_iso_utc(static_cast<std::int64_t>(std::time(nullptr)));
  stamp.erase(std::remove(stamp.begin(), stamp.end(), ':'), stamp.end());
  stamp.erase(std::remove(stamp.begin(), stamp.end(), '-'), stamp.end());
  return "pixelwarden-moves-" + stamp + ".jsonl";
}

}  // namespace

std::optional<std::string> read_password(const Args& args, std::string& error) {
  if (auto file = args.get("--password-file")) {
    std::ifstream in(*file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      error = "--password-file " + *file + ": cannot read a password from it";
      return std::nullopt;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (const char* env = std::getenv(k_password_env); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  error = std::string("an IMAP source needs a password: --password-file FILE or ") +
          k_password_env + " (never on the command line)";
  return std::nullopt;
}

void Remediation::take(const ScanRecord& r) {
  if (r.uid) {
    m_imap[r.imap_server].push_back(r);
  } else {
    plan_move(r, m_folder, m_files);
  }
}

std::size_t Remediation::apply(const Args& args, const std::string& password) {
  for (const NotMoved& n : m_files.not_moved)
    std::fprintf(stderr, "pixelwarden scan: not moved: %s: %s\n", n.location.c_str(),
                 n.why.c_str());
  std::size_t imap_count = 0;
  for (const auto& [server, recs] : m_imap) imap_count += recs.size();
  const std::size_t total = m_files.moves.size() + imap_count;
  if (!args.has("--apply")) {
    for (const PlannedMove& m : m_files.moves)
      std::fprintf(stderr, "would move %s -> %s\n", m.from.c_str(), m.to.c_str());
    for (const auto& [server, recs] : m_imap) {
      for (const ScanRecord& r : recs)
        std::fprintf(stderr, "would move %s -> %s\n", location_of(r).c_str(), m_folder.c_str());
    }
    std::fprintf(stderr,
                 "scan: %zu messages would be moved to %s (dry run: nothing was changed; "
                 "--apply moves them), %zu cannot be moved\n",
                 total, m_folder.c_str(), m_files.not_moved.size());
    return 0;
  }
  const std::string journal = args.get("--journal").value_or(default_journal());
  const MoveResult files = apply_moves(m_files, journal);
  std::vector<std::string> errors = files.errors;
  std::uint64_t moved = files.moved;
  for (const auto& [server, recs] : m_imap) {
    std::string why;
    const auto url = parse_imap_url(server, why);
    if (!url) {
      errors.push_back(server + ": " + why);
      continue;
    }
    const ImapMoveResult r = imap_move(*url, password, recs, m_folder, journal);
    moved += r.moved;
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
  }
  for (const std::string& e : errors)
    std::fprintf(stderr, "pixelwarden scan: not moved: %s\n", e.c_str());
  std::fprintf(stderr,
               "scan: %llu messages moved to %s, %zu failed, %zu cannot be moved; journal %s "
               "(undo: pixelwarden scan --undo %s)\n",
               static_cast<unsigned long long>(moved), m_folder.c_str(), errors.size(),
               m_files.not_moved.size(), journal.c_str(), journal.c_str());
  return errors.size();
}

int undo_command(const std::string& journal, const Args& args) {
  const UndoResult files = undo_journal(journal);
  std::vector<std::string> errors = files.errors;
  std::uint64_t restored = files.restored;
  if (journal_has_imap(journal)) {
    std::string why;
    const auto password = read_password(args, why);
    if (!password) {
      errors.push_back(why);
    } else {
      const ImapUndoResult r = imap_undo(journal, *password);
      restored += r.restored;
      errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    }
  }
  // The Maildir reader does not know IMAP lines; they are not its errors.
  for (const std::string& e : errors)
    std::fprintf(stderr, "pixelwarden scan: not restored: %s\n", e.c_str());
  std::fprintf(stderr, "scan: %llu messages restored, %llu already in place, %zu errors\n",
               static_cast<unsigned long long>(restored),
               static_cast<unsigned long long>(files.already_back), errors.size());
  return errors.empty() ? 0 : 1;
}

}  // namespace pixelwarden::cli
