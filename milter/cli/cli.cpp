#include "cli/cli.hpp"

#include <cstdio>
#include <cstring>

#include "cli/common.hpp"

namespace pixelwarden::cli {
namespace {

constexpr const char* k_usage = "usage: pixelwarden <command> [options]\n"
                                "\n"
                                "commands:\n"
                                "  run          the milter daemon, in the foreground\n"
                                "  filter       run one message through the engine offline\n"
                                "  rules check  parse, validate and compile a ruleset\n"
                                "  rules test   run a ruleset's tests\n"
                                "  scan         retro-hunt over Maildir, mbox and .eml files\n"
                                "  version      version, build and library information\n"
                                "\n"
                                "`pixelwarden <command> --help` describes a command.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(k_usage, stderr);
    return k_exit_usage;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "run") return run_command(args);
  if (command == "filter" || command == "scan") keep_large_buffers();
  if (command == "filter") return filter_command(args);
  if (command == "rules") return rules_command(args);
  if (command == "scan") return scan_command(args);
  if (command == "version" || command == "--version") return version_command(args);
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(k_usage, stdout);
    return 0;
  }
  std::fprintf(stderr, "pixelwarden: unknown command '%s'\n\n%s", command.c_str(), k_usage);
  return k_exit_usage;
}

}  // namespace pixelwarden::cli
