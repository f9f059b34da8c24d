// scan(): one tokenizer pass turning tags, style attributes and <style> blocks into
// Resources and Links (see resource.hpp).
#include <algorithm>
#include <array>
#include <cstring>

#include "base/text.hpp"
#include "html/attr_syntax.hpp"
#include "html/css.hpp"
#include "html/element_stack.hpp"
#include "html/entities.hpp"
#include "html/resource.hpp"
#include "html/resource_table.hpp"
#include "html/style_scan.hpp"
#include "html/tokenizer.hpp"
#include "url/url.hpp"

namespace pixelwarden::html {

namespace {

// Facts of the start tag being scanned, shared by its resources.
// Whether the element or an open ancestor is hidden is worked out when a resource of the
// tag asks (Scanner::hidden, Scanner::ancestor_hidden): parsing every style attribute of
// a newsletter to learn it costs more than the rest of its tags.
struct TagFacts {
  const Token* token = nullptr;
  int width = -1, height = -1;
  bool tiny = false;                 // width or height at most 2 pixels
  const Attribute* style = nullptr;  // the tag's style attribute, when it has one
  std::size_t open_below = 0;        // ElementStack depth before the tag: its ancestors
  bool conditional = false;
  mutable signed char hidden = -1;           // the element itself; -1: not worked out yet
  mutable signed char ancestor_hidden = -1;  // an open ancestor; -1: not worked out yet
};

// An <iframe srcdoc> attribute met during the pass, read in finish() (once the
// document's base URL is known: it is the srcdoc document's too).
struct PendingSrcdoc {
  std::size_t value_begin = 0, value_end = 0;
  char quote = 0;
  bool hidden = false;  // the iframe or an ancestor: everything in it is invisible
  bool conditional = false;
  // Found by the shadow scan: the raw-text block it is in (read twice; an edit of the
  // srcdoc can change the block's other reading, see Resource::block_element).
  std::string block_element;
  std::size_t block_begin = 0, block_end = 0;
};

class Scanner {
 public:
  // depth: srcdoc nesting level; srcdocs: documents read so far in the whole part;
  // fallback_base: the base URL of a srcdoc document without a <base> of its own.
  Scanner(std::string_view in, ScanResult& r, std::string_view base, int depth,
          std::size_t& srcdocs, bool amp, std::string_view fallback_base = {})
      : m_in(in), m_r(r), m_tok(in), m_base(base), m_have_base(!base.empty()),
        m_fallback_base(fallback_base), m_depth(depth), m_srcdoc_count(srcdocs), m_amp(amp) {
    m_r.amp = amp;
  }
  void run();

 private:
  void start_tag(const Token& t);
  TagFacts tag_facts(const Token& t);
  bool hidden(const TagFacts& f);
  bool ancestor_hidden(const TagFacts& f);
  // Whether the style attribute value at [begin, end) of the input hides its element.
  bool style_hides(std::size_t begin, std::size_t end);
  void element_resources(const Token& t, const TagFacts& f);
  bool amp_resources(const Token& t, const TagFacts& f);
  void attr_url(Vector v, const Attribute& a, const TagFacts& f);
  void attr_srcset(Vector v, const Attribute& a, const TagFacts& f);
  void attr_refresh(const Attribute& a, const TagFacts& f);
  void attr_style(const Attribute& a, const TagFacts& f);
  void svg_attributes(const Token& t, const TagFacts& f);
  void attr_url_list(Vector v, const Attribute& a, const TagFacts& f);
  void style_block(const Token& t);
  // A resource of a style sheet's url: its vector and flags; the caller sets the offsets.
  Resource& style_resource(const CssRef& c);
  void foreign_style(const Token& t);
  void link(const Attribute& a);
  void shadow_scan(const Token& raw);
  Resource& add(Vector v, const Attribute& a, const TagFacts& f, std::size_t b, std::size_t e);
  const std::string& decode(const Attribute& a);
  void finish();
  void read_srcdocs();

