#include "html/tokenizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <unordered_set>

#include "base/text.hpp"
#include "html/entities.hpp"

namespace pixelwarden::html {

namespace {

// Byte classes of the tag states, one lookup per byte where a name or value ends.
// k_fold: a byte a name cannot keep as it is (an ASCII capital, or NUL).
enum : std::uint8_t { k_ws = 1, k_slash = 2, k_gt = 4, k_eq = 8, k_fold = 16 };
constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (unsigned char c : std::string_view(" \t\n\f\r")) t[c] = k_ws;
  t['/'] = k_slash;
  t['>'] = k_gt;
  t['='] = k_eq;
  t[0] = k_fold;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = k_fold;
  return t;
}
constexpr std::array<std::uint8_t, 256> k_class = make_classes();
constexpr bool is(char c, std::uint8_t classes) {
  return (k_class[static_cast<unsigned char>(c)] & classes) != 0;
}
constexpr bool is_ws(char c) { return is(c, k_ws); }

constexpr std::array<char, 256> make_lower() {
  std::array<char, 256> t{};
  for (std::size_t c = 0; c < t.size(); ++c)
    t[c] = base::ascii_lower(static_cast<char>(static_cast<unsigned char>(c)));
  return t;
}
constexpr std::array<char, 256> k_lower = make_lower();

bool istarts_at(std::string_view in, std::size_t pos, std::string_view prefix) {
  return pos <= in.size() && base::istarts_with(in.substr(pos), prefix);
}

bool starts_at(std::string_view in, std::size_t pos, std::string_view prefix) {
  return pos <= in.size() && in.substr(pos).substr(0, prefix.size()) == prefix;
}

// "</name" followed by whitespace, '/' or '>' at pos (an appropriate end tag).
bool end_tag_at(std::string_view in, std::size_t pos, std::string_view name) {
  if (name.empty() || !starts_at(in, pos, "</") || !istarts_at(in, pos + 2, name)) return false;
  std::size_t after = pos + 2 + name.size();
  return after < in.size() && (is_ws(in[after]) || in[after] == '/' || in[after] == '>');
}

std::size_t find_from(std::string_view in, std::string_view what, std::size_t from) {
  return from > in.size() ? std::string_view::npos : in.find(what, from);
}

bool one_of(std::string_view n, std::initializer_list<std::string_view> names) {
  for (std::string_view x : names) {
    if (base::same_name(n, x)) return true;
  }
  return false;
}

// Start tags that leave foreign content (tree construction, "in foreign content").
bool is_breakout(const Token& t) {
  std::string_view n = t.name;
  if (n.empty() || n.size() > 10) return false;
  if (n == "font")
    return t.find("color") != nullptr || t.find("face") != nullptr || t.find("size") != nullptr;
  if (n.size() == 2 && n[0] == 'h' && n[1] >= '1' && n[1] <= '6') return true;
  return one_of(n, {"b",   "big",   "blockquote", "body",  "br",    "center", "code",   "dd",
                    "div", "dl",    "dt",         "em",    "embed", "head",   "hr",     "i",
                    "img", "li",    "listing",    "menu",  "meta",  "nobr",   "ol",     "p",
                    "pre", "ruby",  "s",          "small", "span",  "strong", "strike", "sub",
                    "sup", "table", "tt",         "u",     "ul",    "var"});
}

// annotation-xml's encoding: its decoded value, untrimmed, ASCII case-insensitive.
bool is_html_encoding(std::string_view raw) {
  std::string decoded;
  if (!attribute_is_plain(raw)) decode_attribute(raw, decoded), raw = decoded;
  return base::iequals(raw, "text/html") || base::iequals(raw, "application/xhtml+xml");
}

}  // namespace

const Attribute* Token::find(std::string_view attr_name) const {
  if (attributes == nullptr) return nullptr;
  for (const Attribute& a : *attributes) {
    if (!a.duplicate && base::same_name(a.name, attr_name)) return &a;
  }
  return nullptr;
}

