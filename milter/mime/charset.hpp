#pragma once
// Charsets of text parts. Most mail charsets are ASCII-compatible for our purpose: the
// bytes of '<', '"', '=', '>' and every other ASCII character only ever mean themselves, so
// HTML can be scanned and edited as bytes without conversion (UTF-8, ISO-8859-*,
// Windows-125x, KOI8, GB18030, Big5, Shift_JIS, EUC-*). The others can hide those
// characters (UTF-16/32 with or without BOM, ISO-2022-*, UTF-7, HZ, EBCDIC): they are
// converted to UTF-8 with ICU for scanning and converted back for writing.
// A byte order mark wins over the MIME charset label (see effective_charset()).
// to_utf8/from_utf8 are strict: an invalid or unmappable sequence is an error. Text
// parts are scanned as a browser renders them instead: to_utf8_replacing never gives up
// on a bad sequence (giving up and scanning the raw bytes would find nothing in UTF-16
// with one stray byte, while the browser renders U+FFFD and loads the pixel). A BOM in the input
// stays in the output (as U+FEFF), so to_utf8 then from_utf8 with the same charset round-trips.
// Non-goals: charset detection by content (only the BOM is trusted).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace pixelwarden::mime {

bool is_ascii_compatible(std::string_view charset);

// "utf-8", "utf-16le", "utf-16be", "utf-32le", "utf-32be", "utf-7" for a leading BOM.
std::optional<std::string> detect_bom(std::string_view bytes);

// The charset to convert bytes with: the BOM's if there is one, else the (lowercased,
// trimmed) label; unmarked "utf-16"/"utf-32" mean big-endian (RFC 2781).
std::string effective_charset(std::string_view bytes, std::string_view label);

base::Result<std::string> to_utf8(std::string_view bytes, std::string_view charset);
base::Result<std::string> from_utf8(std::string_view utf8, std::string_view charset);

// As a browser decodes: every invalid or truncated sequence becomes U+FFFD and decoding
// goes on, so what follows a stray byte is still seen (and scanned). Fails only for a
// label ICU does not know.
base::Result<std::string> to_utf8_replacing(std::string_view bytes, std::string_view charset);
// Back to the charset, characters it cannot represent replaced by its substitution
// character. For parts that were decoded with replacements in the first place.
base::Result<std::string> from_utf8_replacing(std::string_view utf8, std::string_view charset);

// Where characters of to_utf8_replacing(bytes, charset) come from: for each of
// utf8_offsets (ascending offsets into that UTF-8 text), the offset in bytes at which the
// character starting there begins, or bytes.size() for the end of the text. Empty when an
// offset is not at a character boundary, or when the converter cannot name the source of
// a character (one that spans two of the bounded blocks this reads, or that a stateful
// charset's shift sequence or a substitution produced). The conversion runs in blocks of
// bounded size, whatever the size of bytes.
std::vector<std::size_t> source_offsets(std::string_view bytes, std::string_view charset,
                                        const std::vector<std::size_t>& utf8_offsets);

// Whether mail clients decode this non-ASCII-compatible charset as labelled: UTF-16,
// UTF-7, ISO-2022-*, HZ. The others (EBCDIC code pages, UTF-32, ...) are unknown to the
// WHATWG Encoding Standard that browsers, webmail and Thunderbird follow: those render
// the bytes as windows-1252, while a client that knows the label decodes it.
bool clients_decode(std::string_view charset);

// For display text (RFC 2047 words, RFC 2231 parameters): never fails. Tries the label
// strictly, then takes valid UTF-8 as is (mislabelled mail), then converts with U+FFFD for
// invalid sequences (an unknown label is read as ISO-8859-1).
std::string to_utf8_lenient(std::string_view bytes, std::string_view charset);

}  // namespace pixelwarden::mime
