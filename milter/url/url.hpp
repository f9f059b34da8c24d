#pragma once
// URL parsing and resolution, tolerant the way browsers are (WHATWG-ish): trims
// leading/trailing C0 controls and spaces, removes tabs and newlines anywhere, treats
// '\' as '/' in special schemes, skips any number of slashes after "http:", strips
// userinfo, lowercases the scheme and the ASCII host, percent-decodes the host, drops
// default ports, percent-encodes C0 controls, space and DEL in the path, query and
// fragment (so an href is a fixed point: parse(u.href) gives u again). UNC paths
// (\\host\share) parse as file URLs with `unc` set.
// Non-goals: IDNA, IPv4 number normalization and public-suffix work (url/host*.hpp,
// owned elsewhere); full WHATWG serialization of every edge case. Pure functions;
// results own their strings.

#include <optional>
#include <string>
#include <string_view>

namespace pixelwarden::url {

struct Url {
  std::string scheme;    // lowercase
  std::string host;      // as written, percent-decoded, lowercased ASCII; no brackets for IPv6
  std::string port;      // empty when absent or the scheme's default
  std::string path;      // special schemes: starts with '/'; others: everything after ':'
  std::string query;     // without '?'
  std::string fragment;  // without '#'
  bool unc = false;
  bool has_query = false;
  bool has_fragment = false;
  std::string href;  // serialized absolute URL
};

// Parses an absolute URL (scheme required, or a UNC path). nullopt for relative refs.
std::optional<Url> parse(std::string_view s);

// parse() without its shortcut for plain http(s) URLs: what the shortcut must agree with
// (for tests and fuzz_url).
std::optional<Url> parse_without_shortcut(std::string_view s);

// Resolves `ref` against `base` (an absolute URL, or empty). Protocol-relative refs
// (//host) take the base's scheme, or https: when there is no base. Relative refs with
// an empty or unusable base give nullopt.
std::optional<Url> resolve(std::string_view base, std::string_view ref);

// resolve() for callers that need the absolute URL and where it points: the same scheme,
// host, port, unc and href, but path, query and fragment may stay empty (a plain http(s)
// URL is its own href, and its parts are not copied out).
std::optional<Url> resolve_href(std::string_view base, std::string_view ref);

// resolve() for callers that need only where a URL points: the same scheme, host, port
// and unc, but path, query, fragment and href stay empty (none of them is built).
std::optional<Url> resolve_authority(std::string_view base, std::string_view ref);

// http, https, ftp, file (UNC paths are file URLs).
bool is_remote_scheme(std::string_view scheme);

// Decodes %XX escapes; malformed escapes stay as they are.
std::string percent_decode(std::string_view s);

}  // namespace pixelwarden::url