Tokenizer::Tokenizer(std::string_view input, bool conditional_comments)
    : m_in(input), m_conditional(conditional_comments) {
  m_attrs.reserve(16);
  m_names.resize(256);
}

void Tokenizer::set_initial_state(InitialState state, std::string_view last_start_tag) {
  m_raw_tag = base::to_lower(last_start_tag);
  switch (state) {
    case InitialState::data:
      m_raw = Raw::none;
      break;
    case InitialState::rcdata:
      m_raw = Raw::rcdata;
      break;
    case InitialState::rawtext:
      m_raw = Raw::rawtext;
      break;
    case InitialState::script_data:
      m_raw = Raw::script;
      break;
    case InitialState::plaintext:
      m_raw = Raw::plaintext;
      break;
    case InitialState::cdata:
      m_raw = Raw::cdata;
      break;
  }
}

bool Tokenizer::next(Token& t) {
  if (m_queue_pos < m_queue.size()) {
    t = m_queue[m_queue_pos++];
    return true;
  }
  if (!m_queue.empty()) m_queue.clear(), m_queue_pos = 0;
  bool got = next_token(t);
  if (!got && !m_frames.empty()) {
    text_until(m_in.size());
    pop_frames(0, m_in.size());  // the end of input closes every element
  }
  if (got) m_text_from = t.end;
  if (m_queue.empty()) return got;
  if (got) m_queue.push_back(t);  // the token that closed the element(s) comes after
  t = m_queue[m_queue_pos++];
  return true;
}

bool Tokenizer::next_token(Token& t) {
  t.attributes = nullptr;
  t.pieces = nullptr;
  t.self_closing = false;
  t.ns = Namespace::html;
  t.name = {};
  if (m_raw != Raw::none && raw_text(t)) return true;
  const std::size_t n = m_in.size();
  while (m_pos < n) {
    // Markup is mostly tags with a line break or a few words between them: look at the
    // next bytes here before paying for a call to memchr.
    const char* at = m_in.data() + m_pos;
    const char* const end = m_in.data() + n;
    const char* const near = end - at > 16 ? at + 16 : end;
    while (at < near && *at != '<') ++at;
    const char* hit =
        at < near
            ? at
            : static_cast<const char*>(std::memchr(at, '<', static_cast<std::size_t>(end - at)));
    if (hit == nullptr) break;
    std::size_t lt = static_cast<std::size_t>(hit - m_in.data());
    if (lt + 1 >= n) break;
    char c = m_in[lt + 1];
    if (!m_frames.empty() && (base::is_ascii_alpha(c) || c == '/' || c == '!' || c == '?'))
      text_until(lt);
    if (base::is_ascii_alpha(c)) return tag(lt, false, t);
    if (c == '/') {
      char c2 = lt + 2 < n ? m_in[lt + 2] : '\0';
      if (base::is_ascii_alpha(c2)) return tag(lt, true, t);
      if (lt + 2 >= n) break;
      if (c2 == '>') {
        m_pos = m_text_from = lt + 3;  // "</>" is dropped, not text
        continue;
      }
      return bogus_comment(lt, lt + 2, t);
    }
    if (c == '!') return markup_declaration(lt, t);
    if (c == '?') return bogus_comment(lt, lt + 1, t);
    m_pos = lt + 1;
  }
  m_pos = n;
  return false;
}

// ---- foreign content ----

std::vector<TextPiece>* Tokenizer::collecting() {
  if (m_frames.empty() || m_frames.back().collect == k_none) return nullptr;
  return &m_collect[m_frames.back().collect];
}

void Tokenizer::text_until(std::size_t at) {
  std::vector<TextPiece>* pieces = collecting();
  if (pieces != nullptr && at > m_text_from)
    pieces->push_back({m_text_from, at, m_text_from, at, false});
  m_text_from = at;
}

// "Adjusted current node is not an element in the HTML namespace".
bool Tokenizer::cdata_allowed() const {
  return !m_frames.empty() && m_frames.back().html_open == 0;
}

