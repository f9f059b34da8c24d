#pragma once
// Re-encoding an edited part in its own Content-Transfer-Encoding while keeping every
// unedited encoded line byte for byte. The common decoded prefix and suffix of the old and
// new content are mapped back to whole original encoded lines, which are reused verbatim;
// only the middle is encoded afresh: base64 at the part's original line length, QP with
// lines of at most 76 characters and soft breaks, both with the part's own line ending.
// Fresh lines never exceed 998 octets; reused lines are what the sender wrote.
// The result always decodes (decode() in codec.hpp) to exactly new_decoded: if line reuse
// cannot guarantee that (odd sender line structure), the whole part is encoded afresh.
// Identity encodings (7bit, 8bit, binary, unknown) return new_decoded unchanged: the caller
// owns line length there (see longest_line()).
// Non-goals: changing the CTE, header edits.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/patch.hpp"
#include "mime/codec.hpp"

namespace pixelwarden::mime {

// fallback_eol is used when original_encoded has no line ending at all.
std::string reencode(std::string_view original_encoded, std::string_view original_decoded,
                     std::string_view new_decoded, Cte cte, std::string_view fallback_eol = "\r\n");

// Like reencode(), but told where the edits are: the patches that turned original_decoded
// into new_decoded (offsets into original_decoded; sorted, disjoint; only where they are and
// their lengths are read). For quoted-printable, only the original
// lines an edit touches are encoded afresh, so lines between two distant edits stay
// verbatim too. Base64 shifts every quantum after a size change, so it falls back to
// reencode() (prefix and suffix reuse). original_decoded must be decode(original_encoded):
// the QP proof compares the copied lines' share of it with new_decoded instead of decoding
// them again, and decodes only the lines written afresh. `marks`, when given, are the
// ones decode_quoted_printable(original_encoded, marks) noted: the lines are then measured
// only near the edits, not from the top of the part.
std::string reencode_edits(std::string_view original_encoded, std::string_view original_decoded,
                           std::string_view new_decoded, const std::vector<base::Patch>& edits,
                           Cte cte, std::string_view fallback_eol = "\r\n",
                           const std::vector<QpMark>* marks = nullptr);

// reencode_edits() without the new content: `edits` (sorted, disjoint) say what it is.
// Quoted-printable builds each re-encoded span's new text from original_decoded and the
// edits in it, so an edited part is never held twice; the other encodings, and a QP part
// whose lines do not allow it, get apply_ordered(original_decoded, edits) and reencode().
std::string reencode_edits(std::string_view original_encoded, std::string_view original_decoded,
                           const std::vector<base::Patch>& edits, Cte cte,
                           std::string_view fallback_eol = "\r\n",
                           const std::vector<QpMark>* marks = nullptr);

// Length of the longest line (without its line ending).
std::size_t longest_line(std::string_view text);

}  // namespace pixelwarden::mime
