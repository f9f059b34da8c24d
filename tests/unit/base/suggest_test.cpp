#include <doctest/doctest.h>

#include "base/suggest.hpp"

using pixelwarden::base::edit_distance;
using pixelwarden::base::suggest;

TEST_SUITE("base::suggest") {
  TEST_CASE("a prefix of a rule id suggests that rule first") {
    const std::vector<std::string> ids = {"known-trackers", "apt31-news", "xapt31"};
    CHECK(suggest("apt31", ids) == std::vector<std::string>{"apt31-news", "xapt31"});
  }

  TEST_CASE("a near miss is suggested, a far one is not") {
    const std::vector<std::string> ids = {"lure-senders", "known-trackers"};
    CHECK(suggest("lure-sendres", ids) == std::vector<std::string>{"lure-senders"});
    CHECK(suggest("LURE-SENDERS", ids) == std::vector<std::string>{"lure-senders"});
    CHECK(suggest("phishing", ids).empty());
    CHECK(suggest("", ids).empty());
  }

  TEST_CASE("at most limit suggestions, closest first") {
    const std::vector<std::string> ids = {"rule-c", "rule-b", "rule-a", "rule"};
    CHECK(suggest("rule", ids, 2) == std::vector<std::string>{"rule-c", "rule-b"});
    CHECK(suggest("rulx", ids, 1) == std::vector<std::string>{"rule"});
  }

  TEST_CASE("edit distance counts an adjacent transposition as one edit") {
    CHECK(edit_distance("abcd", "abdc") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("Same", "same") == 0);
  }
}
