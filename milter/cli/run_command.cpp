// `pixelwarden run`: the milter daemon in the foreground. Flags override the config file.
#include <cstdio>

#include "cli/cli.hpp"
#include "cli/args.hpp"
#include "cli/common.hpp"
#include "daemon/config.hpp"
#include "daemon/run.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_run_usage =
    "usage: pixelwarden run [--config FILE] [--socket SPEC] [--metrics-listen ADDR:PORT]\n"
    "                       [--rules PATH]\n"
    "Runs the milter in the foreground. SIGUSR1 reloads the rules and reopens the audit\n"
    "log; SIGTERM finishes in-flight messages and exits 0.\n";

}  // namespace

int run_command(const std::vector<std::string>& argv) {
  // Before any thread exists: libmilter's signal thread and ours must be the only
  // receivers of SIGTERM/SIGHUP/SIGINT/SIGUSR1 (see daemon/signals.hpp).
  daemon::block_signals();
  ArgSpec spec;
  spec.valued = {"--config", "--socket", "--metrics-listen", "--rules"};
  spec.flags = {"--help"};
  spec.aliases = {{"-h", "--help"}};
  const Args args(argv, spec);
  if (!args.ok() || !args.positional().empty()) {
    std::fprintf(stderr, "pixelwarden run: %s\n%s",
                 args.ok() ? "unexpected argument" : args.error().c_str(), k_run_usage);
    return k_exit_usage;
  }
  if (args.has("--help")) {
    std::fputs(k_run_usage, stdout);
    return 0;
  }
  auto loaded = daemon_config(args);
  if (!loaded.ok()) {
    std::fprintf(stderr, "pixelwarden run: %s\n", loaded.error().to_string().c_str());
    return 1;
  }
  daemon::Config config = std::move(loaded.value());
  if (auto v = args.get("--socket")) config.milter.socket = *v;
  if (auto v = args.get("--metrics-listen")) config.metrics.listen = *v;
  if (auto v = args.get("--rules")) config.rules.path = *v;
  return daemon::run(config);
}

}  // namespace pixelwarden::cli
