#pragma once
// A pull tokenizer over a whole HTML buffer, following the WHATWG tokenization rules
// for what the resource engine needs: start/end tags with every attribute form
// (quoted, unquoted, duplicated: later duplicates are flagged, first wins), comments
// and bogus comments, DOCTYPE, CDATA (in svg/math), raw-text and RCDATA elements
// (style, script with its escape states, textarea, title, xmp, iframe, noembed,
// noframes, plaintext). Text between tags is skipped with memchr and never emitted,
// except the content of raw-text/RCDATA elements (one `raw_text` token).
// Outlook conditional comments (<!--[if mso]> ... <![endif]-->, <![if !mso]> ...
// <![endif]>) are reported as conditional_start/conditional_end tokens and their
// content is tokenized as markup, because Outlook renders it (switch off for
// conformance testing).
// Foreign content (tree construction's part that decides tokenization): <svg> and
// <math> open foreign content, tracked as a stack of the foreign elements open in it.
// There <style> is an ordinary element, not raw text: its style sheet is its child
// text (character references decoded) and CDATA sections, reported once the element
// closes as one foreign_text token whose pieces are those spans; child tags are
// tokens of their own. HTML integration points (SVG foreignObject, desc, title;
// MathML mi, mo, mn, ms, mtext, annotation-xml with an HTML encoding) parse their
// content as HTML again; a breakout start tag (b, div, img, p, ...; font with color,
// face or size) and the end tags br and p leave foreign content. Approximations (no
// tree builder): HTML elements inside an integration point are only counted (for
// CDATA, which is a bogus comment under an HTML element), and an end tag matching no
// open foreign element is ignored even when it would close an HTML ancestor.
// Offsets: every token and attribute carries byte offsets into the input buffer,
// which must outlive the tokenizer. Names are lowercase views valid until the next call
// to next(): of the input when it already is, else of tokenizer-owned storage. Whole-buffer by
// design: the milter buffers the body, so there is no chunked interface. Character references are
// not decoded here (see entities.hpp: only attribute values the engine reads are decoded).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pixelwarden::html {

enum class TokenKind {
  start_tag,
  end_tag,
  comment,
  doctype,
  cdata,
  raw_text,
  conditional_start,
  conditional_end,
  foreign_text
};

// Namespace of a start tag's element.
enum class Namespace { html, svg, math };

// One run of a foreign element's child text: [begin, end) raw, character references
// undecoded; a CDATA section's content, with outer_* spanning "<![CDATA[" .. "]]>".
struct TextPiece {
  std::size_t begin = 0, end = 0;
  std::size_t outer_begin = 0, outer_end = 0;
  bool cdata = false;
};

struct Attribute {
  std::string_view name;  // lowercased (NUL -> U+FFFD)
  std::size_t begin = 0;  // start of the whitespace before the name (strip span)
  std::size_t name_begin = 0;
  std::size_t value_begin = 0;  // raw value, quotes excluded; == value_end when absent
  std::size_t value_end = 0;
  std::size_t end = 0;  // after the closing quote / value / name
  char quote = 0;       // '"', '\'' or 0 (unquoted or no value)
  bool has_value = false;
  bool duplicate = false;  // a later attribute of the same name: ignored by browsers
};

struct Token {
  TokenKind kind = TokenKind::start_tag;
  std::size_t begin = 0, end = 0;            // whole token, e.g. '<' .. '>' inclusive
  std::string_view name;                     // tags: lowercased name
  std::size_t data_begin = 0, data_end = 0;  // comment/doctype/cdata/raw_text content
  bool self_closing = false;
  Namespace ns = Namespace::html;                      // start tags: where the element goes
  const std::vector<Attribute>* attributes = nullptr;  // tags only
  // foreign_text (name "style"): begin == end == where the element closed (the
  // closing token's start, or the end of input); [data_begin, data_end) spans its
  // child text, whose pieces are in document order.
  const std::vector<TextPiece>* pieces = nullptr;

