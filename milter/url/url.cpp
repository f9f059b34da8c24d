#include "url/url.hpp"

#include <algorithm>
#include <array>

#include "base/text.hpp"

namespace pixelwarden::url {

namespace {

bool is_special(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ftp" || scheme == "file" ||
         scheme == "ws" || scheme == "wss";
}

std::string_view default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return "80";
  if (scheme == "https" || scheme == "wss") return "443";
  if (scheme == "ftp") return "21";
  return "";
}

bool is_slash(char c) { return c == '/' || c == '\\'; }

// Browser preprocessing: trim C0 controls and spaces at both ends, drop tab/CR/LF.
// Returns `s` itself when there is nothing to remove (the common case), else a view of
// `storage`.
std::string_view prepare(std::string_view s, std::string& storage) {
  if (s.empty()) return s;
  // Three finds (memchr): find_first_of("\t\n\r") would call memchr once per character.
  const bool clean =
      static_cast<unsigned char>(s.front()) > 0x20 && static_cast<unsigned char>(s.back()) > 0x20 &&
      s.find('\n') == std::string_view::npos && s.find('\r') == std::string_view::npos &&
      s.find('\t') == std::string_view::npos;
  if (clean) return s;
  std::size_t b = 0, e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
  storage.clear();
  storage.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) {
    if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r') storage.push_back(s[i]);
  }
  return storage;
}

// Length of "scheme" when s starts with "scheme:", else 0.
std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !base::is_ascii_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i;
    if (!base::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

std::string remove_dot_segments(std::string_view path) {
  // Most paths have no dot segment at all: nothing to do.
  if (path.find("/.") == std::string_view::npos && path.find('%') == std::string_view::npos) {
    return path.empty() ? std::string("/") : std::string(path);
  }
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i + 1);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i + 1, j - i - 1);  // path[i] == '/'
    bool last = j == path.size();
    if (seg == "." || base::iequals(seg, "%2e")) {
      if (last) out.push_back('/');
    } else if (seg == ".." || base::iequals(seg, ".%2e") || base::iequals(seg, "%2e.") ||
               base::iequals(seg, "%2e%2e")) {
      std::size_t cut = out.rfind('/');
      out.resize(cut == std::string::npos ? 0 : cut);
      if (last) out.push_back('/');
    } else {
      out.push_back('/');
      out.append(seg);
    }
    i = j;
  }
  return out.empty() ? "/" : out;
}

// C0 controls, space and DEL: prepare() trims them from both ends of what it reads, so a
// path, query or fragment that ended in one (a resolve() built from a base whose query
// ended in NUL bytes, "file:///c\x13#x" resolved with an empty ref) lost it when its href
// was parsed again. Browsers percent-encode them in all three (WHATWG's C0 control and
// query/fragment sets); so does the parser, and the href is a fixed point of parse().
bool escaped_in_path(unsigned char c) { return c <= 0x20 || c == 0x7f; }

void append_escape(std::string& out, unsigned char c) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  out += '%';
  out += k_hex[c >> 4];
  out += k_hex[c & 15];
}

