#include "html/attr_syntax.hpp"

#include "base/text.hpp"

namespace pixelwarden::html {

namespace {
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
}  // namespace

void parse_srcset(std::string_view s, std::vector<SrcsetCandidate>& out) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    while (i < n && (is_ws(s[i]) || s[i] == ',')) ++i;
    if (i >= n) break;
    SrcsetCandidate c;
    c.begin = c.url_begin = i;
    while (i < n && !is_ws(s[i])) ++i;
    c.url_end = i;
    if (s[c.url_end - 1] == ',') {
      while (c.url_end > c.url_begin && s[c.url_end - 1] == ',') --c.url_end;
    } else {
      int parens = 0;  // descriptors run to the next ',' outside parentheses
      while (i < n && !(s[i] == ',' && parens == 0)) {
        if (s[i] == '(')
          ++parens;
        else if (s[i] == ')' && parens > 0)
          --parens;
        ++i;
      }
      if (i < n) ++i;
    }
    c.end = i;
    if (c.url_end > c.url_begin) out.push_back(c);
  }
}

bool refresh_url(std::string_view s, std::size_t& begin, std::size_t& end) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n && is_ws(s[i])) ++i;
  std::size_t digits = i;
  while (i < n && (base::is_ascii_digit(s[i]) || s[i] == '.')) ++i;
  if (i == digits) return false;
  while (i < n && is_ws(s[i])) ++i;
  if (i < n && (s[i] == ';' || s[i] == ',')) ++i;
  while (i < n && is_ws(s[i])) ++i;
  if (i >= n) return false;
  if (base::istarts_with(s.substr(i), "url")) {
    std::size_t j = i + 3;
    while (j < n && is_ws(s[j])) ++j;
    if (j < n && s[j] == '=') {
      ++j;
      while (j < n && is_ws(s[j])) ++j;
      i = j;
    }
  }
  char quote = 0;
  if (i < n && (s[i] == '"' || s[i] == '\'')) quote = s[i++];
  begin = i;
  end = quote != 0 ? s.find(quote, i) : n;
  if (end == std::string_view::npos) end = n;
  while (end > begin && is_ws(s[end - 1])) --end;
  return end > begin;
}

bool rel_is_fetched(std::string_view rel) {
  static constexpr std::string_view k_fetched[] = {
      "stylesheet",       "icon",
      "apple-touch-icon", "apple-touch-icon-precomposed",
      "mask-icon",        "fluid-icon",
      "manifest",         "prefetch",
      "preload",          "modulepreload",
      "prerender",        "preconnect",
      "dns-prefetch",     "compression-dictionary"};
  std::size_t i = 0;
  while (i < rel.size()) {
    while (i < rel.size() && is_ws(rel[i])) ++i;
    std::size_t b = i;
    while (i < rel.size() && !is_ws(rel[i])) ++i;
    std::string_view tok = rel.substr(b, i - b);
    for (std::string_view f : k_fetched) {
      if (!tok.empty() && base::iequals(tok, f)) return true;
    }
  }
  return false;
}

int parse_dimension(std::string_view v) {
  v = base::trim(v);
  std::size_t i = 0;
  long value = 0;
  while (i < v.size() && base::is_ascii_digit(v[i]) && value < 100000000)
    value = value * 10 + (v[i++] - '0');
  return i == 0 ? -1 : static_cast<int>(value);
}

}  // namespace pixelwarden::html
