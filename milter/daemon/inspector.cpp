#include "daemon/inspector.hpp"

namespace pixelwarden::daemon {
namespace {

class EngineInspector final : public Inspector {
 public:
  EngineInspector(std::shared_ptr<const ruleset::Ruleset> rules, const engine::Limits& limits)
      : m_inspection(std::move(rules), limits) {}
  void envelope(const engine::Envelope& envelope) override {
    m_inspection.inspect_envelope(envelope);
  }
  // The engine reads views: of the session's copies, which outlive this call.
  void headers(const std::vector<engine::ReceivedField>& headers,
               const engine::HeaderTotals& totals) override {
    std::vector<engine::HeaderView> views;
    views.reserve(headers.size());
    for (const auto& h : headers) views.push_back({h.name, h.value});
    m_inspection.inspect_headers(views, totals);
  }
  void body(std::string_view body, bool truncated) override {
    m_inspection.inspect_body(body, truncated);
  }
  void queue_id(std::string_view queue_id) override { m_inspection.set_queue_id(queue_id); }
  void elapsed_us(std::uint64_t us) override { m_inspection.set_elapsed_us(us); }
  const engine::Verdict& verdict() const override { return m_inspection.verdict(); }
  engine::Verdict take_verdict() override { return std::move(m_inspection).take_verdict(); }

 private:
  engine::Inspection m_inspection;
};

}  // namespace

InspectorFactory engine_inspector() {
  return [](std::shared_ptr<const ruleset::Ruleset> rules, const engine::Limits& limits) {
    return std::make_unique<EngineInspector>(std::move(rules), limits);
  };
}

}  // namespace pixelwarden::daemon
