// Replays every file under each folder named on the command line through a libFuzzer
// entry point, for normal builds (the checked-in seeds, or the outside corpora). Each
// input is also fed as a few prefixes cut at random points (seed printed). A folder that
// is missing or holds no file fails the run.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::random_device rd;
  unsigned seed = rd();
  std::cout << "replay seed " << seed << "\n";
  std::mt19937 rng(seed);
  std::size_t files = 0;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    if (!std::filesystem::is_directory(argv[i], ec)) {
      std::cerr << "replay: " << argv[i] << " is not a folder\n";
      return 1;
    }
    const std::size_t before = files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (!e.is_regular_file()) continue;
      std::ifstream f(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << f.rdbuf();
      std::string s = ss.str();
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
      for (int k = 0; k < 3 && !s.empty(); ++k) {
        std::size_t cut = std::uniform_int_distribution<std::size_t>(0, s.size())(rng);
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), cut);
      }
      ++files;
    }
    if (files == before) {
      std::cerr << "replay: " << argv[i] << " holds no file\n";
      return 1;
    }
    std::cout << "replayed " << files - before << " files from " << argv[i] << "\n";
  }
  std::cout << "replayed " << files << " files in all\n";
  return files > 0 ? 0 : 1;
}
