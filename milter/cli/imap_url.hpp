#pragma once
// An IMAP source of `pixelwarden scan`: imap://USER@HOST[:PORT]/FOLDER or imaps://...
// (RFC 5092 form, percent-decoded). No FOLDER: every folder the server lists. A password
// in the URL is refused: credentials come from a file or the environment, never the
// command line (other users see it in ps and shell history).
// Non-goals: URL auth mechanisms (;AUTH=), search criteria in the URL.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::cli {

struct ImapUrl {
  bool tls = false;  // imaps: TLS from the first byte
  std::string user;
  std::string host;
  std::uint16_t port = 143;
  std::string folder;  // empty: all folders
  // imap://user@host:port (no folder, no password): the journal's and report's name.
  std::string server() const;
  // server() + "/" + folder
  std::string folder_url(const std::string& folder) const;
};

bool looks_like_imap_url(std::string_view arg);

// Whether the password may only travel over TLS: always (imaps://, or STARTTLS required
// on imap://) but to a loopback host (127.0.0.0/8, ::1, localhost), where a plaintext
// test server or a local proxy is the usual peer and no network sees the login.
bool requires_tls(const ImapUrl& url);

// The URL or an error text.
std::optional<ImapUrl> parse_imap_url(std::string_view text, std::string& error);

}  // namespace pixelwarden::cli
