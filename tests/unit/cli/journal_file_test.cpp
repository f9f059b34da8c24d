#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "cli/journal_file.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_SUITE("cli::journal_file") {
  TEST_CASE("lines are appended, each with its newline, to a file created 0600") {
    TempDir t;
    const std::string path = t.path() + "/moves.jsonl";
    {
      JournalFile j(path);
      REQUIRE(j.ok());
      CHECK(j.error().empty());
      CHECK(j.write("{\"op\":\"move\"}"));
    }
    {
      JournalFile j(path);  // a second run appends
      REQUIRE(j.ok());
      CHECK(j.write("{\"op\":\"moved\"}"));
    }
    CHECK(slurp(path) == "{\"op\":\"move\"}\n{\"op\":\"moved\"}\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }

  TEST_CASE("a symbolic link at the path is refused, its target untouched") {
    TempDir t;
    const std::string target = t.write("victim", "keep\n");
    const std::string path = t.path() + "/moves.jsonl";
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
    JournalFile j(path);
    CHECK_FALSE(j.ok());
    CHECK(j.error().find("symbolic link") != std::string::npos);
    CHECK_FALSE(j.write("{}"));
    CHECK(slurp(target) == "keep\n");
  }

  TEST_CASE("a FIFO or a directory at the path is refused without blocking") {
    TempDir t;
    const std::string fifo = t.path() + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    JournalFile f(fifo);
    CHECK_FALSE(f.ok());
    JournalFile d(t.mkdir("dir"));
    CHECK_FALSE(d.ok());
    CHECK_FALSE(d.error().empty());
  }
}
