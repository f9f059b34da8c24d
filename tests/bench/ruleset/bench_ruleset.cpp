// bench_ruleset: generates a ruleset with 1,000,000 lure domains and 10,000 URL
// patterns in a temp dir, loads it, and prints load+compile time, peak RSS (VmHWM)
// and lookup throughput. Usage: bench_ruleset [domains] [patterns]
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ruleset/ruleset.hpp"

namespace {

long vm_hwm_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

// CPU seconds of this process (all threads): on a shared machine wall time measures the
// neighbours too.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string domain(std::size_t i) {
  return "lure" + std::to_string(i * 7919 % 10000019) + "-news.example";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pixelwarden;
  std::size_t n_domains = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  std::size_t n_patterns = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10000;
  std::string tmpl = (std::filesystem::temp_directory_path() / "pwbench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  {
    std::ofstream d(dir + "/domains.txt");
    d << "# generated IOC feed\n";
    for (std::size_t i = 0; i < n_domains; ++i) d << domain(i) << '\n';
    std::ofstream p(dir + "/patterns.txt");
    for (std::size_t i = 0; i < n_patterns; ++i)
      p << (i % 2 ? "/t" : "trk") << i << (i % 3 ? "/open\\?id=" : "/o/[a-z]+/px\\.gif") << "\n";
    std::ofstream y(dir + "/r.yaml");
    y << "ruleset: {name: bench, version: '1'}\n"
         "lists:\n  lures: {file: domains.txt}\n  paths: {patterns_file: patterns.txt}\n"
         "trackers:\n  - {id: paths, match: {url_in: paths}, action: neutralize}\n"
         "lures:\n  - {id: lures, match: {domain_in: lures, where: [header_from, links]}, action: "
         "reject}\n";
  }
  long before = vm_hwm_kb();
  auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  auto r = ruleset::load_ruleset(dir + "/r.yaml");
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double load_cpu = cpu_seconds() - c0;
  if (!r.ruleset) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  std::printf("domains=%zu patterns=%zu\n", n_domains, n_patterns);
  std::printf("load+compile: %.2f s wall, %.2f s CPU\n", load_s, load_cpu);
  {
    // A reload of the same ruleset while the first is in service (as the daemon does):
    // pattern databases come from the compile cache, domain lists are read again.
    auto t = std::chrono::steady_clock::now();
    const double c = cpu_seconds();
    auto again = ruleset::load_ruleset(dir + "/r.yaml");
    std::printf("reload, patterns unchanged: %.2f s wall, %.2f s CPU%s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count(),
                cpu_seconds() - c, again.ruleset ? "" : " (FAILED)");
  }
  std::printf("peak RSS (VmHWM): %.1f MB (before load %.1f MB)\n", vm_hwm_kb() / 1024.0,
              before / 1024.0);

  const std::size_t lookups = 2000000;
  std::size_t hits = 0;
  ruleset::LureEvidence ev;
  ev.headers_known = true;
  ev.header_from.resize(1);
  auto t1 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < lookups; ++i) {
    ev.header_from[0].domain = (i % 2 == 0 ? "mail." + domain(i % n_domains)
                                           : "mail.clean" + std::to_string(i) + ".example");
    hits += r.ruleset->match_lures(ev).size();
  }
  double look_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  std::printf("lure lookups: %.0f hosts/s (%zu hits of %zu)\n", lookups / look_s, hits, lookups);

  const std::size_t scans = 200000;
  std::size_t thits = 0;
  ruleset::RecipientTokens none;
  std::string url;
  auto t2 = std::chrono::steady_clock::now();
  const double c2 = cpu_seconds();
  for (std::size_t i = 0; i < scans; ++i) {
    url = "https://mail.example.com/t" + std::to_string(i % (n_patterns * 2)) +
          "/open?id=" + std::to_string(i) + "abc";
    thits += r.ruleset->match_tracker({url, "mail.example.com", "img", false}, none) ? 1 : 0;
  }
  double scan_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
  const double scan_cpu = cpu_seconds() - c2;
  std::printf("url pattern scans: %.0f urls/s wall, %.0f urls per CPU second (%zu hits of %zu)\n",
              scans / scan_s, scans / scan_cpu, thits, scans);
  std::filesystem::remove_all(dir);
  return 0;
}
