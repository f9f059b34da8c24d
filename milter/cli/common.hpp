#pragma once
// What several subcommands share: reading inputs, finding and loading the ruleset,
// and the engine limits from the daemon config.

#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "cli/args.hpp"
#include "daemon/config.hpp"
#include "engine/inspect.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::cli {

// The whole file, or stdin for "-"/empty.
base::Result<std::string> read_input(const std::string& path);
base::Status write_output(const std::string& path, const std::string& bytes);

// The daemon config: --config, else /etc/pixelwarden/pixelwarden.yaml when it exists,
// else the built-in defaults.
base::Result<daemon::Config> daemon_config(const Args& args);

// Rules path and engine limits from --rules / --config / the default config.
struct EngineSetup {
  std::string rules_path;
  engine::Limits limits;
  bool refuse_at_data = false;  // milter.refuse_at_data, for `filter` (scan reads whole mail)
};
base::Result<EngineSetup> engine_setup(const Args& args);

// For the offline commands (scan, filter): glibc keeps freed large buffers in the process
// instead of unmapping them, unless GLIBC_TUNABLES sets its own thresholds. See
// common.cpp.
void keep_large_buffers();

// Loads a ruleset; on failure prints every error (FILE:LINE:COL) to stderr and
// returns null. Warnings are printed when print_warnings is set.
std::shared_ptr<const ruleset::Ruleset> load_rules_or_report(
    const std::string& path, bool print_warnings = false, const ruleset::LoadOptions& options = {});

}  // namespace pixelwarden::cli
