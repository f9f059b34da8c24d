#pragma once
// Splicing: replace chosen byte ranges of a body, copy everything else through untouched.
// With no replacements the output is byte-identical to the input; with one part replaced
// it is exactly: bytes before the range + new bytes + bytes after it.
// Each replacement is a base::Patch (offset + length) into the body view given to walk()
// (Part::body_begin/body_end). They are sorted by the callee; overlapping or out-of-range
// ones are a caller bug: splice() asserts, splice_checked() reports them as an error.
// Non-goals: header edits (the milter does those with smfi_chgheader).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/patch.hpp"
#include "base/result.hpp"

namespace pixelwarden::mime {

struct Part;

base::Result<std::string> splice_checked(std::string_view body,
                                         std::vector<base::Patch> replacements);
std::string splice(std::string_view body, std::vector<base::Patch> replacements);

// The replacement of a part's body (not its headers) by already encoded bytes. An empty
// part sits directly before the next delimiter line, sharing its line break; new bytes
// there get a line break (the body's own) so the delimiter stays at a line start; a part
// that is all header gets the blank line that separates its new body.
base::Patch replace_body(const Part& part, std::string encoded, std::string_view body);

}  // namespace pixelwarden::mime
