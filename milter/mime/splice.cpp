#include "mime/splice.hpp"

#include <algorithm>
#include <cassert>

#include "mime/header.hpp"
#include "mime/walk.hpp"

namespace pixelwarden::mime {

base::Result<std::string> splice_checked(std::string_view body, std::vector<Replacement> reps) {
  std::sort(reps.begin(), reps.end(), [](const Replacement& a, const Replacement& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::size_t total = body.size();
  std::size_t prev_end = 0;
  for (const auto& r : reps) {
    if (r.begin > r.end || r.end > body.size()) {
      return base::plain_error("replacement [" + std::to_string(r.begin) + "," +
                               std::to_string(r.end) + ") outside the body");
    }
    if (r.begin < prev_end) {
      return base::plain_error("replacements overlap at " + std::to_string(r.begin));
    }
    prev_end = r.end;
    total += r.bytes.size();
    total -= r.end - r.begin;
  }
  std::string out;
  out.reserve(total);
  std::size_t pos = 0;
  for (const auto& r : reps) {
    out.append(body.substr(pos, r.begin - pos));
    out.append(r.bytes);
    pos = r.end;
  }
  out.append(body.substr(pos));
  return out;
}

std::string splice(std::string_view body, std::vector<Replacement> replacements) {
  auto result = splice_checked(body, std::move(replacements));
  assert(result.ok() && "overlapping or out-of-range replacements");
  if (!result.ok()) return std::string(body);  // release build: leave the body alone
  return std::move(result).value();
}

Replacement replace_body(const Part& part, std::string encoded, std::string_view body) {
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
  return Replacement{part.body_begin, part.body_end, std::move(encoded)};
}

}  // namespace pixelwarden::mime
