#pragma once
// Inspector: the session's view of the staged engine inspection (engine::Inspection),
// behind a small interface so the milter session's protocol handling (early decisions,
// size cap, resets between messages, error answers) is unit-tested with a scripted
// inspector as well as with the real engine. engine_inspector() is the production one.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/inspect.hpp"

namespace pixelwarden::daemon {

class Inspector {
 public:
  virtual ~Inspector() = default;
  virtual void envelope(const engine::Envelope& envelope) = 0;
  // totals: the whole header section, including fields past the caps not kept.
  virtual void headers(const std::vector<engine::HeaderField>& headers,
                       const engine::HeaderTotals& totals) = 0;
  virtual void body(std::string_view body, bool truncated) = 0;
  virtual engine::Verdict& verdict() = 0;
};

using InspectorFactory = std::function<std::unique_ptr<Inspector>(
    std::shared_ptr<const ruleset::Ruleset> rules, const engine::Limits& limits)>;

// Wraps engine::Inspection.
InspectorFactory engine_inspector();

}  // namespace pixelwarden::daemon
