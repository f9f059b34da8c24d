// The engine runs on libmilter's worker threads, whose stack the daemon shrinks to
// daemon::k_worker_stack_bytes. These are the inputs that need the most stack (the
// deepest nesting each parser allows, and more): each must be inspected on a thread of
// exactly that size without overflowing (a crash here is the failure).
#include <pthread.h>

#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "daemon/worker_stack.hpp"
#include "engine/inspect.hpp"
#include "engine_test_support.hpp"
#include "mime/walk.hpp"

using namespace pixelwarden;

namespace {

const std::string k_rules = R"(ruleset:
  name: stack
  version: "1"
lists:
  lures:
    domains: [lure-news.example]
  brands:
    domains: [nytimes.com, bbc.co.uk]
trackers:
  - id: invisible-image
    match:
      invisible: true
    action: neutralize
lures:
  - id: lure-senders
    match:
      domain_in: lures
      where: [envelope_from, header_from, reply_to, sender, links, resources]
    action: reject
  - id: lookalikes
    match:
      lookalike_of: brands
      where: [header_from, links, resources]
    action: quarantine
)";

// Runs f on a new thread with the workers' stack size; false if the thread could not start.
bool on_worker_stack(const std::function<void()>& f) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return false;
  pthread_attr_setstacksize(&attr, daemon::k_worker_stack_bytes);
  pthread_t t;
  auto* fn = new std::function<void()>(f);
  const int rc = pthread_create(
      &t, &attr,
      [](void* p) -> void* {
        auto* g = static_cast<std::function<void()>*>(p);
        (*g)();
        delete g;
        return nullptr;
      },
      fn);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    delete fn;
    return false;
  }
  pthread_join(t, nullptr);
  return true;
}

engine::Envelope envelope() {
  engine::Envelope e;
  e.mail_from = "news@shop.example";
  e.rcpt = {"mp@parliament.example"};
  return e;
}

std::string message(const std::string& content_type, const std::string& body) {
  return "From: News <news@shop.example>\r\nTo: mp@parliament.example\r\nSubject: s\r\n"
         "MIME-Version: 1.0\r\nContent-Type: " +
         content_type + "\r\n\r\n" + body + "\r\n";
}

}  // namespace

TEST_SUITE("engine on a worker-sized stack") {
  TEST_CASE("MIME nested past the deepest max_depth a config may set") {
    std::string inner =
        "Content-Type: text/html\r\n\r\n<img src=\"https://t.example/p.gif\" width=1 height=1>\r\n";
    for (int i = 0; i < 1500; ++i) {
      std::string b = std::to_string(i);
      b.insert(0, 1, 'b');
      std::string outer;
      outer.append("Content-Type: multipart/mixed; boundary=\"").append(b).append("\"\r\n\r\n--");
      outer.append(b).append("\r\n").append(inner).append("\r\n--").append(b).append("--\r\n");
      inner = std::move(outer);
    }
    const std::string msg =
        "From: a@shop.example\r\nTo: b@c.example\r\nMIME-Version: 1.0\r\n" + inner;
    engine::Limits limits;
    limits.walk.max_depth = mime::k_max_depth_ceiling;  // as deep as a config may ask
    limits.walk.max_parts = 100000;
    auto rules = test::load_inline(k_rules);
    engine::Verdict v;
    REQUIRE(on_worker_stack([&] { v = engine::inspect(msg, envelope(), rules, limits); }));
    CHECK(v.message_bytes > 0);
  }

  TEST_CASE("HTML and CSS nested two hundred thousand deep") {
    std::string html;
    for (int i = 0; i < 200000; ++i) html += "<div style=\"color:red;display:block\">";
    html += "<img src=\"https://t.example/p.gif\" width=1 height=1>";
    for (int i = 0; i < 50000; ++i)
      html += "<table background=\"https://x.example/bg.gif\"><tr><td>";
    html += "<style>";
    for (int i = 0; i < 50000; ++i) html += "@media screen{";
    html += "a{background:url(https://t.example/c.gif)}";
    for (int i = 0; i < 50000; ++i) html += "}";
    html += "</style><svg>";
    for (int i = 0; i < 50000; ++i) html += "<g><image href=\"https://t.example/s.gif\"/>";
    html += "</svg><a href=\"https://www.lure-news.example/x\">x</a>";
    auto rules = test::load_inline(k_rules);
    engine::Verdict v;
    REQUIRE(on_worker_stack(
        [&] { v = engine::inspect(message("text/html", html), envelope(), rules); }));
    CHECK(v.action == engine::Action::reject);  // the link lure after all of it is still found
  }
}
