#pragma once
// The `pixelwarden` command line: dispatch to the subcommands of docs/cli.md.
// Every subcommand runs the same engine as the milter.

#include <string>
#include <vector>

namespace pixelwarden::cli {

int main(int argc, char** argv);

// Subcommands; args exclude the program and subcommand names.
int run_command(const std::vector<std::string>& args);
int filter_command(const std::vector<std::string>& args);
int rules_command(const std::vector<std::string>& args);
int rules_import_command(const std::vector<std::string>& args);  // `rules import ...`
int rules_diff_command(const std::vector<std::string>& args);    // `rules diff ...`
int scan_command(const std::vector<std::string>& args);
int version_command(const std::vector<std::string>& args);

// Exit status for usage errors, for every subcommand (docs/cli.md).
inline constexpr int k_exit_usage = 2;

}  // namespace pixelwarden::cli
