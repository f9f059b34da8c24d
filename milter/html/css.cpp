#include "html/css.hpp"

#include <cstdlib>

#include "base/text.hpp"
#include "html/entities.hpp"

namespace pixelwarden::html {

namespace {

bool is_newline(char c) { return c == '\n' || c == '\r' || c == '\f'; }
bool is_css_ws(char c) { return c == ' ' || c == '\t' || is_newline(c); }
bool is_name_char(char c) {
  return base::is_ascii_alnum(c) || c == '-' || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool valid_escape(std::string_view s, std::size_t i) {
  return i + 1 < s.size() && s[i] == '\\' && !is_newline(s[i + 1]);
}

// Consumes the escape at s[i] == '\\'; appends the decoded character; returns the
// index after it.
std::size_t consume_escape(std::string_view s, std::size_t i, std::string& out) {
  ++i;
  if (i >= s.size()) {
    append_utf8(out, 0xFFFD);
    return i;
  }
  if (base::hex_value(s[i]) < 0) {
    out.push_back(s[i]);
    return i + 1;
  }
  std::uint32_t cp = 0;
  std::size_t k = 0;
  while (k < 6 && i < s.size() && base::hex_value(s[i]) >= 0)
    cp = cp * 16 + base::hex_value(s[i]), ++i, ++k;
  if (i < s.size() && s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
    i += 2;
  else if (i < s.size() && is_css_ws(s[i]))
    ++i;
  append_utf8(out, cp == 0 ? 0xFFFD : cp);
  return i;
}

std::size_t consume_name(std::string_view s, std::size_t i, std::string& out) {
  out.clear();
  while (i < s.size()) {
    if (is_name_char(s[i]))
      out.push_back(s[i++]);
    else if (valid_escape(s, i))
      i = consume_escape(s, i, out);
    else
      break;
  }
  return i;
}

// String token at s[i] (a quote). Returns the index after it; `ok` false for a bad
// string (unescaped newline).
std::size_t consume_string(std::string_view s, std::size_t i, std::string& out, bool& ok,
                           std::size_t* content_end = nullptr) {
  char q = s[i++];
  out.clear();
  ok = true;
  if (content_end != nullptr) *content_end = s.size();
  while (i < s.size()) {
    char c = s[i];
    if (c == q) {
      if (content_end != nullptr) *content_end = i;
      return i + 1;
    }
    if (is_newline(c)) {
      if (content_end != nullptr) *content_end = i;
      return ok = false, i;
    }
    if (c == '\\') {
      if (i + 1 < s.size() && is_newline(s[i + 1]))
        i += (s[i + 1] == '\r' && i + 2 < s.size() && s[i + 2] == '\n') ? 3 : 2;
      else
        i = consume_escape(s, i, out);
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return i;
}

// s[i] opens a comment ("/*"): the index after its "*/", or the end of an unclosed one.
std::size_t skip_comment(std::string_view s, std::size_t i) {
  std::size_t close = s.find("*/", i + 2);
  return close == std::string_view::npos ? s.size() : close + 2;
}

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && is_css_ws(s[i])) ++i;
  return i;
}

// After "url(" at i. Fills ref.url / url span / end. false: a bad url, not fetched.
bool consume_url(std::string_view s, std::size_t i, CssRef& ref) {
  i = skip_ws(s, i);
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    bool ok = false;
    ref.url_begin = i + 1;
    std::size_t after = consume_string(s, i, ref.url, ok, &ref.url_end);
    std::size_t close = s.find(')', after);
    ref.end = close == std::string_view::npos ? s.size() : close + 1;
    return ok;
  }
  ref.url.clear();
  ref.url_begin = i;
  while (i < s.size() && s[i] != ')') {
    char c = s[i];
    if (is_css_ws(c)) {
      ref.url_end = i;
      i = skip_ws(s, i);
      if (i < s.size() && s[i] != ')') return false;
      break;
    }
    if (c == '"' || c == '\'' || c == '(') return false;
    if (c == '\\') {
      if (!valid_escape(s, i)) return false;
      i = consume_escape(s, i, ref.url);
      continue;
    }
    ref.url.push_back(c);
    ++i;
  }
  if (ref.url_end < ref.url_begin || ref.url_end == 0) ref.url_end = i;
  ref.end = i < s.size() ? i + 1 : s.size();
  return true;
}

enum class AtRule { none, import, font_face, other };

// Nested image-set() calls read recursively up to this depth (no stack exhaustion on
// hostile input); browsers reject nested image-set() anyway.
constexpr int k_max_image_set_depth = 4;

struct Block {
  bool font_face;
  std::size_t begin;
  std::size_t first_ref;
};

class CssScanner {
 public:
  CssScanner(std::string_view css, std::vector<CssRef>& out) : m_s(css), m_out(out) {}
  void run();

 private:
  void close_declaration(std::size_t strip_end) {
    for (std::size_t k = m_pending; k < m_out.size(); ++k) {
      if (m_out[k].kind == CssRefKind::url) m_out[k].strip_end = strip_end;
    }
    m_pending = m_out.size();
  }
  void add_ref(CssRef ref, std::size_t token_begin) {
    ref.begin = token_begin;
    if (m_at == AtRule::import) {
      m_import_has_url = true;
      ref.kind = CssRefKind::import;
      ref.strip_begin = m_at_begin;
    } else if (!m_blocks.empty() && m_blocks.back().font_face) {
      ref.kind = CssRefKind::font_face;
      ref.strip_begin = m_blocks.back().begin;
    } else {
      ref.kind = CssRefKind::url;
      ref.strip_begin = m_stmt_begin;
    }
    ref.strip_end = m_s.size();
    m_out.push_back(std::move(ref));
  }
  void at_keyword(std::size_t& i);
  void ident(std::size_t& i);
  void image_set(std::size_t& i);
  void open_block(std::size_t i);
  void close_block(std::size_t i);
  void end_statement(std::size_t i);

  std::string_view m_s;
  std::vector<CssRef>& m_out;
  std::vector<Block> m_blocks;
  std::string m_name;
  AtRule m_at = AtRule::none;
  bool m_import_has_url = false;  // the current @import prelude has had its URL
  std::size_t m_at_begin = 0, m_stmt_begin = 0, m_pending = 0;
  int m_image_set_depth = 0;       // image-set() nesting (bounded: deeper ones read as names)
  bool m_custom_property = false;  // in the value of a --name: declaration
};

void CssScanner::run() {
  m_pending = m_out.size();
  std::size_t i = m_stmt_begin = skip_ws(m_s, 0);
  while (i < m_s.size()) {
    char c = m_s[i];
    if (c == '/' && i + 1 < m_s.size() && m_s[i + 1] == '*') {
      i = skip_comment(m_s, i);
    } else if (c == '"' || c == '\'') {
      CssRef ref;
      bool ok = false;
      std::size_t after = consume_string(m_s, i, ref.url, ok, &ref.url_end);
      // Only the first token of an @import prelude is its URL; later strings are media
      // queries or, in raw text that swallowed markup, quoted attribute values.
      // A string in a custom property's value is a URL once image-set(var(--name))
      // reads it (CSS Variables substitute tokens; CSS Images 4 takes a string as URL).
      if (ok && ((m_at == AtRule::import && !m_import_has_url) || m_custom_property)) {
        ref.url_begin = i + 1, ref.end = after;
        add_ref(std::move(ref), i);
      }
      i = after;
    } else if (c == '@') {
      at_keyword(i);
    } else if (is_name_char(c) || valid_escape(m_s, i)) {
      ident(i);
    } else if (c == '{') {
      open_block(i++);
    } else if (c == '}') {
      close_block(i++);
    } else if (c == ';') {
      end_statement(i++);
    } else {
      // Any other token opening an @import prelude makes the rule invalid (its first
      // token must be a string or url()), so a later string is not its URL.
      if (m_at == AtRule::import && !is_css_ws(c)) m_import_has_url = true;
      ++i;
    }
  }
  close_declaration(m_s.size());
}

void CssScanner::at_keyword(std::size_t& i) {
  m_import_has_url = false;
  m_at_begin = i;
  i = consume_name(m_s, i + 1, m_name);
  std::string lower = base::to_lower(m_name);
  m_at = lower == "import"      ? AtRule::import
         : lower == "font-face" ? AtRule::font_face
                                : AtRule::other;
}

void CssScanner::ident(std::size_t& i) {
  std::size_t begin = i;
  i = consume_name(m_s, i, m_name);
  if (i < m_s.size() && m_s[i] == '(' && base::iequals(m_name, "url")) {
    CssRef ref;
    if (consume_url(m_s, i + 1, ref)) {
      std::size_t end = ref.end;
      add_ref(std::move(ref), begin);
      i = end;
    } else {
      std::size_t close = m_s.find(')', i);
      i = close == std::string_view::npos ? m_s.size() : close + 1;
    }
  } else if (i < m_s.size() && m_s[i] == '(' && m_image_set_depth < k_max_image_set_depth &&
             (base::iequals(m_name, "image-set") || base::iequals(m_name, "-webkit-image-set"))) {
    ++i;
    image_set(i);
  } else if (i == begin) {
    ++i;  // a lone '-' or similar: never loop forever
  } else if (m_name.size() > 2 && m_name[0] == '-' && m_name[1] == '-') {
    std::size_t colon = skip_ws(m_s, i);
    if (colon < m_s.size() && m_s[colon] == ':') m_custom_property = true;
  }
  // Whatever this token was, it was the @import prelude's first: no later string is the URL.
  if (m_at == AtRule::import) m_import_has_url = true;
}

// The arguments of image-set() after its '(' (CSS Images 4): a plain string argument is
// a URL, as url() is; strings nested deeper (type("image/avif")) are not. Stops after
// the closing ')', or before a '{', '}' or ';' of broken CSS (the caller reads those).
void CssScanner::image_set(std::size_t& i) {
  ++m_image_set_depth;
  int depth = 1;
  while (i < m_s.size() && depth > 0) {
    char c = m_s[i];
    if (c == '/' && i + 1 < m_s.size() && m_s[i + 1] == '*') {
      i = skip_comment(m_s, i);
    } else if (c == '"' || c == '\'') {
      CssRef ref;
      bool ok = false;
      std::size_t after = consume_string(m_s, i, ref.url, ok, &ref.url_end);
      if (ok && depth == 1) {
        ref.url_begin = i + 1, ref.end = after;
        add_ref(std::move(ref), i);
      }
      i = after;
    } else if (is_name_char(c) || valid_escape(m_s, i)) {
      ident(i);  // url(...), a nested image-set(), or a name; a '(' after it is read below
    } else if (c == '(') {
      ++depth, ++i;
    } else if (c == ')') {
      --depth, ++i;
    } else if (c == '{' || c == '}' || c == ';') {
      break;
    } else {
      ++i;
    }
  }
  --m_image_set_depth;
}

void CssScanner::open_block(std::size_t i) {
  m_custom_property = false;
  close_declaration(i);
  m_blocks.push_back(
      {m_at == AtRule::font_face, m_at != AtRule::none ? m_at_begin : m_stmt_begin, m_out.size()});
  m_at = AtRule::none;
  m_stmt_begin = skip_ws(m_s, i + 1);
}

void CssScanner::close_block(std::size_t i) {
  m_custom_property = false;
  close_declaration(i);
  if (!m_blocks.empty()) {
    Block b = m_blocks.back();
    m_blocks.pop_back();
    if (b.font_face) {
      for (std::size_t k = b.first_ref; k < m_out.size(); ++k) m_out[k].strip_end = i + 1;
    }
  }
  m_at = AtRule::none;
  m_stmt_begin = skip_ws(m_s, i + 1);
}

void CssScanner::end_statement(std::size_t i) {
  m_custom_property = false;
  if (m_at == AtRule::import) {
    for (std::size_t k = m_pending; k < m_out.size(); ++k) m_out[k].strip_end = i + 1;
    m_pending = m_out.size();
  }
  m_stmt_begin = skip_ws(m_s, i + 1);
  close_declaration(m_stmt_begin);  // the declaration takes its trailing space along
  m_at = AtRule::none;
}

}  // namespace

void scan_css(std::string_view css, std::vector<CssRef>& out) { CssScanner(css, out).run(); }

}  // namespace pixelwarden::html
