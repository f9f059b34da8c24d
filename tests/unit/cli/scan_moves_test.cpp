#include <cstdlib>

#include <doctest/doctest.h>

#include "cli/scan_moves.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

namespace {

Args args_of(const std::vector<std::string>& argv) {
  ArgSpec spec;
  spec.valued = {"--password-file"};
  return Args::parse(argv, spec).value();
}

}  // namespace

TEST_SUITE("cli::scan_moves") {
  TEST_CASE("the IMAP password comes from --password-file (first line) before the environment") {
    TempDir t;
    const std::string file = t.write("pw", "from-file\r\nsecond line\n");
    ::setenv(k_password_env, "from-env", 1);
    std::string err;
    CHECK(read_password(args_of({"--password-file", file}), err) == "from-file");
    CHECK(read_password(args_of({}), err) == "from-env");
    ::unsetenv(k_password_env);
  }

  TEST_CASE("no password anywhere, or an unreadable file, is an error naming both ways") {
    ::unsetenv(k_password_env);
    std::string err;
    CHECK_FALSE(read_password(args_of({}), err));
    CHECK(err.find("--password-file FILE or PIXELWARDEN_IMAP_PASSWORD") != std::string::npos);
    CHECK_FALSE(read_password(args_of({"--password-file", "/nonexistent/pw"}), err));
    CHECK(err.find("cannot read") != std::string::npos);
  }

  TEST_CASE("a dry run of a Maildir match lists it and changes nothing") {
    TempDir t;
    const std::string msg = t.write("Maildir/cur/1:2,S", "x");
    Remediation r("Quarantine");
    ScanRecord rec;
    rec.path = msg;
    r.take(rec);
    CHECK(r.apply(args_of({}), "") == 0);
    CHECK(std::filesystem::exists(msg));
    CHECK_FALSE(std::filesystem::exists(t.path() + "/Maildir/.Quarantine"));
  }
}
