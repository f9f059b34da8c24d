#include "mime/charset.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;
using namespace std::string_view_literals;

TEST_SUITE("mime::Charset") {
  TEST_CASE("byte-processable charsets") {
    for (auto cs : {"utf-8", "ISO-8859-15", "windows-1252", "koi8-r", "GB18030", "Shift_JIS",
                    "euc-kr", "\"us-ascii\"", "", "x-unknown-label"}) {
      CHECK_MESSAGE(is_ascii_compatible(cs), cs);
    }
  }
  TEST_CASE("charsets that can hide markup") {
    for (auto cs :
         {"UTF-16", "utf-16le", "utf-32", "ISO-2022-JP", "utf-7", "HZ-GB-2312", "ibm037"}) {
      CHECK_MESSAGE(!is_ascii_compatible(cs), cs);
    }
  }
  TEST_CASE("detect_bom") {
    CHECK(detect_bom("\xEF\xBB\xBFhi") == "utf-8");
    CHECK(detect_bom("\xFF\xFE<\0"sv) == "utf-16le");
    CHECK(detect_bom("\xFE\xFF\0<"sv) == "utf-16be");
    CHECK(detect_bom("\xFF\xFE\0\0"sv) == "utf-32le");
    CHECK(!detect_bom("<html>").has_value());
  }
  TEST_CASE("a BOM wins over the label") {
    CHECK(effective_charset("\xFF\xFE<\0"sv, "iso-8859-1") == "utf-16le");
    CHECK(effective_charset("<", "UTF-16") == "utf-16be");
  }
  TEST_CASE("utf-16le with BOM round-trips byte for byte") {
    const std::string_view in = "\xFF\xFE<\0a\0>\0\xE9\0"sv;
    auto u = to_utf8(in, effective_charset(in, "utf-16"));
    REQUIRE(u.ok());
    CHECK(*u == "\xEF\xBB\xBF<a>\xC3\xA9");
    auto back = from_utf8(*u, "utf-16le");
    REQUIRE(back.ok());
    CHECK(*back == in);
  }
  TEST_CASE("iso-2022-jp converts to UTF-8 and back") {
    const std::string_view jp = "\x1B$B$3$s\x1B(B <b>";
    auto u = to_utf8(jp, "ISO-2022-JP");
    REQUIRE(u.ok());
    CHECK(*u == "\xE3\x81\x93\xE3\x82\x93 <b>");
    auto back = from_utf8(*u, "iso-2022-jp");
    REQUIRE(back.ok());
    CHECK(*back == jp);
  }
  TEST_CASE("strict conversions report invalid input and unknown charsets") {
    CHECK_FALSE(to_utf8("\xC3(", "utf-8").ok());
    CHECK_FALSE(to_utf8("x", "no-such-charset").ok());
    CHECK_FALSE(from_utf8("\xE2\x82\xAC", "iso-8859-1").ok());
  }
  TEST_CASE("lenient conversion never fails") {
    CHECK(to_utf8_lenient("caf\xE9", "iso-8859-1") == "caf\xC3\xA9");
    CHECK(to_utf8_lenient("caf\xC3\xA9", "us-ascii") == "caf\xC3\xA9");
    CHECK(to_utf8_lenient("caf\xE9", "no-such") == "caf\xC3\xA9");
  }
  TEST_CASE("replacing conversion substitutes U+FFFD and goes on, as a browser does") {
    // "<a>" in UTF-16LE, then one stray byte: strict conversion gives up.
    const std::string bytes("<\0a\0>\0\x41", 7);
    CHECK_FALSE(to_utf8(bytes, "utf-16le").ok());
    auto r = to_utf8_replacing(bytes, "utf-16le");
    REQUIRE(r.ok());
    CHECK(*r == "<a>\xEF\xBF\xBD");
    // an unpaired surrogate in the middle: replaced, and what follows is still read
    const std::string mid("<\0\x00\xD8>\0", 6);
    auto m = to_utf8_replacing(mid, "utf-16le");
    REQUIRE(m.ok());
    CHECK(*m == "<\xEF\xBF\xBD>");
    CHECK_FALSE(to_utf8_replacing("x", "no-such-charset").ok());
  }
  TEST_CASE("replacing conversion back writes what the charset cannot hold as its substitute") {
    auto r = from_utf8_replacing("a\xEF\xBF\xBD", "cp037");
    REQUIRE(r.ok());
    CHECK(r->size() == 2);
    CHECK((*r)[0] == '\x81');  // 'a' in EBCDIC
  }
  TEST_CASE("clients decode UTF-16, UTF-7 and ISO-2022 as labelled, not EBCDIC or UTF-32") {
    CHECK(clients_decode("UTF-16LE"));
    CHECK(clients_decode("utf-7"));
    CHECK(clients_decode("iso-2022-jp"));
    CHECK_FALSE(clients_decode("ibm-1047"));
    CHECK_FALSE(clients_decode("cp037"));
    CHECK_FALSE(clients_decode("utf-32le"));
  }

  TEST_CASE("source_offsets: where a UTF-8 offset's character begins in the charset's bytes") {
    using namespace std::string_literals;
    // UTF-16LE "a\u00e9<" : UTF-8 "a" "\xC3\xA9" "<" (offsets 0, 1, 3, end 4)
    const std::string u16 = "a\0\xE9\0<\0"s;
    CHECK(source_offsets(u16, "utf-16le", {0, 1, 3, 4}) == std::vector<std::size_t>{0, 2, 4, 6});
    CHECK(source_offsets(u16, "utf-16le", {2}).empty());  // inside the e-acute
    CHECK(source_offsets(u16, "utf-16le", {5}).empty());  // past the end
    // UTF-7: the "<" after the shifted e-acute "+AOk-" is byte 6 (a character inside a
    // shifted run is placed where its bits begin, which a splice cannot use: the caller
    // checks every splice by reading it back).
    CHECK(source_offsets("a+AOk-<", "utf-7", {0, 3, 4}) == std::vector<std::size_t>{0, 6, 7});
    // Far past the first block of the conversion, offsets still count from the start.
    std::string big;
    for (int i = 0; i < 20000; ++i) big += "x\0"s;
    big += "<\0"s;
    CHECK(source_offsets(big, "utf-16le", {20000, 20001}) ==
          std::vector<std::size_t>{40000, 40002});
  }
}
