#include "daemon/session.hpp"

#include <cmath>

#include <spdlog/spdlog.h>

#include "daemon/audit_log.hpp"
#include "observe/metrics.hpp"
#include "ruleset/holder.hpp"

namespace pixelwarden::daemon {
namespace {

std::string strip_brackets(std::string_view addr) {
  if (addr.size() >= 2 && addr.front() == '<' && addr.back() == '>') {
    addr = addr.substr(1, addr.size() - 2);
  }
  return std::string(addr);
}

// Body memory a connection keeps between messages: a typical message needs no new
// allocation, a large one gives its memory back when it ends.
constexpr std::size_t k_keep_body_bytes = 256 * 1024;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string rule_list(const engine::Verdict& v) {
  std::string out;
  for (const auto& l : v.lures) out += (out.empty() ? "" : ",") + l.rule;
  for (const auto& t : v.trackers) {
    if (out.find(t.rule) == std::string::npos) out += (out.empty() ? "" : ",") + t.rule;
  }
  return out;
}

}  // namespace

Session::Session(SessionEnv& env) : m_env(env) {
  m_env.sessions.fetch_add(1, std::memory_order_relaxed);
  if (m_env.metrics) m_env.metrics->connection_opened();
}

Session::~Session() {
  end_message();
  if (m_env.metrics) m_env.metrics->connection_closed();
  m_env.sessions.fetch_sub(1, std::memory_order_relaxed);
}

void Session::connect(std::string_view client_ip) { m_client_ip = client_ip; }

void Session::helo(std::string_view name) { m_helo = name; }

void Session::begin_message() {
  end_message();  // a previous message without eom/abort (e.g. RSET after a refusal)
  m_open = true;
  m_env.in_flight.fetch_add(1, std::memory_order_acq_rel);
  m_envelope = engine::Envelope{};
  m_envelope.client_ip = m_client_ip;
  m_envelope.helo = m_helo;
  m_headers.clear();
  m_header_bytes = 0;
  m_header_fields = 0;
  m_kept_header_bytes = 0;
  m_headers_capped = false;
  m_body.clear(k_keep_body_bytes);
  m_truncated = false;
  m_decided = false;
  m_held = false;
  m_envelope_done = false;
  m_began_draining = m_env.draining.load(std::memory_order_acquire);
  auto rules = m_env.holder ? m_env.holder->pin() : nullptr;
  if (!rules) throw std::runtime_error("no ruleset loaded");
  m_inspector = m_env.make_inspector(std::move(rules), m_env.limits);
}

void Session::end_message() {
  if (!m_open) return;
  m_open = false;
  m_failed = false;
  m_inspector.reset();  // drops the ruleset pin
  m_body.clear(k_keep_body_bytes);
  m_env.in_flight.fetch_sub(1, std::memory_order_acq_rel);
}

void Session::set_queue_id(std::string_view queue_id) {
  if (queue_id.empty()) return;
  m_envelope.queue_id = queue_id;
  if (m_inspector) m_inspector->queue_id(queue_id);
}

void Session::envfrom(std::string_view sender, std::string_view auth_user,
                      std::string_view queue_id) {
  const bool carried_failure = m_failed && !m_open;  // connect/helo failed: answered later
  m_failed = false;
  begin_message();
  m_failed = carried_failure;
  m_envelope.mail_from = strip_brackets(sender);
  m_envelope.auth_user = auth_user;
  set_queue_id(queue_id);
  spdlog::debug("{}: MAIL FROM <{}> from {} ({} in flight)", m_envelope.queue_id,
                m_envelope.mail_from, m_client_ip, m_env.in_flight.load());
}

void Session::rcpt(std::string_view recipient) {
  if (m_open) m_envelope.rcpt.push_back(strip_brackets(recipient));
}

Answer Session::data(std::string_view queue_id, MilterActions& actions) {
  set_queue_id(queue_id);
  if (m_envelope_done) return Answer::cont;  // a repeated DATA: the stage runs once
  return envelope_stage(m_env.refuse_at_data ? &actions : nullptr);
}

Answer Session::envelope_stage(MilterActions* actions) {
  m_envelope_done = true;
  if (m_failed || !m_inspector) return actions ? answer_failure() : Answer::cont;
  if (m_began_draining) return actions ? refuse_draining(*actions) : Answer::cont;  // else at eom()
  m_inspector->envelope(m_envelope);
  if (actions) return decide_early(*actions, std::chrono::steady_clock::now());
  m_held = m_inspector->verdict().final();
  return Answer::cont;
}

void Session::ensure_envelope_stage() {
  if (m_open && !m_envelope_done) envelope_stage(nullptr);  // the MTA skipped DATA
}

Answer Session::refuse_draining(MilterActions& actions) {
  actions.set_reply("451", "4.3.2", {"pixelwarden is restarting, try again later"});
  end_message();
  return Answer::tempfail;
}

void Session::header(std::string_view name, std::string_view value) {
  if (!m_open || m_decided) return;
  const std::size_t bytes = name.size() + value.size() + 3;
  m_header_bytes += bytes;
  ++m_header_fields;
  if (m_began_draining) return;  // answered 451: nothing left to inspect
  // Collected after an envelope refusal too: the verdict lists every match. Past a cap
  // a field is counted, not kept, so memory stays bounded; the engine then reads the
  // fields kept and hands the message to the malformed policy.
  const engine::Limits& limits = m_env.limits;
  m_headers_capped = m_headers_capped || m_headers.size() >= limits.max_header_fields ||
                     m_kept_header_bytes + bytes > limits.max_header_bytes;
  if (m_headers_capped) return;
  m_kept_header_bytes += bytes;
  m_headers.push_back(engine::ReceivedField{std::string(name), std::string(value)});
}

void Session::eoh(std::string_view queue_id) {
  set_queue_id(queue_id);
  ensure_envelope_stage();
  if (m_failed || !m_inspector || m_began_draining) return;  // answered at eom()
  if ((m_inspector->verdict().stages_seen & engine::stage_headers) != 0) return;  // repeated
  m_inspector->headers(m_headers, engine::HeaderTotals{m_header_fields, m_header_bytes});
  m_held = m_held || m_inspector->verdict().final();
}

bool Session::body(std::string_view chunk) {
  ensure_envelope_stage();
  // A held refusal still buffers the body: its links and resources join the verdict.
  if (m_failed || !m_open || m_truncated || m_began_draining) return false;
  if (m_body.size() + chunk.size() > m_env.limits.max_message_bytes) {
    // Over the cap: stop buffering; the message passes unmodified (the engine marks it
    // skipped=too_large), envelope and header lures still apply.
    m_truncated = true;
    spdlog::info("{}: message larger than {} bytes, body not inspected", m_envelope.queue_id,
                 m_env.limits.max_message_bytes);
    return false;
  }
  m_body.append(chunk);
  return true;
}

Answer Session::eom(std::string_view queue_id, MilterActions& actions) {
  set_queue_id(queue_id);
  ensure_envelope_stage();
  if (m_failed || !m_inspector) return answer_failure();
  if (m_began_draining) return refuse_draining(actions);
  const auto start = std::chrono::steady_clock::now();
  m_inspector->body(m_body.view(), m_truncated);
  if (m_held) return decide_early(actions, start);
  const engine::Verdict& v = m_inspector->verdict();
  const ApplyResult r = apply(v, actions, ApplyOptions{m_leading_space});
  if (r.failed_requests > 0) {
    spdlog::error("{}: the MTA refused {} modification request(s)", m_envelope.queue_id,
                  r.failed_requests);
    if (m_env.metrics) m_env.metrics->record_error(observe::ErrorKind::milter_action);
  }
  finish(seconds_since(start));
  end_message();
  return r.answer;
}

void Session::abort() { end_message(); }

Answer Session::decide_early(MilterActions& actions, std::chrono::steady_clock::time_point start) {
  const engine::Verdict& v = m_inspector->verdict();
  if (!v.final()) return Answer::cont;
  const ApplyResult r = apply_refusal(v, actions);
  finish(seconds_since(start));
  end_message();
  m_decided = true;
  return r.answer;
}

void Session::finish(double seconds) {
  // Time in the filter for this decision, rounded up so a decision never reads as free.
  m_inspector->elapsed_us(static_cast<std::uint64_t>(std::ceil(seconds * 1e6)));
  const engine::Verdict& v = m_inspector->verdict();
  if (m_env.metrics) m_env.metrics->record_message(v, seconds);
  const bool flagged = v.flagged();
  const auto level = flagged || v.final() ? spdlog::level::info : spdlog::level::debug;
  if (spdlog::should_log(level)) {  // rule_list() allocates: not for a dropped line
    spdlog::log(level,
                "{}: action={} decision={} modified={} rules={} trackers={} skipped={} ruleset={}",
                v.queue_id, engine::to_string(v.action), engine::to_string(v.decision), v.modified,
                rule_list(v), v.trackers.size(), v.skipped ? engine::to_string(*v.skipped) : "-",
                v.ruleset_version);
  }
  if (m_env.audit && m_env.audit->wants(flagged)) {
    if (auto st = m_env.audit->write(v, !flagged); !st) {
      spdlog::error("{}: {}", m_envelope.queue_id, st.error().message);
      if (m_env.metrics) m_env.metrics->record_error(observe::ErrorKind::audit_log);
    }
  }
}

void Session::fail(std::string_view stage, std::string_view what) {
  m_failed = true;
  spdlog::error("{}: internal error in {}: {}; answering {}", m_envelope.queue_id, stage, what,
                to_string(m_env.on_error));
  if (m_env.metrics) m_env.metrics->record_error(observe::ErrorKind::callback);
}

Answer Session::answer_failure() {
  end_message();
  m_failed = false;
  return m_env.on_error == OnError::accept ? Answer::accept : Answer::tempfail;
}

}  // namespace pixelwarden::daemon
