// metrics_replay: drives the real observe::Metrics from a line protocol on stdin, for
// the Prometheus test's replay mode (no Postfix, no engine: the verdicts are the ones
// the traffic plan says the engine makes). Each `dump` writes serialize() followed by
// a line `# EOF`, so the Python side can serve it as a live /metrics.
//
//   ruleset NAME VERSION SHA256 TRACKERS LURES ALLOW LIST_ENTRIES COMPILE_SECONDS
//   message ACTION MODIFIED(0|1) SECONDS BYTES   starts a verdict
//   tracker RULE ACTION VECTOR VENDOR|-          adds to it
//   lure RULE WHERE ACTION
//   vector VECTOR
//   skipped REASON
//   end                                          records it
//   error KIND | reload RESULT | open | close | dump

#include <iostream>
#include <sstream>
#include <string>

#include "../../unit/fake_ruleset.hpp"
#include "observe/metrics.hpp"

using namespace pixelwarden;

namespace {

// An enum value of the scenario by its name (to_string's spelling); `fallback` otherwise.
template <typename E, typename ToString>
E parse_enum(const std::string& s, std::size_t count, ToString to_str, E fallback) {
  for (std::size_t i = 0; i < count; ++i) {
    if (s == to_str(static_cast<E>(i))) return static_cast<E>(i);
  }
  return fallback;
}

engine::Action parse_action(const std::string& s) {
  if (s == "reject") return engine::Action::reject;
  if (s == "tempfail") return engine::Action::tempfail;
  if (s == "discard") return engine::Action::discard;
  if (s == "quarantine") return engine::Action::quarantine;
  return engine::Action::accept;
}

}  // namespace

int main() {
  observe::Metrics metrics;
  engine::Verdict verdict;
  double seconds = 0;
  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "ruleset") {
      ruleset::Meta meta;
      ruleset::Ruleset::Sizes sizes;
      in >> meta.name >> meta.version >> meta.sha256 >> sizes.trackers >> sizes.lures >>
          sizes.allow >> sizes.list_entries >> sizes.compile_seconds;
      metrics.ruleset_loaded(testing::FakeRuleset(meta, sizes));
    } else if (cmd == "message") {
      verdict = engine::Verdict();
      std::string action;
      int modified = 0;
      in >> action >> modified >> seconds >> verdict.message_bytes;
      verdict.action = parse_action(action);
      verdict.modified = modified != 0;
    } else if (cmd == "tracker") {
      engine::TrackerRecord t;
      std::string action;
      in >> t.rule >> action >> t.vector >> t.vendor;
      t.action = parse_enum(
          action, 4, [](ruleset::TrackerAction a) { return ruleset::to_string(a); },
          ruleset::TrackerAction::keep);
      if (t.vendor == "-") t.vendor.clear();
      verdict.trackers.push_back(t);
    } else if (cmd == "lure") {
      engine::LureRecord l;
      std::string action;
      in >> l.rule >> l.where >> action;
      l.action = parse_enum(
          action, 7, [](ruleset::LureAction a) { return ruleset::to_string(a); },
          ruleset::LureAction::monitor);
      verdict.lures.push_back(l);
    } else if (cmd == "vector") {
      verdict.vectors_seen.emplace_back();
      in >> verdict.vectors_seen.back();
    } else if (cmd == "skipped") {
      std::string reason;
      in >> reason;
      verdict.skipped = engine::skip_reason_from(reason);
    } else if (cmd == "end") {
      metrics.record_message(verdict, seconds);
    } else if (cmd == "error") {
      std::string kind;
      in >> kind;
      metrics.record_error(parse_enum(
          kind, 3, [](observe::ErrorKind k) { return observe::to_string(k); },
          observe::ErrorKind::callback));
    } else if (cmd == "reload") {
      std::string result;
      in >> result;
      metrics.reload_result(result);
    } else if (cmd == "open") {
      metrics.connection_opened();
    } else if (cmd == "close") {
      metrics.connection_closed();
    } else if (cmd == "dump") {
      std::cout << metrics.serialize() << "# EOF" << std::endl;
    } else if (!cmd.empty()) {
      std::cerr << "metrics_replay: unknown command: " << cmd << "\n";
      return 2;
    }
  }
  return 0;
}
