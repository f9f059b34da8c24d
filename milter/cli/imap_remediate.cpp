#include "cli/imap_remediate.hpp"

#include <ctime>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/json.hpp"
#include "cli/imap_session.hpp"
#include "cli/journal_file.hpp"
#include "cli/scan_date.hpp"
#include "cli/scan_imap.hpp"

namespace pixelwarden::cli {
namespace {

std::string now_iso() { return format_iso_utc(static_cast<std::int64_t>(std::time(nullptr))); }

base::JsonWriter line(const char* op, const ScanRecord& r, const std::string& to_folder) {
  base::JsonWriter w;
  w.begin_object().key("op").value(op).key("source").value("imap");
  w.key("server").value(r.imap_server).key("from_folder").value(r.folder.value_or(""));
  w.key("uidvalidity").value(static_cast<std::uint64_t>(r.uidvalidity));
  w.key("uid").value(static_cast<std::uint64_t>(r.uid.value_or(0)));
  w.key("to_folder").value(to_folder).key("message_id").value(r.message_id.value_or(""));
  return w;
}

// COPYUID from the untagged or tagged answer of UID MOVE / UID COPY.
std::optional<CopyUid> copy_uids(const ImapReply& reply) {
  for (const auto& r : reply.untagged) {
    if (auto c = copyuid(r)) return c;
  }
  return copyuid(reply.tagged);
}

// One source folder's messages to `folder`. Returns false when the session broke.
bool move_group(ImapSession& s, const std::vector<const ScanRecord*>& group,
                const std::string& folder, JournalFile& journal, ImapMoveResult& result) {
  const ScanRecord& first = *group.front();
  const std::string from = first.folder.value_or("");
  const std::string where = first.imap_server + "/" + from;
  const auto fail_all = [&](const std::string& why) {
    for (const ScanRecord* r : group) {
      auto w = line("failed", *r, folder);
      w.key("error").value(why).end_object();
      journal.write(w.take());
    }
    result.errors.push_back(where + ": " + why + " (" + std::to_string(group.size()) +
                            " messages not moved)");
  };
  auto sel = s.command("SELECT " + *quote_mailbox(from));
  if (!sel.ok()) return fail_all(sel.error().message), false;
  if (!sel->ok()) return fail_all("SELECT: " + sel->text()), true;
  std::uint32_t validity = 0;
  for (const auto& r : sel->untagged) {
    if (auto v = uidvalidity(r)) validity = *v;
  }
  if (validity != first.uidvalidity) {
    return fail_all("UIDVALIDITY changed since the scan; the UIDs may name other messages"), true;
  }
  const bool has_move = s.has_capability("MOVE");
  if (!has_move && !s.has_capability("UIDPLUS")) {
    return fail_all("the server has neither MOVE nor UIDPLUS"), true;
  }
  auto created = s.command("CREATE " + *quote_mailbox(folder));  // NO when it exists
  if (!created.ok()) return fail_all(created.error().message), false;
  std::vector<std::uint32_t> uids;
  for (const ScanRecord* r : group) {
    uids.push_back(*r->uid);
    auto w = line("move", *r, folder);
    w.key("time").value(now_iso()).end_object();
    if (!journal.write(w.take())) return fail_all("cannot write the journal"), true;
  }
  const std::string set = uid_set(uids);
  const std::string target = *quote_mailbox(folder);
  auto moved =
      s.command(has_move ? "UID MOVE " + set + " " + target : "UID COPY " + set + " " + target);
  if (!moved.ok()) return fail_all(moved.error().message), false;
  if (!moved->ok()) return fail_all(moved->text()), true;
  const auto pairs = copy_uids(*moved);
  if (!has_move) {
    auto del = s.command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)");
    if (!del.ok() || !del->ok()) {
      return fail_all("copied but not removed from " + from + ": STORE failed"), del.ok();
    }
    auto exp = s.command("UID EXPUNGE " + set);
    if (!exp.ok() || !exp->ok()) {
      return fail_all("copied but not expunged from " + from), exp.ok();
    }
  }
  for (const ScanRecord* r : group) {
    auto w = line("moved", *r, folder);
    if (pairs) {
      w.key("to_uidvalidity").value(static_cast<std::uint64_t>(pairs->validity));
      for (const auto& [src, dst] : pairs->pairs) {
        if (src == *r->uid) w.key("to_uid").value(static_cast<std::uint64_t>(dst));
      }
    }
    w.end_object();
    journal.write(w.take());
    ++result.moved;
  }
  return true;
}

struct JournaledImapMove {
  std::string server, from_folder, to_folder, message_id;
  std::uint32_t uid = 0;
  std::uint32_t to_uidvalidity = 0;
  std::uint32_t to_uid = 0;
  bool done = false;  // a "moved" line followed
};

std::vector<JournaledImapMove> read_imap_journal(const std::string& path,
                                                 std::vector<std::string>& errors) {
  std::vector<JournaledImapMove> out;
  std::ifstream in(path);
  if (!in) {
    errors.push_back(path + ": cannot read");
    return out;
  }
  std::string text;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    try {
      const YAML::Node j = YAML::Load(text);
      if (!j["source"].IsDefined() || j["source"].as<std::string>() != "imap") continue;
      if (j["op"].as<std::string>() != "moved") continue;
      JournaledImapMove m;
      m.server = j["server"].as<std::string>();
      m.from_folder = j["from_folder"].as<std::string>();
      m.to_folder = j["to_folder"].as<std::string>();
      m.message_id = j["message_id"].as<std::string>();
      m.uid = j["uid"].as<std::uint32_t>();
      if (j["to_uid"].IsDefined()) {
        m.to_uid = j["to_uid"].as<std::uint32_t>();
        m.to_uidvalidity = j["to_uidvalidity"].as<std::uint32_t>();
      }
      out.push_back(std::move(m));
    } catch (const std::exception& e) {
      errors.push_back(path + ": not a journal line: " + e.what());
    }
  }
  return out;
}

}  // namespace