std::string escape_controls(std::string s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += escaped_in_path(c) ? 1 : 0;
  if (n == 0) return s;  // the common case: nothing to escape, no copy
  std::string out;
  out.reserve(s.size() + 2 * n);
  for (unsigned char c : s) {
    if (escaped_in_path(c)) {
      append_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void split_path_query_fragment(std::string_view rest, Url& u, bool special) {
  std::size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    u.has_fragment = true;
    u.fragment = escape_controls(std::string(rest.substr(hash + 1)));
    rest = rest.substr(0, hash);
  }
  std::size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    u.has_query = true;
    u.query = escape_controls(std::string(rest.substr(q + 1)));
    rest = rest.substr(0, q);
  }
  if (!special) {
    u.path = escape_controls(std::string(rest));
    return;
  }
  // Escaped after dot-segment removal: a segment with a control or space is no dot segment.
  if (!rest.empty() && rest[0] == '/' && rest.find('\\') == std::string_view::npos) {
    u.path = escape_controls(remove_dot_segments(rest));
    return;
  }
  std::string p(rest);
  for (char& c : p) {
    if (c == '\\') c = '/';
  }
  if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
  u.path = escape_controls(remove_dot_segments(p));
}

// Bytes of a host that would end it or change it when the href is read again (WHATWG's
// forbidden domain code points but ':', which brackets protect, and '%' itself). A
// browser refuses such a host; we keep the URL (it is still remote, so a neutralize-all
// policy still reaches it) and serialize_host() percent-encodes them, so parse(href)
// gives the same host back (found by fuzz_url: "%23" decoded to '#', a UNC host "a@b").
bool escaped_in_host(unsigned char c) {
  constexpr std::string_view k_escaped = "#%/<>?@[\\]^|";
  return c <= 0x20 || c == 0x7f || k_escaped.find(static_cast<char>(c)) != std::string_view::npos;
}

void serialize_host(std::string& out, std::string_view host) {
  for (unsigned char c : host) {
    if (escaped_in_host(c)) {
      append_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
  }
}

bool parse_host_port(std::string_view authority, Url& u) {
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] == ':') port = after.substr(1);
  } else {
    std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  for (char c : port) {
    if (!base::is_ascii_digit(c)) return false;
  }
  while (port.size() > 1 && port[0] == '0') port.remove_prefix(1);
  u.host = host.find('%') == std::string_view::npos ? base::to_lower(host)
                                                    : base::to_lower(percent_decode(host));
  u.port = port == default_port(u.scheme) ? std::string() : std::string(port);
  return true;
}

void serialize(Url& u) {
  std::string& h = u.href;
  h.reserve(u.scheme.size() + u.host.size() + u.path.size() + u.query.size() + u.fragment.size() +
            16);
  h = u.scheme;
  if (!is_special(u.scheme)) {
    h += ':';
    h += u.path;
  } else {
    h += "://";
    bool v6 = u.host.find(':') != std::string::npos;
    if (v6) h += '[';
    serialize_host(h, u.host);
    if (v6) h += ']';
    if (!u.port.empty()) {
      h += ':';
      h += u.port;
    }
    h += u.path;
  }
  if (u.has_query) {
    h += '?';
    h += u.query;
  }
  if (u.has_fragment) {
    h += '#';
    h += u.fragment;
  }
}

// What a parse fills in: everything; (resolve_href) the scheme, authority and href, the
// other parts only where the parse builds the href from them; (resolve_authority) the
// scheme and authority.
enum class Want { all, href, authority };

std::optional<Url> parse_unc(std::string_view t, Want want) {
  Url u;
  u.scheme = "file";
  u.unc = true;
  std::string_view rest = t.substr(2);
  std::size_t end = 0;
  while (end < rest.size() && !is_slash(rest[end])) ++end;
  u.host = base::to_lower(rest.substr(0, end));
  if (u.host.empty()) return std::nullopt;
  if (want == Want::authority) return u;
  split_path_query_fragment(rest.substr(end), u, true);
  serialize(u);
  return u;
}

// Bytes that keep a plain http(s) URL's href as written (see parse_plain): not a control,
// space, DEL, '\\' or '%' anywhere; in the host also no uppercase letter and none of the
// bytes an href escapes or a parse splits at (":@[]" and escaped_in_host()'s). After the
// host, k_rest_stop marks what the loop must look at: a byte not plain there, and the
// bytes that start a query, a fragment or a dot segment.
enum : unsigned char { k_plain_rest = 1, k_plain_host = 2, k_rest_stop = 4 };
constexpr std::array<unsigned char, 256> make_plain_classes() {
  std::array<unsigned char, 256> t{};
  for (int c = 0x21; c < 0x100; ++c) {
    if (c == 0x7f || c == '\\' || c == '%') continue;
    t[static_cast<std::size_t>(c)] = k_plain_rest | k_plain_host;
  }
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = k_plain_rest;
  for (unsigned char c : std::string_view("#/<>?@[]^|:")) t[c] = k_plain_rest;
  for (auto& c : t) {
    if ((c & k_plain_rest) == 0) c |= k_rest_stop;
  }
  for (unsigned char c : std::string_view("#?.")) t[c] |= k_rest_stop;
  return t;
}
constexpr std::array<unsigned char, 256> k_plain = make_plain_classes();

