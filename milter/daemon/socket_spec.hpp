#pragma once
// The milter socket (milter.socket, `run --socket`), parsed once into a value, in
// libmilter's notation:
//
//   unix:/path, local:/path   a unix socket (local: is libmilter's other name for it)
//   inet:PORT[@HOST]          IPv4 (no HOST: every interface)
//   inet6:PORT[@HOST]         IPv6 (no HOST: every interface)
//
// PORT is decimal, 0..65535 (0: an ephemeral port); libmilter would cut a larger number
// to 16 bits and listen elsewhere. HOST stays as written ("[::1]" keeps its brackets):
// libmilter resolves it at bind time. A unix path stays as written (relative stays
// relative). to_string() gives the spec back in libmilter's form, the text
// smfi_setconn() takes and the lock file is named after (instance.hpp).
// Non-goals: resolving HOST, checking the path or binding (milter.cpp, instance.cpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace pixelwarden::daemon {

struct SocketSpec {
  // unix_domain, not unix: GCC's GNU modes predefine `unix` as a macro.
  enum class Kind { unix_domain, inet, inet6 };
  Kind kind = Kind::inet;
  std::string path;        // unix_domain: the socket file
  std::uint16_t port = 0;  // inet, inet6
  std::string host;        // inet, inet6; empty: every interface
  // unix_domain spelled local:. Kept so to_string() (and with it the lock file's name
  // and the log lines) stays what the admin wrote.
  bool local_spelling = false;

  bool is_unix() const { return kind == Kind::unix_domain; }
  std::string to_string() const;
  bool operator==(const SocketSpec&) const = default;
};

// The spec in `text`, or why it is not one (the message names `text`).
base::Result<SocketSpec> parse_socket_spec(std::string_view text);

}  // namespace pixelwarden::daemon
