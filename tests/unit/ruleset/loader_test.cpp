// load_ruleset: files, includes, keys and every error class with its position.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "base/digest.hpp"
#include "ruleset/ruleset.hpp"
#include "temp_tree.hpp"

using namespace pixelwarden;
using pixelwarden::test::all_errors;
using pixelwarden::test::k_head;
using pixelwarden::test::TempTree;

namespace {
bool has_error(const ruleset::LoadResult& r, const std::string& text) {
  return all_errors(r).find(text) != std::string::npos;
}
}  // namespace

TEST_SUITE("ruleset::loader") {
  TEST_CASE("a minimal ruleset loads with defaults") {
    TempTree t;
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.ruleset->meta().name == "t");
    CHECK(r.ruleset->meta().version == "1");
    CHECK(r.ruleset->mode() == ruleset::Mode::enforce);
    CHECK(r.ruleset->read_receipts() == ruleset::ReadReceipts::keep);
    CHECK(r.ruleset->malformed_mime() == ruleset::MalformedPolicy::neutralize);  // fail closed
    CHECK(r.ruleset->report().header == "X-Pixelwarden");
  }
  TEST_CASE("an empty entry file is an error") {
    TempTree t;
    std::string p = t.write("r.yaml", "");
    auto r = ruleset::load_ruleset(p);
    CHECK_FALSE(r.ruleset);
    CHECK(all_errors(r) == p + ":1:1: the ruleset file is empty\n");
  }
  TEST_CASE("a missing entry file is an error") {
    TempTree t;
    auto r = ruleset::load_ruleset(t.path("nope.yaml"));
    CHECK_FALSE(r.ruleset);
    CHECK(has_error(r, "cannot read"));
  }
  TEST_CASE("ruleset name and version are required") {
    TempTree t;
    std::string p = t.write("r.yaml", "ruleset:\n  name: x\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":2:3: ruleset.version is required\n");
  }
  TEST_CASE("a rule with an id and no match is an error, not an exception") {
    // Found by fuzz_ruleset: the rule's source record read `match` of every rule that
    // had an id, and yaml-cpp throws when asked the type of a missing key.
    for (const char* section : {"trackers", "lures", "allow"}) {
      CAPTURE(section);
      TempTree t;
      std::string p = t.write("r.yaml", k_head + section + ":\n  - id: x\n");
      ruleset::LoadResult r;
      CHECK_NOTHROW(r = ruleset::load_ruleset(p));
      CHECK_FALSE(r.ruleset);
      CHECK(has_error(r, "needs"));
    }
  }
  TEST_CASE("a YAML syntax error reports its position") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "lists: [a\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == p);
    CHECK(r.errors[0].line == 3);
    CHECK(r.errors[0].message.find("YAML syntax error") == 0);
  }
  TEST_CASE("unknown keys are errors at the key") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "trackers:\n"
                                               "  - id: a\n"
                                               "    match: {invisibel: true}\n"
                                               "    action: neutralize\n"
                                               "colour: red\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error(r, p + ":4:13: unknown key 'invisibel' in match"));
    CHECK(has_error(r, p + ":6:1: unknown top-level key 'colour'"));
  }
  TEST_CASE("every error of the run is reported") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "mode: loud\n"
                                               "read_receipts: maybe\n"
                                               "malformed_mime: drop\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(r.errors.size() == 3);
    CHECK(has_error(r, p + ":2:7: mode must be one of enforce | monitor, not 'loud'"));
    CHECK(has_error(r, p + ":3:16: read_receipts must be one of keep | strip"));
    CHECK(has_error(r, p + ":4:17: malformed_mime must be one of pass | tag | quarantine"));
  }
  TEST_CASE("duplicate rule ids are errors, across sections") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "trackers:\n"
                           "  - {id: same, match: {invisible: true}, action: keep}\n"
                           "lures:\n"
                           "  - {id: same, match: {domain_in: [a.example]}, action: tag}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":5:10: duplicate rule id 'same'\n");
  }
  TEST_CASE("rule ids must be [a-z0-9-]+") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "trackers:\n  - {id: Bad_Id, match: {invisible: true}, action: keep}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":3:10: rule id 'Bad_Id' must match [a-z0-9-]+\n");
  }
  TEST_CASE("duplicate list names are errors, across files") {
    TempTree t;
    t.write("inc.yaml", "lists:\n  l: {domains: [b.example]}\n");
    std::string p =
        t.write("r.yaml", k_head + "include: inc.yaml\nlists:\n  l: {domains: [a.example]}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == t.path("inc.yaml") + ":2:3: duplicate list name 'l'\n");
  }
  TEST_CASE("duplicate keys in a map are errors") {
    TempTree t;
    std::string p =
        t.write("r.yaml",
                k_head + "trackers:\n  - {id: a, id: b, match: {invisible: true}, action: keep}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error(r, p + ":3:13: duplicate key 'id' in tracker rule"));
  }
  TEST_CASE("an unknown list name is an error at the reference") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "trackers:\n  - {id: a, match: {domain_in: nope}, action: keep}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":3:32: unknown list 'nope'\n");
  }
  TEST_CASE("strict: warnings become errors at their positions, and no ruleset") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "lists:\n  l: {domains: [a.example, 'http://x/'], on_invalid: skip}\n");
    auto lenient = ruleset::load_ruleset(p);
    REQUIRE(lenient.ruleset);
    REQUIRE(lenient.warnings.size() == 1);
    ruleset::LoadOptions o;
    o.strict = true;
    auto strict = ruleset::load_ruleset(p, o);
    CHECK_FALSE(strict.ruleset);
    CHECK(strict.warnings.empty());
    CHECK(all_errors(strict) == lenient.warnings[0].to_string() + " (warning; strict)\n");
    auto clean = ruleset::load_ruleset(
        t.write("c.yaml", k_head + "lists:\n  l: {domains: [a.example]}\n"), o);
    CHECK(clean.ruleset);
  }
  TEST_CASE("an unknown list name close to a known one says which") {
    TempTree t;
    std::string p = t.write(
        "r.yaml", k_head + "lists:\n  apt31-lures: {domains: [a.example]}\n"
                           "lures:\n  - {id: a, match: {domain_in: apt31-lure}, action: tag}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":5:32: unknown list 'apt31-lure'; did you mean 'apt31-lures'?\n");
  }
  TEST_CASE("a list of the wrong kind is an error") {
    TempTree t;
    std::string p =
        t.write("r.yaml", k_head + "lists:\n  d: {domains: [a.example]}\n"
                                   "trackers:\n  - {id: a, match: {url_in: d}, action: keep}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error(
        r, p + ":5:29: url_in needs a url_patterns, filters or vendors list, 'd' is domains"));
  }
  TEST_CASE("a list needs exactly one kind") {
    TempTree t;
    std::string p =
        t.write("r.yaml", k_head + "lists:\n  d: {domains: [a.example], url_patterns: [x]}\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error(r, p + ":3:6: list 'd' needs exactly one of"));
  }
  TEST_CASE("entry-only keys are refused in included files") {
    TempTree t;
    std::string inc = t.write("inc.yaml", "mode: monitor\nreport: {header: X}\n");
    std::string p = t.write("r.yaml", k_head + "include: [inc.yaml]\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == inc + ":1:1: only the entry file may set 'mode'\n" + inc +
                               ":2:1: only the entry file may set 'report'\n");
  }
  TEST_CASE("a missing literal include is an error at its name") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "include: [missing.yaml]\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(all_errors(r) == p + ":2:11: included file not found: " + t.path("missing.yaml") + "\n");
  }
  TEST_CASE("a glob with no match is not an error") {
    TempTree t;
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + "include: [extra/*.yaml]\n"));
    CHECK(r.ruleset);
  }
  TEST_CASE("an include cycle is an error") {
    TempTree t;
    std::string a = t.write("a.yaml", "include: b.yaml\n");
    t.write("b.yaml", "include: a.yaml\n");
    std::string p = t.write("r.yaml", k_head + "include: a.yaml\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == t.path("b.yaml"));
    CHECK(r.errors[0].line == 1);
    CHECK(r.errors[0].column == 10);
    CHECK(r.errors[0].message.find("include cycle") == 0);
  }
  TEST_CASE("including the entry file from itself is a cycle") {
    TempTree t;
    std::string p = t.write("r.yaml", k_head + "include: r.yaml\n");
    auto r = ruleset::load_ruleset(p);
    CHECK(has_error(r, p + ":2:10: include cycle"));
  }
  TEST_CASE("an include chain deeper than the cap is one error naming the chain") {
    TempTree t;
    const int files = 200;  // far past the cap; the walk reads only the first k_max_include_depth
    for (int i = 1; i < files; ++i) {
      t.write("c" + std::to_string(i) + ".yaml", "include: c" + std::to_string(i + 1) + ".yaml\n");
    }
    t.write("c" + std::to_string(files) + ".yaml", "lists: {}\n");
    std::string p = t.write("r.yaml", k_head + "include: c1.yaml\n");
    auto r = ruleset::load_ruleset(p);
    CHECK_FALSE(r.ruleset);
    REQUIRE(r.errors.size() == 1);
    const base::Error& e = r.errors[0];
    CHECK(e.file == t.path("c31.yaml"));  // the 32nd file's include entry
    CHECK(e.line == 1);
    CHECK(e.column == 10);
    CHECK(e.message.find("includes nested deeper than 32 files: " + p + ":2:10 -> " +
                         t.path("c1.yaml") + ":1:10 -> ") == 0);
    CHECK(e.message.find(" -> ... (27 more) -> " + t.path("c29.yaml") + ":1:10 -> " +
                         t.path("c30.yaml") + ":1:10 -> " + t.path("c31.yaml") + ":1:10 -> " +
                         t.path("c32.yaml")) != std::string::npos);
    CHECK(r.files.size() == 32);
  }
  TEST_CASE("an include chain at the cap loads") {
    TempTree t;
    for (int i = 1; i < 31; ++i) {
      t.write("c" + std::to_string(i) + ".yaml", "include: c" + std::to_string(i + 1) + ".yaml\n");
    }
    t.write("c31.yaml", "trackers: [{id: deep, match: {invisible: true}, action: strip}]\n");
    std::string p = t.write("r.yaml", k_head + "include: c1.yaml\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.files.size() == 32);
    CHECK(r.ruleset->sizes().trackers == 1);
  }
  TEST_CASE("includes resolve relative to the including file, depth-first, globs sorted") {
    TempTree t;
    t.write(
        "sub/b.yaml",
        "include: deeper/c.yaml\ntrackers: [{id: b, match: {invisible: true}, action: keep}]\n");
    t.write("sub/deeper/c.yaml", "trackers: [{id: c, match: {invisible: true}, action: keep}]\n");
    t.write("sub/a.yaml", "trackers: [{id: a, match: {invisible: true}, action: keep}]\n");
    t.write("sub/B.yaml", "trackers: [{id: upper-b, match: {invisible: true}, action: keep}]\n");
    std::string p = t.write(
        "r.yaml", k_head + "include: ['sub/*.yaml']\n"
                           "trackers: [{id: own, match: {invisible: true}, action: strip}]\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    // bytewise: "B" < "a" < "b"; b's include c comes right after b
    std::vector<std::string> expect = {p, t.path("sub/B.yaml"), t.path("sub/a.yaml"),
                                       t.path("sub/b.yaml"), t.path("sub/deeper/c.yaml")};
    CHECK(r.files == expect);
    // the entry file's rule comes first: it wins
    ruleset::ResourceFacts f{"https://x.example/p.gif", "x.example", "img", true};
    CHECK(r.ruleset->match_tracker(f, {})->rule == "own");
    CHECK(r.ruleset->sizes().trackers == 5);
  }
  TEST_CASE("an included file's rules come after the including file's own") {
    TempTree t;
    t.write("inc.yaml", "trackers: [{id: inc, match: {invisible: true}, action: strip}]\n");
    std::string p =
        t.write("r.yaml", "include: inc.yaml\n" + k_head +
                              "trackers: [{id: own, match: {invisible: false}, action: keep}]\n");
    auto r = ruleset::load_ruleset(p);
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    ruleset::ResourceFacts f{"https://x.example/p.gif", "x.example", "img", true};
    CHECK(r.ruleset->match_tracker(f, {})->rule == "inc");
    f.invisible = false;
    CHECK(r.ruleset->match_tracker(f, {})->rule == "own");
  }
  TEST_CASE("the sha256 covers the entry, included and list files in load order") {
    TempTree t;
    std::string inc = "lists:\n  l: {file: l.txt}\n";
    std::string list = "a.example\n";
    std::string entry = k_head + "include: inc.yaml\n";
    t.write("inc.yaml", inc);
    t.write("l.txt", list);
    auto r = ruleset::load_ruleset(t.write("r.yaml", entry));
    REQUIRE_MESSAGE(r.ruleset, all_errors(r));
    CHECK(r.ruleset->meta().sha256 == base::sha256_hex(entry + inc + list));
    CHECK(r.files.size() == 3);
  }
  TEST_CASE("alias bombs and alias cycles are errors, not crashes") {
    TempTree t;
    std::string bomb = k_head + "x0: &a0 [a, a, a, a, a, a, a, a, a]\n"
                                "lists:\n"
                                "  l1: &a1 {domains: [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]}\n"
                                "  l2: {domains: &c [*c]}\n";
    auto r = ruleset::load_ruleset(t.write("r.yaml", bomb));
    CHECK_FALSE(r.ruleset);
    CHECK(has_error(r, "unknown top-level key 'x0'"));
    CHECK(has_error(r, "entries of domains must be scalars, not a sequence"));
  }
  TEST_CASE("deep nesting is a clear YAML error") {
    TempTree t;
    std::string deep = k_head + "lists: " + std::string(2000, '[') + std::string(2000, ']') + "\n";
    auto r = ruleset::load_ruleset(t.write("r.yaml", deep));
    CHECK_FALSE(r.ruleset);
    CHECK(r.errors.size() == 1);
  }
  TEST_CASE("a list file rewritten in place while loading makes the result unstable, not partial") {
    TempTree t;
    std::string list;
    for (int i = 0; i < 1000; ++i) list += "d" + std::to_string(i) + ".example\n";
    const std::string lp = t.write("l.txt", list.substr(0, list.size() / 2));  // half written
    std::string p = t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt}\n");
    std::thread writer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::ofstream(lp, std::ios::binary | std::ios::app) << list.substr(list.size() / 2);
    });
    ruleset::LoadOptions o;
    o.settle = std::chrono::milliseconds(300);
    auto r = ruleset::load_ruleset(p, o);
    writer.join();
    CHECK(r.unstable);
    CHECK_FALSE(r.ruleset);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message ==
          lp + ": changed while it was being loaded (written in place?); not used");
    auto again = ruleset::load_ruleset(p, o);
    CHECK_FALSE(again.unstable);
    REQUIRE(again.ruleset);
    CHECK(again.ruleset->sizes().list_entries == 1000);
  }
  TEST_CASE("every file read is stamped with its size") {
    TempTree t;
    t.write("l.txt", "a.example\n");
    auto r = ruleset::load_ruleset(t.write("r.yaml", k_head + "lists:\n  l: {file: l.txt}\n"));
    REQUIRE(r.stamps.size() == 2);
    CHECK(r.stamps[1].path == t.path("l.txt"));
    CHECK(r.stamps[1].size == 10);
  }
}
