#include "daemon/session.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../fake_ruleset.hpp"
#include "daemon/audit_log.hpp"
#include "recording_actions.hpp"
#include "ruleset/holder.hpp"

using namespace pixelwarden;
using daemon::Answer;
using testing::RecordingActions;

namespace {

// What the scripted inspector saw, shared with the test.
struct Script {
  std::string refuse_envelope_from;  // reject at the envelope stage when mail_from equals this
  std::string refuse_header;         // reject at EOH when a header has this name
  bool throw_in_body = false;
  std::vector<std::string> versions_pinned;
  std::string body_seen;
  bool truncated_seen = false;
  engine::Envelope envelope_seen;
  std::vector<std::string> header_names_seen;
  engine::HeaderTotals header_totals_seen;
};

class ScriptedInspector final : public daemon::Inspector {
 public:
  ScriptedInspector(Script& s, std::shared_ptr<const ruleset::Ruleset> rules) : m_s(s) {
    m_s.versions_pinned.push_back(rules->meta().version);
    m_v.ruleset_version = rules->meta().version;
  }
  void envelope(const engine::Envelope& env) override {
    m_s.envelope_seen = env;
    m_v.envelope = env;
    m_v.stages_seen |= engine::stage_envelope;
    if (!m_s.refuse_envelope_from.empty() && env.mail_from == m_s.refuse_envelope_from) {
      refuse("envelope_from");
    }
  }
  void headers(const std::vector<engine::ReceivedField>& hs,
               const engine::HeaderTotals& totals) override {
    m_v.stages_seen |= engine::stage_headers;
    m_s.header_totals_seen = totals;
    for (const auto& h : hs) {
      m_s.header_names_seen.push_back(h.name);
      if (h.name == m_s.refuse_header) refuse("header_from");
    }
  }
  void body(std::string_view body, bool truncated) override {
    if (m_s.throw_in_body) throw std::runtime_error("boom");
    m_v.stages_seen |= engine::stage_body;
    m_s.body_seen = body;
    m_s.truncated_seen = truncated;
    if (truncated) m_v.skipped = engine::SkipReason::too_large;
    m_v.new_body = "rewritten";
    m_v.modified = true;
  }
  void queue_id(std::string_view id) override {
    m_v.queue_id = id;
    m_v.envelope.queue_id = id;
  }
  void elapsed_us(std::uint64_t us) override { m_v.elapsed_us = us; }
  const engine::Verdict& verdict() const override { return m_v; }

 private:
  void refuse(const char* where) {
    m_v.action = engine::Action::reject;
    m_v.decision = engine::Decision::reject;
    m_v.lures.push_back(
        {"lure-rule", ruleset::LureAction::reject, where, "lure.example", false, {}});
    m_v.reply = engine::Reply{"550", "5.7.1", "No lures, please"};
  }
  Script& m_s;
  engine::Verdict m_v;
};

struct Fixture {
  ruleset::RulesetHolder holder;
  daemon::SessionEnv env;
  Script script;
  Fixture() {
    holder.publish(std::make_shared<testing::FakeRuleset>("v1"));
    env.holder = &holder;
    env.limits.max_message_bytes = 100;
    env.make_inspector = [this](std::shared_ptr<const ruleset::Ruleset> r, const engine::Limits&) {
      return std::make_unique<ScriptedInspector>(script, std::move(r));
    };
  }
};

void start_message(daemon::Session& s, std::string_view from = "<alice@example.org>") {
  s.connect("192.0.2.7");
  s.helo("mx.example.org");
  s.envfrom(from, "", "");
  s.rcpt("<bob@example.net>");
  s.rcpt("<carol@example.net>");
}

}  // namespace