void Tokenizer::push_frame(const Token& t, Namespace ns) {
  if (m_frames.size() >= k_max_frames) {
    // Bounded depth (an end tag walks the stack): deeper elements are not tracked, and
    // a <style> there is read as raw text, as before foreign content was followed.
    if (t.name == "style") m_raw = Raw::rawtext, m_raw_tag = "style";
    return;
  }
  Frame f;
  f.name.assign(t.name);
  f.ns = ns;
  if (ns == Namespace::svg) {
    f.integration = f.name == "foreignobject" || f.name == "desc" || f.name == "title";
  } else {
    f.integration = one_of(f.name, {"mi", "mo", "mn", "ms", "mtext"});
    if (f.name == "annotation-xml") {
      const Attribute* enc = t.find("encoding");
      f.integration =
          enc != nullptr &&
          is_html_encoding(m_in.substr(enc->value_begin, enc->value_end - enc->value_begin));
    }
  }
  if (f.name == "style") {
    std::size_t open = 0;
    for (const Frame& g : m_frames) open += g.collect != k_none ? 1 : 0;
    if (open == m_collect.size()) m_collect.emplace_back();
    m_collect[open].clear();
    f.collect = open;
  }
  m_frames.push_back(std::move(f));
  m_text_from = t.end;
}

void Tokenizer::pop_frames(std::size_t keep, std::size_t at) {
  while (m_frames.size() > keep) {
    Frame& f = m_frames.back();
    if (f.collect != k_none) {
      Token s;
      s.kind = TokenKind::foreign_text;
      s.name = "style";
      s.ns = f.ns;
      s.pieces = &m_collect[f.collect];
      s.begin = s.end = s.data_end = at;  // in token order: where the element closed
      s.data_begin = s.pieces->empty() ? at : s.pieces->front().outer_begin;
      m_queue.push_back(s);
    }
    m_frames.pop_back();
  }
}

void Tokenizer::after_end_tag(const Token& t) {
  if (m_markup_only || m_frames.empty()) return;
  std::string_view name = t.name;
  Frame& top = m_frames.back();
  if (top.integration && top.html_open > 0) {
    // HTML content: a p (special) current node ignores the integration point's end tag.
    if (name != top.name) --top.html_open;
    return;
  }
  if (name == "br" || name == "p") {  // leaves foreign content like a breakout start tag
    std::size_t keep = m_frames.size();
    while (keep > 0 && !m_frames[keep - 1].integration) --keep;
    pop_frames(keep, t.begin);  // then HTML: </br> is a <br>, </p> an empty <p></p>
    return;
  }
  // "Any other end tag" in foreign content: the nearest open element of that name,
  // through foreign elements only (the integration points' HTML content ends the walk).
  for (std::size_t i = m_frames.size(); i-- > 0;) {
    if (i + 1 < m_frames.size() && m_frames[i].integration && m_frames[i].html_open > 0) return;
    if (m_frames[i].name == name) {
      pop_frames(i, t.begin);
      return;
    }
  }
}

bool Tokenizer::raw_text(Token& t) {
  std::size_t end = m_in.size();
  if (m_raw == Raw::script)
    end = find_script_end(m_pos);
  else if (m_raw == Raw::cdata) {
    std::size_t p = find_from(m_in, "]]>", m_pos);
    end = p == std::string_view::npos ? m_in.size() : p;
  } else if (m_raw != Raw::plaintext)
    end = find_raw_end(m_pos);
  Raw was = m_raw;
  m_raw = Raw::none;
  t.kind = TokenKind::raw_text;
  t.begin = t.data_begin = m_pos;
  t.end = t.data_end = end;
  t.name = m_raw_tag;
  m_pos = (was == Raw::cdata && end < m_in.size()) ? end + 3 : end;
  return end > t.begin;
}

