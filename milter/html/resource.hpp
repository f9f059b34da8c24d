#pragma once
// Resource extraction: every URL in an HTML part that a mail client fetches without
// a click (the vectors of docs/ruleset.md), plus links (a/area href, form action)
// whose hosts feed lure rules. One tokenizer pass, no DOM; a simple stack of open
// elements gives the "hidden ancestor" fact of the invisibility heuristic.
// Conventions:
//  - Offsets are byte offsets into the scanned buffer, which the caller keeps alive
//    for rewrite() (resources own their strings).
//  - `resources` holds remote resources only (resolved against the first <base href>
//    that is absolute or protocol-relative; //host resolves as https:, in a base too;
//    http, https, ftp, file, UNC).
//  - Resources inside ordinary comments are not seen; inside Outlook conditional
//    comments they are, with in_conditional_comment set.
//  - <link href> is a resource when a rel token is one clients fetch: stylesheet,
//    icon, apple-touch-icon(-precomposed), mask-icon, fluid-icon, manifest, prefetch,
//    preload, modulepreload, prerender, preconnect, dns-prefetch,
//    compression-dictionary; so is each candidate of its imagesrcset (preload
//    as=image). Not: alternate
//    (alone), canonical, author, next, prev, ... (they are never fetched on open).
//  - <iframe srcdoc>: the decoded attribute value is a document of its own, which
//    the browser parses and fetches from (its base URL is this document's). It is
//    scanned as one (srcdoc inside srcdoc too, to k_max_srcdoc_depth levels and
//    k_max_srcdocs documents per part; more are counted in srcdocs_skipped, not
//    read). Its resources and links are reported here with `srcdoc` set and spans
//    mapped to the raw attribute value; the rewriter rewrites the inner document and
//    re-escapes only the changed bytes for the attribute's quoting.
//  - AMP for Email (ScanOptions::amp, for text/x-amp-html parts): the components
//    that fetch on open, amp-img and amp-anim (src, srcset), amp-video (src,
//    poster), amp-audio (src), amp-iframe (src), amp-list and amp-state (src, a
//    JSON fetch: vector link); form action-xhr is a link.
//  - Links keep every href that resolves to an absolute URL (host may be empty, e.g.
//    mailto:); the engine filters by host.
//  - Inside svg, the presentation attributes that take url() (fill, stroke, mask,
//    clip-path, filter, marker-*, cursor) are read as CSS, and so are the values a
//    <set>/<animate> gives them; the values it gives href are URLs (svg_image).
//  - The element and attribute lists come from resource_table.hpp where it has them.
//  - <style> blocks (foreign-content ones included) count too: an element resource the
//    inline heuristic found visible is invisible when the blocks' rules hide it or an
//    ancestor (cascade.hpp). Blocks are parsed as they come; from the first one with a
//    rule that can hide, each start tag is also recorded in a StyleTree. Only when such
//    a block comes after an element resource is the part tokenized once more.
// Non-goals: scripting, the cascade of other properties, charset decoding (the engine
// hands in decoded bytes).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::html {

enum class Vector {
  img,
  srcset,
  picture_source,
  input_image,
  video_poster,
  media_src,
  embed,
  object,
  iframe,
  link,
  script,
  background,
  meta_refresh,
  svg_image,
  vml,
  css_url,
  css_import,
  font_face
};
inline constexpr std::size_t k_vector_count = 18;

const char* to_string(Vector v);
// img, srcset, picture_source, input_image, video_poster, background, svg_image, vml, css_url
bool is_image_like(Vector v);

// The style sheet of a <style> in foreign content (<svg>, <math>): its child text with
// character references decoded and CDATA sections as they are, which is what the
// browser reads as CSS (see tokenizer.hpp). Shared by the block's resources.
struct ForeignText {
  struct Piece {
    std::size_t text_begin = 0, text_end = 0;    // in `text`
    std::size_t raw_begin = 0, raw_end = 0;      // in the input (CDATA: its content)
    std::size_t outer_begin = 0, outer_end = 0;  // CDATA: "<![CDATA[" .. "]]>"; else = raw
    bool cdata = false;
  };
  std::string text;
  std::vector<std::uint32_t> raw;  // input offset of the construct behind each text byte
  std::vector<Piece> pieces;
};

inline constexpr std::size_t k_no_srcdoc = static_cast<std::size_t>(-1);
inline constexpr int k_max_srcdoc_depth = 4;      // srcdoc documents nested in srcdoc documents
inline constexpr std::size_t k_max_srcdocs = 64;  // srcdoc documents read per part, all levels

