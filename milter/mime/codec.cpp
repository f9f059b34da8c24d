#include "mime/codec.hpp"

#include <algorithm>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "base/text.hpp"

namespace pixelwarden::mime {
namespace {

constexpr std::uint8_t k_ws = 64;
constexpr std::uint8_t k_pad = 65;
constexpr std::uint8_t k_bad = 66;
constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char k_hex[] = "0123456789ABCDEF";

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = k_bad;
  for (int i = 0; i < 64; ++i)
    t[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::uint8_t>(i);
  t[' '] = t['\t'] = t['\r'] = t['\n'] = t['\f'] = t['\v'] = k_ws;
  t['='] = k_pad;
  return t;
}
constexpr std::array<std::uint8_t, 256> k_table = make_table();

// Writes the bytes of a partial final quantum (2 or 3 characters); returns the new end.
char* flush_partial(char* o, std::uint32_t acc, int q) {
  if (q == 2) {
    *o++ = static_cast<char>(acc >> 4);
  } else if (q == 3) {
    *o++ = static_cast<char>(acc >> 10);
    *o++ = static_cast<char>(acc >> 2);
  }
  return o;
}

// After the padding that ends the data, everything but whitespace is garbage.
std::size_t count_trailing_garbage(const unsigned char* p, std::size_t i, std::size_t n) {
  std::size_t g = 0;
  for (; i < n; ++i) g += (k_table[p[i]] != k_ws && k_table[p[i]] != k_pad) ? 1 : 0;
  return g;
}

}  // namespace

Cte parse_cte(std::string_view raw_value) {
  std::string_view v = base::trim(raw_value);
  if (auto paren = v.find('('); paren != std::string_view::npos) v = base::trim(v.substr(0, paren));
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    v = base::trim(v.substr(1, v.size() - 2));
  if (v.empty() || base::iequals(v, "7bit")) return Cte::seven_bit;
  if (base::iequals(v, "8bit")) return Cte::eight_bit;
  if (base::iequals(v, "binary")) return Cte::binary;
  if (base::iequals(v, "quoted-printable")) return Cte::quoted_printable;
  if (base::iequals(v, "base64")) return Cte::base64;
  return Cte::unknown;
}

std::string_view cte_name(Cte cte) {
  switch (cte) {
    case Cte::seven_bit:
      return "7bit";
    case Cte::eight_bit:
      return "8bit";
    case Cte::binary:
      return "binary";
    case Cte::quoted_printable:
      return "quoted-printable";
    case Cte::base64:
      return "base64";
    case Cte::unknown:
      break;
  }
  return "unknown";
}

std::string decode(std::string_view encoded, Cte cte, DecodeStats* stats) {
  switch (cte) {
    case Cte::base64:
      return decode_base64(encoded, stats);
    case Cte::quoted_printable:
      return decode_quoted_printable(encoded);
    default:
      return std::string(encoded);
  }
}

namespace {

// The base64 decoder's state between calls, so that a long input can be decoded (or
// compared) a block at a time into a small buffer.
struct B64State {
  std::uint32_t acc = 0;
  int q = 0;                // characters of the current quantum
  std::size_t garbage = 0;  // characters outside the alphabet and whitespace
  bool ended = false;       // the padding that ends the data was read
};

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// 16 characters to 12 bytes with SSSE3 when all 16 are alphabet characters (the body of
// every base64 line): classification by the nibble tables of the well-known vectorized
// decoder (a byte is valid when lut_lo[low nibble] & lut_hi[high nibble] is 0), value by
// adding the offset of its range, then the 6-bit groups packed. Returns false, writing
// nothing, when any of the 16 is not an alphabet character; the scalar loop takes over.
__attribute__((target("ssse3"))) bool b64_block16(const unsigned char* in, char* out) {
  const __m128i str = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
  const __m128i lut_lo = _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                       0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m128i lut_hi = _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
                                       0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  const __m128i lut_roll = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m128i mask_2f = _mm_set1_epi8(0x2F);
  const __m128i hi_nibbles = _mm_and_si128(_mm_srli_epi32(str, 4), mask_2f);
  const __m128i lo_nibbles = _mm_and_si128(str, mask_2f);
  const __m128i hi = _mm_shuffle_epi8(lut_hi, hi_nibbles);
  const __m128i lo = _mm_shuffle_epi8(lut_lo, lo_nibbles);
  const __m128i bad = _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128());
  if (_mm_movemask_epi8(bad) != 0xFFFF) return false;
  const __m128i eq_2f = _mm_cmpeq_epi8(str, mask_2f);
  const __m128i roll = _mm_shuffle_epi8(lut_roll, _mm_add_epi8(eq_2f, hi_nibbles));
  const __m128i values = _mm_add_epi8(str, roll);
  // aaaaaa bbbbbb cccccc dddddd per 32-bit lane -> three bytes, then the 12 packed together.
  const __m128i ab_cd = _mm_maddubs_epi16(values, _mm_set1_epi32(0x01400140));
  const __m128i abcd = _mm_madd_epi16(ab_cd, _mm_set1_epi32(0x00011000));
  const __m128i packed =
      _mm_shuffle_epi8(abcd, _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), packed);  // 16 written, 12 kept
  return true;
}

