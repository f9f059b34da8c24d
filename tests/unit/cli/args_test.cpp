#include "cli/args.hpp"

#include <doctest/doctest.h>

using pixelwarden::cli::Args;
using pixelwarden::cli::ArgSpec;

namespace {
ArgSpec spec() {
  ArgSpec s;
  s.valued = {"--rules", "--rcpt", "--output"};
  s.flags = {"--all"};
  s.aliases = {{"-o", "--output"}};
  return s;
}
}  // namespace

TEST_SUITE("cli::Args") {
  TEST_CASE("values in both forms, repeats, flags, aliases and positionals") {
    const Args a(
        {"--rules", "r.yaml", "--rcpt=a@x", "--rcpt", "b@x", "-o", "out", "--all", "in.eml"},
        spec());
    REQUIRE(a.ok());
    CHECK(a.get("--rules") == std::optional<std::string>("r.yaml"));
    CHECK(a.all("--rcpt") == std::vector<std::string>{"a@x", "b@x"});
    CHECK(a.get("--output") == std::optional<std::string>("out"));
    CHECK(a.has("--all"));
    CHECK(a.positional() == std::vector<std::string>{"in.eml"});
  }
  TEST_CASE("unknown options and missing values are errors") {
    CHECK_FALSE(Args({"--nope"}, spec()).ok());
    const Args missing({"--rules"}, spec());
    CHECK_FALSE(missing.ok());
    CHECK(missing.error() == "option --rules needs a value");
  }
  TEST_CASE("after -- everything is positional, and - alone is stdin") {
    const Args a({"-", "--", "--all"}, spec());
    REQUIRE(a.ok());
    CHECK(a.positional() == std::vector<std::string>{"-", "--all"});
    CHECK_FALSE(a.has("--all"));
  }
}