// The common case, taken without the general parser's copies: "http://" or "https://",
// a lowercase host of plain bytes (no userinfo, port, brackets or escapes), then a path
// that starts with '/' and has no dot segment, then any query and fragment, all of plain
// bytes. Such a URL is its own href, and the general parser would give exactly these
// parts (checked against it by the url unit tests and fuzz_url); anything else goes there.
bool parse_plain(std::string_view t, Want want, Url& u) {
  std::size_t i = 0;
  if (t.starts_with("https://")) {
    i = 8;
  } else if (t.starts_with("http://")) {
    i = 7;
  } else {
    return false;
  }
  const std::size_t host_begin = i;
  while (i < t.size() && t[i] != '/' && t[i] != '?' && t[i] != '#') {
    if ((k_plain[static_cast<unsigned char>(t[i])] & k_plain_host) == 0) return false;
    ++i;
  }
  if (i == host_begin || i == t.size() || t[i] != '/') return false;
  const std::size_t host_end = i;
  if (want == Want::authority) {
    // What follows the host plays no part in it: the general parser would give the same.
    u.scheme.assign(t.substr(0, host_begin - 3));
    u.host.assign(t.substr(host_begin, host_end - host_begin));
    return true;
  }
  std::size_t query = std::string_view::npos, fragment = std::string_view::npos;
  for (std::size_t k = i; k < t.size(); ++k) {
    const char c = t[k];
    if ((k_plain[static_cast<unsigned char>(c)] & k_rest_stop) == 0) continue;
    if ((k_plain[static_cast<unsigned char>(c)] & k_plain_rest) == 0) return false;
    if (c == '#' && fragment == std::string_view::npos) {
      fragment = k;
    } else if (c == '?' && query == std::string_view::npos && fragment == std::string_view::npos) {
      query = k;
    } else if (c == '.' && t[k - 1] == '/' && query == std::string_view::npos &&
               fragment == std::string_view::npos) {
      return false;  // a dot segment, maybe
    }
  }
  u.scheme.assign(t.substr(0, host_begin - 3));
  u.host.assign(t.substr(host_begin, host_end - host_begin));
  u.has_query = query != std::string_view::npos;
  u.has_fragment = fragment != std::string_view::npos;
  u.href.assign(t);
  if (want == Want::href) return true;
  const std::size_t path_end = std::min(query, fragment);
  u.path.assign(t.substr(host_end, std::min(path_end, t.size()) - host_end));
  if (u.has_query) u.query.assign(t.substr(query + 1, std::min(fragment, t.size()) - query - 1));
  if (u.has_fragment) u.fragment.assign(t.substr(fragment + 1));
  return true;
}

std::optional<Url> parse_general(std::string_view t, Want want = Want::all) {
  if (t.size() > 2 && t[0] == '\\' && t[1] == '\\' && !is_slash(t[2])) return parse_unc(t, want);
  std::size_t n = scheme_length(t);
  if (n == 0) return std::nullopt;
  Url u;
  u.scheme = base::to_lower(t.substr(0, n));
  std::string_view rest = t.substr(n + 1);
  if (!is_special(u.scheme)) {
    if (want == Want::authority) return u;  // no authority
    split_path_query_fragment(rest, u, false);
    serialize(u);
    return u;
  }
  if (u.scheme == "file") {
    if (rest.size() >= 2 && is_slash(rest[0]) && is_slash(rest[1]))
      rest.remove_prefix(2);
    else
      rest = std::string_view();  // "file:/x" or "file:x": no host
  } else {
    while (!rest.empty() && is_slash(rest.front())) rest.remove_prefix(1);
  }
  std::size_t end = 0;
  while (end < rest.size() && !is_slash(rest[end]) && rest[end] != '?' && rest[end] != '#') ++end;
  if (!parse_host_port(rest.substr(0, end), u)) return std::nullopt;
  if (u.host.empty() && u.scheme != "file") return std::nullopt;
  if (want == Want::authority) return u;
  split_path_query_fragment(rest.substr(end), u, true);
  serialize(u);
  return u;
}

