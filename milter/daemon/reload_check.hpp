#pragma once
// reload.require_tests: the ruleset's own `tests:` run before it is published (every
// trigger: file, ConfigMap, SIGUSR1, POST /-/reload), each failing test an error at
// the test's FILE:LINE whose message names it, so the POST /-/reload answer
// (reload_report_json) can list the failing tests by name.

#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "ruleset/ruleset.hpp"

namespace pixelwarden::daemon {

// One error per failing test: "test 'NAME' failed: PROBLEM; PROBLEM" at the test.
std::vector<base::Error> failing_tests_as_errors(
    const std::shared_ptr<const ruleset::Ruleset>& rules);

// The NAMEs of the errors failing_tests_as_errors made, in order.
std::vector<std::string> failed_test_names(const std::vector<base::Error>& errors);

}  // namespace pixelwarden::daemon
