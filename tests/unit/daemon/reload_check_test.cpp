#include "daemon/reload_check.hpp"

#include <doctest/doctest.h>

#include "daemon/reload.hpp"

using namespace pixelwarden;

TEST_SUITE("daemon::reload_check") {
  TEST_CASE("failing test names come back out of the errors; other errors are not tests") {
    const std::vector<base::Error> errors{
        base::Error{"test 'lure is refused' failed: action: expected reject, got accept", "r.yaml",
                    12, 1},
        base::Error{"bad rule", "r.yaml", 3, 1}};
    CHECK(daemon::failed_test_names(errors) == std::vector<std::string>{"lure is refused"});
  }
  TEST_CASE("the POST /-/reload answer of a refusal for tests names them") {
    daemon::ReloadReport r;
    r.outcome = daemon::ReloadOutcome::failure;
    r.reason = "tests";
    r.errors = {base::Error{"test 'lure is refused' failed: x", "r.yaml", 12, 1}};
    r.failed_tests = daemon::failed_test_names(r.errors);
    r.in_force = ruleset::Meta{"corp", "2", "abc"};
    const std::string json = daemon::reload_report_json(r);
    CHECK(daemon::reload_http_status(r) == 422);
    CHECK(json.find("\"reason\":\"tests\",\"failed_tests\":[\"lure is refused\"]") !=
          std::string::npos);
    CHECK(json.find("\"version\":\"2\"") != std::string::npos);
  }
}
