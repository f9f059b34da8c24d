// Inline-style facts for the invisibility heuristic (see css.hpp).
#include <cstdlib>

#include "base/text.hpp"
#include "html/css.hpp"

namespace pixelwarden::html {

namespace {

bool is(std::string_view a, std::string_view b) { return base::iequals(a, b); }

struct Length {
  bool ok = false;
  double value = 0;
  std::string_view unit;
};

Length parse_length(std::string_view v) {
  Length len;
  std::size_t i = 0;
  bool neg = false;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) neg = v[i++] == '-';
  std::size_t digits = i;
  double value = 0, scale = 0;
  for (; i < v.size(); ++i) {
    if (base::is_ascii_digit(v[i])) {
      if (scale == 0)
        value = value * 10 + (v[i] - '0');
      else
        value += (v[i] - '0') / scale, scale *= 10;
    } else if (v[i] == '.' && scale == 0) {
      scale = 10;
    } else {
      break;
    }
  }
  if (i == digits) return len;
  len.ok = true;
  len.value = neg ? -value : value;
  len.unit = v.substr(i);
  return len;
}

// px, unitless (quirks mode reads it as px), or zero in any unit.
bool px_at_most(std::string_view v, double limit) {
  Length len = parse_length(v);
  if (!len.ok) return false;
  if (len.value == 0) return true;
  return (len.unit.empty() || is(len.unit, "px")) && len.value <= limit;
}

// Trimmed, without "!important"; comments (rare in inline styles) force a copy.
// `comments`: the whole declaration list contains "/*" (looked up once, not per part).
std::string_view clean_value(std::string_view v, std::string& scratch, bool comments) {
  if (comments && v.find("/*") != std::string_view::npos) {
    scratch.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '/' && i + 1 < v.size() && v[i + 1] == '*') {
        std::size_t close = v.find("*/", i + 2);
        i = close == std::string_view::npos ? v.size() : close + 1;
        continue;
      }
      scratch.push_back(v[i]);
    }
    v = scratch;
  }
  std::size_t bang = v.find('!');
  if (bang != std::string_view::npos) v = v.substr(0, bang);
  return base::trim(v);
}

void apply(StyleFacts& f, std::string_view name, std::string_view value, bool& positioned,
           bool& far_offset) {
  // Most declarations (font, color, border, ...) start with a letter no name below
  // starts with: one test instead of ten comparisons.
  const char first = static_cast<char>(name[0] | 0x20);  // ASCII lower case of a letter
  if (first != 'd' && first != 'v' && first != 'o' && first != 'w' && first != 'h' &&
      first != 'm' && first != 'p' && first != 'l' && first != 't')
    return;
  if (is(name, "display"))
    f.display_none |= is(value, "none");
  else if (is(name, "visibility"))
    f.visibility_hidden |= is(value, "hidden");
  else if (is(name, "opacity")) {
    Length len = parse_length(value);
    f.opacity_zero |= len.ok && len.value == 0;
  } else if (is(name, "width") || is(name, "height")) {
    f.tiny_size |= px_at_most(value, 2);
  } else if (is(name, "max-width") || is(name, "max-height")) {
    Length len = parse_length(value);
    f.max_size_zero |= len.ok && len.value == 0;
  } else if (is(name, "position")) {
    positioned |= is(value, "absolute") || is(value, "fixed");
  } else if (is(name, "left") || is(name, "top")) {
    Length len = parse_length(value);
    far_offset |= len.ok && len.value <= -100 && (len.unit.empty() || is(len.unit, "px"));
  }
}

}  // namespace

bool fact_property(std::string_view name, FactProperty& out) {
  static constexpr std::string_view k_names[k_fact_property_count] = {
      "display",   "visibility", "opacity",  "width", "height",
      "max-width", "max-height", "position", "left",  "top"};
  if (name.size() < 3 || name.size() > 10) return false;
  for (unsigned i = 0; i < k_fact_property_count; ++i) {
    if (is(name, k_names[i])) {
      out = static_cast<FactProperty>(i);
      return true;
    }
  }
  return false;
}

bool fact_value_hides(FactProperty p, std::string_view value) {
  switch (p) {
    case FactProperty::display:
      return is(value, "none");
    case FactProperty::visibility:
      return is(value, "hidden");
    case FactProperty::opacity: {
      Length len = parse_length(value);
      return len.ok && len.value == 0;
    }
    case FactProperty::width:
    case FactProperty::height:
      return px_at_most(value, 2);
    case FactProperty::max_width:
    case FactProperty::max_height: {
      Length len = parse_length(value);
      return len.ok && len.value == 0;
    }
    case FactProperty::position:
      return is(value, "absolute") || is(value, "fixed");
    case FactProperty::left:
    case FactProperty::top: {
      Length len = parse_length(value);
      return len.ok && len.value <= -100 && (len.unit.empty() || is(len.unit, "px"));
    }
  }
  return false;
}

StyleFacts style_facts(std::string_view decls) {
  StyleFacts f;
  bool positioned = false, far_offset = false;
  std::string name_scratch, value_scratch;
  const bool comments = decls.find("/*") != std::string_view::npos;
  // Without quotes (most inline styles) a declaration simply ends at the next ';'.
  // (Two finds: find_first_of with a set calls memchr once per character.)
  const bool quotes =
      decls.find('"') != std::string_view::npos || decls.find('\'') != std::string_view::npos;
  std::size_t i = 0;
  while (i < decls.size()) {
    std::size_t end = i;
    if (!quotes) {
      end = decls.find(';', i);
      if (end == std::string_view::npos) end = decls.size();
    }
    char quote = 0;
    for (; quotes && end < decls.size(); ++end) {
      char c = decls[end];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == ';') {
        break;
      }
    }
    std::string_view decl = decls.substr(i, end - i);
    std::size_t colon = decl.find(':');
    if (colon != std::string_view::npos) {
      std::string_view name = clean_value(decl.substr(0, colon), name_scratch, comments);
      // Every property apply() reads ("top" .. "visibility") is 3 to 10 characters
      // long: longer ones (font-family, background-color, ...) are skipped before
      // their value is cleaned.
      if (name.size() < 3 || name.size() > 10) {
        i = end + 1;
        continue;
      }
      std::string_view value = clean_value(decl.substr(colon + 1), value_scratch, comments);
      apply(f, name, value, positioned, far_offset);
    }
    i = end + 1;
  }
  f.offscreen = positioned && far_offset;
  return f;
}

}  // namespace pixelwarden::html
