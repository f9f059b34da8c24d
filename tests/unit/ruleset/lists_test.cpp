// List kinds and list files: domains, url_patterns, patterns_file, filters_file,
// vendors_file, on_invalid, comments and positions.
#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {
std::string tracker_on(const std::string& key, const std::string& list) {
  return "trackers:\n  - {id: t, match: {" + key + ": " + list + "}, action: neutralize}\n";
}
std::optional<ruleset::TrackerMatch> check_url(const ruleset::Ruleset& r, const std::string& url,
                                               const std::string& host = "x.example") {
  return r.match_tracker(ruleset::ResourceFacts{url, host, "img", false}, {});
}
bool has_error_text(const std::string& all, const std::string& text) {
  return all.find(text) != std::string::npos;
}
}  // namespace

TEST_SUITE("ruleset::lists") {
  TEST_CASE("a domain list file: comments, blank lines, whitespace, CRLF") {
    TempTree t;
    t.write("l.txt", "# feed\r\n\r\n  lure-news.example  \r\nanother.example\r\n");
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt}\n" + tracker_on("domain_in", "l")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(check_url(*r.ruleset, "https://a.lure-news.example/", "a.lure-news.example"));
    CHECK(check_url(*r.ruleset, "https://another.example/", "another.example"));
    CHECK_FALSE(check_url(*r.ruleset, "https://x.example/", "x.example"));
    CHECK(r.ruleset->sizes().list_entries == 2);
  }
  TEST_CASE("a bad line in a list file is an error at its line and column") {
    TempTree t;
    std::string l = t.write("l.txt", "good.example\n\n   bad..example\n");
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt}\n"));
    CHECK(all_errors(r) == l + ":3:4: not a domain: 'bad..example'\n");
  }
  TEST_CASE("a list of many bad lines stores the first errors, counts all, cuts long lines") {
    TempTree t;
    std::string bytes = "bad_" + std::string(5000, 'x') + "!\n";
    for (int i = 0; i < 5000; ++i) bytes += "not a domain " + std::to_string(i) + "\n";
    t.write("l.txt", bytes);
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt}\n"));
    CHECK_FALSE(r.ruleset);
    CHECK(r.errors.total() == 5001);
    CHECK(r.errors.size() == base::ErrorList::k_default_keep);
    CHECK(r.errors[0].message.size() < 200);  // the 5,000-byte line is cut in its message
    CHECK(r.errors[0].message.find("(5005 bytes)") != std::string::npos);
    CHECK(r.errors[1].line == 2);
  }
  TEST_CASE("on_invalid: skip turns bad lines into warnings") {
    TempTree t;
    std::string l = t.write("l.txt", "good.example\nhttp://bad.example/\n");
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt, on_invalid: skip}\n" +
                              tracker_on("domain_in", "l")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].to_string() ==
          l + ":2:1: not a domain: 'http://bad.example/' (left out: on_invalid: skip)");
    CHECK(check_url(*r.ruleset, "https://good.example/", "good.example"));
  }
  TEST_CASE("on_invalid takes error or skip") {
    TempTree t;
    std::string p =
        t.write("r.yaml", k_head + "lists:\n  l: {domains: [a.example], on_invalid: ignore}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error_text(all_errors(r), p + ":3:41: on_invalid must be one of error | skip"));
  }
  TEST_CASE("an unreadable list file is an error at the file key") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "lists:\n  l: {file: none.txt}\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].column == 13);
    CHECK(r.errors[0].message.find("cannot read " + t.path("none.txt")) == 0);
  }
  TEST_CASE("inline url_patterns are regexes over the whole URL, caseless") {
    TempTree t;
    auto r = ruleset::load_ruleset(
        t.write("r.yaml",
                k_head + "lists:\n  p: {url_patterns: ['/wf/open\\?upn=', '/e/o/[A-Za-z0-9]+']}\n" +
                    tracker_on("url_in", "p")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(check_url(*r.ruleset, "https://u1.example/WF/OPEN?upn=x"));
    CHECK(check_url(*r.ruleset, "https://u1.example/e/o/abc"));
    CHECK_FALSE(check_url(*r.ruleset, "https://u1.example/e/o/"));
  }
  TEST_CASE("a bad regex reports Hyperscan's message at its position") {
    TempTree t;
    std::string p =
        t.write("r.yaml", k_head + "lists:\n  p: {url_patterns: ['ok', '(unclosed']}\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].to_string().rfind(p + ":3:28: invalid pattern '(unclosed': ", 0) == 0);
    CHECK(r.errors[0].message.find("parenthes") != std::string::npos);
  }
  TEST_CASE("a pattern matching the empty string is an error") {
    TempTree t;
    std::string l = t.write("p.txt", "/ok/\nx*\n");
    auto r =
        ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  p: {patterns_file: p.txt}\n"));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == l);
    CHECK(r.errors[0].line == 2);
    CHECK(r.errors[0].column == 1);
  }
  TEST_CASE("patterns_file with skip drops bad patterns and keeps the rest") {
    TempTree t;
    t.write("p.txt", "# comment\n[bad\n/track/open\n");
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  p: {patterns_file: p.txt, on_invalid: skip}\n" +
                              tracker_on("url_in", "p")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.warnings.size() == 1);
    CHECK(check_url(*r.ruleset, "https://t.example/track/open?id=1"));
  }
  TEST_CASE("a url pattern with an unescaped dot is a warning at the dot") {
    TempTree t;
    std::string l = t.write("p.txt", "/wf/open\\?upn=\n  t.tracker\\.example/.*\n");
    std::string y =
        t.write("r.yaml", k_head +
                              "lists:\n  p: {patterns_file: p.txt}\n"
                              "  q: {url_patterns: ['px\\.example/o', 'px.example/o']}\n" +
                              tracker_on("url_in", "p"));
    auto r = ruleset::load_ruleset(y);
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    REQUIRE(r.warnings.size() == 2);
    CHECK(r.warnings[0].to_string() ==
          l + ":2:4: pattern 't.tracker\\.example/.*' has an unescaped '.' "
              "(any character); write '\\.' for a dot");
    CHECK(r.warnings[1].file == y);
    CHECK(r.warnings[1].line == 4);
    CHECK(r.warnings[1].message.find("'px.example/o'") != std::string::npos);
  }
  TEST_CASE("patterns_file: a comment after the pattern is not part of it") {
    TempTree t;
    t.write("p.txt", "/track/open   # SendGrid opens\n/page#frag\n");
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "lists:\n  p: {patterns_file: p.txt}\n" + tracker_on("url_in", "p")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.warnings.size() == 0);
    CHECK(check_url(*r.ruleset, "https://t.example/track/open?id=1"));
    CHECK(check_url(*r.ruleset, "https://t.example/page#frag"));
  }
  TEST_CASE("a pattern left out by on_invalid: skip is named in its warning") {
    TempTree t;
    std::string l = t.write("p.txt", "[bad\n/ok/\n");
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  p: {patterns_file: p.txt, on_invalid: skip}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].to_string().rfind(l + ":1:1: invalid pattern '[bad': ", 0) == 0);
    CHECK(r.warnings[0].message.find("(left out: on_invalid: skip)") != std::string::npos);
  }
  TEST_CASE("filters_file: ABP rules, raw and percent-decoded URL") {
    TempTree t;
    t.write("f.txt", "! comment\n.awstrack.me/$image\n%2Fo.gif&\n||tracker.example^\n");
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "lists:\n  f: {filters_file: f.txt}\n" + tracker_on("url_in", "f")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(check_url(*r.ruleset, "https://x.r.awstrack.me/I0/1"));
    CHECK(check_url(*r.ruleset, "https://proxy.example/?u=%2Fo.gif&a=1"));
    CHECK(check_url(*r.ruleset, "https://proxy.example/?u=https%3A%2F%2Fm.example%2Fo.gif%26a"));
    CHECK(check_url(*r.ruleset, "https://a.tracker.example/p"));
    CHECK_FALSE(check_url(*r.ruleset, "https://nottracker.example/p"));
  }
  TEST_CASE("an unsupported filter line is an error at its line") {
    TempTree t;
    std::string f = t.write("f.txt", "! x\n@@||ok.example^\n");
    auto r =
        ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  f: {filters_file: f.txt}\n"));
    CHECK(all_errors(r) == f + ":2:1: exception rules (@@) are not supported: '@@||ok.example^'\n");
  }
  TEST_CASE("vendors_file names the vendor of a match") {
    TempTree t;
    t.write("v.json",
            "{\n  \"SendGrid\": [\"sendgrid.net/wf/open\"],\n  \"Acme\": [\"/acme/o\\\\?\"]\n}\n");
    auto r = ruleset::load_ruleset(t.write(
        "r.yaml", k_head + "lists:\n  v: {vendors_file: v.json}\n" + tracker_on("url_in", "v")));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(check_url(*r.ruleset, "https://ct.sendgrid.net/wf/open?x")->vendor == "SendGrid");
    CHECK(check_url(*r.ruleset, "https://a.example/acme/o?1")->vendor == "Acme");
    CHECK_FALSE(check_url(*r.ruleset, "https://a.example/acme/o"));
  }
  TEST_CASE("a bad vendor regex is reported at its JSON position") {
    TempTree t;
    std::string v = t.write("v.json", "{\"A\": [\"ok\",\n  \"(bad\"]}\n");
    auto r =
        ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  v: {vendors_file: v.json}\n"));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == v);
    CHECK(r.errors[0].line == 2);
    CHECK(r.errors[0].column == 3);
  }
  TEST_CASE("the shipped tracker lists load") {
    TempTree t;
    std::string src = PIXELWARDEN_SOURCE_DIR "/rules/lists/";
    auto r = ruleset::load_ruleset(
        t.write("r.yaml", k_head + "lists:\n  e: {filters_file: " + src +
                              "easyprivacy/easyprivacy_general_emailtrackers.txt}\n"
                              "  v: {vendors_file: " +
                              src + "mailtrackerblocker/trackers.json, on_invalid: skip}\n"));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.ruleset->sizes().list_entries > 600);
  }
}
