// libFuzzer target for the URL parser and host normalization. The input's first line is
// a base URL, the rest a reference (both as raw bytes). Invariants:
//   - parse() gives what the general parser gives (its shortcut for plain http(s) URLs
//     changes nothing but the work);
//   - nothing crashes; a parsed URL's scheme is lowercase and its href is not empty;
//   - serialization is stable: parsing a parsed URL's href gives the same URL again
//     (all but `unc`, which records the written form);
//   - resolve_authority() points where resolve() points (scheme, host, port, unc), as
//     its header promises, and builds no path, query, fragment or href; resolve_href()
//     gives resolve()'s href and points where it points;
//   - a normalized host is a fixed point of normalize_host(), and its registrable
//     domain is a suffix of it.
// Seeds: tests/data/fuzz/fuzz_url/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "url/host.hpp"
#include "url/url.hpp"

namespace {

using namespace pixelwarden::url;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_url invariant violated: %s\n", what);
    std::abort();
  }
}

// `unc` says how the URL was written (\\host\share), which its href no longer shows.
bool same(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.path == b.path &&
         a.query == b.query && a.fragment == b.fragment && a.has_query == b.has_query &&
         a.has_fragment == b.has_fragment && a.href == b.href;
}

void check_parsed(const Url& u) {
  for (char c : u.scheme) require(!(c >= 'A' && c <= 'Z'), "scheme is lowercase");
  require(!u.href.empty(), "a parsed URL has an href");
  const auto again = parse(u.href);
  require(again.has_value(), "a parsed URL's href parses");
  require(same(*again, u), "parse(href) gives the same URL");
}

void check_host(std::string_view host) {
  const std::string n = normalize_host(host);
  if (n.empty()) return;
  require(normalize_host(n) == n, "a normalized host is normalized");
  const std::string reg = registrable_domain(n);
  require(reg.size() <= n.size() && n.compare(n.size() - reg.size(), reg.size(), reg) == 0,
          "the registrable domain is a suffix of the host");
  (void)to_unicode_host(n);
  (void)is_ip_literal(n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = in.find('\n');
  const std::string_view base =
      nl == std::string_view::npos ? std::string_view() : in.substr(0, nl);
  const std::string_view ref = nl == std::string_view::npos ? in : in.substr(nl + 1);

  const auto parsed = parse(in);
  const auto general = parse_without_shortcut(in);
  require(parsed.has_value() == general.has_value() &&
              (!parsed || (same(*parsed, *general) && parsed->unc == general->unc)),
          "parse() and its shortcut give what the general parser gives");
  if (parsed) check_parsed(*parsed);
  const auto full = resolve(base, ref);
  const auto authority = resolve_authority(base, ref);
  const auto href = resolve_href(base, ref);
  require(full.has_value() == authority.has_value() && full.has_value() == href.has_value(),
          "resolve, resolve_authority and resolve_href agree on success");
  if (full) {
    check_parsed(*full);
    require(full->scheme == authority->scheme && full->host == authority->host &&
                full->port == authority->port && full->unc == authority->unc,
            "resolve_authority points where resolve points");
    require(authority->path.empty() && authority->query.empty() && authority->href.empty(),
            "resolve_authority builds no path, query or href");
    require(full->scheme == href->scheme && full->host == href->host && full->port == href->port &&
                full->unc == href->unc && full->href == href->href &&
                full->has_query == href->has_query && full->has_fragment == href->has_fragment,
            "resolve_href gives resolve's href and where it points");
    (void)is_remote_scheme(full->scheme);
    check_host(full->host);
  }
  check_host(ref);
  const std::string decoded = percent_decode(ref);
  require(decoded.size() <= ref.size(), "percent-decoding never grows");
  return 0;
}
