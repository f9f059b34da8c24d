#include "daemon/audit_line.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <ctime>
#include <string>

using namespace pixelwarden;
using daemon::audit_line;
using daemon::AuditLineContext;
using daemon::AuditLineOptions;

namespace {

engine::Verdict sample_verdict() {
  engine::Verdict v;
  v.action = engine::Action::reject;
  v.decision = engine::Decision::reject;
  v.ruleset_name = "unit";
  v.ruleset_version = "7";
  v.ruleset_sha256 = "ab12";
  v.queue_id = "4TkQ2x0Z3Nz9t";
  v.message_id = "<m@x.example>";
  v.envelope.mail_from = "news@lure.example";
  v.envelope.rcpt = {"a@corp.example", "b@corp.example"};
  v.envelope.client_ip = "192.0.2.7";
  v.envelope.helo = "mail.lure.example";
  v.envelope.auth_user = "";
  v.headers.from = {{"desk@lure.example", "Reuters Desk"}};
  v.headers.subject = "Breaking";
  v.headers.date = "Thu, 03 Dec 2026 10:00:00 +0000";
  v.stages_seen = engine::stage_envelope | engine::stage_headers | engine::stage_body;
  v.message_bytes = 5120;
  v.lures = {
      {"lure-senders", ruleset::LureAction::reject, "envelope_from", "lure.example", false, {}},
      {"news-names", ruleset::LureAction::tag, "display_name", "Reuters Desk", false, {}},
      {"lure-senders", ruleset::LureAction::reject, "links", "www.lure.example", false,
       "https://www.lure.example/story?id=7"}};
  v.trackers = {{"known-trackers", ruleset::TrackerAction::neutralize, "img",
                 "https://t.example/o.gif?u=alice", "1", "Mailchimp", false}};
  return v;
}

AuditLineContext context() {
  AuditLineContext cx;
  cx.unix_ms = 1796304092123;  // 2026-12-03T13:21:32.123Z
  cx.host = "mx1";
  cx.version = "1.2.3";
  return cx;
}

bool has(const std::string& line, const std::string& part) {
  return line.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("daemon::audit_line") {
  TEST_CASE("the recipient group whose settings applied is in the line") {
    engine::Verdict v = sample_verdict();
    v.group = "members";
    v.groups = {"members", "offices"};
    CHECK(has(audit_line(v, context(), {}),
              R"("mode":"enforce","group":"members","stages_not_seen")"));
  }
  TEST_CASE("a line carries every field of the contract, in one JSON object") {
    const std::string line = audit_line(sample_verdict(), context(), {});
    CHECK(line.front() == '{');
    CHECK(line.back() == '}');
    CHECK(line.find('\n') == std::string::npos);
    CHECK(has(line, R"("schema_version":1,"timestamp":"2026-12-03T13:21:32.123Z","host":"mx1")"));
    CHECK(has(line, R"("pixelwarden_version":"1.2.3")"));
    CHECK(has(line, R"("ruleset":{"name":"unit","version":"7","sha256":"ab12"})"));
    CHECK(has(line, R"("queue_id":"4TkQ2x0Z3Nz9t","message_id":"<m@x.example>")"));
    CHECK(has(line, R"("client":{"ip":"192.0.2.7","helo":"mail.lure.example"},"auth_user":null)"));
    CHECK(has(
        line,
        R"("envelope":{"from":"news@lure.example","rcpt":["a@corp.example","b@corp.example"],"rcpt_count":2})"));
    CHECK(has(
        line,
        R"("from":[{"address":"desk@lure.example","display_name":"Reuters Desk"}],"reply_to":[],"sender":[])"));
    CHECK(
        has(line, R"("subject":"Breaking","date":"Thu, 03 Dec 2026 10:00:00 +0000","size":5120)"));
    CHECK(has(
        line,
        R"("action":"reject","decision":"reject","modified":false,"mode":"enforce","group":"default","stages_not_seen":[])"));
    CHECK(has(
        line,
        R"({"rule":"lure-senders","kind":"lure","action":"reject","where":"envelope_from","value":"lure.example","monitor":false,"indicator_source":null,"indicator_campaign":null,"url":null,"vector":null,"part":null,"vendor":null})"));
    CHECK(has(line, R"("where":"display_name","value":"Reuters Desk")"));
    CHECK(has(
        line,
        R"({"rule":"known-trackers","kind":"tracker","action":"neutralize","where":"resources","value":"t.example","monitor":false,"indicator_source":null,"indicator_campaign":null,"url":"https://t.example/o.gif?u=alice","vector":"img","part":"1","vendor":"Mailchimp"})"));
    CHECK(has(
        line,
        R"("where":"links","value":"www.lure.example","monitor":false,"indicator_source":null,"indicator_campaign":null,"url":"https://www.lure.example/story?id=7","vector":null)"));
    CHECK(has(line, R"("matches_total":4,"matches_omitted":{"count":0,"by_rule":{}})"));
    CHECK(has(line, R"("sampled":false,"sample_rate":0,"truncated":false})"));
  }

  TEST_CASE("absent values are null, never missing") {
    engine::Verdict v;
    const std::string line = audit_line(v, context(), {});
    CHECK(has(line, R"("queue_id":null,"message_id":null)"));
    CHECK(has(line, R"("subject":null,"date":null)"));
    CHECK(has(line, R"("stages_not_seen":["envelope","headers","body"])"));
    CHECK(has(line, R"("envelope":{"from":"","rcpt":[],"rcpt_count":0})"));
  }

  TEST_CASE("hash_url_queries logs a digest of the query, not the token") {
    AuditLineOptions o;
    o.hash_url_queries = true;
    const std::string line = audit_line(sample_verdict(), context(), o);
    CHECK_FALSE(has(line, "u=alice"));
    CHECK_FALSE(has(line, "id=7"));
    CHECK(has(line, R"("url":"https://www.lure.example/story?sha256=)"));
    CHECK(has(line, R"("url":"https://t.example/o.gif?sha256=)"));
  }

  TEST_CASE("hash_url_query keeps the fragment and leaves query-less URLs alone") {
    const std::string h = daemon::hash_url_query("https://t.example/p?tok=1#frag");
    CHECK(h.rfind("https://t.example/p?sha256=", 0) == 0);
    CHECK(h.size() == std::string("https://t.example/p?sha256=").size() + 16 + 5);
    CHECK(h.substr(h.size() - 5) == "#frag");
    CHECK(daemon::hash_url_query("https://t.example/p?tok=1") ==
          daemon::hash_url_query("https://t.example/p?tok=1"));
    CHECK(daemon::hash_url_query("https://t.example/p?tok=1") !=
          daemon::hash_url_query("https://t.example/p?tok=2"));
    CHECK(daemon::hash_url_query("https://t.example/p") == "https://t.example/p");
  }

  TEST_CASE("a hostile Subject and From stay one valid, capped JSON line") {
    engine::Verdict v = sample_verdict();
    std::string hostile = "a\"b\\c\r\nInjected: yes\n{\"x\":1}";
    hostile += std::string("\0\x01\x7f", 3);
    hostile += "\xff\xfe\xc3";  // invalid UTF-8, then a cut sequence
    hostile += std::string(100 * 1024, 'S');
    v.headers.subject = hostile;
    v.headers.from = {{hostile, hostile}};
    const std::string line = audit_line(v, context(), {});
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.find('\r') == std::string::npos);
    CHECK(line.find('\0') == std::string::npos);
    CHECK(line.size() < 8 * 1024);
    CHECK(has(
        line,
        R"("subject":"a\"b\\c\r\nInjected: yes\n{\"x\":1}\u0000\u0001\u007f\ufffd\ufffd\ufffdSSS)"));
    CHECK(has(line, R"("truncated":true)"));
  }

  TEST_CASE("a cut never splits a UTF-8 sequence") {
    const std::string e_acute = "\xC3\xA9";
    CHECK(daemon::utf8_prefix("ab" + e_acute, 3) == "ab");
    CHECK(daemon::utf8_prefix("ab" + e_acute, 4) == "ab" + e_acute);
    CHECK(daemon::utf8_prefix("abcdef", 4) == "abcd");
  }

  TEST_CASE("100k trackers: the first ones are listed, the rest summarized per rule") {
    engine::Verdict v = sample_verdict();
    v.trackers.clear();
    for (int i = 0; i < 100000; ++i) {
      v.trackers.push_back({i % 2 ? "rule-a" : "rule-b", ruleset::TrackerAction::neutralize, "img",
                            "https://t.example/p" + std::to_string(i) + ".gif", "1", "", false});
    }
    const std::string line = audit_line(v, context(), {});
    CHECK(line.size() <= 65536);
    CHECK(has(line, R"("matches_total":100003)"));
    const auto listed = daemon::k_max_listed_trackers;
    CHECK(has(line, "\"matches_omitted\":{\"count\":" + std::to_string(100000 - listed) +
                        ",\"by_rule\":{\"rule-a\":" + std::to_string(50000 - listed / 2) +
                        ",\"rule-b\":" + std::to_string(50000 - listed / 2) + "}}"));
    CHECK(has(line, "p" + std::to_string(listed - 1) + ".gif"));
    CHECK_FALSE(has(line, "p" + std::to_string(listed) + ".gif"));
  }

  TEST_CASE("a line over max_line_bytes sheds detail until it fits") {
    engine::Verdict v = sample_verdict();
    for (int i = 0; i < 200; ++i) {
      v.envelope.rcpt.push_back(std::string(200, 'r') + std::to_string(i) + "@corp.example");
    }
    AuditLineOptions o;
    o.max_line_bytes = 16384;
    const std::string line = audit_line(v, context(), o);
    CHECK(line.size() <= 16384);
    CHECK(has(line, R"("rcpt_count":202)"));
    CHECK(has(line, R"("truncated":true)"));
    CHECK(has(line, R"("message_id":"<m@x.example>")"));
    // The same verdict under the default cap lists every recipient.
    const std::string full = audit_line(v, context(), {});
    CHECK(full.size() > 16384);
    CHECK(has(full, "r199@corp.example"));
  }

  TEST_CASE("a sampled line says so and carries the rate") {
    AuditLineContext cx = context();
    cx.sampled = true;
    cx.sample_rate = 0.25;
    const std::string line = audit_line(engine::Verdict{}, cx, {});
    CHECK(has(line, R"("sampled":true,"sample_rate":0.25)"));
  }

  TEST_CASE("timestamps are RFC 3339 UTC with milliseconds") {
    CHECK(daemon::rfc3339_utc_ms(0) == "1970-01-01T00:00:00.000Z");
    CHECK(daemon::rfc3339_utc_ms(1796304092123) == "2026-12-03T13:21:32.123Z");
    CHECK(daemon::rfc3339_utc_ms(951782400007) == "2000-02-29T00:00:00.007Z");
  }

  TEST_CASE("timestamps agree with gmtime_r across years, leap days and before 1970") {
    // rfc3339_utc_ms computes the civil date itself (no tz lock); gmtime_r is the oracle.
    const std::int64_t samples[] = {-1,
                                    -86400001,
                                    1,
                                    4107542399999,
                                    4107542400000,
                                    1709164800000,
                                    1735689599999,
                                    253402300799999};
    for (const std::int64_t ms : samples) {
      std::int64_t secs = ms / 1000;
      std::int64_t frac = ms % 1000;
      if (frac < 0) {
        frac += 1000;
        --secs;
      }
      const std::time_t t = static_cast<std::time_t>(secs);
      std::tm tm{};
      gmtime_r(&t, &tm);
      const std::string want =
          fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
      CAPTURE(ms);
      CHECK(daemon::rfc3339_utc_ms(ms) == want);
    }
    CHECK(daemon::rfc3339_utc_ms(4107542400000) == "2100-03-01T00:00:00.000Z");  // not a leap year
    CHECK(daemon::rfc3339_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
  }
}
