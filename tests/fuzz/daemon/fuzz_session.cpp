// libFuzzer target for the milter session (daemon::Session) driven by a fake MTA: the
// input is a sequence of protocol steps (connect, HELO, MAIL, RCPT, DATA, header, end of
// headers, body chunk, end of message, abort, close) plus events around them (a ruleset
// reload, SIGTERM's drain, an exception in the engine). The fake MTA only sends what the
// milter protocol allows in its current state (DATA may be skipped, a message may be
// aborted anywhere, connections carry any number of messages) and answers like
// daemon/milter.cpp: an exception is handed to Session::fail() and answered with
// on_error at the next step that replies. The real engine inspects with two compiled
// rulesets (lures on envelope, headers and links; trackers neutralized). Invariants:
//   - nothing crashes;
//   - each message is decided once: the messages the session counted
//     (pixelwarden_messages_total) are exactly those the MTA got a verdict for (not the
//     on_error or drain answers), and after its answer a message is closed;
//   - the session's open message, the in-flight count and the live inspection agree
//     with the MTA's view after every step;
//   - a message inspects the ruleset in force at its MAIL FROM, whatever is reloaded
//     meanwhile, and every pinned ruleset is released once its message ends;
//   - modifications only at end of message, a reply only with a refusal.
// Seeds: tests/data/fuzz/fuzz_session/ (step sequences, see gen_seeds.py).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include "daemon/actions.hpp"
#include "daemon/inspector.hpp"
#include "daemon/session.hpp"
#include "observe/metrics.hpp"
#include "ruleset/holder.hpp"

namespace {

using namespace pixelwarden;
using Step = daemon::Answer;  // what a milter step answers

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_session invariant violated: %s\n", what);
    std::abort();
  }
}

const char* const k_rules_a = R"(ruleset: {name: fuzz, version: "a"}
lists:
  lures: {domains: [lure.example]}
  trackers: {domains: [t.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: neutralize
lures:
  - id: lure-senders
    match:
      domain_in: lures
      where: [envelope_from, header_from, reply_to, links, resources]
    action: reject
)";

const char* const k_rules_b = R"(ruleset: {name: fuzz, version: "b"}
lists:
  lures: {domains: [lure.example]}
trackers:
  - id: invisible
    match: {invisible: true}
    action: strip
lures:
  - id: lure-quarantine
    match:
      domain_in: lures
      where: [header_from, links]
    action: quarantine
  - id: lure-tempfail
    match:
      domain_in: lures
      where: [envelope_from]
    action: tempfail
)";

std::shared_ptr<const ruleset::Ruleset> load(const char* yaml) {
  std::string dir = (std::filesystem::temp_directory_path() / "fuzz-session-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) std::abort();
  std::ofstream(dir + "/rules.yaml", std::ios::binary) << yaml;
  auto r = ruleset::load_ruleset(dir + "/rules.yaml");
  std::filesystem::remove_all(dir);
  if (!r.ruleset) {
    for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    std::abort();
  }
  return r.ruleset;
}

// Reads the input: one byte per choice, strings as a length byte and that many bytes.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
  bool done() const { return m_pos >= m_size; }
  std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
  std::string_view text() {
    const std::size_t n = std::min<std::size_t>(byte(), m_size - m_pos);
    const std::string_view s(reinterpret_cast<const char*>(m_data + m_pos), n);
    m_pos += n;
    return s;
  }
  // One of `choices`, or (the last index) a raw string from the input.
  std::string_view pick(const std::vector<std::string_view>& choices) {
    const std::size_t i = byte() % (choices.size() + 1);
    return i < choices.size() ? choices[i] : text();
  }

 private:
  const std::uint8_t* m_data;
  std::size_t m_size;
  std::size_t m_pos = 0;
};

// Shared by the harness and the inspectors it makes.
struct World {
  int live_inspectors = 0;
  bool throw_next = false;  // the next inspector call throws (an engine failure)
  const ruleset::Ruleset* last_pinned = nullptr;
};

// The production inspector, counted, with failure injection.
class CountedInspector final : public daemon::Inspector {
 public:
  CountedInspector(World& w, std::unique_ptr<daemon::Inspector> inner, const ruleset::Ruleset* r)
      : m_w(w), m_inner(std::move(inner)) {
    ++m_w.live_inspectors;
    m_w.last_pinned = r;
  }
  ~CountedInspector() override { --m_w.live_inspectors; }
  CountedInspector(const CountedInspector&) = delete;
  CountedInspector& operator=(const CountedInspector&) = delete;
  void envelope(const engine::Envelope& e) override {
    maybe_throw();
    m_inner->envelope(e);
  }
  void headers(const std::vector<engine::ReceivedField>& h,
               const engine::HeaderTotals& t) override {
    maybe_throw();
    m_inner->headers(h, t);
  }
  void body(std::string_view b, bool truncated) override {
    maybe_throw();
    m_inner->body(b, truncated);
  }
  void queue_id(std::string_view id) override { m_inner->queue_id(id); }
  void elapsed_us(std::uint64_t us) override { m_inner->elapsed_us(us); }
  const engine::Verdict& verdict() const override { return m_inner->verdict(); }

