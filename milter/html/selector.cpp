#include "html/selector.hpp"

#include "base/text.hpp"

namespace pixelwarden::html {

namespace {

bool is_name_char(char c) {
  return base::is_ascii_alnum(c) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_start(char c) { return is_name_char(c) && !base::is_ascii_digit(c); }

// Top-level commas only: a comma inside (), [] or a string belongs to a selector this
// parser drops anyway, but must not cut a readable-looking piece out of it.
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if ((c == ')' || c == ']') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

// An identifier after '.', '#' or at a type position, lowercased; empty when none.
std::string read_name(std::string_view s, std::size_t& i) {
  std::string name;
  if (i >= s.size() || !is_name_start(s[i]) ||
      (s[i] == '-' && i + 1 < s.size() && base::is_ascii_digit(s[i + 1]))) {
    return name;
  }
  while (i < s.size() && is_name_char(s[i])) name.push_back(base::ascii_lower(s[i++]));
  return name;
}

bool parse_compound(std::string_view s, std::size_t& i, Compound& c, const SelectorLimits& limits) {
  bool any = false;
  if (i < s.size() && s[i] == '*') {
    ++i;
    any = true;
  } else if (i < s.size() && is_name_start(s[i])) {
    c.type = read_name(s, i);
    // ElementStack and StyleTree keep 15 bytes of a name: a longer type cannot be told apart.
    if (c.type.empty() || c.type.size() > 15) return false;
    any = true;
  }
  while (i < s.size() && (s[i] == '.' || s[i] == '#')) {
    const char kind = s[i++];
    std::string name = read_name(s, i);
    if (name.empty()) return false;
    if (kind == '#') {
      if (!c.id.empty() && c.id != name) return false;  // #a#b matches nothing
      c.id = std::move(name);
    } else {
      if (c.classes.size() >= limits.max_classes) return false;
      c.classes.push_back(std::move(name));
    }
    any = true;
  }
  return any;
}

bool parse_one(std::string_view s, Selector& sel, const SelectorLimits& limits) {
  std::size_t i = 0;
  Combinator next = Combinator::none;
  unsigned ids = 0, classes = 0, types = 0;
  while (true) {
    while (i < s.size() && base::is_ascii_space(s[i])) ++i;
    if (i >= s.size()) break;
    if (s[i] == '>') {
      if (sel.compounds.empty() || next == Combinator::child) return false;
      next = Combinator::child;
      ++i;
      continue;
    }
    if (!sel.compounds.empty() && next == Combinator::none) return false;  // "a.b" then junk
    if (sel.compounds.size() >= limits.max_compounds) return false;
    Compound c;
    c.left = next;
    if (!parse_compound(s, i, c, limits)) return false;
    ids += c.id.empty() ? 0 : 1;
    classes += static_cast<unsigned>(c.classes.size());
    types += c.type.empty() ? 0 : 1;
    sel.compounds.push_back(std::move(c));
    next = Combinator::none;
    // What follows a compound: whitespace (descendant, unless a '>' comes), '>' or end.
    if (i < s.size() && base::is_ascii_space(s[i]))
      next = Combinator::descendant;
    else if (i < s.size() && s[i] != '>')
      return false;
  }
  if (sel.compounds.empty() || next == Combinator::child) return false;
  sel.specificity = (ids << 20) | (classes << 10) | types;
  return true;
}

bool match_from(const Selector& sel, std::size_t k, const StyleTree& tree, std::uint32_t e,
                MatchBudget& budget, const SelectorLimits& limits) {
  if (!budget.take()) return false;
  const Compound& c = sel.compounds[k];
  if (!compound_matches(c, tree, e)) return false;
  if (k == 0) return true;
  std::uint32_t p = tree.parent(e);
  if (c.left == Combinator::child) {
    return p != k_no_element && match_from(sel, k - 1, tree, p, budget, limits);
  }
  for (std::size_t walked = 0; p != k_no_element && walked < limits.max_ancestors; ++walked) {
    if (match_from(sel, k - 1, tree, p, budget, limits)) return true;
    if (budget.spent()) return false;
    p = tree.parent(p);
  }
  return false;
}

}  // namespace

std::size_t parse_selector_list(std::string_view text, std::vector<Selector>& out,
                                const SelectorLimits& limits) {
  std::size_t dropped = 0;
  for (std::string_view piece : split_list(text)) {
    Selector sel;
    if (parse_one(piece, sel, limits))
      out.push_back(std::move(sel));
    else
      ++dropped;
  }
  return dropped;
}

bool compound_matches(const Compound& c, const StyleTree& tree, std::uint32_t e) {
  if (!c.type.empty() && tree.name(e) != c.type) return false;
  if (!c.id.empty() && tree.id(e) != c.id) return false;
  for (const std::string& cls : c.classes) {
    if (!tree.has_class(e, cls)) return false;
  }
  return true;
}

bool selector_matches(const Selector& sel, const StyleTree& tree, std::uint32_t element,
                      MatchBudget& budget, const SelectorLimits& limits) {
  if (sel.compounds.empty()) return false;
  return match_from(sel, sel.compounds.size() - 1, tree, element, budget, limits);
}

}  // namespace pixelwarden::html