std::size_t Tokenizer::find_raw_end(std::size_t from) const {
  const std::size_t n = m_in.size();
  while (from < n) {
    const void* hit = std::memchr(m_in.data() + from, '<', n - from);
    if (hit == nullptr) return n;
    std::size_t p = static_cast<const char*>(hit) - m_in.data();
    if (end_tag_at(m_in, p, m_raw_tag)) return p;
    from = p + 1;
  }
  return n;
}

// Script data with its escaped and double-escaped states: only they decide where
// the script ends ("<!--<script>" hides a "</script>").
std::size_t Tokenizer::find_script_end(std::size_t i) const {
  const std::size_t n = m_in.size();
  enum { data, escaped, double_escaped } state = data;
  while (i < n) {
    std::size_t lt = m_in.find('<', i);
    if (state == data) {
      if (lt == std::string_view::npos) return n;
      if (end_tag_at(m_in, lt, m_raw_tag)) return lt;
      if (starts_at(m_in, lt, "<!--"))
        state = escaped, i = lt + 2;
      else
        i = lt + 1;
      continue;
    }
    std::size_t close = find_from(m_in, "-->", i);
    if (state == escaped) {
      if (close != std::string_view::npos && (lt == std::string_view::npos || close < lt)) {
        state = data, i = close + 3;
      } else if (lt == std::string_view::npos) {
        return n;
      } else if (end_tag_at(m_in, lt, m_raw_tag)) {
        return lt;
      } else if (istarts_at(m_in, lt + 1, "script") && lt + 7 < n &&
                 (is_ws(m_in[lt + 7]) || m_in[lt + 7] == '/' || m_in[lt + 7] == '>')) {
        state = double_escaped, i = lt + 7;
      } else {
        i = lt + 1;
      }
      continue;
    }
    std::size_t p = lt;  // double escaped: "</script" + terminator leaves it
    while (p != std::string_view::npos &&
           !(starts_at(m_in, p, "</") && istarts_at(m_in, p + 2, "script") && p + 8 < n &&
             (is_ws(m_in[p + 8]) || m_in[p + 8] == '/' || m_in[p + 8] == '>')))
      p = m_in.find('<', p + 1);
    if (close != std::string_view::npos && (p == std::string_view::npos || close < p)) {
      state = data, i = close + 3;
    } else if (p == std::string_view::npos) {
      return n;
    } else {
      state = escaped, i = p + 8;
    }
  }
  return n;
}

bool Tokenizer::markup_declaration(std::size_t lt, Token& t) {
  std::size_t i = lt + 2;
  if (starts_at(m_in, i, "--")) return comment(lt, t);
  if (istarts_at(m_in, i, "doctype")) {
    std::size_t gt = m_in.find('>', i);
    t.kind = TokenKind::doctype;
    t.begin = lt;
    t.data_begin = i + 7;
    t.data_end = gt == std::string_view::npos ? m_in.size() : gt;
    t.end = m_pos = gt == std::string_view::npos ? m_in.size() : gt + 1;
    return true;
  }
  if (cdata_allowed() && starts_at(m_in, i, "[CDATA[")) {
    std::size_t close = find_from(m_in, "]]>", i + 7);
    t.kind = TokenKind::cdata;
    t.begin = lt;
    t.data_begin = i + 7;
    t.data_end = close == std::string_view::npos ? m_in.size() : close;
    t.end = m_pos = close == std::string_view::npos ? m_in.size() : close + 3;
    if (std::vector<TextPiece>* pieces = collecting();
        pieces != nullptr && t.data_end > t.data_begin)
      pieces->push_back({t.data_begin, t.data_end, t.begin, t.end, true});
    return true;
  }
  if (m_conditional && (istarts_at(m_in, i, "[if") || istarts_at(m_in, i, "[endif"))) {
    bool start = istarts_at(m_in, i, "[if");
    std::size_t gt = m_in.find('>', i);
    t.kind = start ? TokenKind::conditional_start : TokenKind::conditional_end;
    t.begin = lt;
    t.data_begin = i;
    t.data_end = gt == std::string_view::npos ? m_in.size() : gt;
    t.end = m_pos = gt == std::string_view::npos ? m_in.size() : gt + 1;
    m_cond_depth = start ? m_cond_depth + 1 : (m_cond_depth > 0 ? m_cond_depth - 1 : 0);
    return true;
  }
  return bogus_comment(lt, i, t);
}

