#include "daemon/socket_spec.hpp"

#include <charconv>
#include <limits>

namespace pixelwarden::daemon {
namespace {

// What milter.socket has always said about a value without a known scheme or with
// nothing after it (docs/config.md shows it).
base::Error not_a_spec(std::string_view text) {
  return base::plain_error("expected unix:/path, inet:PORT@HOST or inet6:PORT@HOST, got '" +
                           std::string(text) + "'");
}

// PORT[@HOST], what follows inet: or inet6:.
base::Result<SocketSpec> parse_inet(SocketSpec::Kind kind, std::string_view rest,
                                    std::string_view text) {
  SocketSpec spec;
  spec.kind = kind;
  const std::size_t at = rest.find('@');
  const std::string_view port = rest.substr(0, at);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() ||
      value > std::numeric_limits<std::uint16_t>::max()) {
    return base::plain_error("expected a port from 0 to 65535, got '" + std::string(port) +
                             "' in '" + std::string(text) + "'");
  }
  spec.port = static_cast<std::uint16_t>(value);
  if (at == std::string_view::npos) return spec;
  spec.host = rest.substr(at + 1);
  if (spec.host.empty()) {
    return base::plain_error("expected a host after '@' in '" + std::string(text) + "'");
  }
  // libmilter reads "[...]" as a numeric address and refuses one that does not close.
  if (spec.host.front() == '[' && (spec.host.size() < 3 || spec.host.back() != ']')) {
    return base::plain_error("expected a host or [ADDRESS] after '@', got '" + spec.host +
                             "' in '" + std::string(text) + "'");
  }
  return spec;
}

}  // namespace

base::Result<SocketSpec> parse_socket_spec(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon + 1 == text.size()) return not_a_spec(text);
  const std::string_view scheme = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);
  if (scheme == "inet") return parse_inet(SocketSpec::Kind::inet, rest, text);
  if (scheme == "inet6") return parse_inet(SocketSpec::Kind::inet6, rest, text);
  if (scheme != "unix" && scheme != "local") return not_a_spec(text);
  SocketSpec spec;
  spec.kind = SocketSpec::Kind::unix_domain;
  spec.path = rest;
  spec.local_spelling = scheme == "local";
  return spec;
}

std::string SocketSpec::to_string() const {
  if (is_unix()) return (local_spelling ? "local:" : "unix:") + path;
  std::string out = kind == Kind::inet ? "inet:" : "inet6:";
  out += std::to_string(port);
  if (!host.empty()) out += "@" + host;
  return out;
}

}  // namespace pixelwarden::daemon
