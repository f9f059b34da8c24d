#include "mime/charset.hpp"

#include <unicode/ucnv.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include <array>
#include <memory>
#include <utility>
#include <vector>

#include "base/text.hpp"
#include "base/utf8.hpp"

namespace pixelwarden::mime {
namespace {

struct ConverterCloser {
  void operator()(UConverter* c) const { ucnv_close(c); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

constexpr std::array<std::string_view, 14> k_byte_prefixes = {
    "us-ascii", "ascii", "utf-8",   "utf8", "iso-8859-", "iso8859-", "windows-125",
    "cp125",    "koi8",  "gb18030", "gbk",  "gb2312",    "big5",     "euc-"};
constexpr std::array<std::string_view, 6> k_byte_names = {"shift_jis", "sjis",        "x-sjis",
                                                          "cp932",     "windows-31j", "latin1"};
constexpr std::array<std::string_view, 9> k_unsafe_prefixes = {
    "utf-16", "utf16", "utf-32", "utf32", "ucs-2", "ucs-4", "utf-7", "iso-2022", "hz"};

std::string normalize(std::string_view label) {
  std::string s = base::to_lower(base::trim(label));
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (s == "utf-16" || s == "utf16" || s == "ucs-2") return "utf-16be";
  if (s == "utf-32" || s == "utf32" || s == "ucs-4") return "utf-32be";
  return s;
}

Converter open(std::string_view charset, UErrorCode& status) {
  const std::string name(charset);
  return Converter(ucnv_open(name.c_str(), &status));
}

// Asks ICU whether the four HTML-significant characters encode as themselves.
bool icu_says_ascii_compatible(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  Converter conv = open(name, status);
  if (U_FAILURE(status)) return true;  // unknown label: every reader treats it as bytes
  switch (ucnv_getType(conv.get())) {
    case UCNV_SBCS:
    case UCNV_DBCS:
    case UCNV_MBCS:
    case UCNV_LATIN_1:
    case UCNV_UTF8:
    case UCNV_US_ASCII:
    case UCNV_CESU8:
      break;
    default:
      return false;
  }
  const UChar probe[] = {u'<', u'"', u'=', u'>', u'a'};
  char out[16];
  const int32_t n = ucnv_fromUChars(conv.get(), out, sizeof out, probe, 5, &status);
  return U_SUCCESS(status) && n == 5 && std::string_view(out, 5) == "<\"=>a";
}

}  // namespace

bool is_ascii_compatible(std::string_view charset) {
  const std::string s = normalize(charset);
  if (s.empty()) return true;
  for (auto p : k_unsafe_prefixes) {
    if (s.compare(0, p.size(), p) == 0) return false;
  }
  for (auto p : k_byte_prefixes) {
    if (s.compare(0, p.size(), p) == 0) return true;
  }
  for (auto n : k_byte_names) {
    if (s == n) return true;
  }
  return icu_says_ascii_compatible(s);
}

std::optional<std::string> detect_bom(std::string_view b) {
  auto starts = [&](std::string_view sig) { return b.substr(0, sig.size()) == sig; };
  using namespace std::string_view_literals;
  if (starts("\xEF\xBB\xBF"sv)) return "utf-8";
  if (starts("\xFF\xFE\x00\x00"sv)) return "utf-32le";
  if (starts("\x00\x00\xFE\xFF"sv)) return "utf-32be";
  if (starts("\xFF\xFE"sv)) return "utf-16le";
  if (starts("\xFE\xFF"sv)) return "utf-16be";
  if (b.size() >= 4 && starts("+/v"sv) &&
      (b[3] == '8' || b[3] == '9' || b[3] == '+' || b[3] == '/')) {
    return "utf-7";
  }
  return std::nullopt;
}

std::string effective_charset(std::string_view bytes, std::string_view label) {
  if (auto bom = detect_bom(bytes)) return *bom;
  return normalize(label);
}

namespace {

// Converted in blocks of bounded size, each block's UTF-16 appended as UTF-8 at once:
// the text is held once as UTF-8, not also as UTF-16 of twice the input's size. A lead
// surrogate that ends a block waits for the next one. With `replace`, an unpaired
// surrogate (UTF-7 can encode one) becomes U+FFFD like any other bad sequence: failing the
// whole conversion would leave a UTF-7 part to be read as its raw bytes, markup unseen.
base::Result<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset,
                                          bool replace) {
  const std::string name = normalize(charset);
  UErrorCode status = U_ZERO_ERROR;
  Converter conv = open(name.empty() ? "us-ascii" : name, status);
  if (U_FAILURE(status)) return base::plain_error("unknown charset: " + name);
  if (replace) {
    // U+FFFD for every bad sequence, as browsers do (U+001A for the few code pages whose
    // substitution byte is 0x1A: neither is markup, which is what scanning cares about).
    ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_SUBSTITUTE, nullptr, nullptr, nullptr,
                        &status);
  } else {
    ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  }
  constexpr std::size_t k_block = 16384;
  std::vector<UChar> u16(2 * k_block + 64);
  std::string out;
  out.reserve(bytes.size());
  UChar held = 0;  // a lead surrogate that ended the previous block
  const char* src = bytes.data();
  const char* const end = bytes.data() + bytes.size();
  for (;;) {
    const char* const limit =
        end - src > static_cast<std::ptrdiff_t>(k_block) ? src + k_block : end;
    const bool flush = limit == end;
    UChar* target = u16.data();
    if (held != 0) *target++ = std::exchange(held, 0);
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, u16.data() + u16.size(), &src, limit, nullptr, flush,
                   &status);
    if (U_FAILURE(status) || src != limit) {
      return base::plain_error("invalid " + name + " byte sequence");
    }
    auto n = static_cast<int32_t>(target - u16.data());
    if (!flush && n > 0 && U16_IS_LEAD(u16[static_cast<std::size_t>(n - 1)])) {
      held = u16[static_cast<std::size_t>(--n)];
    }
    const std::size_t at = out.size();
    out.resize(at + static_cast<std::size_t>(n) * 3);
    int32_t n8 = 0;
    if (replace) {
      u_strToUTF8WithSub(out.data() + at, n * 3, &n8, u16.data(), n, 0xFFFD, nullptr, &status);
    } else {
      u_strToUTF8(out.data() + at, n * 3, &n8, u16.data(), n, &status);
    }
    if (U_FAILURE(status)) return base::plain_error("invalid " + name + " text");
    out.resize(at + static_cast<std::size_t>(n8));
    if (flush) break;
  }
  return out;
}

base::Result<std::string> convert_from_utf8(std::string_view utf8, std::string_view charset,
                                            bool replace) {
  const std::string name = normalize(charset);
  UErrorCode status = U_ZERO_ERROR;
  Converter conv = open(name.empty() ? "us-ascii" : name, status);
  if (U_FAILURE(status)) return base::plain_error("unknown charset: " + name);
  ucnv_setFromUCallBack(conv.get(),
                        replace ? UCNV_FROM_U_CALLBACK_SUBSTITUTE : UCNV_FROM_U_CALLBACK_STOP,
                        nullptr, nullptr, nullptr, &status);
  std::vector<UChar> u16(utf8.size() + 1);
  int32_t n16 = 0;
  u_strFromUTF8(u16.data(), static_cast<int32_t>(u16.size()), &n16, utf8.data(),
                static_cast<int32_t>(utf8.size()), &status);
  if (U_FAILURE(status)) return base::plain_error("invalid UTF-8");
  const int32_t cap = UCNV_GET_MAX_BYTES_FOR_STRING(n16, ucnv_getMaxCharSize(conv.get())) + 8;
  std::string out(static_cast<std::size_t>(cap), '\0');
  const int32_t n = ucnv_fromUChars(conv.get(), out.data(), cap, u16.data(), n16, &status);
  if (U_FAILURE(status)) return base::plain_error("text not representable in " + name);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

base::Result<std::string> to_utf8(std::string_view bytes, std::string_view charset) {
  return convert_to_utf8(bytes, charset, false);
}

base::Result<std::string> to_utf8_replacing(std::string_view bytes, std::string_view charset) {
  return convert_to_utf8(bytes, charset, true);
}

base::Result<std::string> from_utf8(std::string_view utf8, std::string_view charset) {
  return convert_from_utf8(utf8, charset, false);
}

base::Result<std::string> from_utf8_replacing(std::string_view utf8, std::string_view charset) {
  return convert_from_utf8(utf8, charset, true);
}

std::vector<std::size_t> source_offsets(std::string_view bytes, std::string_view charset,
                                        const std::vector<std::size_t>& utf8_offsets) {
  const std::string name = normalize(charset);
  UErrorCode status = U_ZERO_ERROR;
  Converter conv = open(name.empty() ? "us-ascii" : name, status);
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_SUBSTITUTE, nullptr, nullptr, nullptr,
                      &status);
  if (U_FAILURE(status)) return {};
  // A block of source bytes yields at most two UTF-16 units per byte (plus what a
  // converter held back from the block before): the output buffer never overflows.
  constexpr std::size_t k_block = 16384;
  std::vector<UChar> u16(2 * k_block + 64);
  std::vector<int32_t> from(u16.size());
  std::vector<std::size_t> out;
  out.reserve(utf8_offsets.size());
  std::size_t want = 0;  // next utf8_offsets entry
  std::size_t u8 = 0;    // UTF-8 offset of the next character
  const char* src = bytes.data();
  const char* const end = bytes.data() + bytes.size();
  for (;;) {
    const char* const block = src;
    const char* const limit =
        end - src > static_cast<std::ptrdiff_t>(k_block) ? src + k_block : end;
    const bool flush = limit == end;
    UChar* target = u16.data();
    status = U_ZERO_ERROR;
    ucnv_toUnicode(conv.get(), &target, u16.data() + u16.size(), &src, limit, from.data(), flush,
                   &status);
    if (U_FAILURE(status) || src != limit) return {};
    const std::size_t n = static_cast<std::size_t>(target - u16.data());
    for (std::size_t i = 0; i < n; ++i) {
      const UChar c = u16[i];
      // A pair is 4 UTF-8 bytes; an unpaired surrogate is the 3 of U+FFFD (as
      // to_utf8_replacing writes it). A lead that ends a block cannot be told apart.
      const bool pair = U16_IS_LEAD(c) && i + 1 < n && U16_IS_TRAIL(u16[i + 1]);
      if (U16_IS_LEAD(c) && i + 1 == n && !flush) return {};
      const std::size_t len = pair ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      while (want < utf8_offsets.size() && utf8_offsets[want] == u8) {
        if (from[i] < 0) return {};
        out.push_back(static_cast<std::size_t>(block - bytes.data()) +
                      static_cast<std::size_t>(from[i]));
        ++want;
      }
      if (want < utf8_offsets.size() && utf8_offsets[want] < u8 + len) return {};
      u8 += len;
      if (pair) ++i;
    }
    if (flush) break;
  }
  while (want < utf8_offsets.size() && utf8_offsets[want] == u8) {
    out.push_back(bytes.size());
    ++want;
  }
  if (want != utf8_offsets.size()) return {};
  return out;
}

bool clients_decode(std::string_view charset) {
  const std::string s = normalize(charset);
  for (std::string_view p : {"utf-16", "utf16", "ucs-2", "utf-7", "iso-2022", "hz"}) {
    if (s.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

std::string to_utf8_lenient(std::string_view bytes, std::string_view charset) {
  if (auto strict = to_utf8(bytes, charset); strict.ok()) return std::move(strict).value();
  if (base::is_valid_utf8(bytes)) return std::string(bytes);
  UErrorCode status = U_ZERO_ERROR;
  const std::string name = normalize(charset);
  Converter conv = open(name, status);
  if (U_FAILURE(status)) {
    status = U_ZERO_ERROR;
    conv = open("iso-8859-1", status);
  }
  std::vector<UChar> u16(bytes.size() * 2 + 4);
  const int32_t n16 = ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()),
                                    bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  std::string out(static_cast<std::size_t>(n16 > 0 ? n16 : 0) * 3 + 1, '\0');
  int32_t n8 = 0;
  u_strToUTF8WithSub(out.data(), static_cast<int32_t>(out.size()), &n8, u16.data(), n16, 0xFFFD,
                     nullptr, &status);
  if (U_FAILURE(status)) return std::string(bytes);
  out.resize(static_cast<std::size_t>(n8));
  return out;
}

}  // namespace pixelwarden::mime