bool Tokenizer::comment(std::size_t lt, Token& t) {
  const std::size_t n = m_in.size();
  std::size_t i = lt + 4;
  t.begin = lt;
  t.kind = TokenKind::comment;
  if (m_conditional && istarts_at(m_in, i, "[if")) {
    std::size_t gt = m_in.find('>', i);
    std::size_t close = find_from(m_in, "-->", i);
    if (gt != std::string_view::npos && m_in[gt - 1] == ']' &&
        (close == std::string_view::npos || gt < close)) {
      t.kind = TokenKind::conditional_start;
      t.data_begin = i;
      t.data_end = gt;
      t.end = gt + 1;
      if (starts_at(m_in, t.end, "<!-->")) t.end += 5;  // the <!--[if !mso]><!--> idiom
      m_pos = t.end;
      ++m_cond_depth;
      return true;
    }
  }
  t.data_begin = i;
  if (i < n && m_in[i] == '>') {
    t.data_end = i, t.end = i + 1;
  } else if (starts_at(m_in, i, "->")) {
    t.data_end = i, t.end = i + 2;
  } else {
    std::size_t p = i;
    for (;;) {
      p = find_from(m_in, "--", p);
      if (p == std::string_view::npos) {
        std::size_t e = n;  // EOF: pending "--!" or dashes are not data
        if (e >= i + 3 && m_in.substr(e - 3) == "--!")
          e -= 3;
        else
          for (int k = 0; k < 2 && e > i && m_in[e - 1] == '-'; ++k) --e;
        t.data_end = e, t.end = n;
        break;
      }
      if (p + 2 < n && m_in[p + 2] == '>') {
        t.data_end = p, t.end = p + 3;
        break;
      }
      if (starts_at(m_in, p + 2, "!>")) {
        t.data_end = p, t.end = p + 4;
        break;
      }
      ++p;
    }
  }
  m_pos = t.end;
  if (m_conditional && m_in.substr(t.data_begin, t.data_end - t.data_begin) == "<![endif]") {
    t.kind = TokenKind::conditional_end;  // the <!--<![endif]--> idiom
    if (m_cond_depth > 0) --m_cond_depth;
  }
  return true;
}

bool Tokenizer::bogus_comment(std::size_t lt, std::size_t data_begin, Token& t) {
  std::size_t gt = find_from(m_in, ">", data_begin);
  t.kind = TokenKind::comment;
  t.begin = lt;
  t.data_begin = data_begin;
  t.data_end = gt == std::string_view::npos ? m_in.size() : gt;
  t.end = m_pos = gt == std::string_view::npos ? m_in.size() : gt + 1;
  return true;
}

Tokenizer::NameRef Tokenizer::name_ref(std::size_t b, std::size_t e, bool fold) {
  if (!fold) return {b, e - b, true};  // already lowercase: the input's own bytes
  const auto [at, size] = lower_name(b, e);
  return {at, size, false};
}

std::pair<std::size_t, std::size_t> Tokenizer::lower_name(std::size_t b, std::size_t e) {
  // m_names is storage, m_names_used of it holds this tag's names. Room is made before
  // the loops, so they only write: one byte per byte, until a NUL (U+FFFD, three bytes).
  auto room = [this](std::size_t need) {
    if (m_names.size() < need) m_names.resize(std::max(need, 2 * m_names.size()));
  };
  const std::size_t start = m_names_used;
  room(start + (e - b));
  char* out = m_names.data() + start;
  std::size_t i = b;
  for (; i < e && m_in[i] != '\0'; ++i) *out++ = k_lower[static_cast<unsigned char>(m_in[i])];
  if (i < e) {
    const std::size_t at = static_cast<std::size_t>(out - m_names.data());
    room(at + 3 * (e - i));
    out = m_names.data() + at;
    for (; i < e; ++i) {
      if (m_in[i] == '\0') {
        for (const char r : std::string_view("\xEF\xBF\xBD")) *out++ = r;
      } else {
        *out++ = k_lower[static_cast<unsigned char>(m_in[i])];
      }
    }
  }
  m_names_used = static_cast<std::size_t>(out - m_names.data());
  // Offsets, not views: m_names may still grow; views are made at the end of tag().
  return {start, m_names_used - start};
}