bool have_ssse3() {
  static const bool yes = __builtin_cpu_supports("ssse3") != 0;
  return yes;
}
#endif

// Decodes [p, p + n) into o, continuing `st`; returns the new end of the output. The
// output needs room for n / 4 * 3 + 16 bytes (the vector path stores 16 bytes at a time).
char* decode_base64_into(const unsigned char* p, std::size_t n, char* o, B64State& st) {
  if (st.ended) {
    st.garbage += count_trailing_garbage(p, 0, n);
    return o;
  }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  const bool simd = have_ssse3();
#endif
  std::size_t i = 0;
  while (i < n) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (simd) {
      while (st.q == 0 && i + 16 <= n && b64_block16(p + i, o)) {
        o += 12;
        i += 16;
      }
    }
#endif
    // Whole quanta of alphabet characters, the common case inside a line.
    while (st.q == 0 && i + 4 <= n) {
      const std::uint32_t a = k_table[p[i]], b = k_table[p[i + 1]], c = k_table[p[i + 2]],
                          d = k_table[p[i + 3]];
      if (((a | b | c | d) & 0xC0U) != 0) break;
      const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
      o[0] = static_cast<char>(v >> 16);
      o[1] = static_cast<char>(v >> 8);
      o[2] = static_cast<char>(v);
      o += 3;
      i += 4;
    }
    if (i >= n) break;
    const std::uint8_t v = k_table[p[i++]];
    if (v < 64) {
      st.acc = (st.acc << 6) | v;
      if (++st.q == 4) {
        o[0] = static_cast<char>(st.acc >> 16);
        o[1] = static_cast<char>(st.acc >> 8);
        o[2] = static_cast<char>(st.acc);
        o += 3;
        st.q = 0;
        st.acc = 0;
      }
    } else if (v == k_pad) {
      if (st.q < 2) {  // a stray "=" where no padding can be: skip it like any garbage
        ++st.garbage;
        continue;
      }
      o = flush_partial(o, st.acc, st.q);
      st.q = 0;
      st.ended = true;
      st.garbage += count_trailing_garbage(p, i, n);
      i = n;
    } else if (v == k_bad) {
      ++st.garbage;
    }
  }
  return o;
}

// The end of the input: a final quantum without padding.
char* finish_base64(char* o, B64State& st, DecodeStats* stats) {
  if (st.q >= 2) {
    o = flush_partial(o, st.acc, st.q);
    if (stats != nullptr) stats->missing_padding = true;
  } else if (st.q == 1) {
    ++st.garbage;  // six bits cannot make a byte
  }
  st.q = 0;
  if (stats != nullptr) stats->garbage += st.garbage;
  return o;
}

