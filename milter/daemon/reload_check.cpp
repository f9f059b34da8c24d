#include "daemon/reload_check.hpp"

#include "engine/rule_tests.hpp"

namespace pixelwarden::daemon {
namespace {

constexpr std::string_view k_test_prefix = "test '";
constexpr std::string_view k_test_suffix = "' failed: ";

}  // namespace

std::vector<base::Error> failing_tests_as_errors(
    const std::shared_ptr<const ruleset::Ruleset>& rules) {
  std::vector<base::Error> errors;
  for (const auto& f : engine::failing_rule_tests(rules)) {
    std::string problems;
    for (const auto& p : f.problems) problems += (problems.empty() ? "" : "; ") + p;
    errors.push_back(base::Error{std::string(k_test_prefix) + f.test->name +
                                     std::string(k_test_suffix) + problems,
                                 f.test->file, f.test->line, 1});
  }
  return errors;
}

std::vector<std::string> failed_test_names(const std::vector<base::Error>& errors) {
  std::vector<std::string> names;
  for (const auto& e : errors) {
    const auto end = e.message.find(k_test_suffix);
    if (e.message.rfind(k_test_prefix, 0) == 0 && end != std::string::npos) {
      names.push_back(e.message.substr(k_test_prefix.size(), end - k_test_prefix.size()));
    }
  }
  return names;
}

}  // namespace pixelwarden::daemon