ImapMoveResult imap_move(const ImapUrl& url, const std::string& password,
                         const std::vector<ScanRecord>& records, const std::string& folder,
                         const std::string& journal_path) {
  ImapMoveResult result;
  if (records.empty()) return result;
  JournalFile journal(journal_path);
  if (!journal.ok()) {
    result.errors.push_back(journal.error() + " (nothing was moved)");
    return result;
  }
  auto session = ImapSession::open(url, password, 1 << 20, k_imap_timeout);
  if (!session.ok()) {
    result.errors.push_back(session.error().message + " (nothing was moved)");
    return result;
  }
  std::map<std::string, std::vector<const ScanRecord*>> by_folder;
  for (const ScanRecord& r : records) by_folder[r.folder.value_or("")].push_back(&r);
  for (const auto& [from, group] : by_folder) {
    if (!move_group(**session, group, folder, journal, result)) break;
  }
  return result;
}

bool journal_has_imap(const std::string& journal_path) {
  std::ifstream in(journal_path);
  std::string text;
  while (std::getline(in, text)) {
    if (text.find("\"source\":\"imap\"") != std::string::npos) return true;
  }
  return false;
}

ImapUndoResult imap_undo(const std::string& journal_path, const std::string& password) {
  ImapUndoResult result;
  const std::vector<JournaledImapMove> moves = read_imap_journal(journal_path, result.errors);
  result.had_imap = !moves.empty();
  // server -> (to_folder, from_folder) -> moves
  std::map<std::string,
           std::map<std::pair<std::string, std::string>, std::vector<const JournaledImapMove*>>>
      plan;
  for (const auto& m : moves) plan[m.server][{m.to_folder, m.from_folder}].push_back(&m);
  for (const auto& [server, groups] : plan) {
    std::string error;
    const auto url = parse_imap_url(server, error);
    if (!url) {
      result.errors.push_back(fmt::format("{}: {}", server, error));
      continue;
    }
    auto session = ImapSession::open(*url, password, 1 << 20, k_imap_timeout);
    if (!session.ok()) {
      result.errors.push_back(session.error().message);
      continue;
    }
    ImapSession& s = **session;
    for (const auto& [folders, group] : groups) {
      const auto& [to_folder, from_folder] = folders;
      if (!quote_mailbox(to_folder) || !quote_mailbox(from_folder)) {
        result.errors.push_back(server + ": a folder name the journal holds cannot be sent");
        continue;
      }
      auto sel = s.command("SELECT " + *quote_mailbox(to_folder));
      if (!sel.ok() || !sel->ok()) {
        result.errors.push_back(fmt::format("{}/{}: cannot open the folder", server, to_folder));
        continue;
      }
      std::uint32_t validity = 0;
      for (const auto& r : sel->untagged) {
        if (auto v = uidvalidity(r)) validity = *v;
      }
      std::vector<std::uint32_t> uids;
      for (const JournaledImapMove* m : group) {
        if (m->to_uid != 0 && m->to_uidvalidity == validity) {
          uids.push_back(m->to_uid);
          continue;
        }
        // No COPYUID, or the folder was recreated: find the message by its Message-ID.
        const auto id = quote_mailbox(m->message_id);
        std::vector<std::uint32_t> hits;
        auto found = id ? s.command("UID SEARCH HEADER Message-ID " + *id)
                        : base::Result<ImapReply>(base::plain_error("unsendable Message-ID"));
        if (found.ok() && found->ok()) {
          for (const auto& r : found->untagged) search_uids(r, hits);
        }
        if (hits.size() == 1 && !m->message_id.empty()) {
          uids.push_back(hits[0]);
        } else {
          result.errors.push_back(fmt::format("{}/{}: {}: not found there; not restored", server,
                                              to_folder, m->message_id));
        }
      }
      if (uids.empty()) continue;
      auto back = s.command((s.has_capability("MOVE") ? "UID MOVE " : "UID COPY ") + uid_set(uids) +
                            " " + *quote_mailbox(from_folder));
      if (!back.ok() || !back->ok()) {
        result.errors.push_back(fmt::format("{}/{}: moving back to {} failed: {}", server,
                                            to_folder, from_folder,
                                            back.ok() ? back->text() : back.error().message));
        continue;
      }
      if (!s.has_capability("MOVE")) {
        auto del = s.command("UID STORE " + uid_set(uids) + " +FLAGS.SILENT (\\Deleted)");
        auto exp = s.command("UID EXPUNGE " + uid_set(uids));
        if (!del.ok() || !exp.ok() || !del->ok() || !exp->ok()) {
          result.errors.push_back(
              fmt::format("{}/{}: copied back but not removed", server, to_folder));
        }
      }
      result.restored += uids.size();
    }
  }
  return result;
}

}  // namespace pixelwarden::cli
