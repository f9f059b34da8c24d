#include "engine/inspect.hpp"

#include <doctest/doctest.h>

#include "engine/body.hpp"
#include "engine_test_support.hpp"

using namespace pixelwarden;
using engine::Action;
using engine::Decision;
using test::crlf;
using test::load_inline;

namespace {

const std::string k_base_rules = R"(ruleset:
  name: unit
  version: "1"
lists:
  trackers:
    domains: [t.tracker.example]
  lures:
    domains: [lure-news.example]
trackers:
  - id: known-trackers
    match:
      domain_in: trackers
    action: neutralize
  - id: invisible-image
    match:
      invisible: true
    action: neutralize
lures:
  - id: lure-senders
    match:
      domain_in: lures
      where: [envelope_from, header_from, reply_to, sender, links, resources]
    action: reject
    reply: "550 5.7.1 Lure sender refused"
)";

const std::string k_html_message = crlf(R"(From: News <news@shop.example>
To: mp@parliament.example
Subject: Weekly news
Message-ID: <abc@shop.example>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Hello reader.
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body><p>Hi</p><img src=3D"https://t.tracker.example/o.gif?u=3D1" width=3D"1" height=3D"1">
<img src=3D"https://cdn.shop.example/logo.png" width=3D"200" height=3D"50"></body></html>
--b1--
)");

engine::Envelope env(const std::string& from = "news@shop.example") {
  engine::Envelope e;
  e.mail_from = from;
  e.rcpt = {"mp@parliament.example"};
  return e;
}

}  // namespace

