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
    const auto parsed = Args::parse(
        {"--rules", "r.yaml", "--rcpt=a@x", "--rcpt", "b@x", "-o", "out", "--all", "in.eml"},
        spec());
    REQUIRE(parsed.ok());
    const Args& a = parsed.value();
    CHECK(a.get("--rules") == std::optional<std::string>("r.yaml"));
    CHECK(a.all("--rcpt") == std::vector<std::string>{"a@x", "b@x"});
    CHECK(a.get("--output") == std::optional<std::string>("out"));
    CHECK(a.has("--all"));
    CHECK(a.positional() == std::vector<std::string>{"in.eml"});
  }
  TEST_CASE("unknown options and missing values are errors") {
    CHECK_FALSE(Args::parse({"--nope"}, spec()).ok());
    const auto missing = Args::parse({"--rules"}, spec());
    CHECK_FALSE(missing.ok());
    CHECK(missing.error().message == "option --rules needs a value");
  }
  TEST_CASE("after -- everything is positional, and - alone is stdin") {
    const auto parsed = Args::parse({"-", "--", "--all"}, spec());
    REQUIRE(parsed.ok());
    const Args& a = parsed.value();
    CHECK(a.positional() == std::vector<std::string>{"-", "--all"});
    CHECK_FALSE(a.has("--all"));
  }
}
