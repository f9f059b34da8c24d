// `pixelwarden run`: the milter daemon in the foreground. Flags override the config file.
// `run --check` is the configtest: it reads what `run` would read, reports every problem,
// and touches no socket, port, lock or file.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "cli/args.hpp"
#include "cli/cli.hpp"
#include "cli/common.hpp"
#include "daemon/config.hpp"
#include "daemon/privileges.hpp"
#include "daemon/reload_check.hpp"
#include "daemon/run.hpp"
#include "daemon/socket_spec.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_run_usage =
    "usage: pixelwarden run [--config FILE] [--socket SPEC] [--metrics-listen ADDR:PORT]\n"
    "                       [--rules PATH] [--check]\n"
    "Runs the milter in the foreground. SIGUSR1 reloads the rules and reopens the audit\n"
    "log; SIGTERM finishes in-flight messages and exits 0.\n"
    "--check  load the config and the ruleset, print every error (FILE:LINE:COL) and\n"
    "         exit 0 (all good) or 1, without binding any socket or port.\n";

// The config `run` would use, with every error of the file; flags applied.
daemon::ConfigCheck read_config(const Args& args) {
  daemon::ConfigCheck c;
  std::optional<std::string> path = args.get("--config");
  std::error_code ec;
  if (!path && std::filesystem::exists(daemon::k_default_config_path, ec)) {
    path = daemon::k_default_config_path;
  }
  c = path ? daemon::check_config(*path) : daemon::ConfigCheck{daemon::default_config(), {}};
  if (auto v = args.get("--socket")) {
    // Parsed like milter.socket: a bad spec is a config error, before anything is bound.
    if (auto socket = daemon::parse_socket_spec(*v)) {
      c.config.milter.socket = std::move(*socket);
    } else {
      c.errors.push_back(base::plain_error("--socket: " + socket.error().message));
    }
  }
  if (auto v = args.get("--metrics-listen")) c.config.metrics.listen = *v;
  if (auto v = args.get("--rules")) c.config.rules.path = *v;
  return c;
}

// What `run` would refuse beyond the file's own syntax, found without changing anything.
std::vector<base::Error> environment_errors(const daemon::Config& config) {
  std::vector<base::Error> errors;
  auto who = daemon::planned_identity(config.daemon, ::geteuid());
  if (!who) {
    errors.push_back(who.error());
  } else if (auto gid = daemon::socket_gid(config.milter.socket_group, *who); !gid) {
    errors.push_back(gid.error());
  }
  if (!config.audit.path.empty()) {
    const auto dir = std::filesystem::path(config.audit.path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
      errors.push_back(
          base::plain_error("audit.path: directory " + dir.string() + " does not exist"));
    }
  }
  return errors;
}

int check(const daemon::ConfigCheck& c) {
  std::vector<base::Error> errors = c.errors;
  for (auto& e : environment_errors(c.config)) errors.push_back(std::move(e));
  ruleset::LoadOptions options;
  options.strict = c.config.reload.strict;  // the daemon would refuse these warnings too
  const ruleset::LoadResult rules = ruleset::load_ruleset(c.config.rules.path, options);
  for (const auto& e : rules.errors) errors.push_back(e);
  if (rules.errors.empty() && !rules.ruleset) {
    errors.push_back(base::plain_error("cannot load rules from " + c.config.rules.path));
  }
  // Under reload.require_tests the daemon refuses a ruleset whose own tests fail, at
  // startup too: the configtest must say so before a restart does.
  if (rules.ruleset && c.config.reload.require_tests) {
    for (auto& e : daemon::failing_tests_as_errors(rules.ruleset)) errors.push_back(std::move(e));
  }
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  for (const auto& w : rules.warnings) {
    std::fprintf(stderr, "%s (warning)\n", w.to_string().c_str());
  }
  if (!errors.empty()) {
    std::fprintf(stderr, "pixelwarden run --check: %zu error(s) (config %s)\n", errors.size(),
                 c.config.source.c_str());
    return 1;
  }
  const auto& meta = rules.ruleset->meta();
  std::printf("pixelwarden run --check: ok: config %s, ruleset %s %s %s (sha256 %s)\n",
              c.config.source.c_str(), c.config.rules.path.c_str(), meta.name.c_str(),
              meta.version.c_str(), meta.sha256.substr(0, 12).c_str());
  return 0;
}

}  // namespace

int run_command(const std::vector<std::string>& argv) {
  // Before any thread exists: libmilter's signal thread and ours must be the only
  // receivers of SIGTERM/SIGHUP/SIGINT/SIGUSR1 (see daemon/signals.hpp).
  daemon::block_signals();
  ArgSpec spec;
  spec.valued = {"--config", "--socket", "--metrics-listen", "--rules"};
  spec.flags = {"--help", "--check"};
  spec.aliases = {{"-h", "--help"}, {"-t", "--check"}};
  const auto parsed = Args::parse(argv, spec);
  if (!parsed.ok() || !parsed->positional().empty()) {
    std::fprintf(stderr, "pixelwarden run: %s\n%s",
                 parsed.ok() ? "unexpected argument" : parsed.error().message.c_str(), k_run_usage);
    return k_exit_usage;
  }
  const Args& args = parsed.value();
  if (args.has("--help")) {
    std::fputs(k_run_usage, stdout);
    return 0;
  }
  daemon::ConfigCheck loaded = read_config(args);
  if (args.has("--check")) return check(loaded);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) {
      std::fprintf(stderr, "pixelwarden run: %s\n", e.to_string().c_str());
    }
    return 1;
  }
  return daemon::run(loaded.config);
}

}  // namespace pixelwarden::cli
