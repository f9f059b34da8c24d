// libFuzzer target for the ruleset loader: the input is a ruleset entry file (YAML) run
// through ruleset::load_ruleset (loader -> validator -> compiler), in a private folder
// holding one list file the YAML may name (`file: list.txt`). Invariants:
//   - nothing crashes or hangs (includes of missing files, cycles, odd YAML are errors);
//   - the result is a ruleset or errors, never both and never neither;
//   - every stored error has a message, and one with a position in the entry file has
//     a line and column inside that file;
//   - a load that succeeds is deterministic: loading the same bytes again gives the same
//     ruleset hash and rule counts.
// Seeds: tests/data/fuzz/fuzz_ruleset/ (entry files).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

#include "ruleset/ruleset.hpp"

namespace {

using namespace pixelwarden;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_ruleset invariant violated: %s\n", what);
    std::abort();
  }
}

// The folder of the entry file, made once per process and removed at exit. Never
// destroyed: the exit handler runs after static destructors would have freed it.
const std::string& folder() {
  static const std::string* const dir = [] {
    std::string d = (std::filesystem::temp_directory_path() / "fuzz-ruleset-XXXXXX").string();
    if (mkdtemp(d.data()) == nullptr) std::abort();
    std::ofstream(d + "/list.txt") << "# a domain list\ntracker.example\n*.pixel.example\n";
    std::atexit([] { std::filesystem::remove_all(folder()); });
    return new std::string(d);
  }();
  return *dir;
}

std::size_t lines_of(std::string_view s) {
  std::size_t n = 1;
  for (char c : s) n += c == '\n' ? 1 : 0;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;  // the grammar, not the list parser's throughput
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string path = folder() + "/rules.yaml";
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(in.data(), static_cast<std::streamsize>(in.size()));
  }
  const ruleset::LoadResult r = ruleset::load_ruleset(path);
  require((r.ruleset != nullptr) != (!r.errors.empty() || r.unstable),
          "a ruleset or errors, never both, never neither");
  for (const auto& e : r.errors) {
    require(!e.message.empty(), "an error has a message");
    if (e.file == path && e.line > 0) {
      require(static_cast<std::size_t>(e.line) <= lines_of(in) + 1, "error line inside the file");
      require(e.column >= 0, "error column not negative");
    }
  }
  if (r.ruleset) {
    const ruleset::LoadResult again = ruleset::load_ruleset(path);
    require(again.ruleset != nullptr, "the same bytes load again");
    require(again.ruleset->meta().sha256 == r.ruleset->meta().sha256, "the same hash");
    require(again.ruleset->sizes().trackers == r.ruleset->sizes().trackers &&
                again.ruleset->sizes().lures == r.ruleset->sizes().lures &&
                again.ruleset->sizes().allow == r.ruleset->sizes().allow,
            "the same rule counts");
  }
  return 0;
}
