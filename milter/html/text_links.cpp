// scan_text_links(): bare URLs in text/plain parts, as mail clients linkify them.
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "base/text.hpp"
#include "html/resource.hpp"
#include "url/url.hpp"

namespace pixelwarden::html {

namespace {

constexpr std::array<bool, 256> make_url_ends() {
  std::array<bool, 256> t{};
  for (int c = 0; c <= 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  for (unsigned char c : std::string_view("<>\"`{}|^")) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> k_url_ends = make_url_ends();

bool ends_url(char c) { return k_url_ends[static_cast<unsigned char>(c)]; }

// Trailing punctuation is prose, not URL; a ')' stays when the URL opened one.
std::size_t trim_end(std::string_view text, std::size_t b, std::size_t e) {
  while (e > b) {
    char c = text[e - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' ||
        c == ']') {
      --e;
    } else if (c == ')') {
      std::string_view u = text.substr(b, e - b);
      if (std::count(u.begin(), u.end(), '(') >= std::count(u.begin(), u.end(), ')')) break;
      --e;
    } else {
      break;
    }
  }
  return e;
}

bool word_before(std::string_view text, std::size_t i) {
  return i > 0 && (base::is_ascii_alnum(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '/');
}

// Where the URL scheme "http" or "https" ending at the ':' at `colon` begins, if it
// does and "//" follows; npos otherwise.
std::size_t scheme_start(std::string_view text, std::size_t colon) {
  if (colon + 2 >= text.size() || text[colon + 1] != '/' || text[colon + 2] != '/') {
    return std::string_view::npos;
  }
  for (std::size_t len : {5u, 4u}) {
    if (colon < len) continue;
    const std::size_t b = colon - len;
    if (base::iequals(text.substr(b, len), len == 5 ? "https" : "http") && !word_before(text, b)) {
      return b;
    }
  }
  return std::string_view::npos;
}

// Every place a URL may start, as (offset, prefix length), in order. Two cheap searches
// instead of a look at every byte: memchr for the ':' of "http://" / "https://", and for
// the '.' of "www." / "WWW." (a search for the 'w' stops at every word that has one).
// Prose without URLs costs little more than reading it twice.
std::vector<std::pair<std::size_t, std::size_t>> url_starts(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> schemes, www;
  const char* data = text.data();
  const char* end = data + text.size();
  for (const char* c = data; c < end; ++c) {
    c = static_cast<const char*>(std::memchr(c, ':', static_cast<std::size_t>(end - c)));
    if (c == nullptr) break;
    const std::size_t colon = static_cast<std::size_t>(c - data);
    const std::size_t b = scheme_start(text, colon);
    if (b != std::string_view::npos) schemes.emplace_back(b, colon - b + 3);
  }
  for (const char* c = data + std::min<std::size_t>(3, text.size()); c < end; ++c) {
    c = static_cast<const char*>(std::memchr(c, '.', static_cast<std::size_t>(end - c)));
    if (c == nullptr) break;
    const std::string_view w(c - 3, 3);
    const std::size_t at = static_cast<std::size_t>(c - 3 - data);
    if ((w == "www" || w == "WWW") && !word_before(text, at)) www.emplace_back(at, 4);
  }
  std::vector<std::pair<std::size_t, std::size_t>> starts(schemes.size() + www.size());
  std::merge(schemes.begin(), schemes.end(), www.begin(), www.end(), starts.begin());
  return starts;
}

// The host of an absolute URL's authority (after "scheme://", or the whole "www." form):
// up to the first '/', '?', '#' or '\\', without userinfo or port, lowercased. Bare URLs
// in prose are already absolute, so the full URL parser (and its allocations) is not
// needed to learn what lure rules look at.
std::string authority_host(std::string_view rest) {
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#' &&
         rest[end] != '\\') {
    ++end;
  }
  std::string_view host = rest.substr(0, end);
  if (const std::size_t at = host.rfind('@'); at != std::string_view::npos)
    host.remove_prefix(at + 1);
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    host = close == std::string_view::npos ? std::string_view() : host.substr(1, close - 1);
  } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.find('%') != std::string_view::npos) return base::to_lower(url::percent_decode(host));
  return base::to_lower(host);
}

}  // namespace

std::vector<Link> scan_text_links(std::string_view text) {
  std::vector<Link> links;
  const std::vector<std::pair<std::size_t, std::size_t>> starts = url_starts(text);
  // At most one link per start. Overlapping starts ("www.www.www.") give one link for
  // many, so what is reserved ahead is capped; past that the vector grows as it needs.
  links.reserve(std::min<std::size_t>(starts.size(), 4096));
  std::size_t i = 0;
  for (const auto& [hit, p] : starts) {
    if (hit < i) continue;  // inside the previous URL
    std::size_t e = hit + p;
    while (e < text.size() && !ends_url(text[e])) ++e;
    e = trim_end(text, hit, e);
    i = e > hit + p ? e : hit + p;
    if (e <= hit + p) continue;
    const std::string_view raw = text.substr(hit, e - hit);
    const bool www = p == 4;
    std::string host = authority_host(www ? raw : raw.substr(p));
    if (host.empty()) continue;
    Link& l = links.emplace_back();
    l.url = std::string(raw);
    l.host = std::move(host);
    l.begin = hit;
    l.end = e;
  }
  return links;
}

}  // namespace pixelwarden::html
