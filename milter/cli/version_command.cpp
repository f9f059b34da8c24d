// `pixelwarden version`: what was built, with which libraries.
#include <cstdio>

#include <hs/hs.h>
#include <spdlog/version.h>

#include "base/build_info.hpp"
#include "cli/cli.hpp"

namespace pixelwarden::cli {

int version_command(const std::vector<std::string>& args) {
  for (const auto& a : args) {  // other arguments are ignored
    if (a == "--help" || a == "-h") {
      std::fputs("usage: pixelwarden version\nPrints the version, build and library versions.\n",
                 stdout);
      return 0;
    }
  }
  std::printf("pixelwarden %s\n", base::k_version);
  std::printf("build: %s, %s\n", base::k_build_type, base::k_compiler);
  std::printf("hyperscan: %s (libhs %s)\n", hs_version(), base::k_hyperscan_pkg_version);
  std::printf("libmilter: %s\n", base::k_libmilter_pkg_version);
  std::printf("spdlog: %d.%d.%d\n", SPDLOG_VER_MAJOR, SPDLOG_VER_MINOR, SPDLOG_VER_PATCH);
  return 0;
}

}  // namespace pixelwarden::cli
