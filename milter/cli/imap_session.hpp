#pragma once
// One IMAP connection for `pixelwarden scan`. libcurl (Debian's libcurl4-openssl-dev,
// already on the build machine for prometheus-cpp) does what is easy to get wrong: TCP,
// TLS (imaps:// and STARTTLS when the server offers it) with certificate checks, and
// authentication (SASL PLAIN/LOGIN..., LOGIN); then CURLOPT_CONNECT_ONLY hands the
// authenticated connection over and this class sends the few commands scan needs
// through curl_easy_send/curl_easy_recv, reading the answers with ImapReader.
//
// Why not libcurl's own IMAP commands: its message download (imap://host/INBOX;UID=n)
// opens the folder with SELECT and fetches BODY[], which marks every message \Seen and
// needs a read-write folder, where a retro-hunt must change nothing (EXAMINE and
// BODY.PEEK[]); and its CURLOPT_CUSTOMREQUEST reader is line-based, not literal-aware:
// a message line that starts like the command's tagged answer ends the command early,
// and long lines are clipped. Why not libetpan: libetpan-dev depends on the GnuTLS
// flavour of libcurl's dev package, which cannot be installed beside the OpenSSL flavour
// prometheus-cpp-dev needs.
//
// Every command has a deadline; a dropped connection or a deadline is an error that
// names the command, and the session is then unusable (the caller reports what it has).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "cli/imap_url.hpp"
#include "cli/imap_wire.hpp"

namespace pixelwarden::cli {

struct ImapReply {
  std::vector<ImapResponse> untagged;
  std::string status;  // OK | NO | BAD
  ImapResponse tagged;
  bool ok() const { return status == "OK"; }
  std::string text() const { return tagged.line; }
};

class ImapSession {
 public:
  ~ImapSession();
  ImapSession(const ImapSession&) = delete;
  ImapSession& operator=(const ImapSession&) = delete;

  // Connects and authenticates; then reads CAPABILITY.
  static base::Result<std::unique_ptr<ImapSession>> open(const ImapUrl& url,
                                                         const std::string& password,
                                                         std::size_t max_literal,
                                                         std::chrono::seconds timeout);

  // Sends "TAG command" and reads up to the tagged answer. An error: the connection
  // failed or timed out (a NO or BAD answer is a reply, not an error). With
  // on_untagged, each untagged response goes there as soon as it is complete (a fetch
  // that breaks off still delivers what arrived) instead of into the reply.
  base::Result<ImapReply> command(const std::string& command,
                                  const std::function<void(ImapResponse&)>& on_untagged = {});

  bool has_capability(const std::string& cap) const;

 private:
  ImapSession(void* curl, std::size_t max_literal, std::chrono::seconds timeout);
  base::Status send_all(const std::string& bytes);

  void* m_curl;  // CURL*
  ImapReader m_reader;
  std::chrono::seconds m_timeout;
  unsigned m_tag = 0;
  std::vector<std::string> m_caps;
  std::vector<ImapResponse> m_pending;  // read past the last tagged answer
};

}  // namespace pixelwarden::cli
