// read_headers and the malformed policy of finish(), through engine::inspect: what a
// sender can force by breaking the message, overflowing the header section or sending
// more than max_message_bytes.
#include "engine/decide.hpp"

#include <doctest/doctest.h>

#include "engine_test_support.hpp"

using namespace pixelwarden;
using engine::Action;
using test::crlf;
using test::load_inline;

namespace {

const std::string k_rules = R"(ruleset: {name: unit, version: "1"}
lists:
  trackers: {domains: [t.tracker.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: neutralize
)";

std::string with_policy(const std::string& policy) {
  return k_rules + "malformed_mime: " + policy + "\n";
}

engine::Envelope env() {
  engine::Envelope e;
  e.mail_from = "news@shop.example";
  e.rcpt = {"mp@parliament.example"};
  return e;
}

// A pixel in the first part, then nesting past the depth cap.
std::string too_deep(int depth) {
  std::string m = "From: a@shop.example\nSubject: s\nMIME-Version: 1.0\n"
                  "Content-Type: multipart/mixed; boundary=\"b0\"\n\n--b0\n"
                  "Content-Type: text/html\n\n<img src=\"https://t.tracker.example/p.gif\">"
                  "<img src=\"https://cdn.other.example/logo.png\">\n--b0\n";
  for (int i = 1; i <= depth; ++i) {
    m += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" +
         std::to_string(i) + "\n";
  }
  m += "Content-Type: text/html\n\n<img src=\"https://deep.example/hidden.gif\">\n";
  for (int i = depth; i >= 0; --i) m += "--b" + std::to_string(i) + "--\n";
  return crlf(m);
}

std::string many_headers(std::size_t n) {
  std::string m = "From: a@shop.example\n";
  for (std::size_t i = 0; i < n; ++i) m += "X-H" + std::to_string(i) + ": v\n";
  m += "Content-Type: text/html\n\n<img src=\"https://t.tracker.example/p.gif\">\n";
  return crlf(m);
}

}  // namespace

TEST_SUITE("engine::decide") {
  TEST_CASE("read_headers numbers read-receipt fields among fields of their own name") {
    std::vector<engine::HeaderView> fields = {{"Return-Receipt-To", " a@x.example"},
                                              {"X-Other", " 1"},
                                              {"return-receipt-to", " b@x.example"},
                                              {"Disposition-Notification-To", " c@x.example"}};
    const auto h = engine::read_headers(fields, ruleset::Report{});
    REQUIRE(h.read_receipts.size() == 3);
    CHECK(h.read_receipts[0].index == 1);
    CHECK(h.read_receipts[1].index == 2);
    CHECK(h.read_receipts[1].value == "b@x.example");
    CHECK(h.read_receipts[2].index == 1);
  }

  TEST_CASE("no policy set: a too-deep message is neutralized where parsed and quarantined") {
    auto rules = load_inline(k_rules);  // no malformed_mime key: the fail-closed default
    const std::string msg = too_deep(40);
    const auto v = engine::inspect(msg, env(), rules);
    CHECK(v.skipped == engine::SkipReason::malformed_mime);
    CHECK(v.action == Action::quarantine);
    REQUIRE(v.new_body.has_value());
    const std::string out = engine::apply_verdict(msg, v);
    CHECK(out.find("https://t.tracker.example/p.gif") == std::string::npos);
    CHECK(out.find("https://cdn.other.example/logo.png") == std::string::npos);  // every resource
    CHECK(out.find("X-Pixelwarden:") != std::string::npos);
  }

  TEST_CASE("pass: a too-deep message leaves unchanged and its trackers are only reported") {
    auto rules = load_inline(with_policy("pass"));
    const std::string msg = too_deep(40);
    const auto v = engine::inspect(msg, env(), rules);
    CHECK(v.skipped == engine::SkipReason::malformed_mime);
    CHECK(v.action == Action::accept);
    CHECK(engine::apply_verdict(msg, v) == msg);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].monitor);
  }

  TEST_CASE("tag: a too-deep message gets the report header only") {
    auto rules = load_inline(with_policy("tag"));
    const std::string msg = too_deep(40);
    const auto v = engine::inspect(msg, env(), rules);
    CHECK(v.action == Action::accept);
    CHECK_FALSE(v.new_body.has_value());
    CHECK(engine::apply_verdict(msg, v).find("X-Pixelwarden: action=accept") != std::string::npos);
  }

  TEST_CASE("neutralize: an oversized message is quarantined, not passed") {
    auto rules = load_inline(with_policy("neutralize"));
    engine::Limits limits;
    limits.max_message_bytes = 16;
    const auto v = engine::inspect(too_deep(1), env(), rules, limits);
    CHECK(v.skipped == engine::SkipReason::too_large);
    CHECK(v.action == Action::quarantine);
  }

  TEST_CASE("pass: an oversized message passes as before") {
    auto rules = load_inline(with_policy("pass"));
    engine::Limits limits;
    limits.max_message_bytes = 16;
    const std::string msg = too_deep(1);
    const auto v = engine::inspect(msg, env(), rules, limits);
    CHECK(v.action == Action::accept);
    CHECK(engine::apply_verdict(msg, v) == msg);
  }

  TEST_CASE("past max_header_fields the message is too_many_headers and handled by the policy") {
    auto rules = load_inline(with_policy("neutralize"));
    engine::Limits limits;
    limits.max_header_fields = 50;
    const auto v = engine::inspect(many_headers(60), env(), rules, limits);
    CHECK(v.skipped == engine::SkipReason::too_many_headers);
    CHECK(v.action == Action::quarantine);
    CHECK(v.flagged());
    const auto under = engine::inspect(many_headers(40), env(), rules, limits);
    CHECK_FALSE(under.skipped.has_value());
    CHECK(under.trackers.size() == 1);
  }

  TEST_CASE("past max_header_bytes (one huge field) the message is headers_too_large") {
    auto rules = load_inline(with_policy("neutralize"));
    engine::Limits limits;
    limits.max_header_bytes = 1000;
    const std::string msg =
        crlf("From: a@shop.example\nX-Big: " + std::string(2000, 'x') +
             "\nContent-Type: text/html\n\n<img src=\"https://t.tracker.example/p\">\n");
    const auto v = engine::inspect(msg, env(), rules, limits);
    CHECK(v.skipped == engine::SkipReason::headers_too_large);
    CHECK(v.action == Action::quarantine);
  }

  TEST_CASE("header lures still apply to the fields within the caps") {
    auto rules = load_inline(R"(ruleset: {name: unit, version: "1"}
lists:
  lures: {domains: [lure-news.example]}
lures:
  - id: lure
    match: {domain_in: lures, where: [header_from]}
    action: reject
)");
    engine::Limits limits;
    limits.max_header_fields = 10;
    std::string m = "From: x@lure-news.example\n";
    for (int i = 0; i < 30; ++i) m += "X-H: v\n";
    const auto v = engine::inspect(crlf(m + "\nbody\n"), env(), rules, limits);
    CHECK(v.action == Action::reject);
  }
}
