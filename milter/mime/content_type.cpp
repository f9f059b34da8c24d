#include "mime/content_type.hpp"

#include <algorithm>
#include <cstdlib>

#include "base/text.hpp"
#include "mime/charset.hpp"

namespace pixelwarden::mime {
namespace {

struct RawParam {
  std::string name;  // lowercased, without the RFC 2231 suffix
  int section = -1;  // continuation number, -1 when none
  bool extended = false;
  std::string value;
};

// Removes (comments) outside quoted strings; they carry nothing a filter needs.
std::string strip_comments(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (quoted) {
      out.push_back(c);
      if (c == '\\' && i + 1 < v.size())
        out.push_back(v[++i]);
      else if (c == '"')
        quoted = false;
    } else if (depth > 0) {
      if (c == '\\')
        ++i;
      else if (c == '(')
        ++depth;
      else if (c == ')')
        --depth;
    } else if (c == '(') {
      depth = 1;
    } else {
      if (c == '"') quoted = true;
      out.push_back(c);
    }
  }
  return out;
}

// Reads one value at pos (quoted string or token up to ';'); pos ends after it.
std::string read_value(std::string_view s, std::size_t& pos) {
  while (pos < s.size() && base::is_ascii_space(s[pos])) ++pos;
  std::string out;
  if (pos < s.size() && s[pos] == '"') {
    for (++pos; pos < s.size() && s[pos] != '"'; ++pos) {
      if (s[pos] == '\\' && pos + 1 < s.size() && (s[pos + 1] == '\\' || s[pos + 1] == '"')) ++pos;
      out.push_back(s[pos]);
    }
    const std::size_t semi = s.find(';', pos);
    pos = semi == std::string_view::npos ? s.size() : semi;
    return out;
  }
  const std::size_t semi = s.find(';', pos);
  const std::size_t end = semi == std::string_view::npos ? s.size() : semi;
  out = std::string(base::trim(s.substr(pos, end - pos)));
  pos = end;
  return out;
}

RawParam split_name(std::string_view name) {
  RawParam p;
  std::string n = base::to_lower(base::trim(name));
  const std::size_t star = n.find('*');
  if (star != std::string::npos) {
    std::string_view rest = std::string_view(n).substr(star + 1);
    if (!rest.empty() && rest.back() == '*') {
      p.extended = true;
      rest.remove_suffix(1);
    } else if (rest.empty()) {
      p.extended = true;
    }
    if (!rest.empty() && std::all_of(rest.begin(), rest.end(), base::is_ascii_digit)) {
      p.section = std::atoi(std::string(rest).c_str());
    }
    n.resize(star);
  }
  p.name = std::move(n);
  return p;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && base::hex_value(s[i + 1]) >= 0 &&
        base::hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(base::hex_value(s[i + 1]) * 16 + base::hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Joins the RFC 2231 pieces of one parameter name (already sorted by section).
std::string join_extended(const std::vector<const RawParam*>& pieces) {
  std::string charset;
  std::string bytes;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    std::string_view v = pieces[k]->value;
    if (pieces[k]->extended) {
      if (k == 0) {
        const std::size_t q1 = v.find('\'');
        const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
        if (q2 != std::string_view::npos) {
          charset = std::string(v.substr(0, q1));
          v = v.substr(q2 + 1);
        }
      }
      bytes += percent_decode(v);
    } else {
      bytes += v;
    }
  }
  return charset.empty() ? bytes : to_utf8_lenient(bytes, charset);
}

Parameters combine(std::vector<RawParam>& raw) {
  Parameters out;
  const auto before = [](const RawParam& a, const RawParam& b) {
    return a.name != b.name ? a.name < b.name : a.section < b.section;
  };
  // Most headers carry one parameter, already in order: stable_sort would still take a
  // temporary buffer from the heap.
  if (!std::is_sorted(raw.begin(), raw.end(), before))
    std::stable_sort(raw.begin(), raw.end(), before);
  for (std::size_t i = 0; i < raw.size();) {
    std::size_t j = i;
    std::vector<const RawParam*> ext;
    const RawParam* plain = nullptr;
    for (; j < raw.size() && raw[j].name == raw[i].name; ++j) {
      if (raw[j].section >= 0 || raw[j].extended)
        ext.push_back(&raw[j]);
      else if (plain == nullptr)
        plain = &raw[j];  // first of duplicates wins
    }
    out.emplace_back(raw[i].name, ext.empty() ? plain->value : join_extended(ext));
    i = j;
  }
  return out;
}

// The first space, tab, CR or LF at or after `from`, npos when none. A loop, not
// find_first_of(" \t\r\n"), which calls memchr once per byte.
std::size_t find_space(std::string_view s, std::size_t from) {
  for (std::size_t i = from; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return i;
  }
  return std::string_view::npos;
}

// The ';' ending "type/subtype", skipping one inside a comment or quotes.
std::size_t first_semicolon(std::string_view v) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    if (c == '\\')
      ++i;
    else if (quoted)
      quoted = c != '"';
    else if (c == '"')
      quoted = true;
    else if (c == '(')
      ++depth;
    else if (c == ')' && depth > 0)
      --depth;
    else if (c == ';' && depth == 0)
      return i;
  }
  return std::string_view::npos;
}

}  // namespace

