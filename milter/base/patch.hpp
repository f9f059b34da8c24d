#pragma once
// Patch: `length` bytes at `offset` become `replacement`. The one edit type of every
// rewrite: tracker decisions in an HTML part (html::plan_patches; inside an attribute
// value or a foreign style sheet the input is the decoded text, which the rewriter maps
// back to raw bytes), the edits the re-encoder is told about (mime::reencode_edits), new
// part bodies in a MIME body (mime::replace_body, mime::splice). Offsets are always into
// the unedited input, as offset + length; a pure insertion has length 0.
// Which patches may overlap, and which one wins, is the caller's rule (html drops a patch
// inside a larger removal, mime::splice refuses any overlap); apply_ordered() takes the
// result: sorted and disjoint.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::base {

struct Patch {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string replacement;
  std::size_t end() const { return offset + length; }
};

// The input with every patch applied. The patches are sorted by offset, disjoint and
// inside the input (asserted: the callers order and check them first).
std::string apply_ordered(std::string_view input, const std::vector<Patch>& patches);

}  // namespace pixelwarden::base
