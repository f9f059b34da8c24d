#include "base/patch.hpp"

#include <cassert>

namespace pixelwarden::base {

std::string apply_ordered(std::string_view input, const std::vector<Patch>& patches) {
  std::size_t size = input.size();
  for (const Patch& p : patches) size = size - p.length + p.replacement.size();
  std::string out;
  out.reserve(size);
  std::size_t pos = 0;
  for (const Patch& p : patches) {
    assert(p.offset >= pos && p.end() <= input.size() && "patches unsorted, overlapping or out");
    out.append(input.substr(pos, p.offset - pos));
    out += p.replacement;
    pos = p.end();
  }
  out.append(input.substr(pos));
  return out;
}

}  // namespace pixelwarden::base