// Whether base64 `encoded` decodes to `expected`: decoded a block at a time into a buffer
// on the stack and compared, so the proof allocates nothing however large the part.
bool base64_decodes_to(std::string_view encoded, std::string_view expected) {
  constexpr std::size_t k_in = 4096;
  char buf[k_in / 4 * 3 + 16 + 3];
  const auto* p = reinterpret_cast<const unsigned char*>(encoded.data());
  B64State st;
  std::size_t pos = 0;
  for (std::size_t i = 0; i <= encoded.size(); i += k_in) {
    const bool last = i + k_in >= encoded.size();
    const std::size_t len = last ? encoded.size() - i : k_in;
    char* o = decode_base64_into(p + i, len, buf, st);
    if (last) o = finish_base64(o, st, nullptr);
    const auto got = static_cast<std::size_t>(o - buf);
    if (got > expected.size() - pos || std::memcmp(buf, expected.data() + pos, got) != 0)
      return false;
    pos += got;
    if (last) break;
  }
  return pos == expected.size();
}

}  // namespace

std::string decode_base64(std::string_view encoded, DecodeStats* stats) {
  const auto* p = reinterpret_cast<const unsigned char*>(encoded.data());
  const std::size_t n = encoded.size();
  // Room for the vector path's 16-byte stores (12 bytes kept of each).
  std::string out(n / 4 * 3 + 16, '\0');
  B64State st;
  char* const start = out.data();
  char* o = decode_base64_into(p, n, start, st);
  o = finish_base64(o, st, stats);
  out.resize(static_cast<std::size_t>(o - start));
  return out;
}

namespace {

// Notes QpMarks for decode_qp_into: the decoder reports each run it copies verbatim and
// each line start it reaches by a soft break; a '\n' is looked for only once a mark is due.
class MarkNotes {
 public:
  MarkNotes(std::vector<QpMark>* marks, std::size_t size) : m_marks(marks), m_size(size) {}
  // The bytes [from, to) of `p` were copied verbatim to decoded offset `dec`.
  void run(const char* p, std::size_t from, std::size_t to, std::size_t dec) {
    while (m_marks != nullptr && to >= m_due) {
      const std::size_t at = std::max(from, m_due - 1);  // a '\n' there starts a line at m_due
      const void* nl = std::memchr(p + at, '\n', to - at);
      if (nl == nullptr) return;
      const auto line = static_cast<std::size_t>(static_cast<const char*>(nl) - p) + 1;
      if (line >= m_size) return;  // the end is no line's start
      note(line, dec + (line - from));
    }
  }
  // A line starts at encoded offset `at`, decoded offset `dec`.
  void line(std::size_t at, std::size_t dec) {
    if (m_marks != nullptr && at >= m_due && at < m_size) note(at, dec);
  }

 private:
  void note(std::size_t at, std::size_t dec) {
    m_marks->push_back({at, dec});
    m_due = at + k_qp_mark_spacing;
  }
  std::vector<QpMark>* m_marks;
  std::size_t m_size;
  std::size_t m_due = k_qp_mark_spacing;
};

// The QP decoder, written once over an output sink: `copy_to_eq(p, i, n)` takes the run
// of literal bytes from i up to the next '=' (or n) and returns where it stopped, `put`
// one decoded byte; a sink whose `failed()` turns true stops the walk. decode() writes
// into a buffer, qp_decoded_size() counts, decodes_to() compares with the expected bytes
// as it goes.
template <class Sink>
void decode_qp_into(std::string_view encoded, Sink& sink, std::vector<QpMark>* marks = nullptr) {
  const char* p = encoded.data();
  const std::size_t n = encoded.size();
  MarkNotes notes(marks, n);
  std::size_t i = 0;
  while (i < n && !sink.failed()) {
    // The literal run [i, j) up to the next '=' (or the end), copied by the sink.
    const std::size_t dec = sink.size();
    const std::size_t j = sink.copy_to_eq(p, i, n);
    notes.run(p, i, j, dec);
    if (j == n) break;
    int hi = 0, lo = 0;
    if (j + 2 < n && (hi = base::hex_value(p[j + 1])) >= 0 &&
        (lo = base::hex_value(p[j + 2])) >= 0) {
      sink.put(static_cast<char>(hi * 16 + lo));
      i = j + 3;
      continue;
    }
    // A soft break is "=", optional transport whitespace, then the line end (or the end).
    std::size_t k = j + 1;
    while (k < n && (p[k] == ' ' || p[k] == '\t')) ++k;
    if (k == n) {
      i = n;
    } else if (p[k] == '\n') {
      i = k + 1;
      notes.line(i, sink.size());
    } else if (p[k] == '\r' && (k + 1 == n || p[k + 1] == '\n')) {
      i = k + 1 == n ? n : k + 2;
      notes.line(i, sink.size());
    } else {
      sink.put('=');  // a lone "=": keep it, as every mail reader does
      i = j + 1;
    }
  }
}

// The offset of the first '=' in p[i, n), or n.
std::size_t find_eq(const char* p, std::size_t i, std::size_t n) {
  const void* eq = std::memchr(p + i, '=', n - i);
  return eq == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(eq) - p);
}

