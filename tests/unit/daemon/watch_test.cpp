#include "daemon/watch.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "../fake_ruleset.hpp"
#include "temp_dir.hpp"

using namespace pixelwarden;
using namespace std::chrono_literals;

namespace {

ruleset::LoadResult load_first_line(const std::string& path,
                                    const ruleset::LoadOptions& /*options*/) {
  ruleset::LoadResult r;
  std::ifstream in(path);
  std::string content;
  std::getline(in, content);
  r.files.push_back(path);
  r.ruleset = std::make_shared<testing::FakeRuleset>(content);
  return r;
}

bool wait_for_version(const ruleset::RulesetHolder& h, const std::string& v,
                      std::chrono::milliseconds timeout = 3000ms) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (auto p = h.pin(); p && p->meta().version == v) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_SUITE("daemon::ReloadTriggers") {
  TEST_CASE("an atomic rename into the watched directory reloads after the debounce") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, path, {}, load_first_line);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, true, 0ms, 50ms);
    triggers.start();
    dir.write("rules.yaml.tmp", "v2\n");
    std::filesystem::rename(dir.file("rules.yaml.tmp"), path);
    CHECK(wait_for_version(holder, "v2"));
  }

  TEST_CASE("a Kubernetes ..data symlink swap reloads") {
    testing::TempDir dir;
    namespace fs = std::filesystem;
    fs::create_directory(dir.path() / "..2026_1");
    dir.write("..2026_1/rules.yaml", "v1\n");
    fs::create_directory_symlink("..2026_1", dir.path() / "..data");
    fs::create_symlink("..data/rules.yaml", dir.path() / "rules.yaml");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, dir.file("rules.yaml"), {}, load_first_line);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, true, 0ms, 50ms);
    triggers.start();
    fs::create_directory(dir.path() / "..2026_2");
    dir.write("..2026_2/rules.yaml", "v2\n");
    fs::create_directory_symlink("..2026_2", dir.path() / "..data_tmp");
    fs::rename(dir.path() / "..data_tmp", dir.path() / "..data");
    CHECK(wait_for_version(holder, "v2"));
  }

  TEST_CASE("an explicit request reloads without inotify") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, path, {}, load_first_line);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, false, 0ms);
    triggers.start();
    dir.write("rules.yaml", "v3\n");
    triggers.request();
    CHECK(wait_for_version(holder, "v3"));
  }

  TEST_CASE("the periodic poll notices a change without events") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, path, {}, load_first_line);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, false, 100ms);
    triggers.start();
    dir.write("rules.yaml", "v4\n");
    CHECK(wait_for_version(holder, "v4"));
  }

  TEST_CASE("unrelated files in the directory do not trigger a reload") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, path, {}, load_first_line);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, true, 0ms, 20ms);
    triggers.start();
    dir.write("notes.txt", "hello\n");
    std::this_thread::sleep_for(200ms);
    CHECK(triggers.attempts() == 0);
  }

  TEST_CASE("request_and_wait answers with the result of a reload that started after it") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    auto load = [](const std::string& p, const ruleset::LoadOptions& o) {
      ruleset::LoadResult r = load_first_line(p, o);
      if (r.ruleset->meta().version == "broken") {
        r.ruleset = nullptr;
        r.errors.push_back(base::Error{"bad rule", p, 3, 7});
      }
      return r;
    };
    daemon::Reloader reloader(holder, path, {}, load);
    reloader.reload("startup", true);
    daemon::ReloadTriggers triggers(reloader, false, 0ms);
    triggers.start();
    dir.write("rules.yaml", "v2\n");
    auto report = triggers.request_and_wait(3000ms);
    REQUIRE(report.has_value());
    CHECK(report->outcome == daemon::ReloadOutcome::success);
    CHECK(report->in_force.version == "v2");
    dir.write("rules.yaml", "broken\n");
    report = triggers.request_and_wait(3000ms);
    REQUIRE(report.has_value());
    CHECK(report->outcome == daemon::ReloadOutcome::failure);
    REQUIRE(report->errors.size() == 1);
    CHECK(report->errors[0].to_string() == path + ":3:7: bad rule");
    CHECK(report->in_force.version == "v2");  // the old ruleset stays
  }

  TEST_CASE("request_and_wait gives up after its timeout when no reload runs") {
    testing::TempDir dir;
    const std::string path = dir.write("rules.yaml", "v1\n");
    ruleset::RulesetHolder holder;
    daemon::Reloader reloader(holder, path, {}, load_first_line);
    daemon::ReloadTriggers triggers(reloader, false, 0ms);  // never started
    CHECK_FALSE(triggers.request_and_wait(100ms).has_value());
  }
}