TEST_SUITE("engine::inspect") {
  TEST_CASE("a message no rule matches leaves the filter byte-identical, with no header") {
    auto rules = load_inline(k_base_rules);
    const std::string msg = crlf("From: a@b.example\nTo: c@d.example\nSubject: hi\n\nplain body\n");
    const auto v = engine::inspect(msg, env("a@b.example"), rules);
    CHECK(v.action == Action::accept);
    CHECK(v.decision == Decision::none);
    CHECK_FALSE(v.modified);
    CHECK(v.header_edits.empty());
    CHECK(engine::apply_verdict(msg, v) == msg);
  }

  TEST_CASE("a tracker pixel in a QP HTML part is neutralized and nothing else changes") {
    auto rules = load_inline(k_base_rules);
    const auto v = engine::inspect(k_html_message, env(), rules);
    CHECK(v.action == Action::accept);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].rule == "known-trackers");
    CHECK(v.trackers[0].vector == "img");
    CHECK(v.trackers[0].part == "2");
    CHECK(v.remote_resources == 2);
    REQUIRE(v.new_body.has_value());
    const std::string out = engine::apply_verdict(k_html_message, v);
    CHECK(out.find("t.tracker.example") == std::string::npos);
    CHECK(out.find("cdn.shop.example/logo.png") != std::string::npos);
    CHECK(out.find("Hello reader.\r\n") != std::string::npos);
    const auto html = engine::decoded_text_parts(out, false);
    REQUIRE(html.size() == 1);
    CHECK(html[0].find("data:image/gif;base64,") != std::string::npos);
    CHECK(out.find("X-Pixelwarden: action=accept; decision=none; modified=yes; trackers=1; "
                   "rules=known-trackers; ruleset=unit/1/") != std::string::npos);
  }

  TEST_CASE("the same message in base64 is rewritten and re-encoded as base64") {
    auto rules = load_inline(k_base_rules);
    const std::string html =
        "<html><body><img src=\"https://t.tracker.example/p.gif\" alt=\"\"></body></html>";
    // base64 of the HTML above, one line
    const std::string b64 =
        "PGh0bWw+PGJvZHk+PGltZyBzcmM9Imh0dHBzOi8vdC50cmFja2VyLmV4YW1wbGUvcC5naWYiIGFsdD0iIj48"
        "L2JvZHk+PC9odG1sPg==";
    const std::string msg = crlf("From: a@shop.example\nTo: x@y.example\nMIME-Version: 1.0\n"
                                 "Content-Type: text/html; charset=utf-8\n"
                                 "Content-Transfer-Encoding: base64\n\n" +
                                 b64 + "\n");
    const auto v = engine::inspect(msg, env("a@shop.example"), rules);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].part == "1");
    const std::string out = engine::apply_verdict(msg, v);
    const auto parts = engine::decoded_text_parts(out, false);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].find("t.tracker.example") == std::string::npos);
    CHECK(parts[0].find("<img src=\"data:image/gif;base64,") != std::string::npos);
    CHECK(out.find("Content-Transfer-Encoding: base64") != std::string::npos);
  }

  TEST_CASE("an envelope-sender lure is refused at the envelope stage with the rule's reply") {
    auto rules = load_inline(k_base_rules);
    engine::Inspection insp(rules, {});
    insp.inspect_envelope(env("editor@mail.lure-news.example"));
    const auto& v = insp.verdict();
    CHECK(v.final());
    CHECK(v.action == Action::reject);
    REQUIRE(v.reply.has_value());
    CHECK(v.reply->code == "550");
    CHECK(v.reply->xcode == "5.7.1");
    CHECK(v.reply->text == "Lure sender refused");
    REQUIRE(v.lures.size() == 1);
    CHECK(v.lures[0].where == "envelope_from");
    CHECK(v.lures[0].value == "mail.lure-news.example");
  }

  TEST_CASE("a header From lure is refused at end of headers") {
    auto rules = load_inline(k_base_rules);
    engine::Inspection insp(rules, {});
    insp.inspect_envelope(env("bounce@esp.example"));
    CHECK_FALSE(insp.verdict().final());
    const std::vector<engine::HeaderView> headers = {
        {"From", " \"The News\" <desk@lure-news.example>"}, {"Subject", " x"}};
    insp.inspect_headers(headers);
    CHECK(insp.verdict().action == Action::reject);
    REQUIRE(insp.verdict().lures.size() == 1);
    CHECK(insp.verdict().lures[0].where == "header_from");
  }

  TEST_CASE("a link lure is decided at end of message") {
    auto rules = load_inline(k_base_rules);
    const std::string msg =
        crlf("From: a@shop.example\nTo: x@y.example\nContent-Type: text/html\n\n"
             "<a href=\"https://www.lure-news.example/story\">read</a>\n");
    const auto v = engine::inspect(msg, env("a@shop.example"), rules);
    CHECK(v.action == Action::reject);
    REQUIRE(v.lures.size() == 1);
    CHECK(v.lures[0].where == "links");
    CHECK(engine::apply_verdict(msg, v).empty());
  }

  TEST_CASE("a link lure behind many links to one host, in either host spelling, is found") {
    auto rules = load_inline(k_base_rules);
    std::string html;
    for (int i = 0; i < 40; ++i)
      html += "<a href=\"https://shop.example/p" + std::to_string(i) + "\">x</a>\n";
    html += "<a href=\"https://SHOP.example/other\">y</a>\n";
    html += "<a href=\"https://www.LURE-news.example./story\">read</a>\n";
    const std::string msg =
        crlf("From: a@shop.example\nTo: x@y.example\nContent-Type: text/html\n\n" + html);
    const auto v = engine::inspect(msg, env("a@shop.example"), rules);
    CHECK(v.action == Action::reject);
    REQUIRE(v.lures.size() == 1);
    CHECK(v.lures[0].where == "links");
    CHECK(v.lures[0].value == "www.lure-news.example");
  }

  TEST_CASE("global monitor mode decides and reports but changes nothing") {
    auto rules = load_inline("mode: monitor\n" + k_base_rules);
    const auto v = engine::inspect(k_html_message, env("x@lure-news.example"), rules);
    CHECK(v.action == Action::accept);
    CHECK(v.decision == Decision::monitor);
    CHECK(v.mode == ruleset::Mode::monitor);
    CHECK_FALSE(v.modified);
    CHECK(v.lures.size() == 1);
    CHECK(v.lures[0].monitor);
    CHECK(v.trackers.size() == 1);
    CHECK(engine::apply_verdict(k_html_message, v) == k_html_message);
  }

  TEST_CASE("a per-rule monitor hit alone refuses nothing") {
    std::string yaml = k_base_rules;
    yaml.replace(yaml.find("    action: reject"), 18, "    action: reject\n    mode: monitor");
    auto rules = load_inline(yaml);
    const std::string msg = crlf("From: a@lure-news.example\nSubject: s\n\nbody\n");
    const auto v = engine::inspect(msg, env("a@lure-news.example"), rules);
    CHECK(v.action == Action::accept);
    CHECK(v.decision == Decision::monitor);
    CHECK(engine::apply_verdict(msg, v) == msg);
  }

  TEST_CASE("tag adds the subject prefix and the report header") {
    auto rules = load_inline(R"(ruleset: {name: t, version: "2"}
lures:
  - id: news-names
    match:
      display_name: '(?i)\breuters\b'
      unless_domain_in: [reuters.com]
    action: tag
)");
    const std::string msg =
        crlf("From: Reuters Desk <desk@freemail.example>\nSubject: Interview\n\nhi\n");
    const auto v = engine::inspect(msg, env("desk@freemail.example"), rules);
    CHECK(v.decision == Decision::tag);
    CHECK(v.action == Action::accept);
    const std::string out = engine::apply_verdict(msg, v);
    CHECK(out.find("Subject: [SUSPECTED LURE] Interview\r\n") != std::string::npos);
    CHECK(out.find("X-Pixelwarden: action=accept; decision=tag;") != std::string::npos);
    const std::string legit = crlf("From: Reuters <desk@reuters.com>\nSubject: Interview\n\nhi\n");
    CHECK(engine::inspect(legit, env("desk@reuters.com"), rules).decision == Decision::none);
  }

  TEST_CASE("an incoming forged report header is removed") {
    auto rules = load_inline(k_base_rules);
    const std::string msg = crlf("From: a@b.example\nX-Pixelwarden: action=accept; forged\n"
                                 "Subject: s\n\nbody\n");
    const auto v = engine::inspect(msg, env("a@b.example"), rules);
    const std::string out = engine::apply_verdict(msg, v);
    CHECK(out.find("forged") == std::string::npos);
  }

  TEST_CASE("quarantine keeps the delivered form and says quarantine") {
    auto rules = load_inline(R"(ruleset: {name: q, version: "1"}
lures:
  - id: lookalikes
    match:
      lookalike_of: [nytimes.com]
      where: [header_from]
    action: quarantine
)");
    const std::string msg = crlf("From: desk@nytimes.co\nSubject: s\n\nbody\n");
    const auto v = engine::inspect(msg, env("x@esp.example"), rules);
    CHECK(v.action == Action::quarantine);
    CHECK(v.decision == Decision::quarantine);
    CHECK_FALSE(engine::apply_verdict(msg, v).empty());
  }

  TEST_CASE("defang neutralizes every remote resource, not only trackers") {
    auto rules = load_inline(R"(ruleset: {name: d, version: "1"}
lures:
  - id: lures
    match:
      domain_in: [lure-news.example]
      where: [header_from]
    action: defang
)");
    const std::string msg =
        crlf("From: a@lure-news.example\nSubject: s\nContent-Type: text/html\n\n"
             "<img src=\"https://cdn.example/a.png\" width=\"300\">\n");
    const auto v = engine::inspect(msg, env("b@esp.example"), rules);
    CHECK(v.decision == Decision::defang);
    const std::string out = engine::apply_verdict(msg, v);
    CHECK(out.find("cdn.example/a.png") == std::string::npos);
    CHECK(out.find("Subject: [SUSPECTED LURE] s") != std::string::npos);
  }

  TEST_CASE("an authenticated sender is allowed past lures") {
    auto rules = load_inline(k_base_rules + R"(allow:
  - id: internal
    match:
      authenticated: true
    skip: [lures, trackers]
)");
    auto e = env("x@lure-news.example");
    e.auth_user = "alice";
    const auto v = engine::inspect(k_html_message, e, rules);
    CHECK(v.action == Action::accept);
    CHECK(v.lures.empty());
    CHECK(v.trackers.empty());
    REQUIRE(v.allow_rules.size() == 1);
    CHECK(v.allow_rules[0] == "internal");
  }

  TEST_CASE("a per-recipient token in a pixel URL is a tracker") {
    auto rules = load_inline(R"(ruleset: {name: r, version: "1"}
trackers:
  - id: recipient-token
    match:
      recipient_token: true
    action: strip
)");
    const std::string msg =
        crlf("From: a@shop.example\nContent-Type: text/html\n\n"
             "<p><img src=\"https://img.shop.example/x.png?e=mp%40parliament.example\"></p>\n");
    const auto v = engine::inspect(msg, env("a@shop.example"), rules);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].action == ruleset::TrackerAction::strip);
    const std::string out = engine::apply_verdict(msg, v);
    CHECK(out.find("<img") == std::string::npos);
    CHECK(out.find("<p></p>") != std::string::npos);
  }

  TEST_CASE("read receipts are stripped and counted as mdn_header trackers") {
    auto rules = load_inline("read_receipts: strip\n" + k_base_rules);
    const std::string msg = crlf("From: a@b.example\nDisposition-Notification-To: a@b.example\n"
                                 "Subject: s\n\nbody\n");
    const auto v = engine::inspect(msg, env("a@b.example"), rules);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].vector == "mdn_header");
    CHECK(engine::apply_verdict(msg, v).find("Disposition-Notification-To") == std::string::npos);
  }

  TEST_CASE("an oversized body is skipped but the envelope lure still applies") {
    auto rules = load_inline(k_base_rules);
    engine::Limits limits;
    limits.max_message_bytes = 16;
    const auto big = engine::inspect(k_html_message, env(), rules, limits);
    CHECK(big.skipped == engine::SkipReason::too_large);
    CHECK_FALSE(big.new_body.has_value());
    const auto lure = engine::inspect(k_html_message, env("a@lure-news.example"), rules, limits);
    CHECK(lure.action == Action::reject);
  }

  TEST_CASE("the envelope is reconstructed from the message when none is given") {
    auto rules = load_inline(k_base_rules);
    const std::string msg =
        crlf("Return-Path: <bounce@lure-news.example>\nDelivered-To: mp@parl.example\n"
             "From: a@b.example\nSubject: s\n\nbody\n");
    const auto v = engine::inspect(msg, engine::Envelope{}, rules);
    CHECK(v.envelope.mail_from == "bounce@lure-news.example");
    REQUIRE(v.envelope.rcpt.size() == 1);
    CHECK(v.envelope.rcpt[0] == "mp@parl.example");
    CHECK(v.action == Action::reject);
  }
}

