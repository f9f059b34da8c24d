#pragma once
// RulesetHolder: the one place a mail thread gets its ruleset from. pin() copies the
// snapshot in force under a mutex held for one reference-count increment (once per
// message); publish() swaps in a new snapshot built off the mail path and bumps the
// generation.
//
// Why a mutex and not std::atomic<std::shared_ptr>: GCC 12's implementation is a spin
// lock in the control-block pointer's low bit whose load() releases it with a relaxed
// fetch_sub, so the reader's read of the stored pointer does not happen-before the next
// store's write of it (a data race in the C++ memory model, harmless on x86-64 only
// because every atomic read-modify-write there is a full barrier). ThreadSanitizer
// reports it on every reload under load; later libstdc++ releases annotate the lock for
// it. A std::mutex is what TSan and every architecture understand; a pin costs about
// 20 ns of CPU either way (the mutex ~3 ns more uncontended, less when two threads
// contend), once per message.
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
#include <mutex>

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
  std::shared_ptr<const Ruleset> pin() const {
    std::lock_guard lock(m_mutex);
    return m_current;
  }

  // Makes `rules` the snapshot in force; returns the new generation (1 for the first).
  std::uint64_t publish(std::shared_ptr<const Ruleset> rules);

  // Number of publishes so far; the next ruleset should be built with generation()+1.
  std::uint64_t generation() const { return m_generation.load(std::memory_order_acquire); }
  bool ready() const { return generation() > 0; }

  // Snapshots destroyed by the reclaimer thread so far (for tests and debugging).
  std::uint64_t reclaimed() const;

 private:
  // Replaces the snapshot in force; the previous one is released after the lock.
  void swap_current(std::shared_ptr<const Ruleset> next);

  std::shared_ptr<Reclaimer> m_reclaimer;
  mutable std::mutex m_mutex;  // guards m_current only, never held across a destructor
  std::shared_ptr<const Ruleset> m_current;
  std::atomic<std::uint64_t> m_generation{0};
};

}  // namespace pixelwarden::ruleset
