#include "base/decimal.hpp"

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>

using namespace pixelwarden::base;

TEST_SUITE("base::decimal") {
  TEST_CASE("parse_decimal takes all of the string, digits only, within the type") {
    CHECK(parse_decimal<std::uint32_t>("4294967295") == 4294967295u);
    CHECK_FALSE(parse_decimal<std::uint32_t>("4294967296"));
    CHECK(parse_decimal<std::uint16_t>("65535") == 65535);
    CHECK_FALSE(parse_decimal<std::uint16_t>("65536"));
    CHECK_FALSE(parse_decimal<std::uint32_t>(""));
    CHECK_FALSE(parse_decimal<std::uint32_t>("-1"));
    CHECK_FALSE(parse_decimal<std::uint32_t>("+1"));
    CHECK_FALSE(parse_decimal<std::uint32_t>("12 "));
    CHECK_FALSE(parse_decimal<std::uint32_t>("0x10"));
    CHECK(parse_decimal<std::size_t>("007") == 7u);
  }
}
