#include "html/entities.hpp"

#include <algorithm>
#include <cstring>

#include "base/text.hpp"

namespace pixelwarden::html {

namespace {

constexpr std::size_t k_max_entity_name = 32;

// Windows-1252 meanings of numeric references 0x80..0x9F (WHATWG table).
constexpr std::uint16_t k_c1_replacements[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

const NamedEntity* find_entity(std::string_view name) {
  auto table = named_entities();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  if (it != table.end() && it->name == name) return &*it;
  return nullptr;
}

// Numeric reference at raw[pos] == '&', raw[pos+1] == '#'. Returns bytes consumed
// (0: not a reference, emit '&' literally).
std::size_t decode_numeric(std::string_view raw, std::size_t pos, std::string& out) {
  std::size_t i = pos + 2;
  bool hex = i < raw.size() && (raw[i] == 'x' || raw[i] == 'X');
  if (hex) ++i;
  std::size_t digits_start = i;
  std::uint32_t cp = 0;
  bool overflow = false;
  while (i < raw.size()) {
    int v = hex ? base::hex_value(raw[i]) : (base::is_ascii_digit(raw[i]) ? raw[i] - '0' : -1);
    if (v < 0) break;
    cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
    if (cp > 0x10FFFF) overflow = true, cp = 0x110000;
    ++i;
  }
  if (i == digits_start) return 0;
  if (i < raw.size() && raw[i] == ';') ++i;
  if (overflow || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    cp = 0xFFFD;
  } else if (cp >= 0x80 && cp <= 0x9F) {
    cp = k_c1_replacements[cp - 0x80];
  }
  append_utf8(out, cp);
  return i - pos;
}

// Named reference at raw[pos] == '&'. Returns bytes consumed (0: emit '&').
std::size_t decode_named(std::string_view raw, std::size_t pos, std::string& out, bool attribute) {
  std::size_t start = pos + 1;
  // "&amp;" is most of the references in a mail's URLs; the table search below would
  // find the same entry.
  if (raw.substr(start, 4) == "amp;") {
    out.push_back('&');
    return 5;
  }
  std::size_t run = 0;
  while (start + run < raw.size() && run < k_max_entity_name &&
         base::is_ascii_alnum(raw[start + run]))
    ++run;
  if (run == 0) return 0;
  bool semi = start + run < raw.size() && raw[start + run] == ';';
  // Longest match first: the name with its ';' when present, then ever shorter
  // prefixes (legacy names such as "amp" in "&ampx").
  for (std::size_t len = run + (semi ? 1 : 0); len > 0; --len) {
    const NamedEntity* e = find_entity(raw.substr(start, len));
    if (e == nullptr) continue;
    bool ends_semi = e->name.back() == ';';
    if (!ends_semi) {
      char next = start + len < raw.size() ? raw[start + len] : '\0';
      if (attribute && (next == '=' || base::is_ascii_alnum(next)))
        return 0;  // attribute special case
    }
    out.append(e->value);
    return 1 + len;
  }
  return 0;
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool attribute_is_plain(std::string_view raw) {
  return std::memchr(raw.data(), '&', raw.size()) == nullptr &&
         std::memchr(raw.data(), '\0', raw.size()) == nullptr;
}

namespace {

void decode(std::string_view raw, std::string& out, std::vector<std::uint32_t>* raw_offsets,
            bool attribute) {
  out.clear();
  if (raw_offsets != nullptr) raw_offsets->clear();
  std::size_t i = 0;
  while (i < raw.size()) {
    // A run of bytes that stand for themselves: copied at once, its offsets in a row.
    std::size_t j = i;
    while (j < raw.size() && raw[j] != '&' && raw[j] != '\0') ++j;
    if (j > i) {
      out.append(raw.data() + i, j - i);
      if (raw_offsets != nullptr) {
        for (std::size_t k = i; k < j; ++k) raw_offsets->push_back(static_cast<std::uint32_t>(k));
      }
      i = j;
      continue;
    }
    std::size_t before = out.size();
    std::size_t consumed = 1;
    char c = raw[i];
    if (c == '&') {
      consumed = (i + 1 < raw.size() && raw[i + 1] == '#') ? decode_numeric(raw, i, out)
                                                           : decode_named(raw, i, out, attribute);
      if (consumed == 0) {
        out.push_back('&');
        consumed = 1;
      }
    } else if (c == '\0') {
      out.append("\xEF\xBF\xBD");
    } else {
      out.push_back(c);
    }
    if (raw_offsets != nullptr)
      raw_offsets->insert(raw_offsets->end(), out.size() - before, static_cast<std::uint32_t>(i));
    i += consumed;
  }
  if (raw_offsets != nullptr) raw_offsets->push_back(static_cast<std::uint32_t>(raw.size()));
}

}  // namespace

void decode_attribute(std::string_view raw, std::string& out,
                      std::vector<std::uint32_t>* raw_offsets) {
  decode(raw, out, raw_offsets, true);
}

void decode_text(std::string_view raw, std::string& out, std::vector<std::uint32_t>* raw_offsets) {
  decode(raw, out, raw_offsets, false);
}

}  // namespace pixelwarden::html
