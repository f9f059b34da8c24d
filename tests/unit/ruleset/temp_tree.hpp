#pragma once
// TempTree: a throw-away directory of ruleset files for loader tests.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::test {

class TempTree {
 public:
  TempTree() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pwrules-XXXXXX").string();
    m_dir = mkdtemp(tmpl.data());
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  std::string write(const std::string& rel, const std::string& content) const {
    std::filesystem::path p = std::filesystem::path(m_dir) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& rel) const { return m_dir + "/" + rel; }

 private:
  std::string m_dir;
};

inline const std::string k_head = "ruleset: {name: t, version: '1'}\n";

// Every error of a load, one per line, for readable assertions.
inline std::string all_errors(const ruleset::LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += e.to_string() + "\n";
  return s;
}

}  // namespace pixelwarden::test