  const Attribute* find(std::string_view attr_name) const;  // first, non-duplicate
};

enum class InitialState { data, rcdata, rawtext, script_data, plaintext, cdata };

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view input, bool conditional_comments = true);

  // For conformance tests: start in another state, with the "last start tag" that an
  // appropriate end tag must match.
  void set_initial_state(InitialState state, std::string_view last_start_tag);

  // Next token; false at end of input. A tag cut off by the end of input is dropped,
  // as browsers do.
  bool next(Token& token);

  // Open foreign elements (0: HTML content outside any <svg>/<math>).
  std::size_t foreign_depth() const { return m_frames.size(); }

  int conditional_depth() const { return m_cond_depth; }

  // Markup-only mode over [begin, end): no raw-text elements, every tag is a tag.
  // For the "shadow" scan of raw text that some mail clients' sanitizers would
  // render as markup (see scan.cpp).
  void restrict_to(std::size_t begin, std::size_t end);

 private:
  bool markup_declaration(std::size_t lt, Token& t);
  bool comment(std::size_t lt, Token& t);
  bool bogus_comment(std::size_t lt, std::size_t data_begin, Token& t);
  bool tag(std::size_t lt, bool end_tag, Token& t);
  bool attributes(std::size_t& i, Token& t);
  bool next_token(Token& t);
  bool raw_text(Token& t);
  void after_start_tag(Token& t);
  void after_end_tag(const Token& t);
  // Foreign content, see above.
  struct Frame {
    std::string name;  // lowercased
    Namespace ns = Namespace::svg;
    bool integration = false;      // HTML integration point / MathML text integration point
    int html_open = 0;             // HTML elements opened inside an integration point
    std::size_t collect = k_none;  // foreign <style>: index into m_collect
  };
  static constexpr std::size_t k_none = static_cast<std::size_t>(-1);
  static constexpr std::size_t k_max_frames = 1024;  // as ElementStack's depth
  bool cdata_allowed() const;
  void push_frame(const Token& t, Namespace ns);
  void pop_frames(std::size_t keep, std::size_t at);  // closes frames above `keep`
  void text_until(std::size_t at);                    // text of a collecting frame
  std::vector<TextPiece>* collecting();
  std::size_t find_raw_end(std::size_t from) const;
  std::size_t find_script_end(std::size_t from) const;
  // A name of the current tag: [begin, begin + size) of the input when it is already
  // lowercase (input), else of m_names, where lower_name() wrote it.
  struct NameRef {
    std::size_t begin = 0, size = 0;
    bool input = false;
  };
  NameRef name_ref(std::size_t b, std::size_t e, bool fold);
  std::pair<std::size_t, std::size_t> lower_name(std::size_t b, std::size_t e);

  std::string_view m_in;
  std::size_t m_pos = 0;
  bool m_conditional;
  bool m_markup_only = false;
  int m_cond_depth = 0;
  std::vector<Frame> m_frames;
  std::vector<std::vector<TextPiece>> m_collect;  // per collecting frame, reused
  std::size_t m_text_from = 0;                    // start of the text run being read
  std::vector<Token> m_queue;                     // foreign_text tokens, then the closer
  std::size_t m_queue_pos = 0;
  enum class Raw { none, rcdata, rawtext, script, plaintext, cdata } m_raw = Raw::none;
  std::string m_raw_tag;  // element whose end tag closes the raw-text run
  std::string m_names;    // storage of the lowercased names of the current token
  std::size_t m_names_used = 0;
  std::vector<Attribute> m_attrs;
  std::vector<NameRef> m_name_spans;
};

// Helpers for consumers that need the tokenizer's text semantics.
bool is_void_element(std::string_view lower_name);
// Comment data as the spec emits it (NUL -> U+FFFD).
std::string comment_text(std::string_view input, const Token& t);

}  // namespace pixelwarden::html
