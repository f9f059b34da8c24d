#include "base/utf8.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::base;

TEST_SUITE("base::utf8") {
  TEST_CASE("valid sequences of each length") {
    CHECK(utf8_sequence_length("\xC3\xA9", 0) == 2);
    CHECK(utf8_sequence_length("\xE2\x82\xAC", 0) == 3);
    CHECK(utf8_sequence_length("\xF0\x9F\x98\x80", 0) == 4);
    CHECK(utf8_sequence_length("a\xC3\xA9", 1) == 2);
    CHECK(is_valid_utf8("a\xC3\xA9\xF0\x9F\x98\x80"));
    CHECK(is_valid_utf8(""));
  }
  TEST_CASE("overlong forms, surrogates, beyond U+10FFFF, cut and stray bytes") {
    CHECK(utf8_sequence_length("\xC0\xAF", 0) == 0);          // overlong '/'
    CHECK(utf8_sequence_length("\xE0\x80\xAF", 0) == 0);      // overlong, 3 bytes
    CHECK(utf8_sequence_length("\xED\xA0\x80", 0) == 0);      // U+D800
    CHECK(utf8_sequence_length("\xF4\x90\x80\x80", 0) == 0);  // U+110000
    CHECK(utf8_sequence_length("\xE2\x82", 0) == 0);          // cut short
    CHECK(utf8_sequence_length("\x80", 0) == 0);              // continuation alone
    CHECK(utf8_sequence_length("a", 0) == 0);                 // ASCII is not multi-byte
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
    CHECK_FALSE(is_valid_utf8("ok\xE2\x82"));
  }
}
