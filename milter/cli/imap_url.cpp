#include "cli/imap_url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "base/decimal.hpp"
#include "base/text.hpp"

namespace pixelwarden::cli {
namespace {

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = base::hex_value(s[i + 1]);
    const int lo = base::hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

std::string ImapUrl::server() const {
  std::string out = tls ? "imaps://" : "imap://";
  out += user;
  out += '@';
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string ImapUrl::folder_url(const std::string& f) const { return server() + "/" + f; }

bool looks_like_imap_url(std::string_view arg) {
  return base::istarts_with(arg, "imap://") || base::istarts_with(arg, "imaps://");
}

std::optional<ImapUrl> parse_imap_url(std::string_view text, std::string& error) {
  ImapUrl u;
  std::string_view rest;
  if (base::istarts_with(text, "imaps://")) {
    u.tls = true;
    u.port = 993;
    rest = text.substr(8);
  } else if (base::istarts_with(text, "imap://")) {
    rest = text.substr(7);
  } else {
    error = "not an imap:// or imaps:// URL";
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    error = "the URL needs a user: imap://USER@HOST/FOLDER";
    return std::nullopt;
  }
  const std::string_view userinfo = authority.substr(0, at);
  if (userinfo.find(':') != std::string_view::npos) {
    error = "no password in the URL: use --password-file or PIXELWARDEN_IMAP_PASSWORD";
    return std::nullopt;
  }
  auto user = percent_decode(userinfo);
  auto folder = percent_decode(path);
  if (!user || !folder) {
    error = "bad percent-encoding in the URL";
    return std::nullopt;
  }
  u.user = *user;
  u.folder = *folder;
  if (!u.folder.empty() && u.folder.back() == '/') u.folder.pop_back();
  std::string_view hostport = authority.substr(at + 1);
  std::string_view host = hostport;
  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {  // [IPv6]:PORT
    const auto close = hostport.find(']');
    if (close == std::string_view::npos ||
        (close + 1 < hostport.size() && hostport[close + 1] != ':')) {
      error = "bad IPv6 address in the URL";
      return std::nullopt;
    }
    host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) port_text = hostport.substr(close + 2);
    if (close + 1 < hostport.size() && port_text.empty()) port_text = "0";
  } else if (const auto colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port_text = hostport.substr(colon + 1);
    if (port_text.empty()) port_text = "0";
  }
  if (!port_text.empty()) {
    const auto port = base::parse_decimal<std::uint16_t>(port_text);
    if (!port || *port == 0) {
      error = "bad port in the URL";
      return std::nullopt;
    }
    u.port = *port;
  }
  if (host.empty()) {
    error = "the URL needs a host";
    return std::nullopt;
  }
  u.host = std::string(host);
  return u;
}

bool requires_tls(const ImapUrl& url) {
  if (url.tls) return true;
  if (base::iequals(url.host, "localhost")) return false;
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, url.host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) != 127;  // 127.0.0.0/8
  }
  return !(::inet_pton(AF_INET6, url.host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
}

}  // namespace pixelwarden::cli