// Comments are not stripped here: real boundaries contain unquoted parentheses.
Parameters parse_parameters(std::string_view value) {
  const std::string_view s = value;
  std::vector<RawParam> raw;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && (s[pos] == ';' || base::is_ascii_space(s[pos]))) ++pos;
    const std::size_t eq = s.find('=', pos);
    const std::size_t semi = s.find(';', pos);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      pos = semi == std::string_view::npos ? s.size() : semi;
      continue;
    }
    RawParam p = split_name(s.substr(pos, eq - pos));
    pos = eq + 1;
    p.value = read_value(s, pos);
    if (!p.name.empty()) raw.push_back(std::move(p));
  }
  return combine(raw);
}

std::string ContentType::param(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (base::iequals(n, name)) return v;
  }
  return {};
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::size_t semi = first_semicolon(value);
  std::string stripped = strip_comments(value.substr(0, semi));
  // "multipart/mixed boundary=x" (the ';' forgotten): the type ends at whitespace after the
  // subtype and the rest is read as parameters, as mail readers do.
  const std::size_t slash0 = stripped.find('/');
  const std::size_t ws =
      slash0 == std::string::npos ? std::string::npos : find_space(stripped, slash0);
  if (ws != std::string::npos && !base::trim(std::string_view(stripped).substr(ws)).empty() &&
      stripped.find('=', ws) != std::string::npos) {
    const std::string_view rest = value.substr(0, semi);
    const std::size_t raw_ws = find_space(rest, std::min(rest.find('/'), rest.size()));
    stripped.resize(ws);
    if (raw_ws != std::string_view::npos) semi = raw_ws;
  }
  const std::string_view mt = base::trim(stripped);
  const std::size_t slash = mt.find('/');
  const std::string_view type =
      slash == std::string_view::npos ? mt : base::trim(mt.substr(0, slash));
  const std::string_view sub =
      slash == std::string_view::npos ? "" : base::trim(mt.substr(slash + 1));
  if (type.empty() || sub.empty() || sub.find('/') != std::string_view::npos ||
      std::any_of(type.begin(), type.end(), [](char c) { return c == ' ' || c == '\t'; })) {
    ct.valid = false;
  } else {
    ct.type = base::to_lower(type);
    ct.subtype = base::to_lower(sub);
  }
  if (semi != std::string_view::npos) ct.params = parse_parameters(value.substr(semi));
  return ct;
}

Disposition parse_disposition(std::string_view value) {
  Disposition d;
  const std::size_t semi = first_semicolon(value);
  d.type = base::to_lower(base::trim(strip_comments(value.substr(0, semi))));
  if (semi != std::string_view::npos) d.params = parse_parameters(value.substr(semi));
  return d;
}

}  // namespace pixelwarden::mime
