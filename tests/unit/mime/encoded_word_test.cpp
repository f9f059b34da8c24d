#include "mime/encoded_word.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;

TEST_SUITE("mime::EncodedWord") {
  TEST_CASE("B and Q words in various charsets") {
    CHECK(decode_rfc2047("=?UTF-8?B?SsO2cmc=?=") == "J\xC3\xB6rg");
    CHECK(decode_rfc2047("=?iso-8859-1?q?J=F6rg_M?=") == "J\xC3\xB6rg M");
  }
  TEST_CASE("whitespace between adjacent words is dropped, other text kept") {
    CHECK(decode_rfc2047("Re: =?utf-8?q?a?= \r\n =?utf-8?q?b?= end") == "Re: ab end");
  }
  TEST_CASE("a multibyte character split across two words is joined") {
    CHECK(decode_rfc2047("=?utf-8?q?caf=C3?= =?utf-8?q?=A9?=") == "caf\xC3\xA9");
  }
  TEST_CASE("RFC 2231 language suffix is ignored") {
    CHECK(decode_rfc2047("=?utf-8*en?q?hi?=") == "hi");
  }
  TEST_CASE("malformed words and raw UTF-8 pass through") {
    CHECK(decode_rfc2047("=?utf-8?x?abc?=") == "=?utf-8?x?abc?=");
    CHECK(decode_rfc2047("=?utf-8?q?unterminated") == "=?utf-8?q?unterminated");
    CHECK(decode_rfc2047("Gr\xC3\xBC\xC3\x9F"
                         "e") == "Gr\xC3\xBC\xC3\x9F"
                                 "e");
  }
}
