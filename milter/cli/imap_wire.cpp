#include "cli/imap_wire.hpp"

#include <algorithm>

#include "base/decimal.hpp"
#include "base/text.hpp"

namespace pixelwarden::cli {
namespace {

std::optional<std::uint32_t> number(std::string_view s) {
  return base::parse_decimal<std::uint32_t>(s);
}

// The literal announced at the end of a line ("... {123}" or "{123+}"), if any.
std::optional<std::size_t> literal_size(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view n = line.substr(open + 1, line.size() - open - 2);
  if (!n.empty() && n.back() == '+') n.remove_suffix(1);
  return base::parse_decimal<std::size_t>(n);
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// The text inside "[NAME ...]" of a response, or nothing.
std::optional<std::string_view> response_code(const ImapResponse& r, std::string_view name) {
  const std::string needle = "[" + std::string(name) + " ";
  const auto at = base::ifind(r.line, needle);
  if (at == std::string_view::npos) return std::nullopt;
  const auto start = at + needle.size();
  const auto close = r.line.find(']', start);
  if (close == std::string::npos) return std::nullopt;
  return std::string_view(r.line).substr(start, close - start);
}

}  // namespace

bool ImapReader::feed(std::string_view bytes, std::vector<ImapResponse>& out) {
  while (!bytes.empty()) {
    if (m_literal_left > 0) {
      const std::size_t n = std::min(m_literal_left, bytes.size());
      m_cur.literals.back().append(bytes.substr(0, n));
      m_literal_left -= n;
      bytes.remove_prefix(n);
      continue;
    }
    const auto lf = bytes.find('\n');
    if (lf == std::string_view::npos) {
      m_buf.append(bytes);
      if (m_buf.size() > k_max_line) {
        m_error = "a response line longer than 16 MiB";
        return false;
      }
      return true;
    }
    m_buf.append(bytes.substr(0, lf));
    bytes.remove_prefix(lf + 1);
    if (!m_buf.empty() && m_buf.back() == '\r') m_buf.pop_back();
    m_cur.line += m_buf;
    // One response is bounded as a whole, not only line by line: a server may chain
    // any number of literals into one response.
    if (m_cur.line.size() > k_max_line) {
      m_error = "a response longer than 16 MiB outside its literals";
      return false;
    }
    if (const auto lit = literal_size(m_buf)) {
      if (*lit > m_max_literal || m_literal_bytes + *lit > m_max_literal + k_max_line) {
        m_error = "a literal of " + std::to_string(*lit) + " bytes (more than allowed)";
        return false;
      }
      m_literal_bytes += *lit;
      m_cur.literals.emplace_back();
      m_cur.literals.back().reserve(*lit);
      m_literal_left = *lit;
    } else {
      out.push_back(std::move(m_cur));
      m_cur = ImapResponse{};
      m_literal_bytes = 0;
    }
    m_buf.clear();
  }
  return true;
}

std::string tagged_status(const ImapResponse& r, std::string_view tag) {
  if (r.line.size() <= tag.size() || r.line.compare(0, tag.size(), tag) != 0 ||
      r.line[tag.size()] != ' ') {
    return {};
  }
  const auto w = words(std::string_view(r.line).substr(tag.size() + 1));
  return w.empty()                      ? std::string()
         : base::to_lower(w[0]) == "ok" ? "OK"
         : base::to_lower(w[0]) == "no" ? "NO"
                                        : "BAD";
}

std::optional<std::string> quote_mailbox(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::optional<std::uint32_t> exists_count(const ImapResponse& r) {
  const auto w = words(r.line);
  if (w.size() == 3 && w[0] == "*" && base::iequals(w[2], "EXISTS")) return number(w[1]);
  return std::nullopt;
}

std::optional<std::uint32_t> uidvalidity(const ImapResponse& r) {
  const auto code = response_code(r, "UIDVALIDITY");
  return code ? number(*code) : std::nullopt;
}

bool search_uids(const ImapResponse& r, std::vector<std::uint32_t>& out) {
  const auto w = words(r.line);
  if (w.size() < 2 || w[0] != "*" || !base::iequals(w[1], "SEARCH")) return false;
  for (std::size_t i = 2; i < w.size(); ++i) {
    if (auto n = number(w[i])) out.push_back(*n);
  }
  return true;
}

bool capabilities(const ImapResponse& r, std::vector<std::string>& out) {
  const auto w = words(r.line);
  if (w.size() < 2 || w[0] != "*" || !base::iequals(w[1], "CAPABILITY")) return false;
  for (std::size_t i = 2; i < w.size(); ++i) {
    std::string up(w[i]);
    for (char& c : up) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    out.push_back(up);
  }
  return true;
}

std::optional<std::string> list_name(const ImapResponse& r) {
  std::string_view s = r.line;
  if (!base::istarts_with(s, "* LIST (")) return std::nullopt;
  const auto close = s.find(')');
  if (close == std::string_view::npos) return std::nullopt;
  if (base::ifind(s.substr(0, close), "\\Noselect") != std::string_view::npos ||
      base::ifind(s.substr(0, close), "\\NonExistent") != std::string_view::npos) {
    return std::nullopt;
  }
  s.remove_prefix(close + 1);
  s = base::trim(s);
  // The hierarchy delimiter: a quoted character or NIL.
  if (base::istarts_with(s, "NIL")) {
    s.remove_prefix(3);
  } else if (!s.empty() && s[0] == '"') {
    const auto end = s.find('"', s.size() > 1 && s[1] == '\\' ? 3 : 2);
    if (end == std::string_view::npos) return std::nullopt;
    s.remove_prefix(end + 1);
  }
  s = base::trim(s);
  if (s.empty()) return std::nullopt;
  if (!r.literals.empty() && s.back() == '}') return r.literals.back();
  if (s[0] != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i < s.size() && s[i] != '"'; ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

std::optional<FetchedMessage> fetched(ImapResponse& r) {
  const auto w = words(r.line);
  if (w.size() < 3 || w[0] != "*" || !base::iequals(w[2], "FETCH") || r.literals.empty()) {
    return std::nullopt;
  }
  const auto uid_at = base::ifind(r.line, "UID ");
  const auto body_at = base::ifind(r.line, "BODY[]");
  if (uid_at == std::string_view::npos || body_at == std::string_view::npos) return std::nullopt;
  std::string_view rest = std::string_view(r.line).substr(uid_at + 4);
  const auto end = rest.find_first_of(" )");
  const auto uid = number(rest.substr(0, end));
  if (!uid) return std::nullopt;
  // The body is the literal right after BODY[] (a FETCH may carry other literals first).
  std::size_t index = 0;
  for (std::size_t at = r.line.find('{'); at != std::string::npos && at < body_at;
       at = r.line.find('{', at + 1)) {
    ++index;
  }
  if (index >= r.literals.size()) return std::nullopt;
  return FetchedMessage{*uid, std::move(r.literals[index])};
}

std::optional<CopyUid> copyuid(const ImapResponse& r) {
  const auto code = response_code(r, "COPYUID");
  if (!code) return std::nullopt;
  const auto w = words(*code);
  if (w.size() != 3) return std::nullopt;
  const auto v = number(w[0]);
  const auto src = expand_set(w[1]);
  const auto dst = expand_set(w[2]);
  if (!v || !src || !dst || src->size() != dst->size()) return std::nullopt;
  CopyUid c;
  c.validity = *v;
  for (std::size_t i = 0; i < src->size(); ++i) c.pairs.emplace_back((*src)[i], (*dst)[i]);
  return c;
}

std::string uid_set(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

std::optional<std::vector<std::uint32_t>> expand_set(std::string_view set) {
  std::vector<std::uint32_t> out;
  for (std::string_view part : base::split(set, ',')) {
    const auto colon = part.find(':');
    const auto a = number(part.substr(0, colon));
    if (!a) return std::nullopt;
    if (colon == std::string_view::npos) {
      out.push_back(*a);
      continue;
    }
    const auto b = number(part.substr(colon + 1));
    if (!b || *b - std::min(*a, *b) > 10000000 || *a - std::min(*a, *b) > 10000000)
      return std::nullopt;
    // RFC 4315: a range is in order of the pairing, low to high.
    for (std::uint32_t u = std::min(*a, *b);; ++u) {
      out.push_back(u);
      if (u == std::max(*a, *b)) break;
    }
  }
  return out;
}

}  // namespace pixelwarden::cli
