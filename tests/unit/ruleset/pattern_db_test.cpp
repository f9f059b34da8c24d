#include "ruleset/pattern_db.hpp"

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <thread>

using pixelwarden::ruleset::literal_of;
using pixelwarden::ruleset::PatternDb;
using pixelwarden::ruleset::PatternSpec;
using pixelwarden::ruleset::ScratchSet;

namespace {

std::unique_ptr<PatternDb> compile(std::vector<PatternSpec> specs) {
  auto r = PatternDb::compile(specs);
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

TEST_SUITE("ruleset::PatternDb") {
  TEST_CASE("first_match reports a matching pattern's id, or nothing") {
    auto db = compile({{"tracker\\.example/open", 0, 7}, {"pixel\\.gif", 0, 9}});
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    CHECK(db->first_match("https://tracker.example/open?id=1", scratch.local()) == 7u);
    CHECK(db->first_match("https://cdn.example/pixel.gif", scratch.local()) == 9u);
    CHECK_FALSE(db->first_match("https://cdn.example/logo.png", scratch.local()).has_value());
  }

  TEST_CASE("a thread that ends gives its scratch back; the next thread reuses it") {
    auto db = compile({{"lure", 0, 1}});
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    const hs_scratch_t* first = nullptr;
    std::thread([&] {
      first = scratch.local();
      CHECK(db->first_match("a lure", scratch.local()) == 1u);
    }).join();
    REQUIRE(first != nullptr);
    CHECK(scratch.pooled() == 1);
    const hs_scratch_t* second = nullptr;
    std::thread([&] {
      second = scratch.local();
      CHECK(scratch.pooled() == 0);
      CHECK(db->first_match("another lure", scratch.local()) == 1u);
    }).join();
    CHECK(second == first);
    CHECK(scratch.pooled() == 1);
  }

  TEST_CASE("a scratch held by a thread outlives its ScratchSet safely") {
    auto db = compile({{"lure", 0, 1}});
    auto scratch = std::make_unique<ScratchSet>();
    REQUIRE(scratch->add(*db));
    std::promise<void> scanned, released;
    std::thread t([&] {
      CHECK(db->first_match("lure", scratch->local()) == 1u);
      scanned.set_value();
      released.get_future().wait();  // the ScratchSet is destroyed meanwhile
    });
    scanned.get_future().wait();
    scratch.reset();
    released.set_value();
    t.join();  // the thread's cache hands the clone to the pool, which frees it
  }

  TEST_CASE("literal_of: escaped punctuation is literal; anything with regex syntax is not") {
    constexpr unsigned k = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
    CHECK(literal_of("/t1/open\\?id=", k) == std::string("/t1/open?id="));
    CHECK(literal_of("pixel\\.gif", 0) == std::string("pixel.gif"));
    CHECK_FALSE(literal_of("pixel.gif", k).has_value());  // '.' is any byte
    CHECK_FALSE(literal_of("/o/[a-z]+/px", k).has_value());
    CHECK_FALSE(literal_of("\\d+", k).has_value());
    CHECK_FALSE(literal_of("\\x41", k).has_value());
    CHECK_FALSE(literal_of("a{2}", k).has_value());
    CHECK_FALSE(literal_of("^open", k).has_value());
    CHECK_FALSE(literal_of("trail\\", k).has_value());
    CHECK_FALSE(literal_of("open", HS_FLAG_UTF8).has_value());  // only flags lit_multi takes
  }

  TEST_CASE("literals sharing their ends are held reversed and still match exactly") {
    std::vector<PatternSpec> specs;
    for (unsigned i = 0; i < 200; ++i) {
      specs.push_back(
          {"/t" + std::to_string(i) + "/open\\?id=", HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, i});
    }
    specs.push_back({"trk[0-9]+/px\\.gif", HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, 500});
    auto db = compile(specs);
    CHECK(db->literal_count() == 200);
    CHECK(db->literals_reversed());
    CHECK(db->databases().size() == 2);
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    CHECK(db->first_match("https://x.example/T42/OPEN?id=7", scratch.local()) == 42u);
    CHECK(db->first_match("https://x.example/t199/open?id=", scratch.local()) == 199u);
    CHECK_FALSE(db->first_match("https://x.example/t200/open?id=", scratch.local()).has_value());
    CHECK_FALSE(db->first_match("https://x.example/t42/open?i", scratch.local()).has_value());
    CHECK(db->first_match("https://x.example/trk77/px.gif", scratch.local()) == 500u);
    CHECK_FALSE(db->first_match("https://x.example/trk/px.gif", scratch.local()).has_value());
  }

  TEST_CASE("literals with varied ends stay forward") {
    auto db = compile({{"/open\\?id=a", 0, 1}, {"/open\\?id=b", 0, 2}, {"/open\\?id=c", 0, 3}});
    CHECK_FALSE(db->literals_reversed());
    CHECK(db->databases().size() == 1);
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    CHECK(db->first_match("x/open?id=b", scratch.local()) == 2u);
  }

  TEST_CASE("a small set is one database; a literal still wins over a regex") {
    constexpr unsigned k = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
    auto db = compile({{"/px/[0-9]+", k, 7}, {"/px/1/open\\.gif", k, 3}, {"trk\\.", k, 9}});
    CHECK(db->combined());
    CHECK(db->literal_count() == 2);
    CHECK(db->databases().size() == 1);
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    // The regex ends first (at "/px/1"), the literal later: the literal is the answer, as
    // when literals had a database of their own and were scanned first.
    CHECK(db->first_match("https://x.example/PX/1/open.gif", scratch.local()) == 3u);
    CHECK(db->first_match("https://x.example/px/22/a.gif", scratch.local()) == 7u);
    CHECK(db->first_match("https://trk.example/a", scratch.local()) == 9u);
    CHECK_FALSE(db->first_match("https://x.example/px/a", scratch.local()).has_value());
    // Past k_combined_max patterns the sets are split again.
    std::vector<PatternSpec> many;
    for (unsigned i = 0; i <= PatternDb::k_combined_max; ++i) {
      many.push_back({"/open/c" + std::to_string(i) + "x", k, i});  // varied ends: forward
    }
    many.push_back({"/px/[0-9]+", k, 5000});
    auto split = compile(many);
    CHECK_FALSE(split->combined());
    CHECK_FALSE(split->literals_reversed());
    CHECK(split->databases().size() == 2);
    ScratchSet scratch2;
    REQUIRE(scratch2.add(*split));
    CHECK(split->first_match("https://x.example/open/c17x/px/1", scratch2.local()) == 17u);
    CHECK(split->first_match("https://x.example/px/1", scratch2.local()) == 5000u);
  }

  TEST_CASE("a compile error names the spec in the caller's order, across the split") {
    auto r = PatternDb::compile({{"plain", 0, 0}, {"also\\.plain", 0, 1}, {"bad(", 0, 2}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().index == 2);
  }

  TEST_CASE("a large regex set compiles in chunks; every pattern still matches, errors keep their "
            "index") {
    std::vector<PatternSpec> specs;
    for (unsigned i = 0; i < 600; ++i) {
      specs.push_back({"trk" + std::to_string(i) + "/o/[a-z]+/px\\.gif",
                       HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, i});
    }
    auto db = compile(specs);
    if (std::thread::hardware_concurrency() >= 2) CHECK(db->databases().size() >= 2);
    ScratchSet scratch;
    REQUIRE(scratch.add(*db));
    for (unsigned i : {0u, 299u, 300u, 599u}) {
      CHECK(db->first_match("https://x.example/trk" + std::to_string(i) + "/o/ab/px.gif",
                            scratch.local()) == i);
    }
    CHECK_FALSE(
        db->first_match("https://x.example/trk600/o/ab/px.gif", scratch.local()).has_value());
    specs[550].expression = "bad(";
    auto r = PatternDb::compile(specs);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().index == 550);
  }
}