struct Resource {
  Vector vector = Vector::img;
  std::string element;             // lowercase tag name ("style" for <style> blocks)
  std::string attribute;           // lowercase attribute name ("" inside <style> blocks)
  std::string url;                 // as decoded from the markup (entities / CSS escapes resolved)
  std::string resolved;            // absolute URL; non-empty for every resource in ScanResult
  std::string host;                // host of `resolved`, lowercased, as written
  std::size_t begin = 0, end = 0;  // raw span of the URL text in the input
  int width = -1, height = -1;     // declared width/height attributes, -1 when absent
  bool invisible =
      false;  // the invisibility heuristic (docs/ruleset.md), on the element or an ancestor
  bool ancestor_hidden = false;  // an open ancestor element was hidden
  bool in_conditional_comment = false;

  // For the rewriter. Spans marked (decoded) are offsets into the decoded attribute
  // value when in_attribute, else raw offsets into the input (<style> blocks).
  bool in_attribute = true;
  bool void_element = false;
  bool css = false;                                // replace as url(...)
  char quote = 0;                                  // attribute quoting
  std::size_t tag_begin = 0, tag_end = 0;          // the start tag
  std::size_t attr_begin = 0, attr_end = 0;        // the attribute, with leading space
  std::size_t value_begin = 0, value_end = 0;      // raw attribute value, no quotes
  std::size_t replace_begin = 0, replace_end = 0;  // (decoded) span replaced on neutralize/proxy
  std::size_t strip_begin = 0, strip_end = 0;      // (decoded) span removed on strip; empty:
                                                   // strip the element or the attribute
  // Raw text read twice (a <style> or other raw-text block holding '<', see
  // shadow_scan): the block's content span and element. Edits for one reading can
  // change the other, so the rewriter re-scans such a block after patching it.
  // Empty element: not in such a block.
  std::string block_element;
  std::size_t block_begin = 0, block_end = 0;
  // In an <iframe srcdoc> document: index into ScanResult::srcdocs, and the index of
  // this resource in that document's own scan (whose spans the rewriter uses).
  std::size_t srcdoc = k_no_srcdoc;
  std::size_t srcdoc_resource = 0;
  // In a foreign-content <style>: the spans marked (decoded) are offsets into
  // foreign->text, which the rewriter maps back and escapes for text or CDATA.
  std::shared_ptr<const ForeignText> foreign;
};

struct Link {
  std::string url;                 // as decoded from the markup, or as written in text
  std::string host;                // of the URL resolved against <base href>, lowercased
  std::size_t begin = 0, end = 0;  // raw attribute value span (text: the URL itself)
};

struct Srcdoc;

struct ScanResult {
  std::vector<Resource> resources;  // remote ones only, in document order (srcdoc ones last)
  std::vector<Link> links;
  std::string base_href;            // the <base href> used ("" when none)
  std::size_t banner_offset = 0;    // where an HTML banner goes (see insert_html_banner)
  std::vector<Srcdoc> srcdocs;      // the <iframe srcdoc> documents read
  std::size_t srcdocs_skipped = 0;  // srcdoc documents beyond the caps, not read
  bool amp = false;                 // scanned with ScanOptions::amp (the rewriter re-scans so)
  // What the <style> bounds left out: selectors over the rule cap, elements the match
  // budget left undecided, classes past an element's 32nd (cascade.hpp). 0 normally.
  std::size_t style_capped = 0;
};

// One <iframe srcdoc> attribute: its raw value span and the document it holds.
struct Srcdoc {
  std::size_t value_begin = 0, value_end = 0;  // raw attribute value, no quotes
  char quote = 0;
  std::string document;  // the decoded value
  ScanResult scan;       // of `document` (nested srcdocs in it)
};

struct ScanOptions {
  bool amp = false;  // AMP for Email components too (a text/x-amp-html part)
};

ScanResult scan(std::string_view html);

// scan() of a fragment of a document whose base URL is `base` (the rewriter's
// re-scan of a patched raw-text block; a <base> in the fragment still wins).
ScanResult scan(std::string_view html, std::string_view base, const ScanOptions& options = {});

// Bare http://, https:// and www. URLs in plain text (text/plain parts).
std::vector<Link> scan_text_links(std::string_view text);

}  // namespace pixelwarden::html
