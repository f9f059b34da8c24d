#include "base/error_list.hpp"

#include <doctest/doctest.h>

using pixelwarden::base::Error;
using pixelwarden::base::ErrorList;
using pixelwarden::base::excerpt;

TEST_SUITE("base::ErrorList") {
  TEST_CASE("keeps the first errors and counts the rest") {
    ErrorList l(3);
    CHECK(l.empty());
    for (int i = 0; i < 10; ++i)
      l.push_back(Error{std::string(1, 'e').append(std::to_string(i)), "f", i + 1, 1});
    CHECK(l.size() == 3);
    CHECK(l.total() == 10);
    CHECK(l.dropped() == 7);
    CHECK(l.full());
    CHECK(l[2].message == "e2");
    l.count_dropped();
    CHECK(l.total() == 11);
  }
  TEST_CASE("cuts long messages") {
    ErrorList l;
    l.push_back(Error{std::string(100000, 'x'), "f", 1, 1});
    CHECK(l[0].message.size() < ErrorList::k_max_message_bytes + 32);
    CHECK(l[0].message.find("(100000 bytes)") != std::string::npos);
  }
  TEST_CASE("excerpt keeps short text and never splits a UTF-8 sequence") {
    CHECK(excerpt("short", 10) == "short");
    const std::string cut = excerpt("ab\xC3\xA9\xC3\xA9", 3);  // would split the first é
    CHECK(cut.rfind("ab\xE2\x80\xA6", 0) == 0);
    CHECK(cut.find("(6 bytes)") != std::string::npos);
  }
}
