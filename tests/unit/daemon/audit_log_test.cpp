#include "daemon/audit_log.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "temp_dir.hpp"

using namespace pixelwarden;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_SUITE("daemon::AuditLog") {
  TEST_CASE("lines are appended, each ending in a newline") {
    testing::TempDir dir;
    const std::string path = dir.write("audit.jsonl", "{\"old\":1}\n");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    CHECK((*log)->write_line("{\"a\":1}").ok());
    CHECK((*log)->write_line("{\"b\":2}").ok());
    CHECK(slurp(path) == "{\"old\":1}\n{\"a\":1}\n{\"b\":2}\n");
  }

  TEST_CASE("concurrent writers never interleave within a line") {
    testing::TempDir dir;
    auto log = daemon::AuditLog::open(dir.file("audit.jsonl"));
    REQUIRE(log.ok());
    std::vector<std::thread> threads;
    for (char c : {'a', 'b', 'c', 'd'}) {
      threads.emplace_back([&log, c] {
        const std::string line(5000, c);
        for (int i = 0; i < 200; ++i) (void)(*log)->write_line(line);
      });
    }
    for (auto& t : threads) t.join();
    std::istringstream in(slurp(dir.file("audit.jsonl")));
    int lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
      REQUIRE(line.size() == 5000);
      CHECK(line.find_first_not_of(line[0]) == std::string::npos);
    }
    CHECK(lines == 800);
  }

  TEST_CASE("reopen after a rotation writes to the new file") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    (void)(*log)->write_line("{\"n\":1}");
    std::filesystem::rename(path, path + ".1");
    (void)(*log)->write_line("{\"n\":2}");  // still the old file until reopened
    REQUIRE((*log)->reopen().ok());
    (void)(*log)->write_line("{\"n\":3}");
    CHECK(slurp(path + ".1") == "{\"n\":1}\n{\"n\":2}\n");
    CHECK(slurp(path) == "{\"n\":3}\n");
  }

  TEST_CASE("an unwritable path is an error naming it") {
    auto log = daemon::AuditLog::open("/nonexistent-dir/audit.jsonl");
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().message.find("/nonexistent-dir/audit.jsonl") != std::string::npos);
  }
}