// Writes through a pointer into a buffer of at least the encoded size plus
// k_qp_buffer_slack bytes (decoding never grows QP). copy_to_eq() looks for the next '='
// and copies at once, 16 bytes at a time: in HTML an '=' comes every few dozen bytes
// ("=3D" in every attribute, a soft break every 76), too close for a memchr and a
// memcpy call per run to pay. Each block is stored whole before its '=' is known, so a
// store can run up to 15 bytes past what is kept (the slack); the next run overwrites them.
constexpr std::size_t k_qp_buffer_slack = 16;
struct BufferSink {
  char* const start;
  char* o;
  std::size_t copy_to_eq(const char* p, std::size_t i, std::size_t n) {
    std::size_t j = i;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    const __m128i eq = _mm_set1_epi8('=');
    while (j + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o + (j - i)), v);
      const auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, eq)));
      if (hits != 0) {
        j += static_cast<std::size_t>(std::countr_zero(hits));
        o += j - i;
        return j;
      }
      j += 16;
    }
#endif
    const std::size_t e = find_eq(p, j, n);
    std::memcpy(o + (j - i), p + j, e - j);
    o += e - i;
    return e;
  }
  void put(char c) { *o++ = c; }
  std::size_t size() const { return static_cast<std::size_t>(o - start); }
  static bool failed() { return false; }
};

// Counts what the decoder would write.
struct CountSink {
  std::size_t n = 0;
  std::size_t copy_to_eq(const char* p, std::size_t i, std::size_t end) {
    const std::size_t j = find_eq(p, i, end);
    n += j - i;
    return j;
  }
  void put(char /*c*/) { ++n; }
  std::size_t size() const { return n; }
  static bool failed() { return false; }
};

// Compares with `expected` as the decoder produces bytes; stops at the first difference.
struct CompareSink {
  std::string_view expected;
  std::size_t pos = 0;
  bool differs = false;
  std::size_t copy_to_eq(const char* p, std::size_t i, std::size_t n) {
    const std::size_t j = find_eq(p, i, n);
    const std::size_t len = j - i;
    if (differs || len > expected.size() - pos ||
        std::memcmp(expected.data() + pos, p + i, len) != 0) {
      differs = true;
      return j;
    }
    pos += len;
    return j;
  }
  void put(char c) {
    if (differs || pos == expected.size() || expected[pos] != c) {
      differs = true;
      return;
    }
    ++pos;
  }
  std::size_t size() const { return pos; }
  bool failed() const { return differs; }
};

}  // namespace

namespace {

std::string decode_qp_string(std::string_view encoded, std::vector<QpMark>* marks) {
  std::string out(encoded.size() + k_qp_buffer_slack, '\0');
  BufferSink sink{out.data(), out.data()};
  decode_qp_into(encoded, sink, marks);
  out.resize(sink.size());
  return out;
}

}  // namespace

std::string decode_quoted_printable(std::string_view encoded) {
  return decode_qp_string(encoded, nullptr);
}

