#pragma once
// RulesetHolder: the one place a mail thread gets its ruleset from. pin() is a single
// atomic load of a shared_ptr (no lock on the mail path beyond libstdc++'s spinlock bit
// in std::atomic<std::shared_ptr>); publish() swaps in a new snapshot built off the mail
// path and bumps the generation.
//
// Teardown of an old ruleset (Hyperscan databases, million-entry hash sets) can take
// milliseconds, so it must not run on whichever mail thread happens to drop the last
// pin. Every published snapshot carries a deleter that hands the real object to a
// reclaimer thread, which destroys it. Holder destruction joins that thread; snapshots
// still pinned after that are destroyed inline by their last owner.
//
// Non-goals: loading or validating rules (ruleset::load_ruleset), deciding when to
// reload (daemon/reload).

#include <atomic>
#include <cstdint>
#include <memory>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::ruleset {

class Reclaimer;

class RulesetHolder {
 public:
  RulesetHolder();
  ~RulesetHolder();
  RulesetHolder(const RulesetHolder&) = delete;
  RulesetHolder& operator=(const RulesetHolder&) = delete;

  // The snapshot in force (null before the first publish). Keep it for a whole message.
  std::shared_ptr<const Ruleset> pin() const { return m_current.load(std::memory_order_acquire); }

  // Makes `rules` the snapshot in force; returns the new generation (1 for the first).
  std::uint64_t publish(std::shared_ptr<const Ruleset> rules);

  // Number of publishes so far; the next ruleset should be built with generation()+1.
  std::uint64_t generation() const { return m_generation.load(std::memory_order_acquire); }
  bool ready() const { return generation() > 0; }

  // Snapshots destroyed by the reclaimer thread so far (for tests and debugging).
  std::uint64_t reclaimed() const;

 private:
  std::shared_ptr<Reclaimer> m_reclaimer;
  std::atomic<std::shared_ptr<const Ruleset>> m_current;
  std::atomic<std::uint64_t> m_generation{0};
};

}  // namespace pixelwarden::ruleset
