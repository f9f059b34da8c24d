#pragma once
// Test support: write an inline YAML ruleset (and list files) into a fresh temp dir and
// load it through the real loader, so engine tests run the real pipeline end to end.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <doctest/doctest.h>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::test {

inline std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "pw-engine-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

inline std::shared_ptr<const ruleset::Ruleset> load_inline(
    const std::string& yaml, const std::map<std::string, std::string>& files = {}) {
  const auto dir = make_temp_dir();
  for (const auto& [name, content] : files) {
    std::filesystem::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << content;
  }
  std::ofstream(dir / "rules.yaml", std::ios::binary) << yaml;
  auto r = ruleset::load_ruleset((dir / "rules.yaml").string());
  for (const auto& e : r.errors) MESSAGE(e.to_string());
  REQUIRE(r.errors.empty());
  REQUIRE(r.ruleset != nullptr);
  std::filesystem::remove_all(dir);
  return r.ruleset;
}

// A CRLF message from LF-written literal text.
inline std::string crlf(const std::string& lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace pixelwarden::test