bool Tokenizer::tag(std::size_t lt, bool end_tag, Token& t) {
  const std::size_t n = m_in.size();
  std::size_t i = lt + (end_tag ? 2 : 1);
  std::size_t name_begin = i;
  std::uint8_t classes = 0;  // of the name's bytes
  for (; i < n; ++i) {
    const std::uint8_t k = k_class[static_cast<unsigned char>(m_in[i])];
    if ((k & (k_ws | k_slash | k_gt)) != 0) break;
    classes |= k;
  }
  m_names_used = 0;
  m_attrs.clear();
  m_name_spans.clear();
  const NameRef tag_name = name_ref(name_begin, i, (classes & k_fold) != 0);
  t.kind = end_tag ? TokenKind::end_tag : TokenKind::start_tag;
  t.begin = lt;
  if (!attributes(i, t)) {
    m_pos = m_text_from = n;  // a tag cut off by the end of input is dropped, not text
    return false;
  }
  t.end = m_pos = i;
  const std::string_view names(m_names.data(), m_names_used);
  const auto view = [&](const NameRef& r) {
    return (r.input ? m_in : names).substr(r.begin, r.size);
  };
  t.name = view(tag_name);
  for (std::size_t k = 0; k < m_attrs.size(); ++k) m_attrs[k].name = view(m_name_spans[k]);
  if (m_attrs.size() > 1) {
    if (m_attrs.size() <= 32) {
      for (std::size_t a = 1; a < m_attrs.size(); ++a)
        for (std::size_t b = 0; b < a && !m_attrs[a].duplicate; ++b)
          m_attrs[a].duplicate =
              !m_attrs[b].duplicate && base::same_name(m_attrs[b].name, m_attrs[a].name);
    } else {
      std::unordered_set<std::string_view> seen;
      for (Attribute& a : m_attrs) a.duplicate = !seen.insert(a.name).second;
    }
  }
  t.attributes = &m_attrs;
  if (!end_tag)
    after_start_tag(t);
  else
    after_end_tag(t);
  return true;
}

// Attribute states of the spec, from "before attribute name" to the tag's '>'.
// false: the input ended inside the tag.
bool Tokenizer::attributes(std::size_t& i, Token& t) {
  const std::size_t n = m_in.size();
  for (;;) {
    std::size_t ws_begin = i;
    while (i < n && is_ws(m_in[i])) ++i;
    if (i >= n) return false;
    char c = m_in[i];
    if (c == '>') return ++i, true;
    if (c == '/') {
      ++i;
      if (i < n && m_in[i] == '>') return t.self_closing = true, ++i, true;
      continue;
    }
    Attribute a;
    a.begin = ws_begin;
    a.name_begin = i;
    ++i;  // the first character may be '='
    std::uint8_t classes = k_class[static_cast<unsigned char>(m_in[a.name_begin])];
    for (; i < n; ++i) {
      const std::uint8_t k = k_class[static_cast<unsigned char>(m_in[i])];
      if ((k & (k_ws | k_slash | k_gt | k_eq)) != 0) break;
      classes |= k;
    }
    m_name_spans.push_back(name_ref(a.name_begin, i, (classes & k_fold) != 0));
    a.end = a.value_begin = a.value_end = i;
    std::size_t j = i;
    while (j < n && is_ws(m_in[j])) ++j;
    if (j < n && m_in[j] == '=') {
      ++j;
      while (j < n && is_ws(m_in[j])) ++j;
      if (j >= n) return false;
      a.has_value = true;
      if (m_in[j] == '"' || m_in[j] == '\'') {
        a.quote = m_in[j];
        std::size_t close = m_in.find(a.quote, j + 1);
        if (close == std::string_view::npos) return false;
        a.value_begin = j + 1;
        a.value_end = close;
        i = a.end = close + 1;
      } else if (m_in[j] == '>') {
        a.value_begin = a.value_end = a.end = i = j;
      } else {
        a.value_begin = j;
        while (j < n && !is(m_in[j], k_ws | k_gt)) ++j;
        if (j >= n) return false;
        a.value_end = a.end = i = j;
      }
    }
    m_attrs.push_back(a);
  }
}

