#include "daemon/reload.hpp"

#include <doctest/doctest.h>

#include "../fake_ruleset.hpp"
#include "temp_dir.hpp"

using namespace pixelwarden;
using daemon::ReloadOutcome;

namespace {

// A loader over a one-line file "version" (or "error" to fail), counting its calls.
struct FileLoader {
  int calls = 0;
  int unstable_calls = 0;  // the next this many calls report a file changing while read
  std::vector<std::string> extra_files;
  ruleset::LoadResult operator()(const std::string& path, const ruleset::LoadOptions& /*options*/) {
    ++calls;
    ruleset::LoadResult r;
    std::ifstream in(path);
    std::string content;
    std::getline(in, content);
    r.files.push_back(path);
    std::string version = content;
    for (const auto& f : extra_files) {
      r.files.push_back(f);
      std::ifstream extra(f);
      std::string line;
      std::getline(extra, line);
      version += "+" + line;  // the ruleset's hash covers every file, like the real one
    }
    if (unstable_calls > 0) {
      --unstable_calls;
      r.unstable = true;
      r.errors.push_back(base::plain_error(path + ": changed while it was being loaded"));
      return r;
    }
    if (content == "error") {
      r.errors.push_back(base::Error{"bad rule", path, 3, 7});
      return r;
    }
    r.ruleset = std::make_shared<testing::FakeRuleset>(version);
    return r;
  }
};

struct Fixture {
  testing::TempDir dir;
  ruleset::RulesetHolder holder;
  FileLoader loader;
  std::vector<std::string> results;
  std::string path = dir.write("rules.yaml", "v1\n");
  daemon::Reloader reloader{
      holder, path,
      daemon::ReloadHooks{nullptr,
                          [this](ReloadOutcome o) { results.push_back(daemon::to_string(o)); }},
      [this](const std::string& p, const ruleset::LoadOptions& o) { return loader(p, o); }};
};

}  // namespace

