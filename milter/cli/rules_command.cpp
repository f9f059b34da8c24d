// `pixelwarden rules check PATH` and `pixelwarden rules test PATH`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "base/timestamp.hpp"
#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "engine/rule_tests.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_rules_usage =
    "usage: pixelwarden rules check [--config FILE] [--strict] [PATH]   parse, validate and "
    "compile\n"
    "                                     a ruleset (--strict: warnings are errors)\n"
    "       pixelwarden rules test [--config FILE] [PATH]    run the ruleset's tests:\n"
    "       pixelwarden rules import ... INPUT               threat-intel feed (STIX, MISP, CSV) "
    "-> list file\n"
    "       pixelwarden rules diff [--format text|json] OLD NEW   what a push would change\n"
    "Without PATH, the ruleset the daemon's config names (--config, else\n"
    "/etc/pixelwarden/pixelwarden.yaml when it exists, else the installed default ruleset).\n";

// Entries past their valid_until: left out of the ruleset, listed so the analyst can
// renew or remove them.
void print_expired(const std::vector<ruleset::ExpiredEntry>& expired) {
  for (const auto& e : expired) {
    std::printf("%s:%d: expired: %s (list '%s', valid_until %s)\n", e.file.c_str(), e.line,
                e.entry.c_str(), e.list.c_str(),
                base::format_timestamp_ms(e.valid_until_ms).c_str());
  }
  if (!expired.empty()) std::printf("%zu expired list entries left out\n", expired.size());
}

int rules_check(const std::string& path, bool strict) {
  const auto start = std::chrono::steady_clock::now();
  ruleset::LoadOptions options;
  options.strict = strict;
  ruleset::LoadResult r = ruleset::load_ruleset(path, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& e : r.errors) std::printf("%s\n", e.to_string().c_str());
  if (r.errors.dropped() > 0) std::printf("... %zu more error(s) not shown\n", r.errors.dropped());
  for (const auto& w : r.warnings) std::printf("%s (warning)\n", w.to_string().c_str());
  print_expired(r.expired);
  if (r.warnings.dropped() > 0)
    std::printf("... %zu more warning(s) not shown\n", r.warnings.dropped());
  if (!r.errors.empty() || !r.ruleset) {
    std::printf("%s: %zu error(s)\n", path.c_str(), r.errors.total());
    return 1;
  }
  const auto& meta = r.ruleset->meta();
  const auto sizes = r.ruleset->sizes();
  std::printf("%s: ok: %s %s (sha256 %s), %zu tracker rule(s), %zu lure rule(s), %zu allow "
              "rule(s), %zu list entries, %zu file(s), %zu warning(s), loaded in %.3f s "
              "(compile %.3f s)\n",
              path.c_str(), meta.name.c_str(), meta.version.c_str(),
              meta.sha256.substr(0, 12).c_str(), sizes.trackers, sizes.lures, sizes.allow,
              sizes.list_entries, r.files.size(), r.warnings.total(), seconds,
              sizes.compile_seconds);
  return 0;
}

int rules_test(const std::string& path) {
  auto rules = load_rules_or_report(path);
  if (!rules) return 1;
  int passed = 0;
  int failed = 0;
  for (const auto& t : rules->tests()) {
    const auto problems = engine::check_rule_test(t, rules);
    if (problems.empty()) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("FAIL %s:%d: %s\n", t.file.c_str(), t.line, t.name.c_str());
    for (const auto& p : problems) std::printf("  %s\n", p.c_str());
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int rules_command(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "import")
    return rules_import_command({argv.begin() + 1, argv.end()});
  if (!argv.empty() && argv[0] == "diff") return rules_diff_command({argv.begin() + 1, argv.end()});
  ArgSpec spec;
  spec.valued = {"--config"};
  spec.flags = {"--help", "--strict"};
  spec.aliases = {{"-h", "--help"}};
  const auto parsed = Args::parse(argv, spec);
  if (!parsed.ok()) {
    std::fprintf(stderr, "pixelwarden rules: %s\n", parsed.error().message.c_str());
    std::fputs(k_rules_usage, stderr);
    return k_exit_usage;
  }
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_rules_usage, stdout);
    return 0;
  }
  const auto& pos = args.positional();
  if (pos.empty() || pos.size() > 2 || (pos[0] != "check" && pos[0] != "test")) {
    std::fputs(k_rules_usage, stderr);
    return k_exit_usage;
  }
  std::string path;
  if (pos.size() == 2) {
    path = pos[1];
  } else {
    auto config = daemon_config(args);
    if (!config.ok()) {
      std::fprintf(stderr, "pixelwarden rules: %s\n", config.error().to_string().c_str());
      return 1;
    }
    path = config->rules.path;
  }
  if (args.has("--strict") && pos[0] != "check") {
    std::fprintf(stderr, "pixelwarden rules: --strict applies to rules check\n");
    return k_exit_usage;
  }
  return pos[0] == "check" ? rules_check(path, args.has("--strict")) : rules_test(path);
}

}  // namespace pixelwarden::cli
