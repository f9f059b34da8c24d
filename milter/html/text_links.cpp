// scan_text_links(): bare URLs in text/plain parts, as mail clients linkify them.
#include <algorithm>
#include "base/text.hpp"
#include "html/resource.hpp"
#include "url/url.hpp"

namespace pixelwarden::html {

namespace {

bool ends_url(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '"' || c == '`' ||
         c == '{' || c == '}' || c == '|' || c == '^';
}

// Trailing punctuation is prose, not URL; a ')' stays when the URL opened one.
std::size_t trim_end(std::string_view text, std::size_t b, std::size_t e) {
  while (e > b) {
    char c = text[e - 1];
    if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\'' || c == ']') {
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

// Start of a URL at i: "http://", "https://" or "www." (not preceded by a word char).
std::size_t prefix_at(std::string_view text, std::size_t i) {
  std::string_view rest = text.substr(i);
  if (base::istarts_with(rest, "http://")) return 7;
  if (base::istarts_with(rest, "https://")) return 8;
  if (base::istarts_with(rest, "www.") && (i == 0 || !(base::is_ascii_alnum(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == '/')))
    return 4;
  return 0;
}

}  // namespace

std::vector<Link> scan_text_links(std::string_view text) {
  std::vector<Link> links;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t hit = text.find_first_of("hHwW", i);
    if (hit == std::string_view::npos) break;
    std::size_t p = prefix_at(text, hit);
    if (p == 0) {
      i = hit + 1;
      continue;
    }
    std::size_t e = hit + p;
    while (e < text.size() && !ends_url(text[e])) ++e;
    e = trim_end(text, hit, e);
    i = e > hit + p ? e : hit + p;
    if (e <= hit + p) continue;
    std::string raw(text.substr(hit, e - hit));
    auto u = url::resolve("", p == 4 ? "http://" + raw : raw);
    if (!u) continue;
    Link& l = links.emplace_back();
    l.url = std::move(raw);
    l.resolved = std::move(u->href);
    l.host = std::move(u->host);
    l.begin = hit;
    l.end = e;
  }
  return links;
}

}  // namespace pixelwarden::html