 private:
  void maybe_throw() {
    if (m_w.throw_next) {
      m_w.throw_next = false;
      throw std::runtime_error("injected engine failure");
    }
  }
  World& m_w;
  std::unique_ptr<daemon::Inspector> m_inner;
};

// The MTA side of the actions: what was requested during the current step.
class FakeMta final : public daemon::MilterActions {
 public:
  bool modified = false;
  bool replied = false;
  void reset() { modified = replied = false; }
  bool add_header(std::string_view, std::string_view) override { return modify(); }
  bool change_header(std::string_view, int, std::optional<std::string_view>) override {
    return modify();
  }
  bool insert_header(int, std::string_view, std::string_view) override { return modify(); }
  bool replace_body(std::string_view) override { return modify(); }
  bool quarantine(std::string_view) override { return modify(); }
  bool set_reply(std::string_view code, std::string_view,
                 const std::vector<std::string>& lines) override {
    require(code.size() == 3 && !lines.empty(), "a reply has a code and a line");
    replied = true;
    return true;
  }
  bool progress() override { return true; }

 private:
  bool modify() {
    modified = true;
    return true;
  }
};

double messages_counted(observe::Metrics& m) {
  double n = 0;
  const std::string text = m.serialize();
  std::size_t pos = 0;
  while ((pos = text.find("\npixelwarden_messages_total{", pos)) != std::string::npos) {
    const std::size_t sp = text.find("} ", pos);
    const std::size_t eol = text.find('\n', sp);
    n += std::strtod(text.substr(sp + 2, eol - sp - 2).c_str(), nullptr);
    pos = eol;
  }
  return n;
}

enum class State { closed, connected, envelope, headers, body };

struct Harness {
  World world;
  ruleset::RulesetHolder holder;
  daemon::SessionEnv env;
  std::unique_ptr<daemon::Session> session;
  FakeMta mta;
  State state = State::closed;
  bool message_failed = false;    // an exception in this message: answered with on_error
  bool message_draining = false;  // began after SIGTERM: answered 451, not decided
  const ruleset::Ruleset* pinned_at_mail = nullptr;
  double decided = 0;  // messages the MTA got a verdict for
  std::vector<std::weak_ptr<const ruleset::Ruleset>> pins;
};

// Runs one step the way daemon/milter.cpp's guarded() does; replying steps answer.
template <typename F> Step guarded(Harness& h, bool replying, F&& f) {
  h.mta.reset();
  try {
    return f();
  } catch (const std::exception& e) {
    h.session->fail("fuzz", e.what());
    h.message_failed = h.message_failed || h.session->message_open();
  }
  return replying ? h.session->answer_failure() : Step::cont;
}

// The message ended with `s` at a replying step (DATA with refuse_at_data, or EOM).
void answered(Harness& h, Step s, bool at_eom) {
  require(!h.mta.modified || at_eom, "modifications only at end of message");
  if (h.mta.replied) {
    require(s == Step::reject || s == Step::tempfail || s == Step::discard,
            "a reply only with a refusal");
  }
  if (s == Step::cont && !at_eom) return;  // DATA passed: the message goes on
  require(!h.session->message_open(), "an answered message is closed");
  if (!h.message_failed && !h.message_draining) h.decided += 1;
  h.state = State::connected;
}

void check_consistent(Harness& h) {
  const bool open = h.session && h.session->message_open();
  const bool mta_open =
      h.state == State::envelope || h.state == State::headers || h.state == State::body;
  require(open == mta_open, "the session's message is the MTA's message");
  require(h.env.in_flight.load() == (open ? 1 : 0), "in-flight count");
  require(h.world.live_inspectors == (open ? 1 : 0),
          "an inspection lives exactly as long as its message");
  if (open) require(h.world.last_pinned == h.pinned_at_mail, "the ruleset in force at MAIL FROM");
}

