// Builder, tests stage: `tests:` entries of every file, paths resolved against it.
#include "ruleset/builder.hpp"

namespace pixelwarden::ruleset {
namespace {

const std::initializer_list<std::string_view> k_actions = {"accept", "reject", "tempfail",
                                                           "discard", "quarantine"};

}  // namespace

void Builder::build_tests() {
  for (const SourceFile& f : m_files) {
    const YAML::Node seq = f.root["tests"];
    if (!seq.IsDefined() || seq.IsNull()) continue;
    Checker c = checker(f);
    if (!seq.IsSequence()) {
      c.error(seq, "tests must be a sequence");
      continue;
    }
    for (const YAML::Node& t : seq) build_test(c, f, t);
  }
}

void Builder::build_test(const Checker& c, const SourceFile& f, const YAML::Node& n) {
  if (!c.check_map(n, {"name", "message", "envelope", "expect"}, "test")) return;
  RuleTest t;
  t.file = f.path;
  t.line = n.Mark().line + 1;
  if (!n["name"].IsDefined() || !n["message"].IsDefined() || !n["expect"].IsDefined()) {
    c.error(n, "a test needs name, message and expect");
    return;
  }
  t.name = c.scalar(n["name"], "name").value_or("");
  if (auto msg = c.scalar(n["message"], "message")) t.message_path = resolve(f.dir, *msg);
  const YAML::Node env = n["envelope"];
  if (env.IsDefined() && c.check_map(env, {"from", "rcpt"}, "envelope")) {
    if (env["from"].IsDefined())
      t.envelope_from = c.scalar(env["from"], "envelope.from").value_or("");
    if (env["rcpt"].IsDefined()) {
      if (auto items = c.scalars(env["rcpt"], "envelope.rcpt", true)) {
        for (const auto& [text, node] : *items) t.envelope_rcpt.push_back(text);
      }
    }
  }
  const YAML::Node ex = n["expect"];
  if (!c.check_map(ex, {"action", "rules", "trackers", "absent", "present"}, "expect")) return;
  if (ex["action"].IsDefined()) {
    if (auto a = c.choice(ex["action"], "expect.action", k_actions)) {
      t.expect_action = std::string(k_actions.begin()[*a]);
    }
  }
  if (ex["rules"].IsDefined()) {
    if (auto items = c.scalars(ex["rules"], "expect.rules")) {
      std::vector<std::string> ids;
      for (const auto& [text, node] : *items) ids.push_back(text);
      t.expect_rules = ids;
    }
  }
  if (ex["trackers"].IsDefined()) {
    try {
      t.expect_trackers = ex["trackers"].as<int>();
      if (*t.expect_trackers < 0) throw YAML::Exception(ex["trackers"].Mark(), "negative");
    } catch (const YAML::Exception&) {
      c.error(ex["trackers"], "expect.trackers must be a non-negative integer");
    }
  }
  for (const char* key : {"absent", "present"}) {
    if (!ex[key].IsDefined()) continue;
    if (auto items = c.scalars(ex[key], std::string("expect.") + key, true)) {
      for (const auto& [text, node] : *items) {
        (key[0] == 'a' ? t.expect_absent : t.expect_present).push_back(text);
      }
    }
  }
  m_rs->settings().tests.push_back(std::move(t));
}

}  // namespace pixelwarden::ruleset
