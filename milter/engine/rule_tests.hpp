#pragma once
// The ruleset's own `tests:` run through the engine: what `pixelwarden rules test` prints
// and what the daemon checks before it publishes a ruleset under
// `reload.require_tests`. One function for both, so a test that passes at the command
// line passes in the daemon.
// Reads each test's message file (control plane, never on the mail path).

#include <memory>
#include <string>
#include <vector>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::engine {

struct RuleTestFailure {
  const ruleset::RuleTest* test = nullptr;  // into the ruleset's tests()
  std::vector<std::string> problems;        // "action: expected reject, got accept", ...
};

// Every problem of one test; empty when it passed.
std::vector<std::string> check_rule_test(const ruleset::RuleTest& test,
                                         const std::shared_ptr<const ruleset::Ruleset>& rules);

// The tests that failed, in file order.
std::vector<RuleTestFailure> failing_rule_tests(
    const std::shared_ptr<const ruleset::Ruleset>& rules);

}  // namespace pixelwarden::engine
