#pragma once
// Inspector: the session's view of the staged engine inspection (engine::Inspection),
// behind a small interface so the milter session's protocol handling (early decisions,
// size cap, resets between messages, error answers) is unit-tested with a scripted
// inspector as well as with the real engine. engine_inspector() is the production one.

#include <cstdint>
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
  virtual void headers(const std::vector<engine::ReceivedField>& headers,
                       const engine::HeaderTotals& totals) = 0;
  virtual void body(std::string_view body, bool truncated) = 0;
  // The queue id (when known; may arrive after the envelope) and the time spent: passed
  // in, the verdict is never patched from outside.
  virtual void queue_id(std::string_view queue_id) = 0;
  virtual void elapsed_us(std::uint64_t us) = 0;
  virtual const engine::Verdict& verdict() const = 0;
  // The verdict, moved out: the inspection is over (the session drops the inspector
  // next). The default copies it.
  virtual engine::Verdict take_verdict() { return verdict(); }
};

using InspectorFactory = std::function<std::unique_ptr<Inspector>(
    std::shared_ptr<const ruleset::Ruleset> rules, const engine::Limits& limits)>;

// Wraps engine::Inspection.
InspectorFactory engine_inspector();

}  // namespace pixelwarden::daemon