std::string decode_quoted_printable(std::string_view encoded, std::vector<QpMark>& marks) {
  marks.clear();
  return decode_qp_string(encoded, &marks);
}

std::size_t qp_decoded_size(std::string_view encoded) {
  CountSink sink;
  decode_qp_into(encoded, sink);
  return sink.n;
}

bool decodes_to(std::string_view encoded, Cte cte, std::string_view expected) {
  switch (cte) {
    case Cte::quoted_printable: {
      CompareSink sink{expected};
      decode_qp_into(encoded, sink);
      return !sink.differs && sink.pos == expected.size();
    }
    case Cte::base64:
      return base64_decodes_to(encoded, expected);
    default:
      return encoded == expected;
  }
}

namespace {

// Two alphabet characters per 12 bits of input: a 3-byte quantum is two lookups.
constexpr std::array<std::array<char, 2>, 4096> make_pair_table() {
  std::array<std::array<char, 2>, 4096> t{};
  for (std::size_t v = 0; v < t.size(); ++v) {
    t[v][0] = k_alphabet[v >> 6];
    t[v][1] = k_alphabet[v & 63];
  }
  return t;
}
constexpr std::array<std::array<char, 2>, 4096> k_pairs = make_pair_table();

// Encodes `quanta` whole 3-byte quanta of p into 4 * quanta characters at o.
// Two quanta at a time from one 8-byte load where the input has the bytes to load.
char* encode_quanta(const unsigned char* p, const unsigned char* end, std::size_t quanta, char* o) {
  std::size_t q = 0;
  for (; q + 2 <= quanta && p + 3 * q + 8 <= end; q += 2) {
    std::uint64_t x;
    std::memcpy(&x, p + 3 * q, 8);
    if constexpr (std::endian::native == std::endian::little) x = __builtin_bswap64(x);
    std::memcpy(o, k_pairs[(x >> 52) & 0xfff].data(), 2);
    std::memcpy(o + 2, k_pairs[(x >> 40) & 0xfff].data(), 2);
    std::memcpy(o + 4, k_pairs[(x >> 28) & 0xfff].data(), 2);
    std::memcpy(o + 6, k_pairs[(x >> 16) & 0xfff].data(), 2);
    o += 8;
  }
  for (; q < quanta; ++q) {
    const unsigned char* b = p + 3 * q;
    const std::uint32_t v = (std::uint32_t{b[0]} << 16) | (std::uint32_t{b[1]} << 8) | b[2];
    std::memcpy(o, k_pairs[v >> 12].data(), 2);
    std::memcpy(o + 2, k_pairs[v & 0xfff].data(), 2);
    o += 4;
  }
  return o;
}

}  // namespace

