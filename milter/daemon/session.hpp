#pragma once
// Session: the per-connection state behind smfi_setpriv, free of libmilter types so it
// is unit-tested without an MTA. milter.cpp translates each callback into one call here.
//
//   connect ─▶ helo ─▶ ┌▶ envfrom ─▶ rcpt* ─▶ [data] ─▶ header* ─▶ eoh ─▶ body* ─▶ eom ─┐
//                      │   (pin ruleset,      (envelope      (header     (buffer,   (body │
//                      │    reset message)     stage)         stage,     capped)    stage,│
//                      │                                      held)                 apply)│
//                      └──────────────── next message on the same connection ◀────── abort ┘
//
// By default only end of message answers the MTA: DATA is skipped (or a no-reply step)
// and the envelope stage runs at the first content step; its refusal, like a header
// one, is held and answered at end of message (the SMTP client sees it after its final
// dot either way: Postfix hands milters the content only once it is all queued). The
// later stages still run on a held refusal, so its verdict and audit line list every
// match (headers, links, resources); they cannot change the answer. With
// refuse_at_data, DATA answers: an envelope refusal then comes before the client sends
// any content, and its verdict says which stages it did not see. A failure in any
// stage (an exception caught by the milter layer) is answered with the configured
// on_error at the next step that answers.
// Callbacks of one connection may run on different threads, never concurrently.

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/actions.hpp"
#include "daemon/body_buffer.hpp"
#include "daemon/config.hpp"
#include "daemon/inspector.hpp"

namespace pixelwarden::observe {
class Metrics;
}
namespace pixelwarden::ruleset {
class RulesetHolder;
}

namespace pixelwarden::daemon {

class AuditLog;

// Shared by every session; owned by daemon::run (or a test).
struct SessionEnv {
  ruleset::RulesetHolder* holder = nullptr;
  engine::Limits limits;
  OnError on_error = OnError::accept;
  InspectorFactory make_inspector;
  observe::Metrics* metrics = nullptr;  // may be null (tests)
  AuditLog* audit = nullptr;            // may be null (no audit log)
  std::atomic<int> in_flight{0};        // messages between MAIL FROM and their end
  std::atomic<int> sessions{0};
  // Set on SIGTERM: messages that begin afterwards are answered 451 (at DATA, or at end
  // of message when DATA does not answer), so the drain converges while Postfix keeps
  // its connections open.
  std::atomic<bool> draining{false};
  // milter.refuse_at_data: DATA answers, so an envelope lure is refused before the
  // client sends the body. Off, DATA is a no-reply (or skipped) step and an envelope
  // refusal is held for end of message, like a header one: one round trip less per
  // message.
  bool refuse_at_data = false;
};

class Session {
 public:
  explicit Session(SessionEnv& env);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void connect(std::string_view client_ip);
  void helo(std::string_view name);
  void envfrom(std::string_view sender, std::string_view auth_user, std::string_view queue_id);
  void rcpt(std::string_view recipient);
  // Answers only with env.refuse_at_data; otherwise always cont (a refusal is held).
  Answer data(std::string_view queue_id, MilterActions& actions);
  void header(std::string_view name, std::string_view value);
  void eoh(std::string_view queue_id);
  // True when the chunk was buffered; false when it was dropped (over max_message_bytes,
  // or the message is already refused or failed).
  bool body(std::string_view chunk);
  Answer eom(std::string_view queue_id, MilterActions& actions);
  void abort();

  // An exception escaped a stage: logged and counted; the answer is on_error (call
  // answer_failure() at the first stage that may answer).
  void fail(std::string_view stage, std::string_view what);
  bool failed() const { return m_failed; }
  Answer answer_failure();

  void set_leading_space(bool on) { m_leading_space = on; }
  const std::string& queue_id() const { return m_envelope.queue_id; }
  bool message_open() const { return m_open; }

 private:
  void begin_message();
  void end_message();
  void set_queue_id(std::string_view queue_id);
  // The envelope stage, at DATA or (DATA skipped) at end of headers. With actions, a
  // refusal is answered now; without, it is held for eom().
  Answer envelope_stage(MilterActions* actions);
  void ensure_envelope_stage();  // at the first content step when DATA was skipped
  // Answers a refusal (at DATA, or held until eom); start: when this step's work began.
  Answer decide_early(MilterActions& actions, std::chrono::steady_clock::time_point start);
  Answer refuse_draining(MilterActions& actions);
  void finish(double seconds);  // metrics, audit line and log of the verdict

  SessionEnv& m_env;
  std::string m_client_ip;
  std::string m_helo;
  // Per message:
  bool m_open = false;
  bool m_failed = false;
  bool m_decided = false;        // a refusal was answered; ignore the rest of this message
  bool m_held = false;           // a refusal found before the body waits for eom()
  bool m_envelope_done = false;  // the envelope stage ran for this message
  bool m_truncated = false;
  bool m_leading_space = false;
  bool m_began_draining = false;  // began after SIGTERM: 451 at DATA or (held) at eom()
  engine::Envelope m_envelope;
  std::vector<engine::ReceivedField> m_headers;
  std::size_t m_header_bytes = 0;  // every field, kept or not
  std::size_t m_header_fields = 0;
  std::size_t m_kept_header_bytes = 0;
  bool m_headers_capped = false;  // a field did not fit the caps: none after it is kept
  BodyBuffer m_body;
  std::unique_ptr<Inspector> m_inspector;
};

}  // namespace pixelwarden::daemon
