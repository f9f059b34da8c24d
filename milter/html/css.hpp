#pragma once
// A small CSS scanner for what fetches: url(...) in any property, the plain string
// arguments of image-set() / -webkit-image-set(), the strings of a custom property's
// value (image-set(var(--name)) takes them as URLs), @import (string or url()), and the
// URLs of @font-face src, at any block depth (@media, @supports...),
// in <style> blocks and style attributes. Comments, strings and CSS escapes are
// handled as CSS Syntax 3 tokenizes them (escaped "u\72l(" is still url(), escaped
// URL characters are decoded). It also reads the few inline-style facts the
// invisibility heuristic needs.
// Non-goals: selectors, cascade, validation of property values.
// Offsets are byte offsets into the scanned text; results own their strings.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::html {

enum class CssRefKind { url, import, font_face };

struct CssRef {
  CssRefKind kind = CssRefKind::url;
  std::string url;                             // decoded
  std::size_t begin = 0, end = 0;              // the URL token: url(...) or the @import string
  std::size_t url_begin = 0, url_end = 0;      // the URL text inside the token (raw)
  std::size_t strip_begin = 0, strip_end = 0;  // declaration / @import rule / @font-face block
};

// Appends every URL reference of `css` (a stylesheet or a declaration list).
void scan_css(std::string_view css, std::vector<CssRef>& out);

// Facts of an inline style (a declaration list) for the invisibility heuristic.
struct StyleFacts {
  bool display_none = false;
  bool visibility_hidden = false;
  bool opacity_zero = false;
  bool tiny_size = false;      // width or height <= 2px
  bool max_size_zero = false;  // max-width or max-height 0
  bool offscreen = false;      // position absolute|fixed with left/top <= -100px
  bool hidden() const {
    return display_none || visibility_hidden || opacity_zero || tiny_size || max_size_zero ||
           offscreen;
  }
};

StyleFacts style_facts(std::string_view declarations);

// The properties StyleFacts reads, one by one, for the <style> cascade (cascade.hpp),
// which must know which declaration wins before it asks whether the winner hides.
enum class FactProperty : unsigned char {
  display,
  visibility,
  opacity,
  width,
  height,
  max_width,
  max_height,
  position,
  left,
  top
};
inline constexpr unsigned k_fact_property_count = 10;
// The property named `name` (ASCII case-insensitive), or false.
bool fact_property(std::string_view name, FactProperty& out);
// True when `value` (trimmed, without !important) sets the fact style_facts() reads:
// display none, visibility hidden, opacity 0, width/height <= 2px, max-* 0, position
// absolute|fixed, left/top <= -100px.
bool fact_value_hides(FactProperty p, std::string_view value);

}  // namespace pixelwarden::html
