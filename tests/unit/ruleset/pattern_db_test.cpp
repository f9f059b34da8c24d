#include "ruleset/pattern_db.hpp"

#include <doctest/doctest.h>

#include <future>
#include <memory>
#include <thread>

using pixelwarden::ruleset::PatternDb;
using pixelwarden::ruleset::PatternSpec;
using pixelwarden::ruleset::ScratchSet;

namespace {

std::unique_ptr<PatternDb> compile(std::vector<PatternSpec> specs) {
  auto r = PatternDb::compile(specs);
  REQUIRE(std::holds_alternative<std::unique_ptr<PatternDb>>(r));
  return std::move(std::get<std::unique_ptr<PatternDb>>(r));
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
}
