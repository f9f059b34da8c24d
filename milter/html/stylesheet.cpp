#include "html/stylesheet.hpp"

#include <string>

#include "base/text.hpp"

namespace pixelwarden::html {

namespace {

constexpr int k_max_media_depth = 8;  // @media inside @media...: deeper blocks are skipped

// Past a comment starting at i ("/*"), or i when there is none.
std::size_t skip_comment(std::string_view s, std::size_t i) {
  if (i + 1 < s.size() && s[i] == '/' && s[i + 1] == '*') {
    const std::size_t close = s.find("*/", i + 2);
    return close == std::string_view::npos ? s.size() : close + 2;
  }
  return i;
}

// Past the string starting at i (a quote), escapes included; stops at an unescaped
// newline as CSS does (a bad string).
std::size_t skip_string(std::string_view s, std::size_t i) {
  const char quote = s[i++];
  while (i < s.size() && s[i] != quote && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
  return i < s.size() ? i + 1 : s.size();
}

// The bytes find_top() must look at; every other byte is skipped by one table lookup.
struct Specials {
  bool is[256] = {};
  constexpr Specials() {
    for (char c : std::string_view("/\"'\\()[]{};")) is[static_cast<unsigned char>(c)] = true;
  }
};
constexpr Specials k_specials;

// The first of `stops` (some of ";{}") at nesting depth 0 of (), [] and {} (unless '{'
// is a stop), outside strings and comments, from i; s.size() when none.
std::size_t find_top(std::string_view s, std::size_t i, std::string_view stops) {
  int depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (!k_specials.is[static_cast<unsigned char>(c)]) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      i = skip_comment(s, i);
      continue;
    }
    if (c == '"' || c == '\'') {
      i = skip_string(s, i);
      continue;
    }
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (depth == 0 && stops.find(c) != std::string_view::npos) return i;
    if (c == '(' || c == '[' || c == '{')
      ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0)
      --depth;
    i += 1;
  }
  return s.size();
}

// Index of the '}' closing the block whose '{' is at open; s.size() when unclosed.
std::size_t block_end(std::string_view s, std::size_t open) { return find_top(s, open + 1, "}"); }

std::string without_comments(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t after = skip_comment(s, i);
    if (after != i) {
      i = after;  // ".a/**/.b" is the compound .a.b: a comment is not whitespace
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

// A media query list that holds on every screen: all, screen, only screen, only all.
bool media_always(std::string_view prelude) {
  const std::string text = base::to_lower(without_comments(prelude));
  for (std::string_view q : base::split(text, ',')) {
    std::string words;
    for (std::string_view w : base::split(base::trim(q), ' ')) {
      if (w.empty()) continue;
      if (!words.empty()) words.push_back(' ');
      words += w;
    }
    if (words != "all" && words != "screen" && words != "only screen" && words != "only all") {
      return false;
    }
  }
  return true;
}

void declaration(std::string_view decl, DeclBits& bits, std::string& scratch) {
  if (decl.find("/*") != std::string_view::npos) {
    scratch = without_comments(decl);
    decl = scratch;
  }
  const std::size_t colon = decl.find(':');
  if (colon == std::string_view::npos) return;
  FactProperty p;
  if (!fact_property(base::trim(decl.substr(0, colon)), p)) return;
  std::string_view value = decl.substr(colon + 1);
  bool important = false;
  const std::size_t bang = value.rfind('!');
  if (bang != std::string_view::npos) {
    important = base::iequals(base::trim(value.substr(bang + 1)), "important");
    value = value.substr(0, bang);
  }
  bits.add(p, fact_value_hides(p, base::trim(value)), important);
}

}  // namespace

void DeclBits::add(FactProperty p, bool value_hides, bool important) {
  const auto bit = static_cast<std::uint16_t>(1u << static_cast<unsigned>(p));
  std::uint16_t& s = important ? set_important : set;
  std::uint16_t& h = important ? hides_important : hides;
  s |= bit;
  if (value_hides)
    h |= bit;
  else
    h &= static_cast<std::uint16_t>(~bit);
}

DeclBits parse_declarations(std::string_view decls) {
  DeclBits bits;
  std::string scratch;
  std::size_t i = 0;
  while (i < decls.size()) {
    std::size_t end = find_top(decls, i, ";{");
    if (end < decls.size() && decls[end] == '{') {
      // A nested rule (CSS nesting) or junk: its selector and block are not ours.
      end = block_end(decls, end);
      i = end + 1;
      continue;
    }
    declaration(decls.substr(i, end - i), bits, scratch);
    i = end + 1;
  }
  return bits;
}

void StyleSheet::add(std::string_view css) {
  std::size_t i = 0;
  rule_list(css, i, 0, false);
}

// `depth`: how many @media / @supports blocks enclose this list (0: the top level);
// `conditional`: one of them may not hold on every screen.
void StyleSheet::rule_list(std::string_view css, std::size_t& i, int depth, bool conditional) {
  const bool nested = depth > 0;
  while (i < css.size()) {
    const char c = css[i];
    if (base::is_ascii_space(c)) {
      ++i;
      continue;
    }
    if (const std::size_t after = skip_comment(css, i); after != i) {
      i = after;
      continue;
    }
    if (css.compare(i, 4, "<!--") == 0 || css.compare(i, 3, "-->") == 0) {  // CDO, CDC
      i += css[i] == '<' ? 4 : 3;
      continue;
    }
    if (c == '}') {
      ++i;
      if (nested) return;
      continue;  // a stray '}' at top level is dropped
    }
    const std::size_t stop = find_top(css, i, c == '@' ? ";{}" : "{}");
    if (stop >= css.size()) {
      i = css.size();
      return;
    }
    if (css[stop] == '}') {  // a prelude without a block (ends the nested list)
      i = stop;
      continue;
    }
    if (css[stop] == ';') {  // a block-less at-rule (@import, @charset)
      i = stop + 1;
      continue;
    }
    const std::string_view prelude = css.substr(i, stop - i);
    const std::size_t close = block_end(css, stop);
    if (c == '@') {
      std::size_t n = 1;
      while (n < prelude.size() && (base::is_ascii_alnum(prelude[n]) || prelude[n] == '-')) ++n;
      const std::string_view name = prelude.substr(1, n - 1);
      const bool media = base::iequals(name, "media");
      if ((media || base::iequals(name, "supports")) && depth < k_max_media_depth) {
        i = stop + 1;
        rule_list(css, i, depth + 1, conditional || !media || !media_always(prelude.substr(n)));
        continue;
      }
    } else {
      qualified_rule(prelude, css.substr(stop + 1, close - stop - 1), conditional);
    }
    i = close + 1;
  }
}

void StyleSheet::qualified_rule(std::string_view prelude, std::string_view block,
                                bool conditional) {
  const DeclBits bits = parse_declarations(block);
  if (bits.empty()) return;
  m_scratch.clear();
  if (prelude.find("/*") != std::string_view::npos) {
    m_dropped += parse_selector_list(without_comments(prelude), m_scratch, m_limits.selector);
  } else {
    m_dropped += parse_selector_list(prelude, m_scratch, m_limits.selector);
  }
  for (Selector& sel : m_scratch) {
    if (m_rules.size() >= m_limits.max_rules) {
      ++m_capped;
      continue;
    }
    m_rules.push_back(StyleRule{std::move(sel), bits, m_order++, conditional});
    m_can_hide |= bits.can_hide() && !conditional;
  }
}

}  // namespace pixelwarden::html
