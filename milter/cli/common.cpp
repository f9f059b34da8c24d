#include "cli/common.hpp"

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>

namespace pixelwarden::cli {

// A large part's buffers (its decoded text, the list of its resources, the re-encoded
// body) are allocated and freed for every message. With its defaults glibc maps a
// buffer of several MB fresh from the kernel and unmaps it when it is freed, so the next
// large message pays a page fault per 4 KiB again: `scan` of twelve 10 MB messages spent
// three times the CPU (141,000 faults against 5,000-16,000, docs/capacity.md). The
// service asks for huge pages instead (GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in its unit),
// which a command run by hand does not get. A scan or a filter run is a batch: keeping
// its largest buffers until it ends costs nothing, since its peak is reached anyway. An
// explicit threshold in GLIBC_TUNABLES is the user's choice and wins.
void keep_large_buffers() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables != nullptr && (std::strstr(tunables, "mmap_threshold") != nullptr ||
                              std::strstr(tunables, "trim_threshold") != nullptr)) {
    return;
  }
  constexpr int k_mmap_threshold = 32 << 20;  // glibc's largest dynamic threshold
  constexpr int k_trim_threshold = 128 << 20;
  ::mallopt(M_MMAP_THRESHOLD, k_mmap_threshold);
  ::mallopt(M_TRIM_THRESHOLD, k_trim_threshold);
}

base::Result<std::string> read_input(const std::string& path) {
  if (path.empty() || path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::plain_error("cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return base::plain_error("error reading " + path);
  return data;
}

base::Status write_output(const std::string& path, const std::string& bytes) {
  if (path.empty() || path == "-") {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
    return base::Ok{};
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return base::plain_error("cannot write " + path);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return base::plain_error("error writing " + path);
  return base::Ok{};
}

base::Result<daemon::Config> daemon_config(const Args& args) {
  std::optional<std::string> path = args.get("--config");
  struct stat st {};
  if (!path && stat(daemon::k_default_config_path, &st) == 0) path = daemon::k_default_config_path;
  if (!path) return daemon::default_config();
  return daemon::load_config(*path);
}

base::Result<EngineSetup> engine_setup(const Args& args) {
  auto config = daemon_config(args);
  if (!config.ok()) return config.error();
  EngineSetup setup;
  setup.rules_path = args.get("--rules").value_or(config->rules.path);
  setup.limits = config->limits;
  setup.refuse_at_data = config->milter.refuse_at_data;
  return setup;
}

std::shared_ptr<const ruleset::Ruleset> load_rules_or_report(const std::string& path,
                                                             bool print_warnings,
                                                             const ruleset::LoadOptions& options) {
  ruleset::LoadResult r = ruleset::load_ruleset(path, options);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (r.errors.dropped() > 0)
    std::fprintf(stderr, "... %zu more error(s) not shown\n", r.errors.dropped());
  if (print_warnings) {
    for (const auto& w : r.warnings) std::fprintf(stderr, "%s (warning)\n", w.to_string().c_str());
  }
  if (!r.errors.empty() || !r.ruleset) return nullptr;
  return r.ruleset;
}

}  // namespace pixelwarden::cli
