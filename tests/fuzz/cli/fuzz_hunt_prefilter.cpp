// libFuzzer target for the hunt prefilter of `scan` (cli/hunt_prefilter.hpp): the input
// is the body of an HTML part, and of a text/plain part. Whenever the engine, inspecting
// the whole message, matches the hunted lure rule (domains in links and resources), the
// inspection with the prefilter must match it too: the prefilter may let through parts
// that hold no hunted domain, never hide one that the engine reads. A hunt never misses
// a lure because of it.
// Seeds: tests/data/fuzz/fuzz_hunt_prefilter/ (HTML with disguised hunted hosts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "cli/hunt_prefilter.hpp"
#include "engine/inspect.hpp"
#include "ruleset/inventory.hpp"
#include "ruleset/ruleset.hpp"

namespace {

using namespace pixelwarden;

const char* const k_rules = R"(ruleset: {name: fuzz-hunt, version: "1"}
malformed_mime: pass
lists:
  lures:
    domains: [lure.example, a-b.example, x_y.test, "*.wild.example"]
lures:
  - id: hunted
    match:
      domain_in: lures
      where: [links, resources]
    action: reject
)";

struct Setup {
  std::shared_ptr<const ruleset::Ruleset> rules;
  std::unique_ptr<cli::HuntPrefilter> prefilter;
};

Setup load() {
  std::string dir = (std::filesystem::temp_directory_path() / "fuzz-hunt-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  const std::string path = dir + "/rules.yaml";
  std::ofstream(path, std::ios::binary) << k_rules;
  ruleset::LoadOptions options;
  options.keep_entries = true;
  auto r = ruleset::load_ruleset(path, options);
  std::filesystem::remove_all(dir);
  if (!r.ruleset) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::abort();
  }
  auto f = cli::HuntPrefilter::build(ruleset::inventory(*r.ruleset), {"hunted"});
  if (!f) {
    std::fprintf(stderr, "%s\n", f.error().c_str());
    std::abort();
  }
  return {r.ruleset, std::move(f).value()};
}

bool hunted(const engine::Verdict& v) {
  for (const auto& l : v.lures) {
    if (l.rule == "hunted") return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Setup setup = load();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const char* type : {"text/html", "text/plain"}) {
    const std::string message = std::string("From: <a@b.example>\r\nTo: <c@d.example>\r\n") +
                                "MIME-Version: 1.0\r\nContent-Type: " + type +
                                "; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
                                std::string(body);
    const bool full = hunted(engine::inspect(message, {}, setup.rules));
    if (!full) continue;
    if (!hunted(engine::inspect(message, {}, setup.rules, {}, setup.prefilter.get()))) {
      std::fprintf(stderr, "fuzz_hunt_prefilter: the prefilter hid a hunted domain (%s)\n", type);
      std::abort();
    }
  }
  return 0;
}