  std::string_view m_in;
  ScanResult& m_r;
  Tokenizer m_tok;
  ElementStack m_stack;
  std::string m_style_decoded;  // style_hides()'s, apart from decode()'s
  // style_hides()'s last answers, by the raw attribute value: a newsletter's inliner puts
  // the same style on every cell, and each is parsed once, not once per image inside.
  struct StyleAnswer {
    std::string_view raw;  // into m_in; data() nullptr: unused
    bool hides = false;
  };
  std::array<StyleAnswer, 8> m_style_answers{};
  std::size_t m_style_answer_next = 0;
  std::string m_decoded;  // the last attribute value decode() read, at these offsets:
  std::size_t m_decoded_begin = std::string::npos, m_decoded_end = std::string::npos;
  std::vector<std::uint32_t> m_map;
  bool m_plain = true;
  std::vector<CssRef> m_css;
  StyleScan m_style{m_in};  // <style> blocks and what they hide (style_scan.hpp)
  std::vector<SrcsetCandidate> m_srcset;
  std::string m_base;
  bool m_have_base = false;
  bool m_shadow = false;
  const Token* m_shadow_block = nullptr;  // the raw-text token being shadow-scanned
  std::size_t m_body = 0, m_head_end = 0, m_html = 0, m_doctype = 0;
  std::string m_fallback_base;
  int m_depth = 0;
  std::size_t& m_srcdoc_count;
  bool m_amp = false;
  std::vector<PendingSrcdoc> m_pending;
};

void Scanner::run() {
  Token t;
  while (m_tok.next(t)) {
    switch (t.kind) {
      case TokenKind::start_tag:
        start_tag(t);
        break;
      case TokenKind::end_tag:
        if (t.name == "head" && m_head_end == 0) m_head_end = t.end;
        m_stack.close(t.name);
        break;
      case TokenKind::raw_text: {
        std::size_t first = m_r.resources.size();
        if (t.name == "style") style_block(t);
        if (t.name != "script") shadow_scan(t);
        if (m_r.resources.size() > first &&
            std::memchr(m_in.data() + t.data_begin, '<', t.data_end - t.data_begin) != nullptr) {
          for (std::size_t i = first; i < m_r.resources.size(); ++i) {
            Resource& r = m_r.resources[i];
            r.block_element.assign(t.name);
            r.block_begin = t.data_begin;
            r.block_end = t.data_end;
          }
        }
        break;
      }
      case TokenKind::doctype:
        if (m_doctype == 0) m_doctype = t.end;
        break;
      case TokenKind::foreign_text:
        foreign_style(t);
        break;
      default:
        break;
    }
  }
  finish();
}

const std::string& Scanner::decode(const Attribute& a) {
  // The same attribute again (a style attribute: first for the tag's facts, then for
  // its url()s): every tokenizer here reads the same buffer, so offsets identify it.
  if (a.value_begin == m_decoded_begin && a.value_end == m_decoded_end) return m_decoded;
  m_decoded_begin = a.value_begin;
  m_decoded_end = a.value_end;
  std::string_view raw = m_in.substr(a.value_begin, a.value_end - a.value_begin);
  m_plain = attribute_is_plain(raw);
  if (m_plain)
    m_decoded.assign(raw);
  else
    decode_attribute(raw, m_decoded, &m_map);
  return m_decoded;
}

TagFacts Scanner::tag_facts(const Token& t) {
  TagFacts f;
  f.token = &t;
  f.conditional = m_tok.conditional_depth() > 0;
  f.open_below = m_stack.depth();
  // One pass for the three attributes every tag is asked for (first of each name wins,
  // as Token::find).
  const Attribute* w = nullptr;
  const Attribute* h = nullptr;
  if (t.attributes != nullptr) {
    for (const Attribute& a : *t.attributes) {
      if (a.duplicate) continue;
      if (w == nullptr && base::same_name(a.name, "width")) {
        w = &a;
      } else if (h == nullptr && base::same_name(a.name, "height")) {
        h = &a;
      } else if (f.style == nullptr && base::same_name(a.name, "style")) {
        f.style = &a;
      }
    }
  }
  if (w != nullptr) f.width = parse_dimension(decode(*w));
  if (h != nullptr) f.height = parse_dimension(decode(*h));
  f.tiny = (f.width >= 0 && f.width <= 2) || (f.height >= 0 && f.height <= 2);
  if (f.tiny || f.style == nullptr) f.hidden = f.tiny ? 1 : 0;
  return f;
}

bool Scanner::style_hides(std::size_t begin, std::size_t end) {
  const std::string_view raw = m_in.substr(begin, end - begin);
  for (const StyleAnswer& a : m_style_answers) {
    if (a.raw.data() != nullptr && a.raw == raw) return a.hides;
  }
  bool hides = false;
  if (attribute_is_plain(raw)) {
    hides = style_facts(raw).hidden();
  } else {
    decode_attribute(raw, m_style_decoded);
    hides = style_facts(m_style_decoded).hidden();
  }
  m_style_answers[m_style_answer_next++ % m_style_answers.size()] = {raw, hides};
  return hides;
}

bool Scanner::hidden(const TagFacts& f) {
  if (f.hidden < 0) f.hidden = style_hides(f.style->value_begin, f.style->value_end) ? 1 : 0;
  return f.hidden > 0;
}

// The stack still holds exactly the tag's ancestors below f.open_below: the tag itself is
// pushed above them, and nothing is closed before its resources are read.
bool Scanner::ancestor_hidden(const TagFacts& f) {
  if (f.ancestor_hidden < 0) {
    const bool h = m_stack.hidden_below(
        f.open_below, [this](std::size_t b, std::size_t e) { return style_hides(b, e); });
    f.ancestor_hidden = h ? 1 : 0;
  }
  return f.ancestor_hidden > 0;
}

void Scanner::start_tag(const Token& t) {
  std::string_view name = t.name;
  if (name == "body" && m_body == 0) m_body = t.end;
  if (name == "html" && m_html == 0) m_html = t.end;
  m_stack.implicit_close(name);
  TagFacts f = tag_facts(t);
  const std::uint32_t element = m_style.record(t, m_stack.top_element());
  const bool is_void = t.self_closing || is_void_element(name);
  if (f.hidden < 0) {
    m_stack.push_deferred(name, f.style->value_begin, f.style->value_end, is_void, element,
                          t.begin);
  } else {
    m_stack.push(name, f.hidden > 0, is_void, element, t.begin);
  }
  element_resources(t, f);
  if (f.style != nullptr) attr_style(*f.style, f);
  if (t.ns == Namespace::svg) svg_attributes(t, f);
}

void Scanner::element_resources(const Token& t, const TagFacts& f) {
  std::string_view n = t.name;
  auto url_attr = [&](Vector v, std::string_view attr) {
    if (const Attribute* a = t.find(attr)) attr_url(v, *a, f);
  };
  if (m_amp && amp_resources(t, f)) return;
  if (n == "img" || (n == "image" && t.ns == Namespace::html)) {
    url_attr(Vector::img, "src");
    if (const Attribute* a = t.find("srcset")) attr_srcset(Vector::srcset, *a, f);
  } else if ((n == "image" && t.ns == Namespace::svg) || n == "feimage") {
    url_attr(Vector::svg_image, "href");
    url_attr(Vector::svg_image, "xlink:href");
  } else if (n == "script" && t.ns == Namespace::svg) {
    url_attr(Vector::script, "href");
    url_attr(Vector::script, "xlink:href");
  } else if (n == "source") {
    url_attr(Vector::media_src, "src");
    if (const Attribute* a = t.find("srcset")) attr_srcset(Vector::picture_source, *a, f);
  } else if (n == "input") {
    const Attribute* type = t.find("type");
    if (type != nullptr && base::iequals(base::trim(decode(*type)), "image"))
      url_attr(Vector::input_image, "src");
  } else if (n == "video" || n == "audio" || n == "track") {
    url_attr(Vector::media_src, "src");
    if (n == "video") url_attr(Vector::video_poster, "poster");
  } else if (n == "embed") {
    url_attr(Vector::embed, "src");
  } else if (n == "object") {
    url_attr(Vector::object, "data");
  } else if (n == "iframe" || n == "frame") {
    url_attr(Vector::iframe, "src");
    const Attribute* a = n == "iframe" ? t.find("srcdoc") : nullptr;
    if (a != nullptr && a->has_value) {
      PendingSrcdoc& p = m_pending.emplace_back();
      p.value_begin = a->value_begin, p.value_end = a->value_end, p.quote = a->quote;
      p.hidden = hidden(f) || ancestor_hidden(f);
      p.conditional = f.conditional;
      if (m_shadow_block != nullptr) {
        p.block_element.assign(m_shadow_block->name);
        p.block_begin = m_shadow_block->data_begin, p.block_end = m_shadow_block->data_end;
      }
    }
  } else if (n == "link") {
    const Attribute* rel = t.find("rel");
    if (rel != nullptr && rel_is_fetched(decode(*rel))) {
      url_attr(Vector::link, "href");
      // <link rel=preload as=image imagesrcset=...>: each candidate may be fetched
      // (the browser picks one); read whatever the rel, as href is.
      if (const Attribute* a = t.find("imagesrcset")) attr_srcset(Vector::link, *a, f);
    }
  } else if (n == "script") {
    url_attr(Vector::script, "src");
  } else if (has_background_attribute(n)) {
    url_attr(Vector::background, "background");
  } else if (n == "meta") {
    const Attribute* equiv = t.find("http-equiv");
    const Attribute* content = t.find("content");
    if (equiv != nullptr && content != nullptr &&
        base::iequals(base::trim(decode(*equiv)), "refresh"))
      attr_refresh(*content, f);
  } else if (n == "v:imagedata" || n == "v:image" || n == "v:fill") {
    url_attr(Vector::vml, "src");
  } else if (n == "base") {
    const Attribute* href = t.find("href");
    if (href != nullptr && !m_have_base) {
      if (url::parse(decode(*href))) {
        m_base = m_decoded, m_have_base = true;
      } else if (auto u = url::resolve("", m_decoded)) {
        // A protocol-relative base (//host/) is resolved against the document's URL,
        // which a mail part does not have: https:, as for any //host URL.
        m_base = std::move(u->href), m_have_base = true;
      }
    }
  } else if (n == "a" || n == "area") {
    if (const Attribute* a = t.find("href")) link(*a);
  } else if (n == "form") {
    if (const Attribute* a = t.find("action")) link(*a);
  }
}

Resource& Scanner::add(Vector v, const Attribute& a, const TagFacts& f, std::size_t b,
                       std::size_t e) {
  Resource& r = m_r.resources.emplace_back();
  const Token& t = *f.token;
  r.vector = v;
  r.element.assign(t.name);
  r.attribute.assign(a.name);
  r.url.assign(m_decoded, b, e - b);
  r.width = f.width;
  r.height = f.height;
  r.ancestor_hidden = ancestor_hidden(f);
  r.invisible = hidden(f) || r.ancestor_hidden;
  r.in_conditional_comment = f.conditional;
  r.void_element = is_void_element(t.name);
  r.quote = a.quote;
  r.tag_begin = t.begin;
  r.tag_end = t.end;
  r.attr_begin = a.begin;
  r.attr_end = a.end;
  r.value_begin = a.value_begin;
  r.value_end = a.value_end;
  r.replace_begin = b;
  r.replace_end = e;
  if (m_plain) {
    r.begin = a.value_begin + b;
    r.end = a.value_begin + e;
  } else {
    r.begin = a.value_begin + m_map[b];
    r.end = a.value_begin + (e < m_map.size() ? m_map[e] : a.value_end - a.value_begin);
  }
  return r;
}

void Scanner::attr_url(Vector v, const Attribute& a, const TagFacts& f) {
  const std::string& d = decode(a);
  std::size_t b = 0, e = d.size();
  while (b < e && static_cast<unsigned char>(d[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(d[e - 1]) <= 0x20) --e;
  if (e > b) add(v, a, f, b, e);
}

void Scanner::attr_srcset(Vector v, const Attribute& a, const TagFacts& f) {
  decode(a);
  m_srcset.clear();
  parse_srcset(m_decoded, m_srcset);
  for (const SrcsetCandidate& c : m_srcset) {
    Resource& r = add(v, a, f, c.url_begin, c.url_end);
    r.strip_begin = c.begin;
    r.strip_end = c.end;
  }
}

// SVG reads CSS in presentation attributes (fill="url(http://...)" fetches as the fill
// property does), and a <set>/<animate> gives an attribute its to/from/by/values:
// URLs when it animates href, CSS values otherwise (mask="url(...)").
void Scanner::svg_attributes(const Token& t, const TagFacts& f) {
  const bool animation = t.name == "set" || t.name == "animate";
  bool href = false;
  if (animation) {
    if (const Attribute* name = t.find("attributename")) {
      std::string_view target = base::trim(decode(*name));
      href = base::iequals(target, "href") || base::iequals(target, "xlink:href");
    }
  }
  for (const Attribute& a : *t.attributes) {
    if (a.duplicate) continue;
    if (is_svg_url_presentation_attribute(a.name)) {
      attr_style(a, f);
    } else if (animation &&
               (a.name == "to" || a.name == "from" || a.name == "by" || a.name == "values")) {
      if (!href)
        attr_style(a, f);
      else if (a.name == "values")
        attr_url_list(Vector::svg_image, a, f);
      else
        attr_url(Vector::svg_image, a, f);
    }
  }
}

// A ';'-separated list of URLs (SMIL values), each item trimmed.
void Scanner::attr_url_list(Vector v, const Attribute& a, const TagFacts& f) {
  const std::string& d = decode(a);
  std::size_t i = 0;
  while (i <= d.size()) {
    std::size_t end = d.find(';', i);
    if (end == std::string::npos) end = d.size();
    std::size_t b = i, e = end;
    while (b < e && static_cast<unsigned char>(d[b]) <= 0x20) ++b;
    while (e > b && static_cast<unsigned char>(d[e - 1]) <= 0x20) --e;
    if (e > b) add(v, a, f, b, e);
    i = end + 1;
  }
}

void Scanner::attr_refresh(const Attribute& a, const TagFacts& f) {
  std::size_t b = 0, e = 0;
  if (refresh_url(decode(a), b, e)) add(Vector::meta_refresh, a, f, b, e);
}

void Scanner::attr_style(const Attribute& a, const TagFacts& f) {
  // A '(' of the decoded value is a '(' of the raw one or comes from a character
  // reference: without either there is no url( to read, and nothing to decode.
  const std::string_view raw = m_in.substr(a.value_begin, a.value_end - a.value_begin);
  if (std::memchr(raw.data(), '(', raw.size()) == nullptr &&
      std::memchr(raw.data(), '&', raw.size()) == nullptr) {
    return;
  }
  decode(a);
  if (m_decoded.find('(') == std::string::npos) return;  // no url( possible, even escaped
  m_css.clear();
  scan_css(m_decoded, m_css);
  for (const CssRef& c : m_css) {
    Resource& r = add(Vector::css_url, a, f, c.url_begin, c.url_end);
    r.url = c.url;
    r.css = true;
    r.replace_begin = c.begin;
    r.replace_end = c.end;
    r.strip_begin = c.strip_begin;
    r.strip_end = c.strip_end;
  }
}

Resource& Scanner::style_resource(const CssRef& c) {
  Resource& r = m_r.resources.emplace_back();
  r.vector = c.kind == CssRefKind::import      ? Vector::css_import
             : c.kind == CssRefKind::font_face ? Vector::font_face
                                               : Vector::css_url;
  r.element = "style";
  r.url = c.url;
  r.in_conditional_comment = m_tok.conditional_depth() > 0;
  r.in_attribute = false;
  r.css = true;
  return r;
}

void Scanner::style_block(const Token& t) {
  std::string_view css = m_in.substr(t.data_begin, t.data_end - t.data_begin);
  m_style.add_block(css, m_r.resources, m_stack);
  m_css.clear();
  scan_css(css, m_css);
  for (const CssRef& c : m_css) {
    Resource& r = style_resource(c);
    r.begin = t.data_begin + c.url_begin;
    r.end = t.data_begin + c.url_end;
    r.replace_begin = t.data_begin + c.begin;
    r.replace_end = t.data_begin + c.end;
    r.strip_begin = t.data_begin + c.strip_begin;
    r.strip_end = t.data_begin + c.strip_end;
  }
}

// AMP for Email components (true: the tag was one of them).
bool Scanner::amp_resources(const Token& t, const TagFacts& f) {
  std::string_view n = t.name;
  auto url_attr = [&](Vector v, std::string_view attr) {
    if (const Attribute* a = t.find(attr)) attr_url(v, *a, f);
  };
  if (n == "form") {  // submitted on a click: a link, as action is
    if (const Attribute* a = t.find("action-xhr")) link(*a);
    if (const Attribute* a = t.find("action")) link(*a);
    return true;
  }
  if (n.size() < 5 || n.substr(0, 4) != "amp-") return false;
  n.remove_prefix(4);
  if (n == "img" || n == "anim") {
    url_attr(Vector::img, "src");
    if (const Attribute* a = t.find("srcset")) attr_srcset(Vector::srcset, *a, f);
  } else if (n == "video") {
    url_attr(Vector::media_src, "src");
    url_attr(Vector::video_poster, "poster");
  } else if (n == "audio") {
    url_attr(Vector::media_src, "src");
  } else if (n == "iframe") {
    url_attr(Vector::iframe, "src");
  } else if (n == "list" || n == "state") {
    url_attr(Vector::link, "src");
  }
  return true;
}

// The CSS of a <style> in foreign content: decoded child text and CDATA, concatenated.
void Scanner::foreign_style(const Token& t) {
  if (t.pieces == nullptr || t.pieces->empty()) return;
  auto ft = std::make_shared<ForeignText>();
  std::string decoded;
  std::vector<std::uint32_t> map;
  for (const TextPiece& p : *t.pieces) {
    ForeignText::Piece& piece = ft->pieces.emplace_back();
    piece.text_begin = ft->text.size();
    piece.raw_begin = p.begin, piece.raw_end = p.end;
    piece.outer_begin = p.outer_begin, piece.outer_end = p.outer_end;
    piece.cdata = p.cdata;
    std::string_view raw = m_in.substr(p.begin, p.end - p.begin);
    if (p.cdata) {
      for (std::size_t i = 0; i < raw.size(); ++i) {  // NUL is U+FFFD in foreign content
        std::size_t before = ft->text.size();
        if (raw[i] == '\0')
          ft->text.append("\xEF\xBF\xBD");
        else
          ft->text.push_back(raw[i]);
        ft->raw.insert(ft->raw.end(), ft->text.size() - before,
                       static_cast<std::uint32_t>(p.begin + i));
      }
    } else {
      decode_text(raw, decoded, &map);
      ft->text += decoded;
      for (std::size_t i = 0; i + 1 < map.size(); ++i)
        ft->raw.push_back(static_cast<std::uint32_t>(p.begin + map[i]));
    }
    piece.text_end = ft->text.size();
  }
  m_style.add_block(ft->text, m_r.resources, m_stack);
  if (ft->text.find('(') == std::string::npos && ft->text.find('@') == std::string::npos) return;
  m_css.clear();
  scan_css(ft->text, m_css);
  if (m_css.empty()) return;
  // A text offset's input offset; the end of the text maps to the end of the last piece.
  auto raw_at = [&](std::size_t i) {
    return i < ft->raw.size() ? ft->raw[i] : ft->pieces.back().raw_end;
  };
  for (const CssRef& c : m_css) {
    Resource& r = style_resource(c);
    r.begin = raw_at(c.url_begin);
    r.end = c.url_end > c.url_begin ? raw_at(c.url_end - 1) + 1 : r.begin;
    r.replace_begin = c.begin;
    r.replace_end = c.end;
    r.strip_begin = c.strip_begin;
    r.strip_end = c.strip_end;
    r.foreign = ft;
  }
}

// Raw text (an unclosed <style>, <title>, <noframes>...) is text to a browser, but
// phishing mail hides whole bodies in it, and not every client's sanitizer parses it
// the way a browser does (Outlook's Word engine does not). Over-detection costs a
// neutralized image that would not have loaded; under-detection lets a pixel
// through. So tags inside raw text are scanned as well (resources only: they do not
// touch the element stack, base, banner or links).
void Scanner::shadow_scan(const Token& raw) {
  if (m_shadow ||
      std::memchr(m_in.data() + raw.data_begin, '<', raw.data_end - raw.data_begin) == nullptr)
    return;
  Tokenizer inner(m_in);
  inner.restrict_to(raw.data_begin, raw.data_end);
  m_shadow = true;
  m_shadow_block = &raw;
  Token t;
  while (inner.next(t)) {
    if (t.kind != TokenKind::start_tag) continue;
    TagFacts f = tag_facts(t);
    if (t.name != "base" && t.name != "a" && t.name != "area" && t.name != "form")
      element_resources(t, f);
    if (f.style != nullptr) attr_style(*f.style, f);
  }
  m_shadow = false;
  m_shadow_block = nullptr;
}

void Scanner::link(const Attribute& a) {
  Link& l = m_r.links.emplace_back();
  l.url = std::string(base::trim(decode(a)));
  l.begin = a.value_begin;
  l.end = a.value_end;
}

// Scans each srcdoc document with this document's base URL and appends its resources
// and links, their spans mapped to the raw attribute value (already resolved: the
// inner document may have a <base> of its own).
void Scanner::read_srcdocs() {
  std::vector<std::uint32_t> map;
  for (const PendingSrcdoc& p : m_pending) {
    if (m_depth >= k_max_srcdoc_depth || m_srcdoc_count >= k_max_srcdocs) {
      ++m_r.srcdocs_skipped;
      continue;
    }
    ++m_srcdoc_count;
    const std::size_t index = m_r.srcdocs.size();
    Srcdoc& sd = m_r.srcdocs.emplace_back();
    sd.value_begin = p.value_begin;
    sd.value_end = p.value_end;
    sd.quote = p.quote;
    std::string_view raw = m_in.substr(p.value_begin, p.value_end - p.value_begin);
    decode_attribute(raw, sd.document, &map);
    Scanner(sd.document, sd.scan, {}, m_depth + 1, m_srcdoc_count, m_amp, m_r.base_href).run();
    m_r.srcdocs_skipped += sd.scan.srcdocs_skipped;
    auto raw_at = [&](std::size_t decoded) {
      return p.value_begin + map[std::min(decoded, map.size() - 1)];
    };
    for (std::size_t i = 0; i < sd.scan.resources.size(); ++i) {
      Resource r = sd.scan.resources[i];  // copy: the inner scan keeps its own for the rewriter
      r.begin = raw_at(r.begin);
      r.end = raw_at(r.end);
      r.invisible = r.invisible || p.hidden;
      r.ancestor_hidden = r.ancestor_hidden || p.hidden;
      r.in_conditional_comment = r.in_conditional_comment || p.conditional;
      r.block_element = p.block_element;
      r.block_begin = p.block_begin, r.block_end = p.block_end;
      r.srcdoc = index;
      r.srcdoc_resource = i;
      m_r.resources.push_back(std::move(r));
    }
    for (const Link& inner : sd.scan.links) {
      Link& l = m_r.links.emplace_back(inner);
      l.begin = raw_at(inner.begin);
      l.end = raw_at(inner.end);
    }
  }
}

void Scanner::finish() {
  if (m_have_base)
    m_r.base_href = m_base;
  else
    m_r.base_href = m_fallback_base;
  std::size_t keep = 0;
  const std::size_t own = m_r.resources.size();
  for (std::size_t i = 0; i < own; ++i) {
    Resource& r = m_r.resources[i];
    auto u = url::resolve_href(m_r.base_href, r.url);  // the href and host are kept
    if (!u || !url::is_remote_scheme(u->scheme)) continue;
    r.resolved = std::move(u->href);
    r.host = std::move(u->host);
    if (keep != i) m_r.resources[keep] = std::move(r);
    ++keep;
  }
  m_r.resources.resize(keep);
  keep = 0;
  const std::size_t own_links = m_r.links.size();
  for (std::size_t i = 0; i < own_links; ++i) {
    Link& l = m_r.links[i];
    auto u = url::resolve_authority(m_r.base_href, l.url);  // lure rules read the host only
    if (!u) continue;
    l.host = std::move(u->host);
    if (keep != i) m_r.links[keep] = std::move(l);
    ++keep;
  }
  m_r.links.resize(keep);
  m_r.style_capped += m_style.apply(m_r.resources);
  if (!m_pending.empty()) read_srcdocs();
  m_r.banner_offset = m_body ? m_body : m_head_end ? m_head_end : m_html ? m_html : m_doctype;
}

}  // namespace

const char* to_string(Vector v) {
  static constexpr const char* k_names[k_vector_count] = {
      "img",       "srcset",     "picture_source", "input_image", "video_poster",
      "media_src", "embed",      "object",         "iframe",      "link",
      "script",    "background", "meta_refresh",   "svg_image",   "vml",
      "css_url",   "css_import", "font_face"};
  return k_names[static_cast<std::size_t>(v)];
}

bool is_image_like(Vector v) {
  switch (v) {
    case Vector::img:
    case Vector::srcset:
    case Vector::picture_source:
    case Vector::input_image:
    case Vector::video_poster:
    case Vector::background:
    case Vector::svg_image:
    case Vector::vml:
    case Vector::css_url:
      return true;
    default:
      return false;
  }
}

ScanResult scan(std::string_view html) { return scan(html, std::string_view()); }

ScanResult scan(std::string_view html, std::string_view base, const ScanOptions& options) {
  ScanResult r;
  std::size_t srcdocs = 0;
  Scanner(html, r, base, 0, srcdocs, options.amp).run();
  return r;
}

}  // namespace pixelwarden::html