void publish(Harness& h, const std::shared_ptr<const ruleset::Ruleset>& r) {
  h.holder.publish(r);
  h.pins.push_back(h.holder.pin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto rules_a = load(k_rules_a);
  static const auto rules_b = load(k_rules_b);
  static observe::Metrics metrics("fuzz");
  static const std::vector<std::string_view> k_senders = {"<news@shop.example>", "<x@lure.example>",
                                                          "<>", "<a@sub.lure.example>"};
  static const std::vector<std::string_view> k_names = {
      "From", "Reply-To", "Subject", "Content-Type", "MIME-Version", "Content-Transfer-Encoding"};
  static const std::vector<std::string_view> k_values = {" News <news@shop.example>",
                                                         " <x@lure.example>",
                                                         " text/html; charset=utf-8",
                                                         " multipart/alternative; boundary=b",
                                                         " 1.0",
                                                         " quoted-printable",
                                                         " base64"};
  static const std::vector<std::string_view> k_chunks = {
      "<html><img src=\"https://t.example/p.gif\" width=1 height=1></html>\r\n",
      "<a href=\"http://lure.example/x\">x</a>\r\n",
      "--b\r\nContent-Type: text/html\r\n\r\n",
      "--b--\r\n",
      "PGltZyBzcmM9Imh0dHA6Ly90LmV4YW1wbGUvIj4=\r\n",
      "=3D\r\n"};

  Input in(data, size);
  Harness h;
  const std::uint8_t flags = in.byte();
  h.env.holder = &h.holder;
  h.env.metrics = &metrics;
  h.env.refuse_at_data = flags & 1;
  h.env.on_error = (flags & 2) ? daemon::OnError::tempfail : daemon::OnError::accept;
  h.env.limits.max_message_bytes = 64 + 64 * (flags >> 4);
  h.env.limits.max_header_fields = 4 + (flags >> 4);
  h.env.limits.max_header_bytes = 256;
  const auto factory = daemon::engine_inspector();
  h.env.make_inspector = [&h, factory](std::shared_ptr<const ruleset::Ruleset> r,
                                       const engine::Limits& l) {
    const ruleset::Ruleset* raw = r.get();
    return std::make_unique<CountedInspector>(h.world, factory(std::move(r), l), raw);
  };
  publish(h, rules_a);
  const double counted_before = messages_counted(metrics);
  int reloads = 0;

  while (!in.done()) {
    const std::uint8_t op = in.byte() % 14;
    const bool in_message =
        h.state == State::envelope || h.state == State::headers || h.state == State::body;
    switch (op) {
      case 0:  // a new connection (the old one, if any, closes first)
        h.session.reset();
        h.state = State::closed;
        check_consistent(h);
        h.session = std::make_unique<daemon::Session>(h.env);
        h.session->set_leading_space(in.byte() & 1);
        guarded(h, false, [&] {
          h.session->connect(in.text());
          return Step::cont;
        });
        h.state = State::connected;
        break;
      case 1:
        if (h.state != State::connected) break;
        guarded(h, false, [&] {
          h.session->helo(in.text());
          return Step::cont;
        });
        break;
      case 2: {  // MAIL FROM: begins a message
        if (h.state != State::connected) break;
        h.message_failed = false;
        h.message_draining = h.env.draining.load();
        h.pinned_at_mail = h.holder.pin().get();
        const std::string_view from = in.pick(k_senders);
        guarded(h, false, [&] {
          h.session->envfrom(from, "", "QID");
          return Step::cont;
        });
        h.state = State::envelope;
        break;
      }
      case 3:
        if (h.state != State::envelope) break;
        guarded(h, false, [&] {
          h.session->rcpt(in.pick({"<mp@parliament.example>"}));
          return Step::cont;
        });
        break;
      case 4: {  // DATA (the MTA may also skip it)
        if (h.state != State::envelope) break;
        const Step s =
            guarded(h, h.env.refuse_at_data, [&] { return h.session->data("QID", h.mta); });
        if (h.env.refuse_at_data) answered(h, s, false);
        if (h.state == State::envelope) h.state = State::headers;
        break;
      }
      case 5: {
        if (h.state != State::envelope && h.state != State::headers) break;
        const std::string_view name = in.pick(k_names);
        const std::string_view value = in.pick(k_values);
        guarded(h, false, [&] {
          h.session->header(name, value);
          return Step::cont;
        });
        h.state = State::headers;
        break;
      }
      case 6:
        if (h.state != State::envelope && h.state != State::headers) break;
        guarded(h, false, [&] {
          h.session->eoh("QID");
          return Step::cont;
        });
        h.state = State::body;
        break;
      case 7: {
        if (h.state != State::body) break;
        const std::string_view chunk = in.pick(k_chunks);
        guarded(h, false, [&] {
          (void)h.session->body(chunk);
          return Step::cont;
        });
        break;
      }
      case 8: {
        if (h.state != State::body) break;
        const Step s = guarded(h, true, [&] { return h.session->eom("QID", h.mta); });
        answered(h, s, true);
        break;
      }
      case 9:  // abort: anywhere in a message; answered on an exception like milter.cpp
        if (!in_message) break;
        guarded(h, true, [&] {
          h.session->abort();
          return Step::cont;
        });
        h.state = State::connected;
        break;
      case 10:  // a reload publishes another ruleset, mid-message or not
        publish(h, (++reloads % 2) ? rules_b : rules_a);
        break;
      case 11:  // close, possibly mid-message (the client went away)
        h.session.reset();
        h.state = State::closed;
        break;
      case 12:
        if (in.byte() % 8 == 0) h.env.draining = true;  // SIGTERM: rare, never undone
        break;
      case 13:
        h.world.throw_next = true;
        break;
    }
    check_consistent(h);
  }
  h.session.reset();
  h.state = State::closed;
  check_consistent(h);
  require(h.env.sessions.load() == 0, "no session left");
  require(messages_counted(metrics) - counted_before == h.decided,
          "each message the MTA got a verdict for is decided (and counted) once");
  // A fresh publish: no session and no message may still hold an earlier ruleset.
  h.holder.publish(rules_a);
  for (const auto& w : h.pins) require(w.expired(), "every pinned ruleset is released");
  return 0;
}
