#include "mime/address.hpp"

#include <array>

#include "base/text.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"

namespace pixelwarden::mime {
namespace {

struct Item {
  std::vector<std::string> words;
  std::string word;  // atom being read
  std::string comment;
  std::string angle;
  bool has_angle = false;

  void end_word() {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  }
};

// Reads a delimited run starting after `open` at i; nested for comments. i ends on close.
std::string read_delimited(std::string_view s, std::size_t& i, char open, char close, bool nested) {
  std::string out;
  int depth = 1;
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out.push_back(s[++i]);
      continue;
    }
    if (nested && c == open) ++depth;
    if (c == close && --depth == 0) break;
    out.push_back(c);
  }
  return out;
}

std::string join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string without_space(std::string_view s) {
  std::string out(s.size(), '\0');
  std::size_t n = 0;
  for (char c : s) {
    if (!base::is_ascii_space(c)) out[n++] = c;
  }
  out.resize(n);
  return out;
}

void split_addr_spec(std::string_view spec, Address& a) {
  const std::size_t at = spec.rfind('@');
  std::string_view local = at == std::string_view::npos ? spec : spec.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? "" : spec.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"')
    local = local.substr(1, local.size() - 2);
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
    domain = domain.substr(1, domain.size() - 2);
  }
  a.local_part = std::string(local);
  a.domain = std::string(domain);
}

void flush(Item& item, std::vector<Address>& out) {
  item.end_word();
  Address a;
  if (item.has_angle) {
    std::string_view spec = item.angle;
    if (!spec.empty() && spec.front() == '@') {  // obsolete route "@a,@b:local@domain"
      const std::size_t colon = spec.find(':');
      spec = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
    }
    split_addr_spec(without_space(spec), a);
    a.display_name = decode_rfc2047(join(item.words, " "));
  } else {
    split_addr_spec(join(item.words, ""), a);
    a.display_name = decode_rfc2047(std::string(base::trim(item.comment)));
  }
  if (!a.local_part.empty() || !a.domain.empty() || !a.display_name.empty())
    out.push_back(std::move(a));
  item = Item{};
}

// The bytes parse_general() treats specially: quotes, comments, literals, list and group
// separators, escapes.
constexpr std::array<bool, 256> make_special_table() {
  std::array<bool, 256> t{};
  for (unsigned char c : std::string_view("\"()[],;:\\")) t[c] = true;
  return t;
}
constexpr std::array<bool, 256> k_special = make_special_table();

// The common value: one address, bare ("a@x") or in angle brackets after plain words
// ("Alice Smith <a@x>"), with none of the special bytes and no encoded word. Gives what
// parse_general() gives for it, without building the item word by word; false, and
// nothing added, for any other value (checked against parse_general by the unit tests and
// fuzz_mime).
bool parse_simple(std::string_view s, std::vector<Address>& out) {
  // A table, not find_first_of(), which calls memchr once per byte of the value.
  for (char c : s) {
    if (k_special[static_cast<unsigned char>(c)]) return false;
  }
  if (s.find("=?") != std::string_view::npos) return false;
  const std::size_t open = s.find('<');
  const std::size_t close = s.find('>');
  Address a;
  if (open == std::string_view::npos) {
    if (close != std::string_view::npos) return false;
    split_addr_spec(without_space(s), a);
  } else {
    if (close == std::string_view::npos || close < open) return false;
    if (s.find('<', open + 1) != std::string_view::npos) return false;
    if (s.find('>', close + 1) != std::string_view::npos) return false;
    for (std::size_t i = close + 1; i < s.size(); ++i) {
      if (!base::is_ascii_space(s[i])) return false;
    }
    const std::string_view angle = s.substr(open + 1, close - open - 1);
    if (!angle.empty() && angle.front() == '@') return false;  // an obsolete route
    split_addr_spec(without_space(angle), a);
    // The words before '<', joined by single spaces.
    std::string_view words = s.substr(0, open);
    for (std::size_t i = 0; i < words.size();) {
      while (i < words.size() && base::is_ascii_space(words[i])) ++i;
      std::size_t end = i;
      while (end < words.size() && !base::is_ascii_space(words[end])) ++end;
      if (end > i) {
        if (!a.display_name.empty()) a.display_name += ' ';
        a.display_name.append(words.substr(i, end - i));
      }
      i = end;
    }
  }
  if (!a.local_part.empty() || !a.domain.empty() || !a.display_name.empty())
    out.push_back(std::move(a));
  return true;
}

std::vector<Address> parse_general(const std::string& s) {
  std::vector<Address> out;
  Item item;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"') {
      item.end_word();
      item.words.push_back(read_delimited(s, i, '"', '"', false));
    } else if (c == '(') {
      item.end_word();
      item.comment = read_delimited(s, i, '(', ')', true);
    } else if (c == '<') {
      item.end_word();
      item.angle = read_delimited(s, i, '<', '>', false);
      item.has_angle = true;
    } else if (c == '[') {
      item.word += '[' + read_delimited(s, i, '[', ']', false) + ']';
    } else if (c == ',' || c == ';') {
      flush(item, out);
    } else if (c == ':' && !item.has_angle) {
      item = Item{};  // group name: "name:" starts a group whose members follow
    } else if (base::is_ascii_space(c)) {
      item.end_word();
    } else {
      item.word.push_back(c);
    }
  }
  flush(item, out);
  return out;
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) {
  const std::string s = unfold(value);
  std::vector<Address> out;
  if (parse_simple(s, out)) return out;
  return parse_general(s);
}

std::vector<Address> parse_address_list_without_shortcut(std::string_view value) {
  return parse_general(unfold(value));
}

}  // namespace pixelwarden::mime
