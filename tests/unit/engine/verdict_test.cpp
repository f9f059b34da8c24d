#include "engine/verdict.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::engine;
namespace ruleset = pixelwarden::ruleset;

TEST_SUITE("engine::Verdict") {
  TEST_CASE("to_json writes the fields of docs/cli.md in order, skipped as null") {
    Verdict v;
    v.ruleset_name = "n";
    v.ruleset_version = "1";
    v.ruleset_sha256 = "abc";
    v.message_id = "<m@x>";
    v.envelope.mail_from = "a@b";
    v.envelope.rcpt = {"c@d"};
    v.lures.push_back({"r1", ruleset::LureAction::reject, "header_from", "x.example", false, {}});
    v.trackers.push_back({"t1", ruleset::TrackerAction::neutralize, "img", "https://t/x", "1.2",
                          "Mailchimp", false});
    v.remote_resources = 3;
    v.elapsed_us = 7;
    v.stages_seen = stage_envelope | stage_headers | stage_body;
    CHECK(
        to_json(v) ==
        R"({"action":"accept","decision":"none","modified":false,"mode":"enforce",)"
        R"("ruleset":{"name":"n","version":"1","sha256":"abc"},"message_id":"<m@x>",)"
        R"("envelope":{"from":"a@b","rcpt":["c@d"]},)"
        R"("lures":[{"rule":"r1","action":"reject","where":"header_from","value":"x.example"}],)"
        R"("trackers":[{"rule":"t1","action":"neutralize","vector":"img","url":"https://t/x",)"
        R"("part":"1.2","vendor":"Mailchimp"}],"remote_resources":3,"skipped":null,"elapsed_us":7})");
  }

  TEST_CASE("style_capped appears after remote_resources only when not 0") {
    Verdict v;
    CHECK(to_json(v).find("style_capped") == std::string::npos);
    v.style_capped = 5;
    CHECK(to_json(v).find(R"("remote_resources":0,"style_capped":5,"skipped")") !=
          std::string::npos);
  }

  TEST_CASE("stages a message did not reach are listed, in stage order") {
    Verdict v;
    v.stages_seen = stage_envelope;
    CHECK(to_json(v).find(R"("stages_not_seen":["headers","body"],"remote_resources")") !=
          std::string::npos);
    v.stages_seen = stage_envelope | stage_headers | stage_body;
    CHECK(stages_not_seen(v).empty());
    CHECK(to_json(v).find("stages_not_seen") == std::string::npos);
  }

  TEST_CASE("queue id appears only when known; a reason replaces null") {
    Verdict v;
    v.queue_id = "4TkQ";
    v.skipped = SkipReason::too_large;
    const std::string j = to_json(v);
    CHECK(j.find(R"("queue_id":"4TkQ")") != std::string::npos);
    CHECK(j.find(R"("skipped":"too_large")") != std::string::npos);
  }

  TEST_CASE("final() is true for refusals only") {
    Verdict v;
    CHECK_FALSE(v.final());
    v.action = Action::quarantine;
    CHECK_FALSE(v.final());
    v.action = Action::discard;
    CHECK(v.final());
  }
}
