#include "cli/imap_session.hpp"

#include <algorithm>
#include <poll.h>

#include <curl/curl.h>

namespace pixelwarden::cli {
namespace {

CURL* handle(void* p) { return static_cast<CURL*>(p); }

// Waits until the socket is ready for `events` or the deadline passes.
bool wait_socket(CURL* c, short events, std::chrono::steady_clock::time_point deadline) {
  curl_socket_t s = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(c, CURLINFO_ACTIVESOCKET, &s) != CURLE_OK || s == CURL_SOCKET_BAD) {
    return false;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{static_cast<int>(s), events, 0};
  return ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60000))) > 0;
}

}  // namespace

ImapSession::ImapSession(void* curl, std::size_t max_literal, std::chrono::seconds timeout)
    : m_curl(curl), m_reader(max_literal), m_timeout(timeout) {}

ImapSession::~ImapSession() {
  if (m_curl != nullptr) curl_easy_cleanup(handle(m_curl));
}

base::Result<std::unique_ptr<ImapSession>> ImapSession::open(const ImapUrl& url,
                                                             const std::string& password,
                                                             std::size_t max_literal,
                                                             std::chrono::seconds timeout) {
  static const bool k_init = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!k_init) return base::plain_error("libcurl did not initialize");
  CURL* c = curl_easy_init();
  if (c == nullptr) return base::plain_error("libcurl did not initialize");
  std::unique_ptr<ImapSession> s(new ImapSession(c, max_literal, timeout));
  const std::string target =
      std::string(url.tls ? "imaps://" : "imap://") +
      (url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host) + ":" +
      std::to_string(url.port) + "/";
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_USERNAME, url.user.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  // imap:// takes STARTTLS, and requires it (CURLUSESSL_TRY would let anyone on the path
  // strip it from CAPABILITY and read the LOGIN) except on loopback (requires_tls).
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   static_cast<long>(requires_tls(url) ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_LOGIN_DENIED) why = "login denied for " + url.user + " (" + why + ")";
    return base::plain_error(url.server() + ": " + why);
  }
  auto caps = s->command("CAPABILITY");
  if (!caps.ok()) return caps.error();
  for (const auto& r : caps->untagged) capabilities(r, s->m_caps);
  return s;
}

bool ImapSession::has_capability(const std::string& cap) const {
  return std::find(m_caps.begin(), m_caps.end(), cap) != m_caps.end();
}

base::Status ImapSession::send_all(const std::string& bytes) {
  CURL* c = handle(m_curl);
  const auto deadline = std::chrono::steady_clock::now() + m_timeout;
  std::size_t done = 0;
  while (done < bytes.size()) {
    std::size_t n = 0;
    const CURLcode rc = curl_easy_send(c, bytes.data() + done, bytes.size() - done, &n);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(c, POLLOUT, deadline)) return base::plain_error("timed out sending");
      continue;
    }
    if (rc != CURLE_OK) return base::plain_error(std::string("send: ") + curl_easy_strerror(rc));
    done += n;
  }
  return base::Ok{};
}

base::Result<ImapReply> ImapSession::command(
    const std::string& cmd, const std::function<void(ImapResponse&)>& on_untagged) {
  const std::string tag = "pw" + std::to_string(++m_tag);
  std::string verb = cmd.substr(0, cmd.find(' '));
  if (verb == "UID") verb = cmd.substr(0, cmd.find(' ', 4));
  if (auto sent = send_all(tag + " " + cmd + "\r\n"); !sent.ok()) {
    return base::plain_error(verb + ": " + sent.error().message);
  }
  ImapReply reply;
  CURL* c = handle(m_curl);
  const auto deadline = std::chrono::steady_clock::now() + m_timeout;
  std::vector<char> buf(256 * 1024);
  for (;;) {
    for (ImapResponse& r : m_pending) {
      if (!reply.status.empty()) continue;
      if (r.tagged()) {
        reply.status = tagged_status(r, tag);
        if (reply.status.empty()) return base::plain_error(verb + ": unexpected answer " + r.line);
        reply.tagged = std::move(r);
      } else if (on_untagged) {
        on_untagged(r);
      } else {
        reply.untagged.push_back(std::move(r));
      }
    }
    m_pending.clear();
    if (!reply.status.empty()) return reply;
    std::size_t n = 0;
    const CURLcode rc = curl_easy_recv(c, buf.data(), buf.size(), &n);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(c, POLLIN, deadline)) return base::plain_error(verb + ": timed out");
      continue;
    }
    if (rc != CURLE_OK) return base::plain_error(verb + ": " + curl_easy_strerror(rc));
    if (n == 0) return base::plain_error(verb + ": the server closed the connection");
    if (!m_reader.feed(std::string_view(buf.data(), n), m_pending)) {
      return base::plain_error(verb + ": " + m_reader.error());
    }
  }
}

}  // namespace pixelwarden::cli