std::string encode_base64(std::string_view bytes, std::size_t line_length, std::string_view eol) {
  std::size_t chars_per_line = line_length / 4 * 4;
  if (chars_per_line == 0) chars_per_line = 4;
  const std::size_t chars = (bytes.size() + 2) / 3 * 4;
  const std::size_t lines = chars == 0 ? 0 : (chars + chars_per_line - 1) / chars_per_line;
  std::string out(chars + (lines > 0 ? (lines - 1) * eol.size() : 0), '\0');
  char* o = out.data();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  const std::size_t whole = bytes.size() / 3;
  const std::size_t per_line = chars_per_line / 4;
  // Line by line: a line break goes between lines, never after the last one.
  for (std::size_t q = 0; q < whole;) {
    if (q > 0) o = std::copy(eol.begin(), eol.end(), o);
    const std::size_t n = std::min(per_line, whole - q);
    o = encode_quanta(p + 3 * q, end, n, o);
    q += n;
  }
  const std::size_t i = whole * 3;
  if (i < bytes.size()) {
    if (whole > 0 && whole % per_line == 0) o = std::copy(eol.begin(), eol.end(), o);
    const std::size_t left = bytes.size() - i;
    const std::uint32_t v =
        (std::uint32_t{p[i]} << 16) | (left > 1 ? std::uint32_t{p[i + 1]} << 8 : 0U);
    o[0] = k_alphabet[(v >> 18) & 63];
    o[1] = k_alphabet[(v >> 12) & 63];
    o[2] = left > 1 ? k_alphabet[(v >> 6) & 63] : '=';
    o[3] = '=';
    o += 4;
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

namespace {

// Bytes QP may write as themselves anywhere but at the end of a line (RFC 2045 6.7).
constexpr std::array<bool, 256> make_qp_literal_table() {
  std::array<bool, 256> t{};
  for (int c = 33; c <= 126; ++c) t[static_cast<std::size_t>(c)] = c != '=';
  return t;
}
constexpr std::array<bool, 256> k_qp_literal = make_qp_literal_table();

}  // namespace

std::string encode_quoted_printable(std::string_view bytes, std::string_view eol) {
  constexpr std::size_t k_max_body = 75;  // + "=" of a soft break = 76
  const std::size_t n = bytes.size();
  // Reserved near the final size: for a large part, from what its first 64 KiB encode to
  // (a guess short by a few percent would copy the whole part into fresh memory).
  constexpr std::size_t k_sample = 64 * 1024;
  std::size_t guess = n + n / 16 + 64;
  if (n > 16 * k_sample) {
    const std::size_t sampled = encode_quoted_printable(bytes.substr(0, k_sample), eol).size();
    guess = n / k_sample * sampled + n / 64 + 4096;
  }
  std::string out;
  out.reserve(guess);
  // Output is staged in a small buffer and appended in blocks: no per-byte capacity checks,
  // and no worst-case (3x) allocation for large parts.
  char buf[4096];
  std::size_t used = 0;
  // When the reserve runs out (more bytes to escape than guessed), the rest is sized from
  // the expansion so far, not by doubling: one reallocation near the final size instead of
  // a copy into twice the memory, which for a large part is fresh pages to fault in.
  const auto flush = [&](std::size_t consumed) {
    if (out.size() + used > out.capacity()) {
      const std::size_t written = out.size() + used;
      const std::size_t projected =
          written + (n - consumed) * written / std::max<std::size_t>(consumed, 1);
      // A fresh string: reserve() on a grown one would still at least double it.
      std::string grown;
      grown.reserve(projected + projected / 64 + sizeof buf);
      grown.append(out);
      out.swap(grown);
    }
    out.append(buf, used);
    used = 0;
  };
  const auto flush_if_full = [&](std::size_t consumed) {
    if (used + 16 > sizeof buf) flush(consumed);
  };
  const char e0 = eol.empty() ? '\0' : eol[0];
  const bool two = eol.size() == 2;
  const auto eol_at = [&](std::size_t i) {
    return !eol.empty() && bytes[i] == e0 && (!two || (i + 1 < n && bytes[i + 1] == eol[1]));
  };
  std::size_t col = 0;
  for (std::size_t i = 0; i < n; ++i) {
    flush_if_full(i);
    if (eol_at(i)) {
      for (char c : eol) buf[used++] = c;
      col = 0;
      i += eol.size() - 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(bytes[i]);
    bool literal = k_qp_literal[c];
    if (c == ' ' || c == '\t') literal = !(i + 1 == n || eol_at(i + 1));
    // No written line starts with "--": a fresh line of an edited part could otherwise be
    // read as a MIME boundary delimiter that the sender had encoded as "=2D=2D".
    if (c == '-' && i + 1 < n && bytes[i + 1] == '-' && (col == 0 || col + 1 > k_max_body)) {
      literal = false;
    }
    const std::size_t width = literal ? 1 : 3;
    if (col + width > k_max_body) {
      buf[used++] = '=';
      for (char ec : eol) buf[used++] = ec;
      col = 0;
    }
    if (literal) {
      buf[used++] = static_cast<char>(c);
    } else {
      buf[used++] = '=';
      buf[used++] = k_hex[c >> 4];
      buf[used++] = k_hex[c & 15];
    }
    col += width;
  }
  flush(n);
  return out;
}

}  // namespace pixelwarden::mime
