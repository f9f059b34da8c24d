#include "daemon/actions.hpp"

#include <doctest/doctest.h>

#include "recording_actions.hpp"

using namespace pixelwarden;
using daemon::Answer;
using testing::RecordingActions;

namespace {

engine::HeaderEdit edit(engine::HeaderEdit::Kind kind, std::string name, int index,
                        std::string value) {
  engine::HeaderEdit e;
  e.kind = kind;
  e.name = std::move(name);
  e.index = index;
  e.value = std::move(value);
  return e;
}

}  // namespace

TEST_SUITE("daemon::apply") {
  TEST_CASE("an accepted message without edits makes no request") {
    RecordingActions a;
    const auto r = daemon::apply(engine::Verdict{}, a);
    CHECK(r.answer == Answer::cont);
    CHECK(a.calls.empty());
  }

  TEST_CASE("the new body goes first, in one call, then header edits in order") {
    engine::Verdict v;
    v.new_body = std::string(200000, 'x');
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::remove, "X-Pixelwarden", 1, ""));
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::add, "X-Pixelwarden", 1, "trackers=2"));
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::change, "Subject", 1, "[LURE] hi"));
    RecordingActions a;
    daemon::apply(v, a);
    REQUIRE(a.calls.size() == 4);
    CHECK(a.calls[0] == "body 200000 bytes");
    CHECK(a.calls[1] == "change X-Pixelwarden#1: <delete>");
    CHECK(a.calls[2] == "add X-Pixelwarden: [trackers=2]");
    CHECK(a.calls[3] == "change Subject#1: [[LURE] hi]");
  }

  TEST_CASE("with HDR_LEADSPC negotiated, added and changed values carry their own space") {
    engine::Verdict v;
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::add, "X-Pixelwarden", 1, "ok"));
    RecordingActions a;
    daemon::apply(v, a, daemon::ApplyOptions{true});
    CHECK(a.calls == std::vector<std::string>{"add X-Pixelwarden: [ ok]"});
  }

  TEST_CASE("quarantine is requested after the edits") {
    engine::Verdict v;
    v.action = engine::Action::quarantine;
    v.lures.push_back(
        {"apt-lure", ruleset::LureAction::quarantine, "header_from", "x.example", false, {}});
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::add, "X-Pixelwarden", 1, "lure"));
    RecordingActions a;
    const auto r = daemon::apply(v, a);
    CHECK(r.answer == Answer::cont);
    REQUIRE(a.calls.size() == 2);
    CHECK(a.calls[1] == "quarantine pixelwarden: apt-lure");
  }

  TEST_CASE("a reject sets its reply and makes no edit") {
    engine::Verdict v;
    v.action = engine::Action::reject;
    v.new_body = "ignored";
    v.reply = engine::Reply{"554", "5.7.1", "Lure sender refused"};
    RecordingActions a;
    const auto r = daemon::apply(v, a);
    CHECK(r.answer == Answer::reject);
    CHECK(a.calls == std::vector<std::string>{"reply 554 5.7.1 |Lure sender refused"});
  }

  TEST_CASE("a reply whose class does not match the answer is corrected") {
    engine::Verdict v;
    v.action = engine::Action::tempfail;
    v.reply = engine::Reply{"550", "5.7.1", "later"};
    RecordingActions a;
    CHECK(daemon::apply(v, a).answer == Answer::tempfail);
    CHECK(a.calls == std::vector<std::string>{"reply 451 4.7.1 |later"});
  }

  TEST_CASE("discard answers discard without a reply") {
    engine::Verdict v;
    v.action = engine::Action::discard;
    RecordingActions a;
    CHECK(daemon::apply(v, a).answer == Answer::discard);
    CHECK(a.calls.empty());
  }

  TEST_CASE("refused requests are counted") {
    engine::Verdict v;
    v.new_body = "b";
    v.header_edits.push_back(edit(engine::HeaderEdit::Kind::add, "X-A", 1, "1"));
    RecordingActions a;
    a.refuse = true;
    CHECK(daemon::apply(v, a).failed_requests == 2);
  }
}

TEST_SUITE("daemon::reply_lines") {
  TEST_CASE("percent signs are doubled") {
    CHECK(daemon::reply_lines("100% sure %s") == std::vector<std::string>{"100%% sure %%s"});
  }
  TEST_CASE("LF splits lines; CR and control bytes cannot forge a reply line") {
    CHECK(daemon::reply_lines("one\r\ntwo\x01\nthree\r") ==
          std::vector<std::string>{"one", "two", "three"});
  }
  TEST_CASE("at most 32 lines of at most 980 bytes") {
    std::string text;
    for (int i = 0; i < 40; ++i) text += std::string(2000, 'a') + "\n";
    const auto lines = daemon::reply_lines(text);
    CHECK(lines.size() == 32);
    CHECK(lines.front().size() == 980);
  }
  TEST_CASE("an empty text still gives one line") {
    CHECK(daemon::reply_lines("\r\n") == std::vector<std::string>{"Message refused by policy"});
  }
}
