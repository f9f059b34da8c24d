#pragma once
// A minimal ruleset::Ruleset for daemon tests: no rules, a name/version/sha256, and a
// flag set when it is destroyed (to observe the holder's reclaimer).

#include <atomic>
#include <string>
#include <thread>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::testing {

class FakeRuleset final : public ruleset::Ruleset {
 public:
  explicit FakeRuleset(std::string version, std::uint64_t generation = 1,
                       std::atomic<bool>* destroyed = nullptr,
                       std::thread::id* destroyed_on = nullptr)
      : m_generation(generation), m_destroyed(destroyed), m_destroyed_on(destroyed_on) {
    m_meta.name = "fake";
    m_meta.version = version;
    m_meta.sha256 = "sha-" + version;
  }
  ~FakeRuleset() override {
    if (m_destroyed_on) *m_destroyed_on = std::this_thread::get_id();
    if (m_destroyed) m_destroyed->store(true);
  }
  const ruleset::Meta& meta() const override { return m_meta; }
  ruleset::Mode mode() const override { return ruleset::Mode::enforce; }
  const ruleset::RemoteContent& remote_content() const override { return m_remote; }
  ruleset::ReadReceipts read_receipts() const override { return ruleset::ReadReceipts::keep; }
  ruleset::MalformedPolicy malformed_mime() const override {
    return ruleset::MalformedPolicy::pass;
  }
  const ruleset::Report& report() const override { return m_report; }
  const std::vector<ruleset::RuleTest>& tests() const override { return m_tests; }
  std::uint64_t generation() const override { return m_generation; }
  std::optional<ruleset::TrackerMatch> match_tracker(
      const ruleset::ResourceFacts&, const ruleset::RecipientTokens&) const override {
    return std::nullopt;
  }
  std::vector<ruleset::LureHit> match_lures(const ruleset::LureEvidence&) const override {
    return {};
  }
  bool lures_need_headers() const override { return false; }
  bool lures_need_body() const override { return false; }
  bool allow_depends_on_headers() const override { return false; }
  ruleset::AllowDecision match_allow(const ruleset::AllowEvidence&) const override { return {}; }
  Sizes sizes() const override { return {}; }

 private:
  ruleset::Meta m_meta;
  ruleset::RemoteContent m_remote;
  ruleset::Report m_report;
  std::vector<ruleset::RuleTest> m_tests;
  std::uint64_t m_generation;
  std::atomic<bool>* m_destroyed;
  std::thread::id* m_destroyed_on;
};

}  // namespace pixelwarden::testing