TEST_SUITE("daemon::Session") {
  TEST_CASE("a full message passes every stage and the body edit is applied at EOM") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    CHECK(s.data("QID1", a) == Answer::cont);
    s.header("Subject", " hello");
    s.eoh("QID1");
    CHECK(s.body("line one\r\n"));
    CHECK(s.body("line two\r\n"));
    CHECK(f.env.in_flight == 1);
    CHECK(s.eom("QID1", a) == Answer::cont);
    CHECK(f.script.body_seen == "line one\r\nline two\r\n");
    CHECK(a.calls == std::vector<std::string>{"body 9 bytes"});
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("the envelope carries addresses without brackets, client and HELO") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.data("QID2", a);
    CHECK(f.script.envelope_seen.mail_from == "alice@example.org");
    CHECK(f.script.envelope_seen.rcpt ==
          std::vector<std::string>{"bob@example.net", "carol@example.net"});
    CHECK(f.script.envelope_seen.client_ip == "192.0.2.7");
    CHECK(f.script.envelope_seen.helo == "mx.example.org");
    CHECK(f.script.envelope_seen.queue_id == "QID2");
  }

  TEST_CASE("with refuse_at_data, an envelope lure is refused at DATA, before the body is sent") {
    Fixture f;
    f.env.refuse_at_data = true;
    f.script.refuse_envelope_from = "evil@lure.example";
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s, "<evil@lure.example>");
    CHECK(s.data("Q", a) == Answer::reject);
    CHECK(a.calls == std::vector<std::string>{"reply 550 5.7.1 |No lures, please"});
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("a header-stage verdict is held at end of headers and answered at EOM") {
    Fixture f;
    f.script.refuse_header = "X-Lure";
    f.env.on_error = daemon::OnError::tempfail;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    CHECK(s.data("Q", a) == Answer::cont);

    SUBCASE("a header lure is refused at EOM; its body is inspected for the verdict, not edited") {
      s.header("X-Lure", " yes");
      s.eoh("Q");
      CHECK(a.calls.empty());  // nothing may be sent at a no-reply step
      CHECK(f.env.in_flight == 1);
      CHECK(s.body("links\r\n"));
      CHECK(s.eom("Q", a) == Answer::reject);
      CHECK(a.calls == std::vector<std::string>{"reply 550 5.7.1 |No lures, please"});
      CHECK(f.script.body_seen == "links\r\n");
    }
    SUBCASE("a clean message is inspected and edited at EOM as before") {
      s.header("Subject", " hi");
      s.eoh("Q");
      CHECK(s.body("body\r\n"));
      CHECK(s.eom("Q", a) == Answer::cont);
      CHECK(f.script.body_seen == "body\r\n");
      CHECK(a.calls == std::vector<std::string>{"body 9 bytes"});
    }
    SUBCASE("a failure at end of headers (as guarded() reports it) is answered at EOM") {
      s.fail("eoh", "simulated");
      s.eoh("Q");
      CHECK_FALSE(s.body("x"));
      CHECK(f.env.in_flight == 1);
      CHECK(s.eom("Q", a) == Answer::tempfail);
    }
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("a held refusal does not outlive its message") {
    Fixture f;
    f.script.refuse_header = "X-Lure";
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.data("Q1", a);
    s.header("X-Lure", " yes");
    s.eoh("Q1");
    SUBCASE("the MTA aborts it") { s.abort(); }
    SUBCASE("the next MAIL FROM comes without an abort") {}
    s.envfrom("<carol@example.org>", "", "");
    s.rcpt("<bob@example.net>");
    CHECK(s.data("Q2", a) == Answer::cont);
    s.header("Subject", " hi");
    s.eoh("Q2");
    CHECK(s.body("clean\r\n"));
    CHECK(s.eom("Q2", a) == Answer::cont);
    CHECK(f.script.body_seen == "clean\r\n");
    CHECK(a.calls == std::vector<std::string>{"body 9 bytes"});
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("over max_message_bytes the body stops buffering and the rest is dropped") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.data("Q", a);
    s.eoh("Q");
    CHECK(s.body(std::string(60, 'a')));
    CHECK_FALSE(s.body(std::string(60, 'b')));
    CHECK_FALSE(s.body(std::string(10, 'c')));
    s.eom("Q", a);
    CHECK(f.script.truncated_seen);
    CHECK(f.script.body_seen == std::string(60, 'a'));
  }

  TEST_CASE("two messages on one connection each pin the ruleset in force at MAIL FROM") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    f.holder.publish(std::make_shared<testing::FakeRuleset>("v2"));  // mid-message reload
    s.data("Q1", a);
    s.eom("Q1", a);
    s.envfrom("<x@example.org>", "", "");
    s.rcpt("<y@example.org>");
    s.data("Q2", a);
    s.eom("Q2", a);
    CHECK(f.script.versions_pinned == std::vector<std::string>{"v1", "v2"});
    CHECK(f.script.envelope_seen.rcpt == std::vector<std::string>{"y@example.org"});
  }

  TEST_CASE("abort resets the message; the next one starts clean") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.data("Q1", a);
    s.body("partial");
    s.abort();
    CHECK(f.env.in_flight == 0);
    s.envfrom("<x@example.org>", "", "");
    s.data("Q2", a);
    s.body("whole");
    s.eom("Q2", a);
    CHECK(f.script.body_seen == "whole");
  }

  TEST_CASE("an exception in a stage is answered with on_error=tempfail") {
    Fixture f;
    f.env.on_error = daemon::OnError::tempfail;
    f.script.throw_in_body = true;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.data("Q", a);
    s.body("x");
    Answer st = Answer::cont;
    try {
      st = s.eom("Q", a);
    } catch (const std::exception& e) {
      s.fail("eom", e.what());
      st = s.answer_failure();
    }
    CHECK(st == Answer::tempfail);
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("with refuse_at_data, a failure in a no-reply stage is answered at DATA") {
    Fixture f;
    f.env.refuse_at_data = true;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.fail("header", "simulated");
    CHECK(s.data("Q", a) == Answer::accept);
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("without a ruleset, MAIL FROM fails (and is answered with on_error later)") {
    ruleset::RulesetHolder empty;
    daemon::SessionEnv env;
    env.holder = &empty;
    env.make_inspector = [](std::shared_ptr<const ruleset::Ruleset>, const engine::Limits&) {
      return std::unique_ptr<daemon::Inspector>();
    };
    daemon::Session s(env);
    CHECK_THROWS(s.envfrom("<a@b>", "", ""));
  }

  TEST_CASE("a flagged message is written to the audit log as one JSON line") {
    Fixture f;
    // In the temp directory of whoever runs the tests ($TMPDIR honoured).
    std::string tmpl = (std::filesystem::temp_directory_path() / "pw-audit-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    REQUIRE(fd >= 0);
    close(fd);
    auto audit = daemon::AuditLog::open(tmpl);
    REQUIRE(audit.ok());
    f.env.audit = audit->get();
    f.env.refuse_at_data = true;
    f.script.refuse_envelope_from = "evil@lure.example";
    {
      daemon::Session s(f.env);
      RecordingActions a;
      start_message(s, "<evil@lure.example>");
      s.data("QAUDIT", a);
    }
    (*audit)->flush();
    std::ifstream in(tmpl);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::remove(tmpl.c_str());
    CHECK(text.find("\"QAUDIT\"") != std::string::npos);
    CHECK(text.find("lure-rule") != std::string::npos);
    CHECK(text.find("bob@example.net") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    CHECK(text.find(R"("stages_not_seen":["headers","body"])") != std::string::npos);
  }

  TEST_CASE("unmatched messages are audited at the sample rate, marked sampled") {
    Fixture f;
    char tmpl[] = "/tmp/pw-audit-XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    daemon::AuditSettings settings;
    settings.path = tmpl;
    settings.sample_rate = 0.5;
    auto audit = daemon::AuditLog::open(settings);
    REQUIRE(audit.ok());
    f.env.audit = audit->get();
    for (int i = 0; i < 4; ++i) {
      daemon::Session s(f.env);
      RecordingActions a;
      start_message(s);
      s.eoh("Q");
      s.body("clean\r\n");
      s.eom("Q", a);
    }
    (*audit)->flush();
    std::ifstream in(tmpl);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::remove(tmpl);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    CHECK(text.find(R"("sampled":true,"sample_rate":0.5)") != std::string::npos);
  }

  TEST_CASE("with refuse_at_data, a message that begins while draining is answered 451 at DATA") {
    Fixture f;
    f.env.refuse_at_data = true;
    daemon::Session s(f.env);
    RecordingActions a;
    f.env.draining = true;
    start_message(s);
    CHECK(s.data("Q", a) == Answer::tempfail);
    CHECK(a.calls ==
          std::vector<std::string>{"reply 451 4.3.2 |pixelwarden is restarting, try again later"});
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("by default, a message that begins while draining is answered 451 at EOM") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    f.env.draining = true;
    start_message(s);
    CHECK(s.data("Q", a) == Answer::cont);
    s.header("Subject", " hi");
    s.eoh("Q");
    CHECK(a.calls.empty());  // nothing may be sent at a no-reply step
    CHECK_FALSE(s.body("not buffered\r\n"));
    CHECK(f.script.envelope_seen.mail_from.empty());  // never inspected
    CHECK(s.eom("Q", a) == Answer::tempfail);
    CHECK(a.calls ==
          std::vector<std::string>{"reply 451 4.3.2 |pixelwarden is restarting, try again later"});
    CHECK(f.script.body_seen.empty());
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("a message already under way when draining starts is finished normally") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    f.env.draining = true;
    CHECK(s.data("Q", a) == Answer::cont);
    CHECK(s.eom("Q", a) == Answer::cont);
  }

  TEST_CASE("by default, an envelope lure is held at DATA and refused at EOM") {
    Fixture f;
    f.script.refuse_envelope_from = "evil@lure.example";
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s, "<evil@lure.example>");

    SUBCASE("DATA arrives as a no-reply step") {
      CHECK(s.data("Q", a) == Answer::cont);
      s.header("Subject", " hi");
      s.eoh("Q");
      // The held refusal still lets the headers add their matches (complete verdict).
      CHECK(f.script.header_names_seen == std::vector<std::string>{"Subject"});
    }
    SUBCASE("the MTA skips DATA: the envelope is inspected at end of headers") {
      s.header("Subject", " hi");
      CHECK(f.script.envelope_seen.mail_from.empty());
      s.eoh("Q");
      CHECK(f.script.envelope_seen.mail_from == "evil@lure.example");
      CHECK(f.script.header_names_seen == std::vector<std::string>{"Subject"});
    }
    SUBCASE("the MTA skips DATA and end of headers: inspected at EOM") {
      s.header("Subject", " hi");
    }
    CHECK(a.calls.empty());
    CHECK(s.body("inspected for the verdict\r\n"));
    CHECK(f.env.in_flight == 1);
    CHECK(s.eom("Q", a) == Answer::reject);
    CHECK(a.calls == std::vector<std::string>{"reply 550 5.7.1 |No lures, please"});
    CHECK(f.script.envelope_seen.rcpt ==
          std::vector<std::string>{"bob@example.net", "carol@example.net"});
    CHECK(f.script.body_seen == "inspected for the verdict\r\n");
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("by default, a clean message without DATA is inspected and edited at EOM") {
    Fixture f;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.header("Subject", " hi");
    s.eoh("QID9");
    CHECK(f.script.envelope_seen.queue_id == "QID9");
    CHECK(s.body("body\r\n"));
    CHECK(s.eom("QID9", a) == Answer::cont);
    CHECK(f.script.body_seen == "body\r\n");
    CHECK(a.calls == std::vector<std::string>{"body 9 bytes"});
  }

  TEST_CASE("by default, a failure in a no-reply stage is answered at EOM") {
    Fixture f;
    f.env.on_error = daemon::OnError::tempfail;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    s.fail("rcpt", "simulated");
    CHECK(s.data("Q", a) == Answer::cont);
    s.eoh("Q");
    CHECK_FALSE(s.body("x"));
    CHECK(a.calls.empty());
    CHECK(s.eom("Q", a) == Answer::tempfail);
    CHECK(f.env.in_flight == 0);
  }

  TEST_CASE("sessions are counted while open") {
    Fixture f;
    {
      daemon::Session s(f.env);
      CHECK(f.env.sessions == 1);
    }
    CHECK(f.env.sessions == 0);
  }
  TEST_CASE("past max_header_fields, fields are counted but not kept") {
    Fixture f;
    f.env.limits.max_header_fields = 3;
    daemon::Session s(f.env);
    start_message(s);
    for (int i = 0; i < 10; ++i) s.header("X-F" + std::to_string(i), " v");
    s.eoh("Q1");
    CHECK(f.script.header_names_seen == std::vector<std::string>{"X-F0", "X-F1", "X-F2"});
    CHECK(f.script.header_totals_seen.fields == 10);
    CHECK(f.script.header_totals_seen.bytes == 10 * (3 + 1 + 2 + 3));
  }
  TEST_CASE("past max_header_bytes, no later field is kept, even a small one") {
    Fixture f;
    f.env.limits.max_header_bytes = 100;
    daemon::Session s(f.env);
    start_message(s);
    s.header("A", " small");
    s.header("Big", " " + std::string(200, 'x'));
    s.header("B", " small");
    s.eoh("Q1");
    CHECK(f.script.header_names_seen == std::vector<std::string>{"A"});
    CHECK(f.script.header_totals_seen.fields == 3);
    CHECK(f.script.header_totals_seen.bytes == 10 + 207 + 10);
  }
  TEST_CASE("the header caps start over with each message") {
    Fixture f;
    f.env.limits.max_header_fields = 2;
    daemon::Session s(f.env);
    RecordingActions a;
    start_message(s);
    for (int i = 0; i < 5; ++i) s.header("X", " v");
    s.eoh("Q1");
    s.eom("Q1", a);
    f.script.header_names_seen.clear();
    start_message(s);
    s.header("Y", " v");
    s.eoh("Q2");
    CHECK(f.script.header_names_seen == std::vector<std::string>{"Y"});
    CHECK(f.script.header_totals_seen.fields == 1);
  }
}
