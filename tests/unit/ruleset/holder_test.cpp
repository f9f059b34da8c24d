#include "ruleset/holder.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "../fake_ruleset.hpp"

using namespace pixelwarden;
using testing::FakeRuleset;

namespace {

bool eventually(const std::atomic<bool>& flag) {
  for (int i = 0; i < 400 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return flag;
}

}  // namespace

TEST_SUITE("ruleset::RulesetHolder") {
  TEST_CASE("empty until the first publish") {
    ruleset::RulesetHolder h;
    CHECK(h.pin() == nullptr);
    CHECK_FALSE(h.ready());
    CHECK(h.generation() == 0);
  }

  TEST_CASE("publish swaps the snapshot and counts generations") {
    ruleset::RulesetHolder h;
    CHECK(h.publish(std::make_shared<FakeRuleset>("v1")) == 1);
    CHECK(h.pin()->meta().version == "v1");
    CHECK(h.publish(std::make_shared<FakeRuleset>("v2")) == 2);
    CHECK(h.pin()->meta().version == "v2");
    CHECK(h.ready());
  }

  TEST_CASE("a pinned snapshot stays alive and unchanged across a publish") {
    ruleset::RulesetHolder h;
    std::atomic<bool> destroyed{false};
    h.publish(std::make_shared<FakeRuleset>("v1", &destroyed));
    auto pin = h.pin();
    h.publish(std::make_shared<FakeRuleset>("v2"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(destroyed);
    CHECK(pin->meta().version == "v1");
    pin.reset();
    CHECK(eventually(destroyed));
  }

  TEST_CASE("the last pin dropped on a mail thread is destroyed on the reclaimer thread") {
    ruleset::RulesetHolder h;
    std::atomic<bool> destroyed{false};
    std::thread::id destroyed_on;
    h.publish(std::make_shared<FakeRuleset>("v1", &destroyed, &destroyed_on));
    std::thread::id mail_thread;
    auto pin = h.pin();
    h.publish(std::make_shared<FakeRuleset>("v2"));
    std::thread t([p = std::move(pin), &mail_thread]() mutable {
      mail_thread = std::this_thread::get_id();
      p.reset();  // the last reference goes here
    });
    t.join();
    REQUIRE(eventually(destroyed));
    CHECK(destroyed_on != mail_thread);
    CHECK(destroyed_on != std::this_thread::get_id());
    CHECK(h.reclaimed() >= 1);
  }

  TEST_CASE("a pin that outlives the holder is still valid and destroyed inline") {
    std::atomic<bool> destroyed{false};
    std::shared_ptr<const ruleset::Ruleset> pin;
    {
      ruleset::RulesetHolder h;
      h.publish(std::make_shared<FakeRuleset>("v1", &destroyed));
      pin = h.pin();
    }
    CHECK_FALSE(destroyed);
    CHECK(pin->meta().version == "v1");
    pin.reset();
    CHECK(destroyed);
  }

  TEST_CASE("readers pinning concurrently with publishes always see a whole snapshot") {
    ruleset::RulesetHolder h;
    h.publish(std::make_shared<FakeRuleset>("0"));
    std::atomic<bool> stop{false};
    std::atomic<int> bad{0};
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) {
      readers.emplace_back([&] {
        while (!stop) {
          auto p = h.pin();
          if (!p || p->meta().sha256 != "sha-" + p->meta().version) ++bad;
        }
      });
    }
    for (int i = 1; i <= 300; ++i) h.publish(std::make_shared<FakeRuleset>(std::to_string(i)));
    stop = true;
    for (auto& t : readers) t.join();
    CHECK(bad == 0);
    CHECK(h.generation() == 301);
  }
}
