#pragma once
// Shared by the intel tests: the suite's feed files and lookups in a Feed.
#include <algorithm>
#include <fstream>
#include <string>

#include "intel/model.hpp"

namespace pixelwarden::test {

inline std::string intel_data(const std::string& rel) {
  return std::string(PIXELWARDEN_SOURCE_DIR) + "/tests/data/intel/" + rel;
}

inline const intel::Skipped* skipped(const intel::Feed& f, const std::string& id) {
  auto it =
      std::find_if(f.skipped.begin(), f.skipped.end(), [&](const auto& s) { return s.id == id; });
  return it == f.skipped.end() ? nullptr : &*it;
}

inline const intel::Indicator* indicator(const intel::Feed& f, const std::string& id) {
  auto it = std::find_if(f.indicators.begin(), f.indicators.end(),
                         [&](const auto& s) { return s.id == id; });
  return it == f.indicators.end() ? nullptr : &*it;
}

}  // namespace pixelwarden::test