void Tokenizer::restrict_to(std::size_t begin, std::size_t end) {
  m_in = m_in.substr(0, std::min(end, m_in.size()));
  m_pos = std::min(begin, m_in.size());
  m_markup_only = true;
  m_raw = Raw::none;
  m_frames.clear();
}

void Tokenizer::after_start_tag(Token& t) {
  if (m_markup_only) return;
  std::string_view name = t.name;
  if (!m_frames.empty()) {
    Frame& top = m_frames.back();
    const bool math_text =
        top.integration && top.ns == Namespace::math && top.name != "annotation-xml";
    if (!top.integration && top.ns == Namespace::math && top.name == "annotation-xml" &&
        name == "svg") {
      t.ns = Namespace::svg;  // annotation-xml takes an <svg> start tag as HTML does
      if (!t.self_closing) push_frame(t, Namespace::svg);
      return;
    }
    if (!top.integration || (math_text && (name == "mglyph" || name == "malignmark"))) {
      if (is_breakout(t)) {
        std::size_t keep = m_frames.size();
        while (keep > 0 && !m_frames[keep - 1].integration) --keep;
        pop_frames(keep, t.begin);
        if (!m_frames.empty()) {  // HTML content of an integration point now
          if (!t.self_closing && !is_void_element(name)) ++m_frames.back().html_open;
          return;
        }
        // fall through: HTML content outside foreign content
      } else {
        t.ns = top.ns;
        if (!t.self_closing) push_frame(t, top.ns);
        return;
      }
    }
  }
  if (name == "svg" || name == "math") {
    t.ns = name == "svg" ? Namespace::svg : Namespace::math;
    if (!t.self_closing) push_frame(t, t.ns);
    return;
  }
  if (!m_frames.empty() && !t.self_closing && !is_void_element(name)) ++m_frames.back().html_open;
  Raw raw = Raw::none;
  if (name == "style" || name == "xmp" || name == "iframe" || name == "noembed" ||
      name == "noframes")
    raw = Raw::rawtext;
  else if (name == "script")
    raw = Raw::script;
  else if (name == "textarea" || name == "title")
    raw = Raw::rcdata;
  else if (name == "plaintext")
    raw = Raw::plaintext;
  if (raw != Raw::none) {
    m_raw = raw;
    m_raw_tag = name;
  }
}

bool is_void_element(std::string_view n) {
  switch (n.size()) {  // by length: this runs for every start tag
    case 2:
      return n == "br" || n == "hr";
    case 3:
      return n == "img" || n == "col" || n == "wbr";
    case 4:
      return n == "area" || n == "base" || n == "link" || n == "meta";
    case 5:
      return n == "embed" || n == "frame" || n == "image" || n == "input" || n == "param" ||
             n == "track";
    case 6:
      return n == "keygen" || n == "source";
    case 7:
      return n == "bgsound";
    case 8:
      return n == "basefont";
    default:
      return false;
  }
}

std::string comment_text(std::string_view input, const Token& t) {
  std::string out;
  for (char c : input.substr(t.data_begin, t.data_end - t.data_begin)) {
    if (c == '\0')
      out.append("\xEF\xBF\xBD");
    else
      out.push_back(c);
  }
  return out;
}

}  // namespace pixelwarden::html