TEST_SUITE("daemon::Reloader") {
  TEST_CASE("the first load publishes generation 1") {
    Fixture f;
    CHECK(f.reloader.reload("startup", true) == ReloadOutcome::success);
    CHECK(f.holder.generation() == 1);
    CHECK(f.holder.pin()->meta().version == "v1");
    CHECK(f.results == std::vector<std::string>{"success"});
  }

  TEST_CASE("unchanged files are not loaded again") {
    Fixture f;
    f.reloader.reload("startup", true);
    CHECK(f.reloader.reload("signal") == ReloadOutcome::unchanged);
    CHECK(f.loader.calls == 1);
    CHECK(f.holder.generation() == 1);
    CHECK(f.results.back() == "unchanged");
  }

  TEST_CASE("a poll that finds nothing new is not counted") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.reloader.reload("poll", false, false);
    CHECK(f.results.size() == 1);
  }

  TEST_CASE("a changed file is loaded and published with the next generation") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.dir.write("rules.yaml", "v2\n");
    CHECK(f.reloader.reload("change") == ReloadOutcome::success);
    CHECK(f.holder.pin()->meta().version == "v2");
    CHECK(f.holder.generation() == 2);
  }

  TEST_CASE("a change in an included file is noticed too") {
    Fixture f;
    const std::string inc = f.dir.write("list.txt", "a.example\n");
    f.loader.extra_files = {inc};
    f.reloader.reload("startup", true);
    CHECK(f.reloader.reload("again") == ReloadOutcome::unchanged);
    f.dir.write("list.txt", "b.example\n");
    CHECK(f.reloader.reload("change") == ReloadOutcome::success);
    CHECK(f.loader.calls == 2);
    CHECK(f.holder.pin()->meta().version == "v1+b.example");
  }

  TEST_CASE("a failed reload keeps the old ruleset and keeps every error") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.dir.write("rules.yaml", "error\n");
    CHECK(f.reloader.reload("change") == ReloadOutcome::failure);
    CHECK(f.holder.pin()->meta().version == "v1");
    REQUIRE(f.reloader.last_errors().size() == 1);
    CHECK(f.reloader.last_errors()[0].to_string() == f.path + ":3:7: bad rule");
    CHECK(f.results.back() == "failure");
  }

  TEST_CASE("an empty entry file is an error, never 'no rules'") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.dir.write("rules.yaml", "");
    CHECK(f.reloader.reload("change") == ReloadOutcome::failure);
    CHECK(f.holder.pin()->meta().version == "v1");
    CHECK(f.loader.calls == 1);
  }

  TEST_CASE("a failed first load leaves the holder not ready") {
    Fixture f;
    f.dir.write("rules.yaml", "error\n");
    CHECK(f.reloader.reload("startup", true) == ReloadOutcome::failure);
    CHECK_FALSE(f.holder.ready());
  }

  TEST_CASE("a reload report is 200 with the ruleset in force, or 422 with every error") {
    daemon::ReloadReport ok;
    ok.outcome = daemon::ReloadOutcome::success;
    ok.in_force = ruleset::Meta{"corp", "2026.1", "abc"};
    CHECK(daemon::reload_http_status(ok) == 200);
    CHECK(daemon::reload_report_json(ok) ==
          "{\"outcome\":\"success\",\"ruleset\":{\"name\":\"corp\",\"version\":\"2026.1\","
          "\"sha256\":\"abc\"}}\n");
    daemon::ReloadReport unchanged = ok;
    unchanged.outcome = daemon::ReloadOutcome::unchanged;
    CHECK(daemon::reload_http_status(unchanged) == 200);
    daemon::ReloadReport bad = ok;
    bad.outcome = daemon::ReloadOutcome::failure;
    bad.errors = {base::Error{"unknown key 'x'", "/r/a.yaml", 4, 2}};
    CHECK(daemon::reload_http_status(bad) == 422);
    const std::string json = daemon::reload_report_json(bad);
    CHECK(json.find(
              "\"errors\":[{\"file\":\"/r/a.yaml\",\"line\":4,\"column\":2,"
              "\"message\":\"unknown key 'x'\",\"text\":\"/r/a.yaml:4:2: unknown key 'x'\"}]") !=
          std::string::npos);
    CHECK(json.find("\"version\":\"2026.1\"") != std::string::npos);
  }

  TEST_CASE("the poll does not load again the content that failed; a change is loaded") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.dir.write("rules.yaml", "error\n");
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::failure);
    CHECK(f.loader.calls == 2);
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::unchanged);
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::unchanged);
    CHECK(f.loader.calls == 2);
    CHECK(f.reloader.reload("file change") == ReloadOutcome::failure);  // other triggers still try
    CHECK(f.loader.calls == 3);
    f.dir.write("rules.yaml", "v2\n");
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::success);
    CHECK(f.holder.pin()->meta().version == "v2");
  }

  TEST_CASE("a file changing while read is read again, and a failure if it keeps changing") {
    Fixture f;
    f.reloader.reload("startup", true);
    f.dir.write("rules.yaml", "v2\n");
    f.loader.unstable_calls = 2;
    CHECK(f.reloader.reload("change") == ReloadOutcome::success);
    CHECK(f.loader.calls == 4);
    f.dir.write("rules.yaml", "v3\n");
    f.loader.unstable_calls = daemon::Reloader::k_unstable_attempts;
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::failure);
    CHECK(f.holder.pin()->meta().version == "v2");
    // not remembered as failed content: the next poll loads it again
    CHECK(f.reloader.reload("poll", false, false, true, true) == ReloadOutcome::success);
    CHECK(f.holder.pin()->meta().version == "v3");
  }

  TEST_CASE("only the first errors are kept, with a line counting the rest") {
    testing::TempDir dir;
    ruleset::RulesetHolder holder;
    const std::string path = dir.write("rules.yaml", "x\n");
    daemon::Reloader reloader{
        holder, path, {}, [](const std::string& p, const ruleset::LoadOptions&) {
          ruleset::LoadResult r;
          for (int i = 0; i < 1000; ++i) r.errors.push_back(base::Error{"bad", p, i + 1, 1});
          return r;
        }};
    CHECK(reloader.reload("startup", true) == ReloadOutcome::failure);
    const auto errors = reloader.last_errors();
    REQUIRE(errors.size() == base::ErrorList::k_default_keep + 1);
    CHECK(errors.back().message == "900 more error(s) not shown");
  }
}

