#pragma once
// Micro-syntaxes of attribute values the scanner reads (internal to html/):
// srcset candidates, the URL of a meta refresh, link rel tokens, dimensions.
// All offsets are into the (decoded) value passed in.

#include <cstddef>
#include <string_view>
#include <vector>

namespace pixelwarden::html {

struct SrcsetCandidate {
  std::size_t url_begin = 0, url_end = 0;
  std::size_t begin = 0, end = 0;  // candidate with descriptors and its trailing comma
};

// WHATWG "parse a srcset attribute", keeping spans.
void parse_srcset(std::string_view value, std::vector<SrcsetCandidate>& out);

// The URL span of a meta refresh content value; false when there is none.
bool refresh_url(std::string_view content, std::size_t& begin, std::size_t& end);

// A rel value naming something clients fetch on open (stylesheet, icon, prefetch...).
bool rel_is_fetched(std::string_view rel);

// Leading integer of a width/height attribute ("1", "1px", " 0 "); -1 when none.
int parse_dimension(std::string_view value);

}  // namespace pixelwarden::html