std::optional<Url> parse_prepared(std::string_view t, Want want = Want::all) {
  Url u;
  if (parse_plain(t, want, u)) return u;
  return parse_general(t, want);
}

// A reference resolved against a UNC base stays on that UNC host, as resolve_authority()
// (which keeps the base, `unc` included) says (found by fuzz_url).
std::optional<Url> on_base(const Url& base, std::optional<Url> u) {
  if (u) u->unc = base.unc;
  return u;
}

std::optional<Url> resolve_as(std::string_view base_url, std::string_view ref, Want want) {
  std::string storage;
  const std::string_view t = prepare(ref, storage);
  if (scheme_length(t) != 0) return parse_prepared(t, want);  // absolute: the base plays no part
  std::optional<Url> b;
  if (!base_url.empty()) {
    // A relative ref is joined to the base's path and query: those it needs in full.
    std::string base_storage;
    b = parse_prepared(prepare(base_url, base_storage),
                       want == Want::authority ? Want::authority : Want::all);
  }
  if (t.size() >= 2 && is_slash(t[0]) && is_slash(t[1])) {
    if (t[0] == '\\' && t[1] == '\\') return parse_prepared(t, want);  // UNC
    std::string scheme = b && is_special(b->scheme) && b->scheme != "file" ? b->scheme : "https";
    return parse_prepared(scheme + ":" + std::string(t), want);
  }
  if (!b || !is_special(b->scheme)) return std::nullopt;
  if (want == Want::authority) return b;  // a path, query or fragment keeps the base's authority
  // The base's host as its href writes it (escaped), so the re-parse reads the same host
  // as resolve_authority() keeps (found by fuzz_url: a UNC base host with a NUL byte).
  const bool v6 = b->host.find(':') != std::string::npos;
  std::string prefix = b->scheme + (v6 ? "://[" : "://");
  serialize_host(prefix, b->host);
  if (v6) prefix += ']';
  if (!b->port.empty()) prefix += ":" + b->port;
  if (t.empty()) {
    return on_base(
        *b,
        parse_prepared(prefix + b->path + (b->has_query ? "?" + b->query : std::string()), want));
  }
  if (is_slash(t[0])) return on_base(*b, parse_prepared(prefix.append(t), want));
  if (t[0] == '?') return on_base(*b, parse_prepared(prefix.append(b->path).append(t), want));
  if (t[0] == '#') {
    return on_base(
        *b,
        parse_prepared(
            prefix.append(b->path).append(b->has_query ? "?" + b->query : std::string()).append(t),
            want));
  }
  std::string dir = b->path.substr(0, b->path.rfind('/') + 1);
  return on_base(*b, parse_prepared(prefix.append(dir).append(t), want));
}

}  // namespace

std::optional<Url> parse(std::string_view s) {
  std::string storage;
  return parse_prepared(prepare(s, storage));
}

std::optional<Url> parse_without_shortcut(std::string_view s) {
  std::string storage;
  return parse_general(prepare(s, storage));
}

std::optional<Url> resolve(std::string_view base_url, std::string_view ref) {
  return resolve_as(base_url, ref, Want::all);
}

std::optional<Url> resolve_href(std::string_view base_url, std::string_view ref) {
  return resolve_as(base_url, ref, Want::href);
}

std::optional<Url> resolve_authority(std::string_view base_url, std::string_view ref) {
  return resolve_as(base_url, ref, Want::authority);
}

bool is_remote_scheme(std::string_view scheme) {
  return base::iequals(scheme, "http") || base::iequals(scheme, "https") ||
         base::iequals(scheme, "ftp") || base::iequals(scheme, "file");
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && base::hex_value(s[i + 1]) >= 0 &&
        base::hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(base::hex_value(s[i + 1]) * 16 + base::hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace pixelwarden::url
