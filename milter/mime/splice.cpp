#include "mime/splice.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "mime/header.hpp"
#include "mime/walk.hpp"

namespace pixelwarden::mime {

base::Result<std::string> splice_checked(std::string_view body, std::vector<base::Patch> reps) {
  std::sort(reps.begin(), reps.end(), [](const base::Patch& a, const base::Patch& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.length < b.length;
  });
  std::size_t prev_end = 0;
  for (const auto& r : reps) {
    if (r.offset > body.size() || r.length > body.size() - r.offset) {
      return base::plain_error("replacement of " + std::to_string(r.length) + " bytes at " +
                               std::to_string(r.offset) + " outside the body");
    }
    if (r.offset < prev_end) {
      return base::plain_error("replacements overlap at " + std::to_string(r.offset));
    }
    prev_end = r.end();
  }
  // One replacement of the whole body (a single-part message): its bytes are the result,
  // moved rather than copied into a second buffer of the message's size.
  if (reps.size() == 1 && reps[0].offset == 0 && reps[0].length == body.size()) {
    return std::move(reps[0].replacement);
  }
  return base::apply_ordered(body, reps);
}

std::string splice(std::string_view body, std::vector<base::Patch> replacements) {
  auto result = splice_checked(body, std::move(replacements));
  assert(result.ok() && "overlapping or out-of-range replacements");
  if (!result.ok()) return std::string(body);  // release build: leave the body alone
  return std::move(result).value();
}

base::Patch replace_body(const Part& part, std::string encoded, std::string_view body) {
  const bool before_line_start =
      part.body_end < body.size() && (part.body_end == 0 || body[part.body_end - 1] == '\n');
  const std::string_view eol = detect_eol(body);
  if (before_line_start && !encoded.empty() && encoded.back() != '\n') encoded += eol;
  // A part that is all header has no blank line yet: new content needs one.
  const bool no_separator =
      part.parent >= 0 && part.body_begin == part.header_end && part.header_end > part.header_begin;
  if (no_separator && !encoded.empty()) {
    std::string sep(eol);
    if (body[part.header_end - 1] != '\n') sep += eol;
    encoded.insert(0, sep);
  }
  return base::Patch{part.body_begin, part.body_end - part.body_begin, std::move(encoded)};
}

}  // namespace pixelwarden::mime
