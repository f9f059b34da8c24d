#pragma once
// Content-Transfer-Encoding codecs: base64 and quoted-printable decoders and encoders, and
// the identity encodings (7bit, 8bit, binary). Decoders are lenient the way real mail needs
// (base64: whitespace ignored, missing padding tolerated, garbage skipped and counted; QP:
// soft breaks, lowercase hex, a lone "=" kept literally) and run at memory speed: base64 in
// 16-character blocks with SSSE3 where the CPU has it (else 4-character quanta through a
// table), QP by memchr from one "=" to the next.
// Line endings inside decoded text are kept exactly as they were in the encoded form.
// Non-goals: uuencode, BinHex, yEnc (decoded as identity, i.e. left alone).
// Ownership: every function takes views and returns a fresh std::string.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pixelwarden::mime {

enum class Cte { seven_bit, eight_bit, binary, quoted_printable, base64, unknown };

// Maps a raw Content-Transfer-Encoding value (any case, surrounding whitespace and a
// trailing comment allowed) to a Cte. An absent header (empty value) is seven_bit.
Cte parse_cte(std::string_view raw_value);
std::string_view cte_name(Cte cte);  // "7bit", "quoted-printable", ... ("unknown")

struct DecodeStats {
  std::size_t garbage = 0;       // base64: characters outside the alphabet and whitespace
  bool missing_padding = false;  // base64: final quantum had 2 or 3 characters, no "="
};

// Decodes a part body. Identity encodings and unknown return the bytes unchanged.
std::string decode(std::string_view encoded, Cte cte, DecodeStats* stats = nullptr);
std::string decode_base64(std::string_view encoded, DecodeStats* stats = nullptr);
std::string decode_quoted_printable(std::string_view encoded);

// A line start of a quoted-printable body, and the size of what the lines before it decode
// to, as the decoder itself counted it. The re-encoder (reencode_edits) starts its walk over
// the encoded lines at the nearest mark before an edit instead of at the top.
struct QpMark {
  std::size_t encoded = 0, decoded = 0;
};
// The encoded bytes between two marks: about one mark per this many.
inline constexpr std::size_t k_qp_mark_spacing = 4096;

// decode_quoted_printable(), also noting in `marks` (cleared first) a line start about
// every k_qp_mark_spacing encoded bytes, in increasing order.
std::string decode_quoted_printable(std::string_view encoded, std::vector<QpMark>& marks);

// Whether decode(encoded, cte) == expected, without building the decoded copy: the same
// decoder, comparing as it goes (QP; base64 a 4 KiB block at a time). The re-encoder's proof
// that what it wrote decodes to exactly the intended content, at the cost of one read.
bool decodes_to(std::string_view encoded, Cte cte, std::string_view expected);

// The size of decode_quoted_printable(encoded), by the same decoder, writing nothing.
std::size_t qp_decoded_size(std::string_view encoded);

// base64 with lines of line_length characters (rounded down to a multiple of 4, at least 4),
// each followed by eol; the final line gets no eol (the caller owns what follows the part).
std::string encode_base64(std::string_view bytes, std::size_t line_length, std::string_view eol);

// Quoted-printable with encoded lines of at most 76 characters, soft breaks "=" + eol.
// An eol sequence in the input is written as a hard line break; any other CR or LF is
// escaped (=0D, =0A) so that decoding gives back exactly the input. Whitespace before a
// hard break or at the very end is escaped, as are "=" and bytes outside 33..126. A line
// never starts with "--" (its first '-' is written =2D), so no written line can be a
// multipart delimiter.
std::string encode_quoted_printable(std::string_view bytes, std::string_view eol);

}  // namespace pixelwarden::mime
