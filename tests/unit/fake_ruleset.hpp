#pragma once
// The one test ruleset: no rules (every matcher finds nothing), its settings as given,
// and, when asked, a flag set when it is destroyed (to observe the holder's reclaimer).
// Tests that need rules load real YAML with ruleset::load_ruleset instead.

#include <atomic>
#include <string>
#include <thread>

#include "ruleset/ruleset.hpp"

namespace pixelwarden::testing {

class FakeRuleset final : public ruleset::Ruleset {
 public:
  explicit FakeRuleset(Settings settings) : Ruleset(std::move(settings)) {}
  // A ruleset "fake" at `version`, sha256 "sha-VERSION".
  explicit FakeRuleset(const std::string& version, std::atomic<bool>* destroyed = nullptr,
                       std::thread::id* destroyed_on = nullptr)
      : Ruleset(versioned(version)), m_destroyed(destroyed), m_destroyed_on(destroyed_on) {}
  // What metrics read: the name, version and sha256, and the counts.
  FakeRuleset(ruleset::Meta meta, Sizes sizes) {
    m_settings.meta = std::move(meta);
    m_settings.sizes = sizes;
  }
  ~FakeRuleset() override {
    if (m_destroyed_on) *m_destroyed_on = std::this_thread::get_id();
    if (m_destroyed) m_destroyed->store(true);
  }

  std::optional<ruleset::TrackerMatch> match_tracker(
      const ruleset::ResourceFacts& /*resource*/,
      const ruleset::RecipientTokens& /*tokens*/) const override {
    return std::nullopt;
  }
  std::vector<ruleset::LureHit> match_lures(
      const ruleset::LureEvidence& /*evidence*/) const override {
    return {};
  }
  bool allow_depends_on_headers() const override { return false; }
  ruleset::AllowDecision match_allow(const ruleset::AllowEvidence& /*evidence*/) const override {
    return {};
  }
  ruleset::GroupPolicy recipient_group(const std::vector<std::string>& /*rcpt*/) const override {
    return {};
  }

 private:
  static Settings versioned(const std::string& version) {
    Settings s;
    s.meta.name = "fake";
    s.meta.version = version;
    s.meta.sha256 = "sha-" + version;
    s.malformed_mime = ruleset::MalformedPolicy::pass;
    return s;
  }

  std::atomic<bool>* m_destroyed = nullptr;
  std::thread::id* m_destroyed_on = nullptr;
};

}  // namespace pixelwarden::testing
