#include "mime/reencode.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "mime/header.hpp"

namespace pixelwarden::mime {
namespace {

constexpr std::size_t k_default_b64_line = 76;
constexpr std::size_t k_max_line = 998;

// One line of a quoted-printable part (base64 lines are walked by b64_reuse).
struct Line {
  std::size_t enc_begin = 0, enc_end = 0;  // incl. line ending
  std::size_t dec_size = 0;
};

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t nl = s.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    lines.push_back(s.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

// Byte classes for the base64 line analysis.
enum : std::uint8_t { k_b64_alpha = 0, k_b64_pad = 1, k_b64_eol = 2, k_b64_other = 3 };

constexpr std::array<std::uint8_t, 256> make_b64_classes() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = k_b64_other;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = k_b64_alpha;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = k_b64_alpha;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = k_b64_alpha;
  t['+'] = t['/'] = k_b64_alpha;
  t['='] = k_b64_pad;
  t['\r'] = t['\n'] = k_b64_eol;
  return t;
}
constexpr std::array<std::uint8_t, 256> k_b64_class = make_b64_classes();

// Decoded size of one base64 line, if it decodes on its own (whole quanta, padding only
// at the end, nothing but alphabet and line ending); nullopt otherwise.
std::optional<std::size_t> b64_line_size(std::string_view l) {
  std::size_t chars = 0;
  std::size_t pads = 0;
  for (char ch : l) {
    const std::uint8_t k = k_b64_class[static_cast<unsigned char>(ch)];
    if (k == k_b64_alpha && pads == 0) {
      ++chars;
    } else if (k == k_b64_pad) {
      ++pads;
    } else if (k != k_b64_eol) {
      return std::nullopt;
    }
  }
  if ((chars + pads) % 4 != 0 || pads > 2) return std::nullopt;
  return (chars + pads) / 4 * 3 - pads;
}

// The lines of a QP part with the size each decodes to. The decoder never looks past a
// line break ("=XX" and a soft break end at one), so decode(enc) is the concatenation of
// its lines' decodings, and these sizes, taken by the decoder itself, map every line to
// its bytes of decode(enc).
std::vector<Line> qp_lines(std::string_view enc) {
  std::vector<Line> out;
  out.reserve(enc.size() / 64 + 1);
  std::size_t pos = 0;
  while (pos < enc.size()) {
    const void* nl = std::memchr(enc.data() + pos, '\n', enc.size() - pos);
    const std::size_t end =
        nl == nullptr ? enc.size() : static_cast<const char*>(nl) - enc.data() + 1;
    out.push_back(Line{pos, end, qp_decoded_size(enc.substr(pos, end - pos))});
    pos = end;
  }
  return out;
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  const std::size_t n = std::min(a.size(), b.size());
  constexpr std::size_t k_block = 64;
  std::size_t i = 0;
  while (i + k_block <= n && std::memcmp(a.data() + i, b.data() + i, k_block) == 0) i += k_block;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

std::size_t common_suffix(std::string_view a, std::string_view b, std::size_t limit) {
  constexpr std::size_t k_block = 64;
  std::size_t s = 0;
  while (s + k_block <= limit && std::memcmp(a.data() + a.size() - s - k_block,
                                             b.data() + b.size() - s - k_block, k_block) == 0) {
    s += k_block;
  }
  while (s < limit && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  return s;
}

// The sender's line length: the first line's, unless that is no usable guide.
std::size_t b64_line_length(std::string_view enc) {
  const std::size_t nl = enc.find('\n');
  std::string_view first = enc.substr(0, nl);
  while (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  const std::size_t len = first.size() / 4 * 4;
  const bool single_line = nl == std::string_view::npos || nl + 1 == enc.size();
  if (len == 0 || len > k_max_line || (single_line && len < k_default_b64_line)) {
    return k_default_b64_line;
  }
  return len;
}

std::string encode_fresh(std::string_view bytes, Cte cte, std::size_t b64_line,
                         std::string_view eol, bool trailing_eol) {
  std::string out = cte == Cte::base64 ? encode_base64(bytes, b64_line, eol)
                                       : encode_quoted_printable(bytes, eol);
  if (cte == Cte::base64 && trailing_eol && !out.empty()) out.append(eol);
  return out;
}

// Encoded offsets [prefix_end, suffix_begin) that are not reused, and the decoded sizes
// of the reused prefix and suffix lines.
struct Reuse {
  std::size_t prefix_end = 0, suffix_begin = 0;
  std::size_t dec_prefix = 0, dec_suffix = 0;
};

// Base64: walks lines from the front while they are reusable and inside the common
// prefix, and from the back (only when the sizes stay aligned mod 3) inside the common
// suffix. Lines in between are never analysed: with one edit near the top of a large
// part, the work is proportional to what is reused, not to the part.
Reuse b64_reuse(std::string_view enc, std::size_t p, std::size_t s, bool aligned) {
  Reuse r;
  std::size_t pos = 0;
  while (pos < enc.size()) {
    const void* nl = std::memchr(enc.data() + pos, '\n', enc.size() - pos);
    if (nl == nullptr) break;  // a reused prefix line must end with a line break
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - enc.data()) + 1;
    const auto size = b64_line_size(enc.substr(pos, end - pos));
    if (!size || *size % 3 != 0 || r.dec_prefix + *size > p) break;
    r.dec_prefix += *size;
    pos = end;
  }
  r.prefix_end = pos;
  r.suffix_begin = enc.size();
  if (!aligned) return r;
  while (r.suffix_begin > r.prefix_end) {
    // The line ending at suffix_begin starts after the previous '\n' (or at prefix_end).
    std::size_t start = r.suffix_begin - 1;  // skip this line's own '\n'
    while (start > r.prefix_end && enc[start - 1] != '\n') --start;
    const auto size = b64_line_size(enc.substr(start, r.suffix_begin - start));
    if (!size || r.dec_suffix + *size > s) break;
    r.dec_suffix += *size;
    r.suffix_begin = start;
  }
  return r;
}

Reuse qp_reuse(std::string_view enc, std::size_t p, std::size_t s) {
  const std::vector<Line> lines = qp_lines(enc);
  Reuse r;
  std::size_t k = 0;
  // A reused prefix line must end with a line break, or fresh text would lengthen it.
  while (k < lines.size() && r.dec_prefix + lines[k].dec_size <= p &&
         enc[lines[k].enc_end - 1] == '\n') {
    r.dec_prefix += lines[k++].dec_size;
  }
  std::size_t m = lines.size();
  while (m > k && r.dec_suffix + lines[m - 1].dec_size <= s) r.dec_suffix += lines[--m].dec_size;
  r.prefix_end = k < lines.size() ? lines[k].enc_begin : enc.size();
  r.suffix_begin = m < lines.size() ? lines[m].enc_begin : enc.size();
  return r;
}

// Reuses whole original lines for the common prefix and suffix, encodes the middle.
std::string reuse_lines(std::string_view enc, std::string_view old_dec, std::string_view new_dec,
                        Cte cte, std::size_t b64_line, std::string_view eol) {
  const std::size_t p = common_prefix(old_dec, new_dec);
  const std::size_t s =
      common_suffix(old_dec, new_dec, std::min(old_dec.size(), new_dec.size()) - p);
  // Fresh base64 before reused lines must not end in padding: only when the sizes agree mod 3.
  const Reuse r = cte == Cte::base64
                      ? b64_reuse(enc, p, s, new_dec.size() % 3 == old_dec.size() % 3)
                      : qp_reuse(enc, p, s);
  const std::string_view middle =
      new_dec.substr(r.dec_prefix, new_dec.size() - r.dec_prefix - r.dec_suffix);
  const bool has_suffix = r.suffix_begin < enc.size();
  const bool ended_with_eol = !enc.empty() && enc.back() == '\n';
  std::string fresh = encode_fresh(middle, cte, b64_line, eol, has_suffix || ended_with_eol);
  if (cte == Cte::quoted_printable && has_suffix && !middle.empty() &&
      !(middle.size() >= eol.size() && middle.substr(middle.size() - eol.size()) == eol)) {
    fresh += "=";
    fresh += eol;
  }
  std::string out;
  out.reserve(r.prefix_end + fresh.size() + (enc.size() - r.suffix_begin));
  out.append(enc.substr(0, r.prefix_end));
  out += fresh;
  out.append(enc.substr(r.suffix_begin));
  return out;
}

// QP: a line start of the original encoded body and the offset in decode(enc) at which
// its line's decoding begins.
struct LineAt {
  std::size_t enc = 0, dec = 0;
};

// Walks the original lines from a known line start, one line at a time, measuring each by
// the decoder (qp_decoded_size). The decoder never looks past a line break, so decode(enc)
// is the concatenation of its lines' decodings and these sizes place every line in it.
class QpLines {
 public:
  QpLines(std::string_view enc, std::string_view old_dec, const std::vector<QpMark>* marks)
      : m_enc(enc), m_old_dec(old_dec), m_marks(marks) {}
  // The line starting at `at`: where it ends (after its '\n', or the end) and its size.
  std::size_t end_of(const LineAt& at) const {
    const void* nl = std::memchr(m_enc.data() + at.enc, '\n', m_enc.size() - at.enc);
    return nl == nullptr
               ? m_enc.size()
               : static_cast<std::size_t>(static_cast<const char*>(nl) - m_enc.data()) + 1;
  }
  std::size_t size_of(const LineAt& at, std::size_t end) const {
    return qp_decoded_size(m_enc.substr(at.enc, end - at.enc));
  }
  bool last(const LineAt& /*at*/, std::size_t end) const { return end >= m_enc.size(); }
  LineAt next(const LineAt& at, std::size_t end) const { return {end, at.dec + size_of(at, end)}; }
  // The last line start at or after `from` whose decoding begins at or before b (an
  // insertion at a line start belongs to that line); jumps ahead to the nearest mark first.
  LineAt line_of(LineAt from, std::size_t b) const {
    if (m_marks != nullptr) {
      auto m = std::upper_bound(m_marks->begin(), m_marks->end(), b,
                                [](std::size_t v, const QpMark& k) { return v < k.decoded; });
      if (m != m_marks->begin() && std::prev(m)->encoded > from.enc && holds(*std::prev(m))) {
        from = {std::prev(m)->encoded, std::prev(m)->decoded};
      }
    }
    for (;;) {
      const std::size_t end = end_of(from);
      const std::size_t size = size_of(from, end);
      if (last(from, end) || from.dec + size > b) return from;
      from = {end, from.dec + size};
    }
  }

 private:
  // Whether a mark is a line start whose line decodes to old_dec at the mark's offset: the
  // copied runs' proof takes the offsets as given, so a mark that is not this part's (or
  // not the decoder's) must not be used.
  bool holds(const QpMark& m) const {
    if (m.encoded == 0 || m.encoded >= m_enc.size() || m_enc[m.encoded - 1] != '\n' ||
        m.decoded > m_old_dec.size()) {
      return false;
    }
    const LineAt at{m.encoded, m.decoded};
    const std::size_t end = end_of(at);
    const std::size_t size = size_of(at, end);
    return size <= m_old_dec.size() - m.decoded &&
           decodes_to(m_enc.substr(at.enc, end - at.enc), Cte::quoted_printable,
                      m_old_dec.substr(m.decoded, size));
  }
  std::string_view m_enc;
  std::string_view m_old_dec;
  const std::vector<QpMark>* m_marks;
};

// A run of a QP re-encoding: encoded bytes [out_begin, out_end) of the result, meant to
// decode to new content [new_begin, new_end). A copied run is whole original lines, which
// decode to the old content from old_begin.
struct Run {
  std::size_t out_begin = 0, out_end = 0;
  std::size_t new_begin = 0, new_end = 0;
  bool copied = false;
  std::size_t old_begin = 0;
};

struct QpEdited {
  std::string out;
  std::vector<Run> runs;
};

// Whether `out` decodes to new_dec, proven run by run instead of by decoding all of it.
// Every run boundary is a line start, so (the decoder never looks past a line break) the
// decoding of `out` is the concatenation of its runs' decodings. A copied run's decoding
// is old_dec at the offsets the line walk gave it (old_dec is decode(enc), the sizes and
// marks are the decoder's): comparing those bytes with new_dec is a memcmp. A fresh run is
// decoded and compared. False also when a boundary is not a line start: the caller then
// decodes the whole result instead.
bool runs_decode_to(const QpEdited& e, std::string_view old_dec, std::string_view new_dec) {
  std::size_t out_at = 0, new_at = 0;
  for (const Run& r : e.runs) {
    if (r.out_begin != out_at || r.out_end < r.out_begin || r.out_end > e.out.size() ||
        r.new_begin != new_at || r.new_end < r.new_begin || r.new_end > new_dec.size()) {
      return false;
    }
    if (r.out_begin > 0 && e.out[r.out_begin - 1] != '\n') return false;
    const std::size_t len = r.new_end - r.new_begin;
    if (r.copied) {
      if (r.old_begin > old_dec.size() || len > old_dec.size() - r.old_begin ||
          std::memcmp(old_dec.data() + r.old_begin, new_dec.data() + r.new_begin, len) != 0) {
        return false;
      }
    } else if (!decodes_to(std::string_view(e.out).substr(r.out_begin, r.out_end - r.out_begin),
                           Cte::quoted_printable, new_dec.substr(r.new_begin, len))) {
      return false;
    }
    out_at = r.out_end;
    new_at = r.new_end;
  }
  return out_at == e.out.size() && new_at == new_dec.size();
}

// QP with several edits: only the original lines an edit touches are encoded afresh;
// every other line is copied verbatim. Lines are measured only from the nearest mark
// before each edit to the end of what it touches (marks: from the decoder that made
// old_dec; without them, from the top to the last edit). Each span's new text is built
// from old_dec and the edits inside it, so the whole new content is never needed.
// What is returned decodes to old_dec with the edits applied: every run starts at a line
// start (the decoder never looks past a line break, so the output decodes run by run), a
// copied run is original lines outside every edit, measured by the decoder, and a fresh
// run is decoded and compared with its span's new text here. nullopt when the edits are
// not sorted and disjoint or the line structure does not allow it.
std::optional<QpEdited> reencode_qp_edits(std::string_view enc, std::string_view old_dec,
                                          const std::vector<base::Patch>& edits,
                                          std::string_view eol, const std::vector<QpMark>* marks) {
  if (enc.empty()) return std::nullopt;
  const QpLines lines(enc, old_dec, marks);
  QpEdited e;
  std::string& out = e.out;
  out.reserve(enc.size() + enc.size() / 8);
  e.runs.reserve(2 * edits.size() + 1);
  LineAt done;               // the first original line not yet written
  std::ptrdiff_t delta = 0;  // new minus old decoded length, for edits already handled
  // Original lines from `from` up to the line start `to` (or the end), written verbatim.
  auto copy_lines = [&](const LineAt& from, std::size_t to_enc, std::size_t to_dec) {
    if (from.enc >= to_enc) return;
    Run r;
    r.out_begin = out.size();
    out.append(enc.substr(from.enc, to_enc - from.enc));
    r.out_end = out.size();
    r.copied = true;
    r.old_begin = from.dec;
    r.new_begin = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(from.dec) + delta);
    r.new_end = r.new_begin + (to_dec - from.dec);
    e.runs.push_back(r);
  };
  std::string fresh_dec;
  std::size_t prev_offset = 0;
  for (std::size_t k = 0; k < edits.size();) {
    if (edits[k].offset < prev_offset) return std::nullopt;  // unsorted edits
    const LineAt first = lines.line_of(done, edits[k].offset);
    if (first.enc < done.enc) return std::nullopt;  // overlapping edits
    // The span's last line: the last one that starts before an edit's end; every further
    // edit that starts inside the span (or at its end) extends it.
    LineAt last = first;
    std::size_t last_end = lines.end_of(last);
    std::ptrdiff_t span_delta = 0;
    const std::size_t span_first_edit = k;
    while (k < edits.size()) {
      const base::Patch& edit = edits[k];
      if (edit.offset < prev_offset) return std::nullopt;
      if (lines.line_of(first, edit.offset).enc > last.enc) break;
      prev_offset = edit.offset;
      const std::size_t edit_end = edit.offset + edit.length;
      while (!lines.last(last, last_end)) {
        const LineAt next = lines.next(last, last_end);
        if (next.dec >= edit_end) break;
        last = next;
        last_end = lines.end_of(last);
      }
      span_delta += static_cast<std::ptrdiff_t>(edit.replacement.size()) -
                    static_cast<std::ptrdiff_t>(edit.length);
      ++k;
    }
    copy_lines(done, first.enc, first.dec);
    const std::size_t last_size = lines.size_of(last, last_end);
    const std::size_t old_b = first.dec;
    const std::size_t old_e = last.dec + last_size;
    if (old_e > old_dec.size()) return std::nullopt;
    // The span's new text: its old text with its edits, each wholly inside it, in order.
    fresh_dec.clear();
    std::size_t at = old_b;
    for (std::size_t j = span_first_edit; j < k; ++j) {
      const base::Patch& edit = edits[j];
      if (edit.offset < at || edit.offset > old_e || edit.length > old_e - edit.offset) {
        return std::nullopt;
      }
      fresh_dec.append(old_dec.substr(at, edit.offset - at));
      fresh_dec += edit.replacement;
      at = edit.offset + edit.length;
    }
    fresh_dec.append(old_dec.substr(at, old_e - at));
    Run fresh;
    fresh.out_begin = out.size();
    fresh.new_begin = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(old_b) + delta);
    fresh.new_end = fresh.new_begin + fresh_dec.size();
    out += encode_quoted_printable(fresh_dec, eol);
    // A soft-broken original line ends in "\n" while its decoded content does not; and
    // when an edit took away the line break at the span's end, the next original line
    // must still start a line of the output: both end the fresh lines with a soft break.
    const bool soft = enc[last_end - 1] == '\n' && (last_size == 0 || old_dec[old_e - 1] != '\n');
    const bool fresh_ends_line =
        fresh_dec.size() >= eol.size() &&
        std::string_view(fresh_dec).substr(fresh_dec.size() - eol.size()) == eol;
    if ((soft || last_end < enc.size()) && !fresh_ends_line) {
      out += '=';
      out += eol;
    }
    fresh.out_end = out.size();
    // The copied line after it must start a line of the output, and the fresh lines must
    // decode to exactly the span's new text.
    if (last_end < enc.size() && out.back() != '\n') return std::nullopt;
    if (!decodes_to(std::string_view(out).substr(fresh.out_begin), Cte::quoted_printable,
                    fresh_dec)) {
      return std::nullopt;
    }
    e.runs.push_back(fresh);
    delta += span_delta;
    done = {last_end, old_e};
  }
  // The lines after the last span decode to the rest of old_dec: decode(enc) is old_dec.
  copy_lines(done, enc.size(), old_dec.size());
  return e;
}

// Whether an edit replaces anything by something else.
bool changes(std::string_view old_dec, const std::vector<base::Patch>& edits) {
  for (const base::Patch& p : edits) {
    if (p.offset > old_dec.size() || p.length > old_dec.size() - p.offset ||
        old_dec.substr(p.offset, p.length) != p.replacement) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string reencode(std::string_view original_encoded, std::string_view original_decoded,
                     std::string_view new_decoded, Cte cte, std::string_view fallback_eol) {
  if (cte != Cte::base64 && cte != Cte::quoted_printable) return std::string(new_decoded);
  if (original_decoded == new_decoded) return std::string(original_encoded);
  const std::string_view eol = detect_eol(original_encoded, fallback_eol);
  const std::size_t b64_line = b64_line_length(original_encoded);
  std::string out =
      reuse_lines(original_encoded, original_decoded, new_decoded, cte, b64_line, eol);
  if (decodes_to(out, cte, new_decoded)) return out;
  const bool ended_with_eol = !original_encoded.empty() && original_encoded.back() == '\n';
  return encode_fresh(new_decoded, cte, b64_line, eol, ended_with_eol);
}

std::size_t longest_line(std::string_view text) {
  std::size_t best = 0;
  for (std::string_view l : split_lines(text)) {
    std::size_t n = l.size();
    if (n > 0 && l[n - 1] == '\n') --n;
    if (n > 0 && l[n - 1] == '\r') --n;
    best = std::max(best, n);
  }
  return best;
}

std::string reencode_edits(std::string_view original_encoded, std::string_view original_decoded,
                           std::string_view new_decoded, const std::vector<base::Patch>& edits,
                           Cte cte, std::string_view fallback_eol,
                           const std::vector<QpMark>* marks) {
  if (cte == Cte::quoted_printable && !edits.empty() && original_decoded != new_decoded) {
    const std::string_view eol = detect_eol(original_encoded, fallback_eol);
    auto e = reencode_qp_edits(original_encoded, original_decoded, edits, eol, marks);
    // Also proven against the caller's new content, not only against the edits.
    if (e && (runs_decode_to(*e, original_decoded, new_decoded) ||
              decodes_to(e->out, cte, new_decoded))) {
      return std::move(e->out);
    }
  }
  return reencode(original_encoded, original_decoded, new_decoded, cte, fallback_eol);
}

std::string reencode_edits(std::string_view original_encoded, std::string_view original_decoded,
                           const std::vector<base::Patch>& edits, Cte cte,
                           std::string_view fallback_eol, const std::vector<QpMark>* marks) {
  if (cte == Cte::quoted_printable && changes(original_decoded, edits)) {
    const std::string_view eol = detect_eol(original_encoded, fallback_eol);
    if (auto e = reencode_qp_edits(original_encoded, original_decoded, edits, eol, marks)) {
      return std::move(e->out);
    }
  }
  return reencode(original_encoded, original_decoded, base::apply_ordered(original_decoded, edits),
                  cte, fallback_eol);
}

}  // namespace pixelwarden::mime
