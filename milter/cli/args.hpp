#pragma once
// A small command-line parser: `--name value`, `--name=value`, repeated options,
// boolean flags, and positional arguments. Unknown options and a missing value are
// usage errors: parse() returns the project's Result, whose error says why.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.hpp"

namespace pixelwarden::cli {

struct ArgSpec {
  std::set<std::string> valued;                // options that take a value, e.g. "--rules"
  std::set<std::string> flags;                 // options without a value, e.g. "--all"
  std::map<std::string, std::string> aliases;  // "-o" -> "--output"
};

class Args {
 public:
  static base::Result<Args> parse(const std::vector<std::string>& argv, const ArgSpec& spec);

  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  bool has(const std::string& name) const;
  const std::vector<std::string>& positional() const { return m_positional; }

 private:
  std::multimap<std::string, std::string> m_values;
  std::vector<std::string> m_positional;
};

}  // namespace pixelwarden::cli
