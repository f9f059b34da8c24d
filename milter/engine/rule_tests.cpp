#include "engine/rule_tests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "engine/body.hpp"
#include "engine/inspect.hpp"

namespace pixelwarden::engine {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return "[" + out + "]";
}

}  // namespace

std::vector<std::string> check_rule_test(const ruleset::RuleTest& t,
                                         const std::shared_ptr<const ruleset::Ruleset>& rules) {
  std::string message;
  if (!read_file(t.message_path, message)) return {"cannot read message " + t.message_path};
  Envelope env;
  env.mail_from = t.envelope_from;
  env.rcpt = t.envelope_rcpt;
  const Verdict v = inspect(message, env, rules);
  std::vector<std::string> problems;
  if (t.expect_action && *t.expect_action != to_string(v.action)) {
    problems.push_back(
        fmt::format("action: expected {}, got {}", *t.expect_action, to_string(v.action)));
  }
  if (t.expect_rules) {
    std::set<std::string> got;
    for (const auto& l : v.lures) got.insert(l.rule);
    for (const auto& tr : v.trackers) got.insert(tr.rule);
    const std::set<std::string> want(t.expect_rules->begin(), t.expect_rules->end());
    if (got != want) {
      problems.push_back(fmt::format("rules: expected {}, got {}", join({want.begin(), want.end()}),
                                     join({got.begin(), got.end()})));
    }
  }
  if (t.expect_trackers && static_cast<std::size_t>(*t.expect_trackers) != v.trackers.size()) {
    problems.push_back(
        fmt::format("trackers: expected {}, got {}", *t.expect_trackers, v.trackers.size()));
  }
  if (!t.expect_absent.empty() || !t.expect_present.empty()) {
    const std::string out = apply_verdict(message, v);
    const auto parts = decoded_text_parts(out, false);
    const auto contains = [&](const std::string& s) {
      return std::any_of(parts.begin(), parts.end(),
                         [&](const std::string& p) { return p.find(s) != std::string::npos; });
    };
    for (const auto& s : t.expect_absent) {
      if (contains(s)) problems.push_back("absent: \"" + s + "\" is still in a decoded HTML part");
    }
    for (const auto& s : t.expect_present) {
      if (!contains(s))
        problems.push_back("present: \"" + s + "\" is not in any decoded HTML part");
    }
  }
  return problems;
}

std::vector<RuleTestFailure> failing_rule_tests(
    const std::shared_ptr<const ruleset::Ruleset>& rules) {
  std::vector<RuleTestFailure> failures;
  for (const auto& t : rules->tests()) {
    auto problems = check_rule_test(t, rules);
    if (!problems.empty()) failures.push_back({&t, std::move(problems)});
  }
  return failures;
}

}  // namespace pixelwarden::engine
