#include "daemon/audit_record.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "daemon/audit_line.hpp"
#include "engine/verdict.hpp"

using namespace pixelwarden;

namespace {

// Every field of a verdict that an audit line can show set to a value other than its
// default, so that a field the record forgot changes the line.
engine::Verdict full_verdict() {
  engine::Verdict v;
  v.action = engine::Action::quarantine;
  v.decision = engine::Decision::quarantine;
  v.modified = true;
  v.mode = ruleset::Mode::monitor;
  v.ruleset_name = "unit";
  v.ruleset_version = "7";
  v.ruleset_sha256 = "ab12cd";
  v.queue_id = "4TkQ2x0Z3Nz9t";
  v.message_id = "<m@x.example>";
  v.envelope.mail_from = "news@lure.example";
  v.envelope.rcpt = {"a@corp.example", "b@corp.example", "c@corp.example"};
  v.envelope.client_ip = "192.0.2.7";
  v.envelope.helo = "mail.lure.example";
  v.envelope.auth_user = "sasl-user";
  v.envelope.queue_id = "4TkQ2x0Z3Nz9t";
  v.headers.from = {{"desk@lure.example", "Reuters Desk"}, {"b@lure.example", ""}};
  v.headers.reply_to = {{"r@lure.example", "Reply \"quoted\""}};
  v.headers.sender = {{"s@lure.example", "S\xC3\xA9nder"}};
  v.headers.subject = std::string("Breaking\n\0news", 14);
  v.headers.date = "Thu, 03 Dec 2026 10:00:00 +0000";
  v.stages_seen = engine::stage_envelope | engine::stage_headers;
  v.lures = {{"lure-senders",
              ruleset::LureAction::reject,
              "envelope_from",
              "lure.example",
              false,
              {},
              "feed-a",
              "campaign-1"},
             {"news-names", ruleset::LureAction::tag, "display_name", "Reuters Desk", true,
              "https://www.lure.example/story?id=7", "", ""}};
  v.trackers = {
      {"known-trackers", ruleset::TrackerAction::neutralize, "img",
       "https://t.example/o.gif?u=alice", "1", "Mailchimp", false},
      {"mdn", ruleset::TrackerAction::strip, "mdn_header", "x@lure.example", "", "", true}};
  v.allow_rules = {"partners"};
  v.group = "press";
  v.groups = {"press", "board"};
  v.remote_resources = 9;
  v.vectors_seen = {"img", "css"};
  v.style_capped = 3;
  v.skipped = engine::SkipReason::malformed_mime;
  v.elapsed_us = 1234;
  v.message_bytes = 51200;
  return v;
}

std::string line_of(const engine::Verdict& v) {
  daemon::AuditLineContext cx;
  cx.unix_ms = 1796304092123;
  cx.host = "mx1";
  cx.version = "1.2.3";
  return daemon::audit_line(v, cx, daemon::AuditLineOptions{});
}

}  // namespace

TEST_SUITE("daemon::audit_record") {
  TEST_CASE("a decoded record gives the same audit line as the verdict") {
    const engine::Verdict v = full_verdict();
    std::string bytes;
    daemon::encode_audit_record(v, bytes);
    std::string_view in = bytes;
    engine::Verdict decoded;
    REQUIRE(daemon::decode_audit_record(in, decoded));
    CHECK(in.empty());
    CHECK(line_of(decoded) == line_of(v));
    CHECK(decoded.groups == v.groups);
    CHECK(decoded.vectors_seen == v.vectors_seen);
    CHECK(decoded.style_capped == v.style_capped);
    CHECK(decoded.envelope.queue_id == v.envelope.queue_id);
  }

  TEST_CASE("the edits are not in the record") {
    engine::Verdict v = full_verdict();
    v.new_body = std::string(100000, 'x');
    v.header_edits.push_back({engine::HeaderEdit::Kind::add, "X-Test", 1, "y"});
    std::string bytes;
    daemon::encode_audit_record(v, bytes);
    CHECK(bytes.size() < 4096);
    std::string_view in = bytes;
    engine::Verdict decoded;
    REQUIRE(daemon::decode_audit_record(in, decoded));
    CHECK_FALSE(decoded.new_body.has_value());
    CHECK(decoded.header_edits.empty());
  }

  TEST_CASE("records decode in order into one reused verdict, none leaking into the next") {
    const engine::Verdict big = full_verdict();
    engine::Verdict small;
    small.queue_id = "Q2";
    small.envelope.rcpt = {"x@corp.example"};
    std::string bytes;
    daemon::encode_audit_record(big, bytes);
    daemon::encode_audit_record(small, bytes);
    daemon::encode_audit_record(big, bytes);
    std::string_view in = bytes;
    engine::Verdict decoded;
    REQUIRE(daemon::decode_audit_record(in, decoded));
    CHECK(line_of(decoded) == line_of(big));
    REQUIRE(daemon::decode_audit_record(in, decoded));
    CHECK(line_of(decoded) == line_of(small));
    REQUIRE(daemon::decode_audit_record(in, decoded));
    CHECK(line_of(decoded) == line_of(big));
    CHECK(in.empty());
  }

  TEST_CASE("a cut or damaged record is refused, never read past its end") {
    std::string bytes;
    daemon::encode_audit_record(full_verdict(), bytes);
    engine::Verdict decoded;
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      std::string_view in(bytes.data(), cut);
      CHECK_FALSE(daemon::decode_audit_record(in, decoded));
    }
    // A record whose length says more than its fields hold.
    std::string longer = bytes;
    longer.append(8, '\0');
    const std::uint64_t length = longer.size() - 8;
    std::memcpy(longer.data(), &length, sizeof length);
    std::string_view in = longer;
    CHECK_FALSE(daemon::decode_audit_record(in, decoded));
    // A string length past the end: the first field (8 bytes after the length) is the
    // action; overwrite the ruleset name's length (the fifth field) with a huge one.
    std::string bad = bytes;
    const std::uint64_t huge = ~std::uint64_t{0};
    std::memcpy(bad.data() + 8 + 4 * 8, &huge, sizeof huge);
    in = bad;
    CHECK_FALSE(daemon::decode_audit_record(in, decoded));
  }
}
