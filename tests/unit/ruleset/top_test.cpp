// Entry-file settings and tests: remote_content, report, read_receipts, tests.
#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

TEST_SUITE("ruleset::top") {
  TEST_CASE("remote_content with a camo proxy reads its key at load") {
    TempTree t;
    t.write("keys/camo.key", "s3cret\n");
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "remote_content:\n  action: proxy\n  proxy: {format: camo, base_url: "
                           "'https://camo.corp.example/', key_file: keys/camo.key}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    const auto& rc = r.ruleset->remote_content();
    CHECK(rc.action == ruleset::RemoteContentAction::proxy);
    REQUIRE(rc.proxy);
    CHECK(rc.proxy->base_url == "https://camo.corp.example");
    CHECK(rc.proxy->key == "s3cret");
    CHECK(r.files.back() == t.path("keys/camo.key"));
  }
  TEST_CASE("action proxy without a proxy is an error") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "remote_content: {action: proxy}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":2:17: remote_content.action proxy needs remote_content.proxy\n");
  }
  TEST_CASE("report settings") {
    TempTree t;
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "read_receipts: strip\nmalformed_mime: quarantine\n"
                                   "report:\n  header: X-Test\n  header_on: all\n  authserv_id: "
                                   "mx.example\n  subject_prefix: '[L] '\n"
                                   "  banner: {html: '<p>{count}</p>', text: '[{count}]'}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    const auto& rep = r.ruleset->report();
    CHECK(rep.header == "X-Test");
    CHECK(rep.header_on == ruleset::HeaderOn::all);
    CHECK(rep.authserv_id == "mx.example");
    CHECK(rep.subject_prefix == "[L] ");
    REQUIRE(rep.banner);
    CHECK(rep.banner->html == "<p>{count}</p>");
    CHECK(rep.banner->text == "[{count}]");
    CHECK(r.ruleset->read_receipts() == ruleset::ReadReceipts::strip);
    CHECK(r.ruleset->malformed_mime() == ruleset::MalformedPolicy::quarantine);
  }
  TEST_CASE("a report header must be a field name") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "report: {header: 'X Bad:'}\n");
    CHECK(all_errors(ruleset::load_ruleset(p)) ==
          p + ":2:18: report.header must be a header field name\n");
  }
  TEST_CASE("tests resolve message paths against their own file") {
    TempTree t;
    t.write(
        "sub/more.yaml",
        "tests:\n  - name: two\n    message: s/b.eml\n    expect: {action: reject, rules: [x]}\n");
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "include: sub/more.yaml\n"
                           "tests:\n  - name: one\n    message: samples/a.eml\n"
                           "    envelope: {from: a@b.example, rcpt: [c@d.example, e@f.example]}\n"
                           "    expect: {action: accept, trackers: 2, absent: ['https://t/'], "
                           "present: [keep]}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    const auto& tests = r.ruleset->tests();
    REQUIRE(tests.size() == 2);
    CHECK(tests[0].name == "one");
    CHECK(tests[0].message_path == t.path("samples/a.eml"));
    CHECK(tests[0].envelope_from == "a@b.example");
    CHECK(tests[0].envelope_rcpt == std::vector<std::string>{"c@d.example", "e@f.example"});
    CHECK(*tests[0].expect_action == "accept");
    CHECK(*tests[0].expect_trackers == 2);
    CHECK(tests[0].expect_absent == std::vector<std::string>{"https://t/"});
    CHECK(tests[0].expect_present == std::vector<std::string>{"keep"});
    CHECK_FALSE(tests[0].expect_rules);
    CHECK(tests[0].line == 4);
    CHECK(tests[1].message_path == t.path("sub/s/b.eml"));
    CHECK(*tests[1].expect_rules == std::vector<std::string>{"x"});
  }
  TEST_CASE("a test's expected action must be an MTA outcome") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "tests:\n  - {name: a, message: m.eml, expect: {action: tag}}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(r.errors.size() == 1);
    CHECK(r.errors[0].column == 48);
  }
  TEST_CASE("the shipped default ruleset loads and its lure rules behave") {
    auto r = ruleset::load_ruleset(PIXELWARDEN_SOURCE_DIR "/rules/default.yaml");
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    const auto& rs = *r.ruleset;
    CHECK(rs.tests().size() == 4);
    ruleset::LureEvidence e;
    e.envelope_from_domain = "lure-news.example";
    CHECK(rs.match_lures(e).at(0).rule == "news-lure-domains");
    auto pixel = rs.match_tracker(
        {"https://ct.sendgrid.net/wf/open?upn=abc", "ct.sendgrid.net", "img", false}, {});
    REQUIRE(pixel);
    CHECK(pixel->vendor == "SendGrid");
    CHECK_FALSE(rs.match_tracker(
        {"https://img.shop.example/logo.png", "img.shop.example", "img", false}, {}));
  }
}