namespace {

const std::string k_complete_rules = k_base_rules + R"(  - id: news-display-names
    match:
      display_name: '(?i)\b(reuters|bbc)\b'
    action: tag
)";

// A lure in the envelope, in the From display name and in a link.
const std::string k_triple_lure = crlf(R"(From: "Reuters Desk" <desk@shop.example>
To: mp@parliament.example
Subject: =?utf-8?Q?Br=C3=A8ves?= of the day
Date: Thu, 03 Dec 2026 10:00:00 +0000
Message-ID: <triple@shop.example>
Content-Type: text/html

<a href="https://www.lure-news.example/story">read</a>
<img src="https://t.tracker.example/o.gif" width="1" height="1">
)");

const engine::LureRecord* find_lure(const engine::Verdict& v, const std::string& rule,
                                    const std::string& where) {
  for (const auto& l : v.lures) {
    if (l.rule == rule && l.where == where) return &l;
  }
  return nullptr;
}

}  // namespace

TEST_SUITE("engine::inspect complete verdicts") {
  TEST_CASE("a refusal still runs the later stages: every match is listed with its where") {
    auto rules = load_inline(k_complete_rules);
    const auto v = engine::inspect(k_triple_lure, env("editor@lure-news.example"), rules);
    CHECK(v.action == Action::reject);
    CHECK(v.decision == Decision::reject);
    REQUIRE(find_lure(v, "lure-senders", "envelope_from") != nullptr);
    CHECK(find_lure(v, "lure-senders", "envelope_from")->value == "lure-news.example");
    REQUIRE(find_lure(v, "news-display-names", "display_name") != nullptr);
    CHECK(find_lure(v, "news-display-names", "display_name")->value == "Reuters Desk");
    REQUIRE(find_lure(v, "lure-senders", "links") != nullptr);
    CHECK(find_lure(v, "lure-senders", "links")->value == "www.lure-news.example");
    CHECK(find_lure(v, "lure-senders", "links")->url == "https://www.lure-news.example/story");
    CHECK(find_lure(v, "lure-senders", "envelope_from")->url.empty());
    CHECK(v.lures.size() == 3);
    CHECK(v.stages_seen == (engine::stage_envelope | engine::stage_headers | engine::stage_body));
    CHECK(engine::stages_not_seen(v).empty());
    CHECK(v.message_id == "<triple@shop.example>");
    // Not delivered: trackers are not decided, nothing is rewritten.
    CHECK(v.trackers.empty());
    CHECK_FALSE(v.new_body.has_value());
    CHECK(engine::apply_verdict(k_triple_lure, v).empty());
  }

  TEST_CASE("later stages never change a settled answer, even with a weaker or stronger match") {
    auto rules = load_inline(k_complete_rules + R"(  - id: from-tempfail
    match:
      domain_in: [shop.example]
      where: [header_from]
    action: tempfail
)");
    const auto v = engine::inspect(k_triple_lure, env("editor@lure-news.example"), rules);
    CHECK(v.action == Action::reject);
    REQUIRE(v.reply.has_value());
    CHECK(v.reply->code == "550");
    CHECK(find_lure(v, "from-tempfail", "header_from") != nullptr);
  }

  TEST_CASE("with refuse_at_data an envelope refusal sees no more stages and says so") {
    auto rules = load_inline(k_complete_rules);
    engine::Limits limits;
    limits.refuse_at_data = true;
    const auto v = engine::inspect(k_triple_lure, env("editor@lure-news.example"), rules, limits);
    CHECK(v.action == Action::reject);
    CHECK(v.lures.size() == 1);
    const auto unseen = engine::stages_not_seen(v);
    REQUIRE(unseen.size() == 2);
    CHECK(std::string(unseen[0]) == "headers");
    CHECK(std::string(unseen[1]) == "body");
    CHECK(engine::to_json(v).find(R"("stages_not_seen":["headers","body"])") != std::string::npos);
  }

  TEST_CASE("one rule matching in the envelope and in a link is two findings") {
    auto rules = load_inline(k_base_rules);
    const std::string msg = crlf("From: a@shop.example\nContent-Type: text/html\n\n"
                                 "<a href=\"https://lure-news.example/x\">x</a>\n");
    const auto v = engine::inspect(msg, env("b@lure-news.example"), rules);
    REQUIRE(v.lures.size() == 2);
    CHECK(v.lures[0].where == "envelope_from");
    CHECK(v.lures[1].where == "links");
  }

  TEST_CASE("the verdict carries the header facts the audit log needs") {
    auto rules = load_inline(k_base_rules);
    const std::string msg = crlf(R"(From: "Reuters Desk" <desk@shop.example>, other@b.example
Reply-To: =?utf-8?B?w4lkaXRpb24=?= <reply@c.example>
Sender: s@d.example
Subject: =?utf-8?Q?Br=C3=A8ves?= of
 the day
Date: Thu, 03 Dec 2026 10:00:00 +0000

hi
)");
    const auto v = engine::inspect(msg, env("a@shop.example"), rules);
    REQUIRE(v.headers.from.size() == 2);
    CHECK(v.headers.from[0].address == "desk@shop.example");
    CHECK(v.headers.from[0].display_name == "Reuters Desk");
    CHECK(v.headers.from[1].address == "other@b.example");
    REQUIRE(v.headers.reply_to.size() == 1);
    CHECK(v.headers.reply_to[0].display_name == "\xC3\x89"
                                                "dition");
    REQUIRE(v.headers.sender.size() == 1);
    CHECK(v.headers.sender[0].address == "s@d.example");
    REQUIRE(v.headers.subject.has_value());
    CHECK(*v.headers.subject == "Br\xC3\xA8ves of the day");
    REQUIRE(v.headers.date.has_value());
    CHECK(*v.headers.date == "Thu, 03 Dec 2026 10:00:00 +0000");
  }

  TEST_CASE("recipient groups: the group's stricter lure action and remote content") {
    const std::string rules_yaml = k_base_rules +
                                   "  - id: news-lookalikes\n"
                                   "    match: {lookalike_of: [nytimes.com]}\n"
                                   "    action: quarantine\n"
                                   "recipient_groups:\n"
                                   "  - id: members\n"
                                   "    recipients: {addresses: [mp@parliament.example]}\n"
                                   "    remote_content: neutralize\n"
                                   "    lure_actions: {quarantine: reject}\n";
    auto rules = load_inline(rules_yaml);
    auto run = [&](std::vector<std::string> rcpt, const std::string& from) {
      engine::Envelope e = env(from);
      e.rcpt = std::move(rcpt);
      return engine::inspect(k_html_message, e, rules);
    };
    // Others keep the rule's quarantine; a member's message is refused.
    const auto others = run({"clerk@parliament.example"}, "desk@nytimes-alerts.example");
    CHECK(others.action == Action::quarantine);
    CHECK(others.group == "default");
    CHECK(engine::to_json(others).find("\"group\"") == std::string::npos);
    const auto member = run({"mp@parliament.example"}, "desk@nytimes-alerts.example");
    CHECK(member.action == Action::reject);
    CHECK(member.group == "members");
    REQUIRE(member.lures.size() == 1);
    CHECK(member.lures[0].action == ruleset::LureAction::reject);
    CHECK(engine::to_json(member).find("\"group\":\"members\",\"groups\":[\"members\"]") !=
          std::string::npos);
    // One message to both: the strictest applies to all of it.
    CHECK(run({"clerk@parliament.example", "mp@parliament.example"}, "desk@nytimes-alerts.example")
              .action == Action::reject);
    // remote_content: neutralize for the group; the logo stays for others.
    const auto clean_member = run({"mp@parliament.example"}, "news@shop.example");
    CHECK(clean_member.action == Action::accept);
    REQUIRE(clean_member.new_body.has_value());
    CHECK(clean_member.new_body->find("cdn.shop.example/logo.png") == std::string::npos);
    const auto clean_other = run({"clerk@parliament.example"}, "news@shop.example");
    REQUIRE(clean_other.new_body.has_value());
    CHECK(clean_other.new_body->find("cdn.shop.example/logo.png") != std::string::npos);
  }
  TEST_CASE("recipient groups: a lower look-alike label floor for the group") {
    const std::string rules_yaml = k_base_rules +
                                   "  - id: look\n"
                                   "    match: {lookalike_of: [bbc.co.uk]}\n"
                                   "    action: quarantine\n"
                                   "recipient_groups:\n"
                                   "  - id: members\n"
                                   "    recipients: {domains: [parliament.example]}\n"
                                   "    lookalike_min_label: 3\n";
    auto rules = load_inline(rules_yaml);
    engine::Envelope e = env("desk@bbd.co.uk");  // one edit from a 3-letter brand
    CHECK(engine::inspect(k_html_message, e, rules).action == Action::quarantine);
    e.rcpt = {"alice@corp.example"};
    CHECK(engine::inspect(k_html_message, e, rules).action == Action::accept);
  }
}
