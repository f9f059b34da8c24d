#include "base/digest.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::base;

TEST_SUITE("base::digest") {
  TEST_CASE("known vectors") {
    CHECK(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
  TEST_CASE("HMAC-SHA1 RFC 2202 test case 2") {
    CHECK(hmac_sha1_hex("Jefe", "what do ya want for nothing?") ==
          "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  }
  TEST_CASE("incremental sha256 equals one-shot") {
    Sha256 h;
    h.update("a");
    h.update("bc");
    CHECK(h.hex_digest() == sha256_hex("abc"));
  }
}
