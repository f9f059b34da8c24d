#include "base/patch.hpp"

#include <doctest/doctest.h>

using pixelwarden::base::apply_ordered;
using pixelwarden::base::Patch;

TEST_SUITE("base::Patch") {
  TEST_CASE("no patches: the input unchanged") {
    CHECK(apply_ordered("any\r\nbytes\xFF", {}) == "any\r\nbytes\xFF");
  }
  TEST_CASE("replacements, a removal and insertions at the ends") {
    const std::vector<Patch> patches{{0, 0, "<"}, {1, 2, "a"}, {5, 3, ""}, {10, 0, ">"}};
    CHECK(apply_ordered("0123456789", patches) == "<0a3489>");
  }
  TEST_CASE("two insertions at one offset keep their order") {
    CHECK(apply_ordered("ab", {{1, 0, "x"}, {1, 0, "y"}}) == "axyb");
  }
  TEST_CASE("end() is offset + length") { CHECK(Patch{4, 3, "zz"}.end() == 7); }
}
