#pragma once
// Checker: typed, position-reporting reads of yaml-cpp nodes for the ruleset loader.
// Every read goes through `const YAML::Node&` (the non-const operator[] inserts keys),
// checks IsDefined before Mark() (a missing node's Mark() throws) and never recurses
// into structure it did not ask for, so alias bombs and `&a [*a]` cycles cost nothing
// and end as type errors. Errors collect into a shared list as FILE:LINE:COL
// (1-based, from the node's mark).

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error_list.hpp"
#include "base/result.hpp"

namespace pixelwarden::ruleset {

class Checker {
 public:
  Checker(std::string file, base::ErrorList& errors, base::ErrorList& warnings)
      : m_file(std::move(file)), m_errors(errors), m_warnings(warnings) {}

  const std::string& file() const { return m_file; }
  base::Error at(const YAML::Node& n, std::string message) const;
  void error(const YAML::Node& n, std::string message) const;
  void warn(const YAML::Node& n, std::string message) const;
  void error_at(const YAML::Mark& m, std::string message) const;

  // A map whose keys are all in `allowed` (unknown and duplicate keys are errors).
  bool check_map(const YAML::Node& n, std::initializer_list<std::string_view> allowed,
                 std::string_view what) const;
  std::optional<std::string> scalar(const YAML::Node& n, std::string_view what) const;
  std::optional<bool> boolean(const YAML::Node& n, std::string_view what) const;
  // A sequence of scalars (a single scalar is accepted as a one-element list when
  // `allow_scalar`); each element paired with its node for positions.
  std::optional<std::vector<std::pair<std::string, YAML::Node>>> scalars(
      const YAML::Node& n, std::string_view what, bool allow_scalar = false) const;
  // One of `choices`; index into them.
  std::optional<std::size_t> choice(const YAML::Node& n, std::string_view what,
                                    std::initializer_list<std::string_view> choices) const;

 private:
  std::string m_file;
  base::ErrorList& m_errors;
  base::ErrorList& m_warnings;
};

}  // namespace pixelwarden::ruleset