TEST_SUITE("daemon::Reloader publish check") {
  TEST_CASE("a ruleset the check refuses is not published; reason tests, errors kept") {
    Fixture f;
    std::vector<std::string> reasons;
    f.reloader.set_publish_check([](const std::shared_ptr<const ruleset::Ruleset>& r) {
      std::vector<base::Error> e;
      if (r->meta().version == "v2")
        e.push_back(base::Error{"test 'lure refused' failed: x", "t.yaml", 4, 1});
      return e;
    });
    REQUIRE(f.reloader.reload("startup", true) == ReloadOutcome::success);
    f.dir.write("rules.yaml", "v2\n");
    CHECK(f.reloader.reload("signal") == ReloadOutcome::failure);
    CHECK(f.holder.pin()->meta().version == "v1");
    CHECK(f.holder.generation() == 1);
    CHECK(f.reloader.last_failure_reason() == "tests");
    REQUIRE(f.reloader.last_errors().size() == 1);
    CHECK(f.reloader.last_errors()[0].to_string() == "t.yaml:4:1: test 'lure refused' failed: x");
    f.dir.write("rules.yaml", "v3\n");
    CHECK(f.reloader.reload("signal") == ReloadOutcome::success);
    CHECK(f.reloader.last_failure_reason().empty());
  }
  TEST_CASE("an unchecked reload (an entry's expiry) publishes despite failing tests") {
    Fixture f;
    f.reloader.set_publish_check([](const std::shared_ptr<const ruleset::Ruleset>&) {
      return std::vector<base::Error>{base::Error{"test 't' failed: x", "t.yaml", 1, 1}};
    });
    CHECK(f.reloader.reload("startup", true) == ReloadOutcome::failure);
    CHECK_FALSE(f.holder.ready());
    CHECK(f.reloader.reload("expiry", true, true, false) == ReloadOutcome::success);
    CHECK(f.holder.ready());
  }
  TEST_CASE("reload.strict: a ruleset with warnings is refused at the warning's position") {
    testing::TempDir dir;
    ruleset::RulesetHolder holder;
    const std::string path = dir.write(
        "rules.yaml", "ruleset: {name: t, version: '1'}\n"
                      "lists:\n  l: {domains: [a.example, 'http://x/'], on_invalid: skip}\n");
    daemon::Reloader lenient(holder, path);
    CHECK(lenient.reload("startup", true) == ReloadOutcome::success);
    ruleset::RulesetHolder strict_holder;
    daemon::Reloader strict(strict_holder, path);
    strict.set_strict(true);
    CHECK(strict.reload("startup", true) == ReloadOutcome::failure);
    CHECK(strict.last_failure_reason() == "rules");
    REQUIRE_FALSE(strict.last_errors().empty());
    CHECK(strict.last_errors()[0].to_string() ==
          path + ":3:28: not a domain: 'http://x/' (left out: on_invalid: skip) (warning; strict)");
    CHECK_FALSE(strict_holder.ready());
  }
  TEST_CASE("invalid rules fail with reason rules") {
    Fixture f;
    f.dir.write("rules.yaml", "error\n");
    CHECK(f.reloader.reload("startup", true) == ReloadOutcome::failure);
    CHECK(f.reloader.last_failure_reason() == "rules");
  }
}
