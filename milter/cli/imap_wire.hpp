#pragma once
// The few IMAP4rev1 (RFC 3501) wire pieces `scan` speaks itself once libcurl has
// connected and authenticated (imap_session.hpp says why): splitting the server's
// byte stream into responses with their literals, and reading the responses of
// EXAMINE/SELECT, UID SEARCH, UID FETCH, LIST, CAPABILITY and COPYUID (RFC 4315).
// Literals are counted, never scanned for line ends: a message body line that looks
// like a tagged response ("A005 OK") stays message bytes.
// Pure: bytes in, values out; no sockets.
// Non-goals: a general IMAP parser (BODYSTRUCTURE, ENVELOPE, NOTIFY...), UTF-7 mailbox
// names (folder names are ASCII here).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::cli {

struct ImapResponse {
  std::string line;                   // the response with each literal replaced by "{N}"
  std::vector<std::string> literals;  // the literals' bytes, in order
  bool tagged() const { return !line.empty() && line[0] != '*' && line[0] != '+'; }
};

// Splits a byte stream into responses. feed() returns false when the stream is not
// IMAP (a literal larger than max_literal, a line longer than k_max_line) or one
// response is too large (its lines together over k_max_line, its literals together
// over max_literal + k_max_line).
class ImapReader {
 public:
  // UID SEARCH ALL answers with every UID of the folder on one line, about 8 bytes a
  // message: 16 MiB holds two million (1 MiB failed on folders of ~130,000 messages).
  static constexpr std::size_t k_max_line = 16 << 20;
  explicit ImapReader(std::size_t max_literal) : m_max_literal(max_literal) {}
  bool feed(std::string_view bytes, std::vector<ImapResponse>& out);
  const std::string& error() const { return m_error; }
  bool idle() const { return m_buf.empty() && m_cur.line.empty() && m_literal_left == 0; }

 private:
  std::size_t m_max_literal;
  std::string m_buf;   // bytes of the current line not yet complete
  ImapResponse m_cur;  // response being assembled
  std::size_t m_literal_left = 0;
  std::size_t m_literal_bytes = 0;  // announced by the current response so far
  std::string m_error;
};

// "tag OK [..] text" -> "OK", "NO", "BAD" (empty when not tagged by `tag`).
std::string tagged_status(const ImapResponse& r, std::string_view tag);

// A quoted string for a mailbox name; nothing when the name cannot be sent as one
// (CR, LF, NUL, non-ASCII).
std::optional<std::string> quote_mailbox(std::string_view name);

// "* N EXISTS" -> N.
std::optional<std::uint32_t> exists_count(const ImapResponse& r);
// "[UIDVALIDITY n]" anywhere in an OK response.
std::optional<std::uint32_t> uidvalidity(const ImapResponse& r);
// "* SEARCH 1 2 3" -> UIDs (appended).
bool search_uids(const ImapResponse& r, std::vector<std::uint32_t>& out);
// "* CAPABILITY ..." -> true and the words (upper-cased).
bool capabilities(const ImapResponse& r, std::vector<std::string>& out);
// "* LIST (flags) "sep" name" -> the name (quoted, atom or literal); \Noselect -> nothing.
std::optional<std::string> list_name(const ImapResponse& r);

struct FetchedMessage {
  std::uint32_t uid = 0;
  std::string bytes;
};
// "* N FETCH (UID u BODY[]<0> {n}...)" -> the UID and the literal.
std::optional<FetchedMessage> fetched(ImapResponse& r);

// "[COPYUID validity src-set dst-set]": pairs (source UID, destination UID).
struct CopyUid {
  std::uint32_t validity = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
};
std::optional<CopyUid> copyuid(const ImapResponse& r);

// A sorted UID list as an IMAP sequence set ("1:4,7,9:10"); expand_set is its inverse.
std::string uid_set(std::vector<std::uint32_t> uids);
std::optional<std::vector<std::uint32_t>> expand_set(std::string_view set);

}  // namespace pixelwarden::cli
