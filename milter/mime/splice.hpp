#pragma once
// Splicing: replace chosen byte ranges of a body, copy everything else through untouched.
// With no replacements the output is byte-identical to the input; with one part replaced
// it is exactly: bytes before the range + new bytes + bytes after it.
// Offsets are into the body view given to walk() (Part::body_begin/body_end).
// Replacements are sorted by the callee; overlapping or out-of-range ones are a caller bug:
// splice() asserts, splice_checked() reports them as an error.
// Non-goals: header edits (the milter does those with smfi_chgheader).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pixelwarden::mime {

struct Part;

struct Replacement {
  std::size_t begin = 0, end = 0;  // into the body view
  std::string bytes;
};

base::Result<std::string> splice_checked(std::string_view body,
                                         std::vector<Replacement> replacements);
std::string splice(std::string_view body, std::vector<Replacement> replacements);

// The replacement of a part's body (not its headers) by already encoded bytes. An empty
// part sits directly before the next delimiter line, sharing its line break; new bytes
// there get a line break (the body's own) so the delimiter stays at a line start; a part
// that is all header gets the blank line that separates its new body.
Replacement replace_body(const Part& part, std::string encoded, std::string_view body);

}  // namespace pixelwarden::mime
