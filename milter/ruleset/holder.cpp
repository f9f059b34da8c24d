#include "ruleset/holder.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace pixelwarden::ruleset {

// Owns the thread that destroys retired snapshots. Shared with every snapshot's
// deleter, so it stays valid even when a pin outlives the holder.
class Reclaimer {
 public:
  Reclaimer() : m_thread([this] { loop(); }) {}

  ~Reclaimer() = default;  // stop() joins; destruction happens after the last deleter ran

  // Called from a deleter on any thread; never destroys a ruleset there while running.
  void retire(std::shared_ptr<const Ruleset> rules) {
    std::unique_lock lock(m_mutex);
    if (m_stopped) {
      lock.unlock();
      rules.reset();  // nobody left to hand it to: destroy inline
      return;
    }
    m_queue.push_back(std::move(rules));
    m_cv.notify_one();
  }

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stopped = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable()) m_thread.join();
  }

  std::uint64_t reclaimed() const {
    std::lock_guard lock(m_mutex);
    return m_reclaimed;
  }

 private:
  void loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      m_cv.wait(lock, [this] { return m_stopped || !m_queue.empty(); });
      while (!m_queue.empty()) {
        auto victim = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        victim.reset();  // the expensive part, outside the lock
        lock.lock();
        ++m_reclaimed;
      }
      if (m_stopped) return;
    }
  }

  mutable std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::shared_ptr<const Ruleset>> m_queue;
  bool m_stopped = false;
  std::uint64_t m_reclaimed = 0;
  std::thread m_thread;
};

RulesetHolder::RulesetHolder() : m_reclaimer(std::make_shared<Reclaimer>()) {}

RulesetHolder::~RulesetHolder() {
  swap_current(nullptr);  // the holder's own pin goes to the reclaimer like any other
  m_reclaimer->stop();
}

std::uint64_t RulesetHolder::publish(std::shared_ptr<const Ruleset> rules) {
  std::shared_ptr<const Ruleset> wrapped;
  if (rules) {
    const Ruleset* raw = rules.get();
    // The deleter keeps the real owner and passes it on; the reclaimer drops it.
    wrapped = std::shared_ptr<const Ruleset>(
        raw, [owner = std::move(rules), reclaimer = m_reclaimer](const Ruleset*) mutable {
          reclaimer->retire(std::move(owner));
        });
  }
  swap_current(std::move(wrapped));
  return m_generation.fetch_add(1, std::memory_order_acq_rel) + 1;
}

void RulesetHolder::swap_current(std::shared_ptr<const Ruleset> next) {
  {
    std::lock_guard lock(m_mutex);
    m_current.swap(next);
  }
  // `next` now holds the previous snapshot; dropping it runs its deleter (the reclaimer's
  // lock) here, outside m_mutex, so a pin() never waits for that.
}

std::uint64_t RulesetHolder::reclaimed() const { return m_reclaimer->reclaimed(); }

}  // namespace pixelwarden::ruleset
