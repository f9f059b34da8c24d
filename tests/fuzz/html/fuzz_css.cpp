// libFuzzer target: the CSS scanner never crashes and its spans stay ordered and
// inside the input; style facts never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "html/css.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<pixelwarden::html::CssRef> refs;
  pixelwarden::html::scan_css(in, refs);
  for (const auto& r : refs) {
    if (r.begin > r.end || r.end > size || r.strip_begin > r.strip_end || r.strip_end > size)
      std::abort();
    if (r.url_begin > r.url_end || r.url_end > size) std::abort();
  }
  (void)pixelwarden::html::style_facts(in);
  return 0;
}
