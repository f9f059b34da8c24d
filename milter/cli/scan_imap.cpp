#include "cli/scan_imap.hpp"

#include <algorithm>
#include <set>

#include "cli/imap_session.hpp"
#include "cli/scan_shard.hpp"

namespace pixelwarden::cli {
namespace {

struct FolderState {
  std::uint32_t uidvalidity = 0;
  std::vector<std::uint32_t> uids;
};

// The folders to scan: the URL's, or every selectable one the server lists.
base::Result<std::vector<std::string>> folders_of(const ImapUrl& url, ImapSession& s) {
  if (!url.folder.empty()) return std::vector<std::string>{url.folder};
  auto reply = s.command("LIST \"\" \"*\"");
  if (!reply.ok()) return reply.error();
  if (!reply->ok()) return base::plain_error("LIST: " + reply->text());
  std::vector<std::string> out;
  for (const auto& r : reply->untagged) {
    if (auto name = list_name(r)) out.push_back(*name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// EXAMINE (read-only) and the folder's UIDs. A NO answer (no such folder, no right) is
// a folder error; a connection error is returned as the Result's error.
base::Result<FolderState> examine(ImapSession& s, const std::string& folder,
                                  std::string& folder_error) {
  const auto quoted = quote_mailbox(folder);
  if (!quoted) {
    folder_error = "folder names must be ASCII without CR/LF";
    return FolderState{};
  }
  auto reply = s.command("EXAMINE " + *quoted);
  if (!reply.ok()) return reply.error();
  if (!reply->ok()) {
    folder_error = "cannot open the folder: " + reply->text();
    return FolderState{};
  }
  FolderState st;
  for (const auto& r : reply->untagged) {
    if (auto v = uidvalidity(r)) st.uidvalidity = *v;
  }
  if (auto v = uidvalidity(reply->tagged)) st.uidvalidity = *v;
  auto search = s.command("UID SEARCH ALL");
  if (!search.ok()) return search.error();
  if (!search->ok()) {
    folder_error = "UID SEARCH: " + search->text();
    return FolderState{};
  }
  for (const auto& r : search->untagged) search_uids(r, st.uids);
  std::sort(st.uids.begin(), st.uids.end());
  return st;
}

class FolderScan {
 public:
  FolderScan(const ImapUrl& url, const std::string& folder, const FolderState& st,
             const ScanOptions& opt, std::FILE* out, ScanProgress& progress,
             const std::function<void(const ScanRecord&)>& on_record, ImapScanResult& result)
      : m_url(url), m_folder(folder), m_st(st), m_opt(opt), m_out(out), m_progress(progress),
        m_on_record(on_record), m_result(result) {}

  // False when the connection failed (the error is recorded).
  bool run(ImapSession& s) {
    std::vector<std::uint32_t> mine;
    for (std::uint32_t uid : m_st.uids) {
      if (m_opt.shard &&
          !in_shard(*m_opt.shard, imap_message_key(m_folder, m_st.uidvalidity, uid))) {
        ++m_result.stats.other_shard;
        continue;
      }
      mine.push_back(uid);
    }
    const std::size_t cap = m_opt.limits.max_message_bytes + k_header_allowance;
    std::size_t done = 0;
    for (std::size_t i = 0; i < mine.size(); i += k_imap_batch) {
      const std::vector<std::uint32_t> batch(
          mine.begin() + static_cast<std::ptrdiff_t>(i),
          mine.begin() + static_cast<std::ptrdiff_t>(std::min(mine.size(), i + k_imap_batch)));
      std::set<std::uint32_t> got;
      // Each message is scanned as it arrives: a connection that breaks off mid-batch
      // still reports the messages it delivered.
      const auto take = [&](ImapResponse& r) {
        auto m = fetched(r);
        if (!m || std::find(batch.begin(), batch.end(), m->uid) == batch.end()) return;
        if (!got.insert(m->uid).second) return;
        scan(*m);
        ++done;
      };
      auto reply = s.command("UID FETCH " + uid_set(batch) + " (UID BODY.PEEK[]<0." +
                                 std::to_string(cap) + ">)",
                             take);
      if (!reply.ok() || !reply->ok()) {
        const std::string why = reply.ok() ? reply->text() : reply.error().message;
        m_result.errors.push_back(m_url.folder_url(m_folder) + ": " + why + " (after " +
                                  std::to_string(done) + " of " + std::to_string(mine.size()) +
                                  " messages of the folder)");
        return reply.ok();
      }
      m_result.vanished += batch.size() - got.size();
    }
    return true;
  }

 private:
  void scan(const FetchedMessage& m) {
    const std::string where = m_url.folder_url(m_folder);
    try {
      auto rec = scan_message(m.bytes, where, std::nullopt, m_opt, m_result.stats);
      m_progress.add_message(m.bytes.size());
      m_progress.add_disk_bytes(m.bytes.size());
      if (!rec) return;
      rec->folder = m_folder;
      rec->uid = m.uid;
      rec->uidvalidity = m_st.uidvalidity;
      rec->imap_server = m_url.server();
      const std::string line = format_record(m_opt.format, *rec, m_opt.move_to);
      std::fwrite(line.data(), 1, line.size(), m_out);
      if (m_on_record && m_opt.keep_records) m_on_record(*rec);
    } catch (const std::exception& e) {
      m_result.errors.push_back(where + ";UID=" + std::to_string(m.uid) +
                                ": internal error: " + e.what());
    }
  }

  const ImapUrl& m_url;
  const std::string& m_folder;
  const FolderState& m_st;
  const ScanOptions& m_opt;
  std::FILE* m_out;
  ScanProgress& m_progress;
  const std::function<void(const ScanRecord&)>& m_on_record;
  ImapScanResult& m_result;
};

}  // namespace

ImapScanResult scan_imap(const ImapUrl& url, const std::string& password, const ScanOptions& opt,
                         std::FILE* out, ScanProgress& progress,
                         const std::function<void(const ScanRecord&)>& on_record) {
  ImapScanResult result;
  auto session = ImapSession::open(
      url, password, opt.limits.max_message_bytes + k_header_allowance + 4096, k_imap_timeout);
  if (!session.ok()) {
    result.errors.push_back(session.error().message);
    return result;
  }
  ImapSession& s = **session;
  auto folders = folders_of(url, s);
  if (!folders.ok()) {
    result.errors.push_back(url.server() + ": " + folders.error().message);
    return result;
  }
  for (const std::string& folder : *folders) {
    std::string folder_error;
    auto st = examine(s, folder, folder_error);
    if (!st.ok()) {
      result.errors.push_back(url.folder_url(folder) + ": " + st.error().message);
      return result;  // the connection is gone: the other folders cannot be read
    }
    if (!folder_error.empty()) {
      result.errors.push_back(url.folder_url(folder) + ": " + folder_error);
      continue;
    }
    ++result.stats.files;
    FolderScan scan(url, folder, *st, opt, out, progress, on_record, result);
    if (!scan.run(s)) return result;
    std::fflush(out);
  }
  return result;
}

}  // namespace pixelwarden::cli
